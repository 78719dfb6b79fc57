//! Security tokens and web sessions (one table; `kind` tells them apart).

use meshcloud_kernel::db::cols;
use meshcloud_kernel::db::query::Where;
use meshcloud_kernel::db::search::SearchIndex;
use meshcloud_kernel::ids::{OAuthClientId, TokenId, UserId};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A security token (Layer5 `/api/identity/tokens`).
    Api,
    /// A web session (the UI's cookie; also the OIDC provider's sign-in).
    Session,
    /// An OAuth access token issued to a client by the OIDC provider.
    OAuth,
    /// A service account's token.
    Service,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Api => "api",
            Kind::Session => "session",
            Kind::OAuth => "oauth",
            Kind::Service => "service",
        }
    }

    fn column(r: &Row<'_>, i: usize) -> rusqlite::Result<Kind> {
        Ok(match r.get::<_, String>(i)?.as_str() {
            "session" => Kind::Session,
            "oauth" => Kind::OAuth,
            "service" => Kind::Service,
            _ => Kind::Api,
        })
    }

    /// Sent as `Authorization: Bearer` (every kind but the session cookie).
    pub fn is_bearer(self) -> bool {
        self != Kind::Session
    }
}

#[derive(Debug, Clone)]
pub struct TokenRow {
    pub id: TokenId,
    pub uuid: uuid::Uuid,
    pub user_uuid: uuid::Uuid,
    pub kind: Kind,
    pub name: String,
    pub purpose: String,
    pub provider: String,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

pub const ORDER_FIELDS: [&str; 4] = ["name", "created_at", "updated_at", "purpose"];
const ORDER_COLUMNS: [(&str, &str); 4] =
    [("name", "t.name"), ("created_at", "t.created_at"), ("updated_at", "t.updated_at"), ("purpose", "t.purpose")];

const SELECT: &str = "SELECT t.id, t.uuid, u.uuid, t.kind, t.name, t.purpose, t.provider, t.expires_at, \
    t.last_used_at, t.created_at, t.updated_at, t.user_id FROM tokens t JOIN users u ON u.id = t.user_id";

/// A token is live when it is neither revoked nor expired.
const LIVE: &str = "t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?)";

fn from_row(r: &Row<'_>) -> rusqlite::Result<TokenRow> {
    Ok(TokenRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        user_uuid: cols::uuid(r, 2)?,
        kind: Kind::column(r, 3)?,
        name: r.get(4)?,
        purpose: r.get(5)?,
        provider: r.get(6)?,
        expires_at: cols::ts_opt(r, 7)?,
        last_used_at: cols::ts_opt(r, 8)?,
        created_at: cols::ts(r, 9)?,
        updated_at: cols::ts(r, 10)?,
    })
}

pub struct NewToken<'a> {
    pub uuid: uuid::Uuid,
    pub user: UserId,
    pub kind: Kind,
    pub name: &'a str,
    pub purpose: &'a str,
    pub provider: &'a str,
    pub secret_hash: &'a [u8],
    pub expires_at: Option<Timestamp>,
    pub created_by: Option<UserId>,
}

pub fn insert(conn: &Connection, t: &NewToken<'_>) -> AppResult<TokenId> {
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO tokens (uuid, user_id, kind, name, purpose, provider, secret_hash, expires_at, created_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
    )?
    .execute(params![
        t.uuid.to_string(),
        t.user,
        t.kind.as_str(),
        t.name,
        t.purpose,
        t.provider,
        t.secret_hash,
        t.expires_at.as_ref().map(time::to_db),
        t.created_by,
        now
    ])?;
    Ok(TokenId(conn.last_insert_rowid()))
}

/// A live token by its public id, with the owner's row id.
pub fn get_live(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<(TokenRow, UserId)>> {
    let sql = format!("{SELECT} WHERE t.uuid = ? AND {LIVE}");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![uuid.to_string(), time::now_db()], |r| Ok((from_row(r)?, r.get::<_, UserId>(11)?)))
        .optional()?)
}

