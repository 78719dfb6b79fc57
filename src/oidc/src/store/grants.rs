//! Authorization codes, OAuth sessions (one per user and client) and their
//! access and refresh tokens.

use meshcloud_identity::core::tokens::{self as core_tokens, Kind, NewToken};
use meshcloud_identity::service::oauth::OAuthSession;
use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::cols;
use meshcloud_kernel::ids::{OAuthClientId, OAuthCodeId, OAuthSessionId, RefreshTokenId, TokenId, UserId, new_uuid};
use meshcloud_kernel::time::{self, Timestamp};
use rusqlite::{Connection, OptionalExtension, params};

pub struct NewCode<'a> {
    pub uuid: uuid::Uuid,
    pub secret_hash: &'a [u8],
    pub client: OAuthClientId,
    pub user: UserId,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
    pub nonce: Option<&'a str>,
    pub code_challenge: Option<&'a str>,
    pub challenge_method: Option<&'a str>,
    pub auth_time: Timestamp,
    pub expires_at: Timestamp,
    /// The web session the browser signed in with.
    pub browser_session: Option<TokenId>,
}

pub fn insert_code(conn: &Connection, c: &NewCode<'_>) -> AppResult<()> {
    conn.prepare_cached(
        "INSERT INTO oauth_codes (uuid, secret_hash, client_id, user_id, redirect_uri, scope, nonce, code_challenge,
                                  challenge_method, auth_time, created_at, expires_at, browser_session_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        c.uuid.to_string(),
        c.secret_hash,
        c.client,
        c.user,
        c.redirect_uri,
        c.scope,
        c.nonce,
        c.code_challenge,
        c.challenge_method,
        time::to_db(&c.auth_time),
        time::now_db(),
        time::to_db(&c.expires_at),
        c.browser_session
    ])?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct CodeRow {
    pub id: OAuthCodeId,
    pub secret_hash: Vec<u8>,
    pub client: OAuthClientId,
    pub user: UserId,
    pub redirect_uri: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub challenge_method: Option<String>,
    pub auth_time: Timestamp,
    pub expires_at: Timestamp,
    pub used: bool,
    pub browser_session: Option<TokenId>,
}

pub fn code(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<CodeRow>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, secret_hash, client_id, user_id, redirect_uri, scope, nonce, code_challenge, challenge_method,
                    auth_time, expires_at, used_at IS NOT NULL, browser_session_id
               FROM oauth_codes WHERE uuid = ?1",
        )?
        .query_row([uuid.to_string()], |r| {
            Ok(CodeRow {
                id: r.get(0)?,
                secret_hash: r.get(1)?,
                client: r.get(2)?,
                user: r.get(3)?,
                redirect_uri: r.get(4)?,
                scope: r.get(5)?,
                nonce: r.get(6)?,
                code_challenge: r.get(7)?,
                challenge_method: r.get(8)?,
                auth_time: cols::ts(r, 9)?,
                expires_at: cols::ts(r, 10)?,
                used: r.get(11)?,
                browser_session: r.get(12)?,
            })
        })
        .optional()?)
}

/// Marks a code used by the session it opened.
pub fn use_code(conn: &Connection, id: OAuthCodeId, session: OAuthSessionId) -> AppResult<()> {
    conn.prepare_cached("UPDATE oauth_codes SET used_at = ?2, session_id = ?3 WHERE id = ?1 AND used_at IS NULL")?
        .execute(params![id, time::now_db(), session])?;
    Ok(())
}

