//! Rules, permission checks and transactions of the OIDC provider and the
//! Identity face.

pub mod authorize;
pub mod clients;
pub mod keys;
pub mod onboard;
pub mod sessions;
pub mod state;
pub mod token;
pub mod upstream;

use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use meshcloud_identity::Identity;
use meshcloud_kernel::db::Db;
use meshcloud_kernel::secrets::Sealer;
use meshcloud_kernel::{AppError, AppResult};

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
    http: OnceLock<reqwest::Client>,
}

impl Oidc {
    /// Registers the provider's sessions with the identity family (token
    /// lists, sign-out). The client for upstream providers is built on first
    /// use: loading the system's TLS roots costs start-up time and memory
    /// that a server without upstream providers never needs.
    pub fn new(db: Db, identity: Identity, sealer: Sealer, settings: OidcSettings) -> Result<Self, String> {
        identity.register_oauth_sessions(Arc::new(sessions::Sessions));
        Ok(Oidc {
            inner: Arc::new(Inner { db, identity, sealer, settings, keys: RwLock::new(None), http: OnceLock::new() }),
        })
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

    /// Fails when the client cannot be built (no TLS roots, say) rather than
    /// fall back to a default client, which would lose the timeout and follow
    /// redirects.
    pub(crate) fn http(&self) -> AppResult<&reqwest::Client> {
        if let Some(c) = self.inner.http.get() {
            return Ok(c);
        }
        let built = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                tracing::error!(error = %e, "cannot build the HTTP client for upstream sign-in providers");
                AppError::oauth("server_error", "upstream sign-in is not available")
            })?;
        Ok(self.inner.http.get_or_init(|| built))
    }

    pub fn issuer(&self) -> &str {
        &self.inner.settings.issuer
    }
}