/// What authentication needs to know about a credential, in one indexed lookup.
pub struct AuthRecord {
    pub token: TokenId,
    pub kind: Kind,
    pub secret_hash: Vec<u8>,
    pub user: UserId,
    pub user_uuid: uuid::Uuid,
    pub email: String,
    pub provider_admin: bool,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    /// The scope an OAuth access token was issued with (empty for other kinds).
    pub scope: String,
}

/// The live token and its live, active owner, or nothing.
pub fn auth_record(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<AuthRecord>> {
    // Two lookups by key, each on one table, rather than a join: SQLite plans
    // those without statistics, so stale ones cannot make this a scan.
    let sql = format!(
        "SELECT t.id, t.kind, t.secret_hash, t.user_id, t.expires_at, t.last_used_at, t.scope FROM tokens t
          WHERE t.uuid = ? AND {LIVE}"
    );
    let token = conn
        .prepare_cached(&sql)?
        .query_row(params![uuid.to_string(), time::now_db()], |r| {
            Ok((
                (r.get(0)?, Kind::column(r, 1)?, r.get(2)?, r.get(3)?),
                (cols::ts_opt(r, 4)?, cols::ts_opt(r, 5)?, r.get::<_, String>(6)?),
            ))
        })
        .optional()?;
    let Some(((token, kind, secret_hash, user), (expires_at, last_used_at, scope))) = token else { return Ok(None) };
    Ok(conn
        .prepare_cached(
            "SELECT u.uuid, u.email, u.is_provider_admin FROM users u
              WHERE u.id = ?1 AND u.deleted_at IS NULL AND u.status = 'active'",
        )?
        .query_row([user], |r| {
            Ok(AuthRecord {
                token,
                kind,
                secret_hash,
                user,
                user_uuid: cols::uuid(r, 0)?,
                email: r.get(1)?,
                provider_admin: r.get(2)?,
                expires_at,
                last_used_at,
                scope: scope.clone(),
            })
        })
        .optional()?)
}

/// Is this credential live (neither revoked nor expired)?
pub fn is_live(conn: &Connection, id: TokenId) -> AppResult<bool> {
    let sql = format!("SELECT 1 FROM tokens t WHERE t.id = ? AND {LIVE}");
    Ok(conn.prepare_cached(&sql)?.query_row(params![id, time::now_db()], |_| Ok(())).optional()?.is_some())
}

/// A user's live tokens of one kind.
pub fn list(conn: &Connection, user: UserId, kind: Kind, req: &PageRequest) -> AppResult<Page<TokenRow>> {
    const SEARCH: SearchIndex = SearchIndex { table: "tokens_search", rowid: "t.id", scoped: true };
    let mut w =
        Where::with("t.user_id = ? AND t.kind = ?", [Value::Integer(user.0), Value::Text(kind.as_str().into())]);
    w.and(LIVE, [Value::Text(time::now_db())]);
    w.search_indexed(conn, req, &SEARCH, Some(user.0), &["t.name", "t.purpose"])?;
    let order = req
        .order
        .as_ref()
        .map_or_else(|| "t.created_at DESC, t.id DESC".to_string(), |o| o.sql(&ORDER_COLUMNS, "t.id"));
    let filter = w.sql();
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) {} WHERE {filter}", w.from("FROM tokens t")))?
        .query_row(params_from_iter(w.params()), |r| r.get(0))?;
    let (columns, from) = SELECT.split_once(" FROM ").unwrap_or((SELECT, ""));
    let from = w.from(&format!("FROM {from}"));
    let items = conn
        .prepare_cached(&format!("{columns} {from} WHERE {filter} ORDER BY {order} LIMIT ? OFFSET ?"))?
        .query_map(params_from_iter(w.params_paged(req)), from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page { items, total: total as u64 })
}

/// Revokes a live token; `owner` limits it to that user's tokens.
pub fn revoke(conn: &Connection, uuid: uuid::Uuid, owner: Option<UserId>) -> AppResult<TokenRow> {
    let (row, user) = get_live(conn, uuid)?.ok_or(AppError::NotFound)?;
    if owner.is_some_and(|o| o != user) {
        return Err(AppError::NotFound);
    }
    let now = time::now_db();
    conn.prepare_cached("UPDATE tokens SET revoked_at = ?2, updated_at = ?2 WHERE id = ?1")?
        .execute(params![row.id, now])?;
    Ok(row)
}

