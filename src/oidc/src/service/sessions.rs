//! The provider's sessions as users see them: listed with their other
//! sessions (`GET /api/identity/tokens?isOAuth=true`), revoked one by one,
//! and ended with the web session they were signed in through.

use meshcloud_identity::service::oauth::{OAuthSession, OAuthSessions};
use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::{TokenId, UserId};

use crate::store::grants;

/// Registered with the identity family when the provider is assembled.
pub struct Sessions;

impl OAuthSessions for Sessions {
    fn list(&self, c: &Conn, user: UserId) -> AppResult<Vec<OAuthSession>> {
        grants::live_sessions(c, user)
    }

    fn revoke(
        &self,
        c: &Conn,
        owner: Option<UserId>,
        id: uuid::Uuid,
    ) -> AppResult<Option<(OAuthSession, Vec<uuid::Uuid>)>> {
        let Some((session, user)) = grants::session_by_uuid(c, id)? else { return Ok(None) };
        if owner.is_some_and(|o| o != user) {
            return Ok(None);
        }
        // Only a live session can be revoked; an ended one is "not found".
        let Some(shown) = grants::live_sessions(c, user)?.into_iter().find(|s| s.uuid == id) else {
            return Ok(None);
        };
        Ok(Some((shown, grants::revoke_session_tokens(c, session)?)))
    }

    fn end_browser_session(&self, c: &Conn, session: TokenId) -> AppResult<Vec<uuid::Uuid>> {
        let mut revoked = Vec::new();
        for s in grants::sessions_of_browser(c, session)? {
            revoked.extend(grants::revoke_session_tokens(c, s)?);
        }
        Ok(revoked)
    }
}
