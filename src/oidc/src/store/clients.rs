//! OAuth clients of the provider.

use meshcloud_kernel::db::cols;
use meshcloud_kernel::ids::{OAuthClientId, UserId};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone)]
pub struct ClientRow {
    pub id: OAuthClientId,
    pub uuid: uuid::Uuid,
    pub client_id: String,
    pub name: String,
    pub secret_hash: Vec<u8>,
    pub redirect_uris: Vec<String>,
    pub onboarding_uri: Option<String>,
    /// The service account `client_credentials` act as (its user row and uuid).
    pub service_user: Option<(UserId, uuid::Uuid)>,
    /// May be granted `meshcloud:api` (set by a provider admin).
    pub trusted: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const SELECT: &str = "SELECT c.id, c.uuid, c.client_id, c.name, c.secret_hash, c.redirect_uris, c.onboarding_uri, \
    c.service_user_id, u.uuid, c.created_at, c.updated_at, c.trusted FROM oauth_clients c LEFT JOIN users u ON u.id = c.service_user_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<ClientRow> {
    let uris: String = r.get(5)?;
    let service_user = match (r.get::<_, Option<UserId>>(7)?, cols::uuid_opt(r, 8)?) {
        (Some(id), Some(uuid)) => Some((id, uuid)),
        _ => None,
    };
    Ok(ClientRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        client_id: r.get(2)?,
        name: r.get(3)?,
        secret_hash: r.get(4)?,
        redirect_uris: serde_json::from_str(&uris).unwrap_or_default(),
        onboarding_uri: r.get(6)?,
        service_user,
        trusted: r.get(11)?,
        created_at: cols::ts(r, 9)?,
        updated_at: cols::ts(r, 10)?,
    })
}

pub struct NewClient<'a> {
    pub uuid: uuid::Uuid,
    pub client_id: &'a str,
    pub name: &'a str,
    pub secret_hash: &'a [u8],
    pub redirect_uris: &'a [String],
    pub onboarding_uri: Option<&'a str>,
    pub service_user: Option<UserId>,
    pub trusted: bool,
    pub created_by: Option<UserId>,
}

pub fn insert(conn: &Connection, c: &NewClient<'_>) -> AppResult<ClientRow> {
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO oauth_clients (uuid, client_id, name, secret_hash, redirect_uris, onboarding_uri, service_user_id,
                                    created_by, created_at, updated_at, trusted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)",
    )?
    .execute(params![
        c.uuid.to_string(),
        c.client_id,
        c.name,
        c.secret_hash,
        serde_json::to_string(c.redirect_uris)?,
        c.onboarding_uri,
        c.service_user,
        c.created_by,
        now,
        c.trusted
    ])?;
    by_uuid(conn, c.uuid)?.ok_or(AppError::NotFound)
}

pub fn by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<ClientRow>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE c.uuid = ?1"))?
        .query_row([uuid.to_string()], from_row)
        .optional()?)
}

pub fn by_client_id(conn: &Connection, client_id: &str) -> AppResult<Option<ClientRow>> {
    Ok(conn.prepare_cached(&format!("{SELECT} WHERE c.client_id = ?1"))?.query_row([client_id], from_row).optional()?)
}

pub fn list(conn: &Connection) -> AppResult<Vec<ClientRow>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} ORDER BY c.name, c.id"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub struct ClientUpdate<'a> {
    pub name: &'a str,
    pub redirect_uris: &'a [String],
    pub onboarding_uri: Option<&'a str>,
    pub service_user: Option<UserId>,
    pub trusted: bool,
}

pub fn update(conn: &Connection, id: OAuthClientId, u: &ClientUpdate<'_>) -> AppResult<()> {
    conn.prepare_cached(
        "UPDATE oauth_clients SET name = ?2, redirect_uris = ?3, onboarding_uri = ?4, service_user_id = ?5, trusted = ?6,
                updated_at = ?7
          WHERE id = ?1",
    )?
    .execute(params![
        id,
        u.name,
        serde_json::to_string(u.redirect_uris)?,
        u.onboarding_uri,
        u.service_user,
        u.trusted,
        time::now_db()
    ])?;
    Ok(())
}

pub fn set_secret(conn: &Connection, id: OAuthClientId, hash: &[u8]) -> AppResult<()> {
    conn.prepare_cached("UPDATE oauth_clients SET secret_hash = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![id, hash, time::now_db()])?;
    Ok(())
}

/// Deletes a client; its codes, sessions and refresh tokens go with it
/// (cascade). Returns the public ids of its live access tokens, revoked here.
pub fn delete(conn: &Connection, id: OAuthClientId) -> AppResult<Vec<uuid::Uuid>> {
    let revoked = meshcloud_identity::core::tokens::revoke_of_client(conn, id)?;
    conn.prepare_cached("DELETE FROM oauth_clients WHERE id = ?1")?.execute([id])?;
    Ok(revoked)
}

/// The user row of a live service account, by its uuid.
pub fn service_user(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<UserId>> {
    Ok(conn
        .prepare_cached("SELECT id FROM users WHERE uuid = ?1 AND kind = 'service' AND deleted_at IS NULL")?
        .query_row([uuid.to_string()], |r| r.get(0))
        .optional()?)
}

/// What ID tokens and userinfo say about a user.
pub struct UserClaims {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub picture: Option<String>,
    pub updated_at: Timestamp,
}

pub fn user_claims(conn: &Connection, user: UserId) -> AppResult<UserClaims> {
    Ok(conn
        .prepare_cached("SELECT email, first_name, last_name, avatar_url, updated_at FROM users WHERE id = ?1")?
        .query_row([user], |r| {
            Ok(UserClaims {
                email: r.get(0)?,
                first_name: r.get(1)?,
                last_name: r.get(2)?,
                picture: r.get(3)?,
                updated_at: cols::ts(r, 4)?,
            })
        })?)
}
