//! Credentials: the opaque token format, resolution into a `Principal` through
//! a short-lived cache, password sign-in with throttling, and web sessions.
//!
//! A token reads `mc_<public id as 32 hex>_<secret>`. Only SHA-256 of the
//! secret is stored; a lookup is one primary-key read and a constant-time compare.

use std::time::{Duration, Instant};

use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::crypto::{ct_eq, random_secret, sha256};
use meshcloud_kernel::db::Db;
use meshcloud_kernel::ids::{TokenId, UserId, new_uuid};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::time;
use meshcloud_kernel::{AppError, AppResult};
use tracing::instrument;

use super::Identity;
use super::cache::{Credential, Job, Resolved};
use super::oauth::{API_SCOPE, scope_has};
use crate::store::tokens::{self, Kind, NewToken};
use crate::store::{keys, users};

const PREFIX: &str = "mc_";
/// `last_used_at` is written at most this often per credential.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// A freshly issued credential: the only time its plaintext exists.
pub struct Issued {
    pub uuid: uuid::Uuid,
    pub plaintext: String,
    pub hash: [u8; 32],
}

/// A new web session: its row and the cookie value.
pub struct WebSession {
    pub id: TokenId,
    pub issued: Issued,
}

pub fn issue() -> Issued {
    let uuid = new_uuid();
    let secret = random_secret(32);
    Issued { uuid, plaintext: format!("{PREFIX}{}_{secret}", uuid.simple()), hash: sha256(secret.as_bytes()) }
}

/// Splits a presented credential into its public id and secret.
pub fn parse(raw: &str) -> Option<(uuid::Uuid, &str)> {
    let rest = raw.trim().strip_prefix(PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    if id.len() != 32 || secret.is_empty() {
        return None;
    }
    Some((uuid::Uuid::parse_str(id).ok()?, secret))
}

/// The anti-forgery value for a session: derived from its secret, so it needs
/// no storage and cannot be guessed by a page that cannot read the cookie.
pub fn csrf_token(session_plaintext: &str) -> String {
    use base64::Engine;
    let digest = sha256(format!("csrf:{session_plaintext}").as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..24])
}

impl Identity {
    /// Resolves a bearer token (`session == false`) or a session cookie for
    /// meshcloud's APIs: an OAuth access token without the API scope is
    /// refused (403 where the face has one), whatever its user may do.
    #[instrument(skip_all, level = "debug")]
    pub async fn authenticate(&self, raw: &str, session: bool) -> AppResult<Principal> {
        self.resolve(raw, session, true).await
    }

    /// Resolves a bearer token of any scope: for the OIDC provider's own
    /// endpoints (userinfo), which check the scope themselves.
    pub async fn authenticate_oauth(&self, raw: &str) -> AppResult<Principal> {
        self.resolve(raw, false, false).await
    }

    async fn resolve(&self, raw: &str, session: bool, for_api: bool) -> AppResult<Principal> {
        let (id, secret) = parse(raw).ok_or(AppError::Unauthenticated)?;
        let hash = sha256(secret.as_bytes());
        let cred = match self.inner.cache.get(&id, &hash, session) {
            Some(c) => c,
            None => self.read_credential(id, hash, session).await?,
        };
        if for_api && !cred.api {
            return Err(AppError::InsufficientScope(API_SCOPE));
        }
        let cache = &self.inner.cache;
        let (grants, refresh) = cache.grants(cred.user, cred.provider_admin, resolver(self.db())).await?;
        if let Some(flight) = refresh {
            // Stale-while-revalidate: this request goes on with the current
            // grants; one task reads them again for the requests after it.
            let me = self.clone();
            let user = cred.user;
            tokio::spawn(async move {
                let _ = me.inner.cache.run(user, &flight, resolver(me.db())).await;
            });
        }
        Ok(Principal {
            user: cred.user,
            user_uuid: cred.user_uuid,
            email: cred.email,
            provider_admin: cred.provider_admin,
            token: cred.token,
            via_session: session,
            grants,
        })
    }

    /// Reads a credential (two lookups by key) and caches it for the TTL.
    async fn read_credential(&self, id: uuid::Uuid, hash: [u8; 32], session: bool) -> AppResult<Credential> {
        // Stamped before anything is read: see `Stamp`.
        let stamp = self.inner.cache.stamp();
        let rec = self
            .db()
            .read(move |c| {
                let Some(rec) = tokens::auth_record(c, id)? else { return Ok(None) };
                if rec.kind.is_bearer() == session || !ct_eq(&rec.secret_hash, &hash) {
                    return Ok(None);
                }
                Ok(Some(rec))
            })
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if rec.last_used_at.is_none_or(|t| (time::now() - t).to_std().unwrap_or_default() > TOUCH_EVERY) {
            // Best effort and off the request path: a lost touch costs nothing.
            let db = self.db().clone();
            let token = rec.token;
            tokio::spawn(async move {
                let _ = db.write(move |c| tokens::touch(c, token)).await;
            });
        }
        let cred = Credential {
            user: rec.user,
            user_uuid: rec.user_uuid,
            email: rec.email,
            provider_admin: rec.provider_admin,
            token: rec.token,
            hash: rec.secret_hash,
            kind: rec.kind,
            api: rec.kind != Kind::OAuth || scope_has(&rec.scope, API_SCOPE),
            expires_at: rec.expires_at,
            until: Instant::now() + self.inner.cache.ttl,
            stamp,
        };
        self.inner.cache.put(id, cred.clone());
        Ok(cred)
    }

