//! Rules, permission checks and transactions of the identity family.

pub mod access;
pub mod auth;
pub mod badges;
pub mod bootstrap;
pub mod cache;
pub mod domains;
pub mod invitations;
pub mod keys;
pub mod members;
pub mod oauth;
pub mod orgs;
pub mod passwords;
pub mod roles;
pub mod signup;
pub mod teams;
pub mod tokens;
pub mod users;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use meshcloud_kernel::db::Db;

use crate::limiter::AddressLimiter;
use crate::password::Passwords;
use crate::throttle::{self, Throttle};

/// Settings of the identity family, taken from the server configuration.
#[derive(Debug, Clone)]
pub struct IdentitySettings {
    /// May any signed-in user create organizations (else provider admins only)?
    pub allow_user_org_creation: bool,
    /// How long a web session lasts.
    pub session_ttl: Duration,
    /// How long a resolved credential is trusted without a database lookup.
    pub auth_cache_ttl: Duration,
    /// Behind a reverse proxy: take the client address for sign-in throttling
    /// from the last `X-Forwarded-For` entry (the one the proxy added).
    pub trust_forwarded_for: bool,
    /// Pending sign-up requests kept at most; further requests get 429.
    pub max_pending_signups: usize,
}

impl Default for IdentitySettings {
    fn default() -> Self {
        IdentitySettings {
            allow_user_org_creation: true,
            session_ttl: Duration::from_secs(12 * 3600),
            auth_cache_ttl: Duration::from_secs(10),
            trust_forwarded_for: false,
            max_pending_signups: 1000,
        }
    }
}

#[derive(Clone)]
pub struct Identity {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    settings: IdentitySettings,
    passwords: Passwords,
    throttle: Throttle,
    anonymous: AddressLimiter,
    cache: cache::AuthCache,
    oauth: OnceLock<Arc<dyn oauth::OAuthSessions>>,
}

impl Identity {
    pub fn new(db: Db, settings: IdentitySettings) -> Self {
        let cache = cache::AuthCache::new(settings.auth_cache_ttl);
        Identity {
            inner: Arc::new(Inner {
                passwords: Passwords::new(2, Duration::from_secs(10)),
                // Attempts wait for a place as long as for a hashing permit.
                throttle: Throttle::new(
                    [throttle::PAIR, throttle::ADDRESS, throttle::ACCOUNT],
                    Duration::from_secs(10),
                    Some(db.clone()),
                ),
                db,
                // Ten at once, then one every six seconds, per address.
                anonymous: AddressLimiter::new(10, Duration::from_secs(6)),
                cache,
                settings,
                oauth: OnceLock::new(),
            }),
        }
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn settings(&self) -> &IdentitySettings {
        &self.inner.settings
    }

    /// Reads the sign-in failures stored before a restart into the throttle.
    pub async fn restore_signin_throttle(&self) -> meshcloud_kernel::AppResult<usize> {
        self.inner.throttle.load().await
    }

    /// Takes one anonymous write (a sign-up request, an onboarding) from the
    /// budget of the client's address: 429 past it.
    pub fn anonymous_write(&self, client_ip: &str) -> meshcloud_kernel::AppResult<()> {
        self.inner.anonymous.take(client_ip)
    }
}

impl Identity {
    /// Removes organizations and access-control rows soft-deleted, and
    /// credentials revoked or expired, more than `retention` ago. Returns
    /// (deleted rows, credentials) removed.
    pub async fn purge(&self, retention: Duration) -> meshcloud_kernel::AppResult<(usize, usize)> {
        let cutoff = meshcloud_kernel::time::ago(retention)?;
        self.db()
            .write(move |c| {
                let orgs = crate::store::orgs::purge_deleted(c, &cutoff)?;
                let tokens = crate::store::tokens::purge_dead(c, &cutoff)?;
                // Tombstoned access-control rows: nothing refers to them any more.
                let tables = ["teams", "roles", "keychains", "permission_keys", "invitations", "badges"];
                let rest = meshcloud_kernel::db::purge_soft_deleted(c, &tables, &cutoff)?;
                let rows = orgs + rest;
                if rows + tokens > 0 {
                    let e = meshcloud_kernel::audit::Event::new(meshcloud_kernel::audit::EventKind::SystemPurge, None)
                        .describe(format!(
                            "purged {rows} deleted rows ({orgs} organizations) and {tokens} credentials"
                        ));
                    meshcloud_kernel::audit::record(c, e)?;
                }
                Ok((rows, tokens))
            })
            .await
    }
}

impl Identity {
    /// Removes credentials that have expired or been revoked (the token
    /// cleanup job); returns how many.
    pub async fn cleanup_tokens(&self) -> meshcloud_kernel::AppResult<usize> {
        let now = meshcloud_kernel::time::now();
        let n = self.db().write(move |c| crate::store::tokens::purge_dead(c, &now)).await?;
        // Forgiven sign-in failures go with them.
        self.inner.throttle.purge().await?;
        Ok(n)
    }
}
