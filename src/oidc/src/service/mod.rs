//! Rules, permission checks and transactions of the OIDC provider and the
//! Identity face.

pub mod authorize;
pub mod clients;
pub mod keys;
pub mod onboard;
pub mod state;
pub mod token;
pub mod upstream;

use std::sync::{Arc, RwLock};
use std::time::Duration;

use meshcloud_identity::Identity;
use meshcloud_kernel::db::Db;
use meshcloud_kernel::secrets::Sealer;

/// Settings of the provider, taken from the server configuration.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// The public base URL: the `iss` of every token, without a trailing slash.
    pub issuer: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub id_token_ttl: Duration,
    pub code_ttl: Duration,
    /// A signing key older than this is replaced (the old one stays published).
    pub key_rotation: Duration,
    pub service_account_ttl: Duration,
    /// May a user the provider does not know be created at an upstream sign-in
    /// (through the client's onboarding page)?
    pub allow_signup: bool,
}

impl Default for OidcSettings {
    fn default() -> Self {
        OidcSettings {
            issuer: "http://127.0.0.1:9876".into(),
            access_token_ttl: Duration::from_secs(3600),
            refresh_token_ttl: Duration::from_secs(30 * 86_400),
            id_token_ttl: Duration::from_secs(3600),
            code_ttl: Duration::from_secs(60),
            key_rotation: Duration::from_secs(90 * 86_400),
            service_account_ttl: Duration::from_secs(90 * 86_400),
            allow_signup: true,
        }
    }
}

#[derive(Clone)]
pub struct Oidc {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    identity: Identity,
    sealer: Sealer,
    settings: OidcSettings,
    keys: RwLock<Option<Arc<keys::KeyRing>>>,
    http: reqwest::Client,
}

impl Oidc {
    /// Fails when the client for upstream providers cannot be built (no TLS
    /// roots, say): a default client would lose its timeout and follow
    /// redirects, so the server does not start without this one.
    pub fn new(db: Db, identity: Identity, sealer: Sealer, settings: OidcSettings) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the HTTP client for upstream sign-in providers: {e}"))?;
        Ok(Oidc { inner: Arc::new(Inner { db, identity, sealer, settings, keys: RwLock::new(None), http }) })
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn identity(&self) -> &Identity {
        &self.inner.identity
    }

    pub fn settings(&self) -> &OidcSettings {
        &self.inner.settings
    }

    pub(crate) fn sealer(&self) -> &Sealer {
        &self.inner.sealer
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    pub fn issuer(&self) -> &str {
        &self.inner.settings.issuer
    }
}
