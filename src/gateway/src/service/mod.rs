//! Rules, permission checks and transactions of the gateway family.

pub mod apis;
pub mod app_spec;
pub mod applications;
pub mod certificates;
pub mod consumers;
pub mod control_plane_settings;
pub mod control_planes;
pub mod export;
pub mod jwt;
pub mod members;
pub mod openapi_import;
pub mod orgs;
pub mod scope;
pub mod x509;

use std::sync::Arc;

use meshcloud_billing::Billing;
use meshcloud_identity::Identity;
use meshcloud_kernel::db::Db;
use meshcloud_kernel::secrets::Sealer;
use meshcloud_kernel::time::Timestamp;

/// Where the family reads "now": the scheduler's clock (a manual clock in
/// the integration tests), so control-plane provisioning and certificate
/// expiry move with it.
pub type Now = Arc<dyn Fn() -> Timestamp + Send + Sync>;

#[derive(Debug, Clone, Default)]
pub struct GatewaySettings {
    /// The server's public URL (`public_url`, else the address served on):
    /// control planes' `domain` is its host, and the UI links to it.
    pub public_url: String,
}

#[derive(Clone)]
pub struct Gateway {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    identity: Identity,
    billing: Billing,
    sealer: Sealer,
    settings: GatewaySettings,
    now: Now,
}

impl Gateway {
    pub fn new(db: Db, identity: Identity, billing: Billing, sealer: Sealer, settings: GatewaySettings) -> Self {
        let now: Now = Arc::new(meshcloud_kernel::time::now);
        Gateway { inner: Arc::new(Inner { db, identity, billing, sealer, settings, now }) }
    }

    /// Reads the time from `now` instead of the system clock. Set while the
    /// family is built, before it is shared.
    pub fn with_clock(mut self, now: Now) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.now = now;
        }
        self
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn identity(&self) -> &Identity {
        &self.inner.identity
    }

    pub fn billing(&self) -> &Billing {
        &self.inner.billing
    }

    pub fn sealer(&self) -> &Sealer {
        &self.inner.sealer
    }

    pub fn settings(&self) -> &GatewaySettings {
        &self.inner.settings
    }

    pub fn now(&self) -> Timestamp {
        (self.inner.now)()
    }
}