    /// Password sign-in. Returns the user and a new session credential.
    #[instrument(skip_all, level = "debug")]
    pub async fn login(&self, email: &str, password: String, client_ip: &str) -> AppResult<(UserId, WebSession)> {
        let email = email.trim().to_lowercase();
        let attempt = self.inner.throttle.begin(&email, client_ip).await?;
        let lookup = email.clone();
        let found = self.db().read(move |c| users::password_hash(c, &lookup)).await?;
        let (user, stored) = match found {
            Some((user, hash, status)) if status == "active" => (Some(user), hash),
            _ => (None, None),
        };
        let ok = self.inner.passwords.verify(password, stored).await?;
        let Some(user) = user.filter(|_| ok) else {
            attempt.fail().await;
            return Err(AppError::Unauthenticated);
        };
        attempt.succeed().await;
        let issued = self.start_session(user, client_ip, "meshcloud").await?;
        Ok((user, issued))
    }

    /// A new web session for a user whose identity was proven elsewhere
    /// (a password, or an upstream OIDC provider named by `via`).
    pub async fn start_session(&self, user: UserId, client_ip: &str, via: &str) -> AppResult<WebSession> {
        let issued = issue();
        let (uuid, hash) = (issued.uuid, issued.hash);
        let expires = time::after(self.settings().session_ttl)?;
        let purpose = format!("signed in from {client_ip}");
        let via = via.to_string();
        let id = self
            .db()
            .write(move |c| {
                let id = tokens::insert(
                    c,
                    &NewToken {
                        uuid,
                        user,
                        kind: Kind::Session,
                        name: "web session",
                        purpose: &purpose,
                        provider: &via,
                        secret_hash: &hash,
                        expires_at: Some(expires),
                        created_by: Some(user),
                    },
                )?;
                users::record_login(c, user)?;
                audit::record(
                    c,
                    Event::new(EventKind::SessionLogin, Some(user)).on(uuid).describe(format!("signed in via {via}")),
                )?;
                Ok(id)
            })
            .await?;
        Ok(WebSession { id, issued })
    }

    /// When the session a principal came with began (its `auth_time`).
    pub async fn session_started(&self, p: &Principal) -> AppResult<time::Timestamp> {
        let token = p.token;
        self.db().read(move |c| tokens::created_at(c, token)).await
    }

    /// Drops cached resolutions of credentials revoked by another family.
    pub fn forget_credentials(&self, ids: &[uuid::Uuid]) {
        for id in ids {
            self.inner.cache.forget(id);
        }
    }

    /// Ends the session the principal came with, and with it the OIDC
    /// sessions signed in through it: their access and refresh tokens stop
    /// at once.
    pub async fn logout(&self, principal: &Principal, raw_cookie: &str) -> AppResult<()> {
        let (id, _) = parse(raw_cookie).ok_or(AppError::Unauthenticated)?;
        let user = principal.user;
        let oauth = self.oauth_sessions();
        let ended = self
            .db()
            .write(move |c| {
                let row = tokens::revoke(c, id, Some(user))?;
                audit::record(c, Event::new(EventKind::SessionLogout, Some(user)).on(id).describe("signed out"))?;
                match oauth {
                    Some(o) => o.end_browser_session(c, row.id),
                    None => Ok(Vec::new()),
                }
            })
            .await?;
        self.inner.cache.forget(&id);
        self.forget_credentials(&ended);
        Ok(())
    }

    /// Sets a user's password (CLI and bootstrap use this through `users`).
    pub async fn hash_password(&self, password: String) -> AppResult<String> {
        crate::password::Passwords::check_policy(&password)?;
        self.inner.passwords.hash(password).await
    }

    pub(crate) fn forget_credential(&self, id: &uuid::Uuid) {
        self.inner.cache.forget(id);
    }
}

/// Reads what a resolution of cached grants asks for, on a reader.
fn resolver(db: &Db) -> impl FnOnce(Job) -> BoxFuture<AppResult<Resolved>> + use<> {
    let db = db.clone();
    move |job| {
        Box::pin(async move {
            db.read(move |c| match job {
                Job::Whole { user, provider_admin } => Ok(Resolved::Whole(keys::grants(c, user, provider_admin)?)),
                Job::Orgs { user, orgs } => Ok(Resolved::Orgs(
                    orgs.into_iter().map(|o| Ok((o, keys::grant_in(c, user, o)?))).collect::<AppResult<_>>()?,
                )),
            })
            .await
        })
    }
}

type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_parse_back() {
        let t = issue();
        let (id, secret) = parse(&t.plaintext).expect("parses");
        assert_eq!(id, t.uuid);
        assert_eq!(sha256(secret.as_bytes()), t.hash);
    }

    #[test]
    fn malformed_tokens_are_rejected() {
        for raw in
            ["", "mc_", "mc_abc_def", "xx_0123456789abcdef0123456789abcdef_s", "mc_0123456789abcdef0123456789abcdef_"]
        {
            assert!(parse(raw).is_none(), "{raw}");
        }
    }
}
