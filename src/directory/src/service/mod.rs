//! Rules, permission checks and transactions of the Identity face.

pub mod access;
pub mod acl;
pub mod allocations;
pub mod groups;
pub mod lookup;
pub mod orgs;
pub mod projects;
pub mod providers;
pub mod provisioning;
pub mod quotas;
pub mod service_accounts;
pub mod signup;
pub mod users;

use std::sync::Arc;
use std::time::Duration;

use meshcloud_identity::Identity;
use meshcloud_kernel::db::Db;
use meshcloud_kernel::secrets::Sealer;

/// Settings of the Identity face, taken from the server configuration.
#[derive(Debug, Clone)]
pub struct DirectorySettings {
    /// Lifetime of a service account's token (created or rotated).
    pub service_account_ttl: Duration,
    /// E-mail sign-up links for pending users; `None` when no mail server is
    /// configured.
    pub signup: Option<SignupSettings>,
}

#[derive(Debug, Clone)]
pub struct SignupSettings {
    /// Where the links point: the server's public URL.
    pub public_url: String,
    pub link_ttl: Duration,
}

impl Default for DirectorySettings {
    fn default() -> Self {
        DirectorySettings { service_account_ttl: Duration::from_secs(90 * 86_400), signup: None }
    }
}

#[derive(Clone)]
pub struct Directory {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    identity: Identity,
    sealer: Sealer,
    settings: DirectorySettings,
}

impl Directory {
    pub fn new(db: Db, identity: Identity, sealer: Sealer, settings: DirectorySettings) -> Self {
        Directory { inner: Arc::new(Inner { db, identity, sealer, settings }) }
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn identity(&self) -> &Identity {
        &self.inner.identity
    }

    pub fn settings(&self) -> &DirectorySettings {
        &self.inner.settings
    }

    pub fn sealer(&self) -> &Sealer {
        &self.inner.sealer
    }
}
