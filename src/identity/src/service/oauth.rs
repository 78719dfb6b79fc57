//! The OIDC provider's sessions (one per user and client) as the identity
//! family sees them: listed and revoked beside the user's web sessions, and
//! ended with the web session they were signed in from. The provider depends
//! on this crate, not the reverse, so it registers its implementation at
//! start-up; every call runs in the caller's transaction.

use std::sync::Arc;

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::{TokenId, UserId};
use meshcloud_kernel::time::Timestamp;

use super::Identity;

/// The scope an OAuth access token needs to be accepted by meshcloud's APIs.
pub const API_SCOPE: &str = "meshcloud:api";

/// Does a space-separated scope hold `wanted`?
pub fn scope_has(scope: &str, wanted: &str) -> bool {
    scope.split_whitespace().any(|s| s == wanted)
}

/// One live OIDC session of a user with a client.
#[derive(Debug, Clone)]
pub struct OAuthSession {
    pub uuid: uuid::Uuid,
    pub client_name: String,
    pub scope: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

pub trait OAuthSessions: Send + Sync {
    /// The user's live sessions.
    fn list(&self, c: &Conn, user: UserId) -> AppResult<Vec<OAuthSession>>;
    /// Ends a live session (of `owner` only, when given): `None` if there is
    /// none; else the session and the public ids of the credentials revoked.
    fn revoke(
        &self,
        c: &Conn,
        owner: Option<UserId>,
        id: uuid::Uuid,
    ) -> AppResult<Option<(OAuthSession, Vec<uuid::Uuid>)>>;
    /// Ends every session signed in through this web session; returns the
    /// public ids of the credentials revoked.
    fn end_browser_session(&self, c: &Conn, session: TokenId) -> AppResult<Vec<uuid::Uuid>>;
}

impl Identity {
    /// Called once by the server when it assembles the OIDC provider.
    pub fn register_oauth_sessions(&self, sessions: Arc<dyn OAuthSessions>) {
        let _ = self.inner.oauth.set(sessions);
    }

    pub(crate) fn oauth_sessions(&self) -> Option<Arc<dyn OAuthSessions>> {
        self.inner.oauth.get().cloned()
    }
}