pub fn code_used(conn: &Connection, id: OAuthCodeId) -> AppResult<bool> {
    Ok(conn
        .prepare_cached("SELECT used_at IS NOT NULL FROM oauth_codes WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .unwrap_or(true))
}

/// The session a used code opened.
pub fn code_session(conn: &Connection, id: OAuthCodeId) -> AppResult<Option<OAuthSessionId>> {
    Ok(conn
        .prepare_cached("SELECT session_id FROM oauth_codes WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .flatten())
}

/// May tokens still be issued to this account (live and active)?
pub fn may_sign_in(conn: &Connection, user: UserId) -> AppResult<bool> {
    Ok(conn
        .prepare_cached("SELECT status = 'active' AND deleted_at IS NULL FROM users WHERE id = ?1")?
        .query_row([user], |r| r.get(0))
        .optional()?
        .unwrap_or(false))
}

/// Removes codes past their expiry (they can no longer be redeemed or replayed
/// to any effect beyond a refusal).
pub fn purge_codes(conn: &Connection, cutoff: &Timestamp) -> AppResult<usize> {
    Ok(conn.prepare_cached("DELETE FROM oauth_codes WHERE expires_at < ?1")?.execute([time::to_db(cutoff)])?)
}

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id: OAuthSessionId,
    pub user: UserId,
    pub client: OAuthClientId,
    pub scope: String,
    pub auth_time: Timestamp,
}

/// The session of (user, client), created or taken over with a new scope,
/// sign-in time and web session. Everything issued to it before is revoked:
/// one session per user and client. Returns the session and the public ids
/// revoked.
pub fn open_session(
    conn: &Connection,
    user: UserId,
    client: OAuthClientId,
    scope: &str,
    auth_time: &Timestamp,
    browser_session: Option<TokenId>,
) -> AppResult<(SessionRow, Vec<uuid::Uuid>)> {
    let now = time::now_db();
    let id: OAuthSessionId = conn
        .prepare_cached(
            "INSERT INTO oauth_sessions (uuid, user_id, client_id, scope, auth_time, browser_session_id, created_at,
                                         updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
             ON CONFLICT (user_id, client_id) DO UPDATE SET scope = excluded.scope, auth_time = excluded.auth_time,
                 browser_session_id = excluded.browser_session_id, updated_at = excluded.updated_at
             RETURNING id",
        )?
        .query_row(
            params![new_uuid().to_string(), user, client, scope, time::to_db(auth_time), browser_session, now],
            |r| r.get(0),
        )?;
    let revoked = revoke_session_tokens(conn, id)?;
    Ok((SessionRow { id, user, client, scope: scope.to_string(), auth_time: *auth_time }, revoked))
}

/// A user's live sessions (a live access token or refresh token), oldest first.
pub fn live_sessions(conn: &Connection, user: UserId) -> AppResult<Vec<OAuthSession>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.uuid, c.name, s.scope, s.created_at, s.updated_at, s.access_token_id,
                EXISTS (SELECT 1 FROM oauth_refresh_tokens r
                         WHERE r.session_id = s.id AND r.revoked_at IS NULL AND r.rotated_at IS NULL
                           AND r.expires_at > ?2)
           FROM oauth_sessions s JOIN oauth_clients c ON c.id = s.client_id
          WHERE s.user_id = ?1 ORDER BY s.created_at, s.id",
    )?;
    let rows = stmt
        .query_map(params![user, time::now_db()], |r| {
            let session = OAuthSession {
                uuid: cols::uuid(r, 0)?,
                client_name: r.get(1)?,
                scope: r.get(2)?,
                created_at: cols::ts(r, 3)?,
                updated_at: cols::ts(r, 4)?,
            };
            Ok((session, r.get::<_, Option<TokenId>>(5)?, r.get::<_, bool>(6)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut live = Vec::with_capacity(rows.len());
    for (session, access, refresh) in rows {
        if refresh || access.map(|t| core_tokens::is_live(conn, t)).transpose()?.unwrap_or(false) {
            live.push(session);
        }
    }
    Ok(live)
}

/// A session by its public id, with its owner.
pub fn session_by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<(OAuthSessionId, UserId)>> {
    Ok(conn
        .prepare_cached("SELECT id, user_id FROM oauth_sessions WHERE uuid = ?1")?
        .query_row([uuid.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// The sessions signed in through a web session.
pub fn sessions_of_browser(conn: &Connection, browser_session: TokenId) -> AppResult<Vec<OAuthSessionId>> {
    let mut stmt = conn.prepare_cached("SELECT id FROM oauth_sessions WHERE browser_session_id = ?1")?;
    let ids = stmt.query_map([browser_session], |r| r.get(0))?;
    Ok(ids.collect::<Result<_, _>>()?)
}

pub fn session(conn: &Connection, id: OAuthSessionId) -> AppResult<Option<SessionRow>> {
    Ok(conn
        .prepare_cached("SELECT id, user_id, client_id, scope, auth_time FROM oauth_sessions WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(SessionRow {
                id: r.get(0)?,
                user: r.get(1)?,
                client: r.get(2)?,
                scope: r.get(3)?,
                auth_time: cols::ts(r, 4)?,
            })
        })
        .optional()?)
}

/// Revokes the session's access token and every refresh token; returns the
/// access token's public id if one was live.
pub fn revoke_session_tokens(conn: &Connection, session: OAuthSessionId) -> AppResult<Vec<uuid::Uuid>> {
    let now = time::now_db();
    let access: Option<TokenId> = conn
        .prepare_cached("SELECT access_token_id FROM oauth_sessions WHERE id = ?1")?
        .query_row([session], |r| r.get(0))
        .optional()?
        .flatten();
    let revoked = match access {
        Some(t) => core_tokens::revoke_ids(conn, &[t])?,
        None => Vec::new(),
    };
    conn.prepare_cached(
        "UPDATE oauth_refresh_tokens SET revoked_at = ?2 WHERE session_id = ?1 AND revoked_at IS NULL AND rotated_at IS NULL",
    )?
    .execute(params![session, now])?;
    Ok(revoked)
}

/// What the store keeps of tokens being issued: ids, hashes and expiries.
pub struct Issue {
    pub client_name: String,
    pub access_uuid: uuid::Uuid,
    pub access_hash: [u8; 32],
    pub access_expires: Timestamp,
    /// `None`: no refresh token (client credentials).
    pub refresh: Option<(uuid::Uuid, [u8; 32], Timestamp)>,
}

/// Stores a new access token (and refresh token) as the session's current ones.
pub fn issue(conn: &Connection, s: &SessionRow, i: &Issue) -> AppResult<()> {
    let token = core_tokens::insert(
        conn,
        &NewToken {
            uuid: i.access_uuid,
            user: s.user,
            kind: Kind::OAuth,
            name: &i.client_name,
            purpose: "OAuth access token",
            provider: "meshcloud",
            secret_hash: &i.access_hash,
            expires_at: Some(i.access_expires),
            created_by: Some(s.user),
        },
    )?;
    core_tokens::set_oauth_client(conn, token, s.client, &s.scope)?;
    conn.prepare_cached("UPDATE oauth_sessions SET access_token_id = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![s.id, token, time::now_db()])?;
    if let Some((uuid, hash, expires)) = &i.refresh {
        conn.prepare_cached(
            "INSERT INTO oauth_refresh_tokens (uuid, session_id, secret_hash, expires_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![uuid.to_string(), s.id, hash.as_slice(), time::to_db(expires), time::now_db()])?;
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub struct RefreshRow {
    pub id: RefreshTokenId,
    pub session: OAuthSessionId,
    pub secret_hash: Vec<u8>,
    pub expires_at: Timestamp,
    pub rotated: bool,
    pub revoked: bool,
}

pub fn refresh_token(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<RefreshRow>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, session_id, secret_hash, expires_at, rotated_at IS NOT NULL, revoked_at IS NOT NULL
               FROM oauth_refresh_tokens WHERE uuid = ?1",
        )?
        .query_row([uuid.to_string()], |r| {
            Ok(RefreshRow {
                id: r.get(0)?,
                session: r.get(1)?,
                secret_hash: r.get(2)?,
                expires_at: cols::ts(r, 3)?,
                rotated: r.get(4)?,
                revoked: r.get(5)?,
            })
        })
        .optional()?)
}

/// Marks a refresh token used (its replacement is being issued).
pub fn rotate_refresh(conn: &Connection, id: RefreshTokenId) -> AppResult<()> {
    conn.prepare_cached("UPDATE oauth_refresh_tokens SET rotated_at = ?2 WHERE id = ?1 AND rotated_at IS NULL")?
        .execute(params![id, time::now_db()])?;
    Ok(())
}

/// The scope an access token was issued with, if it is one: an OAuth access
/// token or a service account's (not a Layer5 token or a UI session).
pub fn token_grant(conn: &Connection, token: TokenId) -> AppResult<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT scope FROM tokens WHERE id = ?1 AND kind IN ('oauth', 'service')")?
        .query_row([token], |r| r.get(0))
        .optional()?)
}

/// Refresh tokens past their expiry, and revoked ones never used; a rotated
/// token is kept until it expires so that its replay is still recognised.
pub fn purge_refresh(conn: &Connection, cutoff: &Timestamp) -> AppResult<usize> {
    Ok(conn
        .prepare_cached(
            "DELETE FROM oauth_refresh_tokens
              WHERE expires_at < ?1 OR (revoked_at IS NOT NULL AND revoked_at < ?1 AND rotated_at IS NULL)",
        )?
        .execute([time::to_db(cutoff)])?)
}