pub fn created_at(conn: &Connection, id: TokenId) -> AppResult<Timestamp> {
    Ok(conn.prepare_cached("SELECT created_at FROM tokens WHERE id = ?1")?.query_row([id], |r| cols::ts(r, 0))?)
}

/// Revokes live tokens by row id; returns the public ids revoked.
pub fn revoke_ids(conn: &Connection, ids: &[TokenId]) -> AppResult<Vec<uuid::Uuid>> {
    let now = time::now_db();
    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached(
        "UPDATE tokens SET revoked_at = ?2, updated_at = ?2 WHERE id = ?1 AND revoked_at IS NULL RETURNING uuid",
    )?;
    for id in ids {
        if let Some(u) = stmt.query_row(params![id, now], |r| cols::uuid(r, 0)).optional()? {
            out.push(u);
        }
    }
    Ok(out)
}

pub fn touch(conn: &Connection, id: TokenId) -> AppResult<()> {
    conn.prepare_cached("UPDATE tokens SET last_used_at = ?2 WHERE id = ?1")?.execute(params![id, time::now_db()])?;
    Ok(())
}

/// Deletes tokens that expired or were revoked before `cutoff`.
pub fn purge_dead(conn: &Connection, cutoff: &Timestamp) -> AppResult<usize> {
    let c = time::to_db(cutoff);
    Ok(conn
        .prepare_cached("DELETE FROM tokens WHERE (revoked_at IS NOT NULL AND revoked_at < ?1) OR (expires_at IS NOT NULL AND expires_at < ?1)")?
        .execute([c])?)
}

/// Revokes every live credential of a user, of any kind; returns how many.
pub fn revoke_all_of(conn: &Connection, user: UserId) -> AppResult<usize> {
    let now = time::now_db();
    Ok(conn
        .prepare_cached("UPDATE tokens SET revoked_at = ?2, updated_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL")?
        .execute(params![user, now])?)
}

/// Marks an OAuth access token with the client and scope it was issued for.
pub fn set_oauth_client(conn: &Connection, id: TokenId, client: OAuthClientId, scope: &str) -> AppResult<()> {
    conn.prepare_cached("UPDATE tokens SET client_id = ?2, scope = ?3 WHERE id = ?1")?
        .execute(params![id, client, scope])?;
    Ok(())
}

/// Revokes the live tokens issued to an OAuth client; returns their public ids.
pub fn revoke_of_client(conn: &Connection, client: OAuthClientId) -> AppResult<Vec<uuid::Uuid>> {
    let mut stmt = conn.prepare_cached(
        "UPDATE tokens SET revoked_at = ?2, updated_at = ?2 WHERE client_id = ?1 AND revoked_at IS NULL RETURNING uuid",
    )?;
    let revoked = stmt.query_map(params![client, time::now_db()], |r| cols::uuid(r, 0))?;
    Ok(revoked.collect::<Result<Vec<_>, _>>()?)
}

/// Revokes a user's live web sessions but `keep`; returns their row and public ids.
pub fn revoke_sessions_of(
    conn: &Connection,
    user: UserId,
    keep: Option<TokenId>,
) -> AppResult<Vec<(TokenId, uuid::Uuid)>> {
    let mut stmt = conn.prepare_cached(
        "UPDATE tokens SET revoked_at = ?3, updated_at = ?3
          WHERE user_id = ?1 AND kind = 'session' AND revoked_at IS NULL AND id <> ?2 RETURNING id, uuid",
    )?;
    let keep = keep.map_or(0, |k| k.0);
    let revoked = stmt.query_map(params![user, keep, time::now_db()], |r| Ok((r.get(0)?, cols::uuid(r, 1)?)))?;
    Ok(revoked.collect::<Result<Vec<_>, _>>()?)
}
