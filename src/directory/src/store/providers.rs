//! Upstream sign-in providers: global ones (no org) and an org's own.
//! The client secret is stored sealed; callers seal and open it.

use meshcloud_kernel::db::cols;
use meshcloud_kernel::ids::{OrgId, ProviderId, new_uuid};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::model::CheckedMetadata;

#[derive(Debug, Clone)]
pub struct ProviderRow {
    pub id: ProviderId,
    pub uuid: uuid::Uuid,
    pub org_uuid: Option<uuid::Uuid>,
    pub name: String,
    pub description: String,
    pub tags: String,
    pub kind: Option<String>,
    pub issuer: String,
    pub client_id: String,
    /// Sealed with the provider's UUID as associated data.
    pub sealed_secret: Option<Vec<u8>>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const SELECT: &str = "SELECT p.id, p.uuid, o.uuid, p.name, p.description, p.tags, p.type, p.issuer, p.client_id, \
    p.client_secret, p.created_at, p.updated_at FROM oauth2_providers p LEFT JOIN organizations o ON o.id = p.org_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<ProviderRow> {
    Ok(ProviderRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        org_uuid: cols::uuid_opt(r, 2)?,
        name: r.get(3)?,
        description: r.get(4)?,
        tags: r.get(5)?,
        kind: r.get(6)?,
        issuer: r.get(7)?,
        client_id: r.get(8)?,
        sealed_secret: r.get(9)?,
        created_at: cols::ts(r, 10)?,
        updated_at: cols::ts(r, 11)?,
    })
}

/// Providers of the org, or (`None`) the global ones, by name.
pub fn list(conn: &Connection, org: Option<OrgId>) -> AppResult<Vec<ProviderRow>> {
    let sql = format!("{SELECT} WHERE p.org_id IS ?1 ORDER BY p.name");
    Ok(conn.prepare_cached(&sql)?.query_map([org], from_row)?.collect::<Result<Vec<_>, _>>()?)
}

/// A provider of the org, or (`None`) a global one, by id.
pub fn get(conn: &Connection, org: Option<OrgId>, uuid: uuid::Uuid) -> AppResult<Option<ProviderRow>> {
    let sql = format!("{SELECT} WHERE p.org_id IS ?1 AND p.uuid = ?2");
    Ok(conn.prepare_cached(&sql)?.query_row(params![org, uuid.to_string()], from_row).optional()?)
}

fn name_conflict(e: rusqlite::Error) -> AppError {
    match AppError::from(e) {
        AppError::Conflict(_) => AppError::conflict("a provider with this name already exists"),
        other => other,
    }
}

pub struct ProviderFields<'a> {
    pub meta: &'a CheckedMetadata,
    pub kind: Option<&'a str>,
    pub issuer: &'a str,
    pub client_id: &'a str,
}

pub fn insert(
    conn: &Connection,
    uuid: uuid::Uuid,
    org: Option<OrgId>,
    f: &ProviderFields<'_>,
    sealed_secret: Option<&[u8]>,
) -> AppResult<ProviderId> {
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO oauth2_providers (uuid, org_id, name, description, tags, type, issuer, client_id, client_secret,
                                       created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
    )?
    .execute(params![
        uuid.to_string(),
        org,
        f.meta.name,
        f.meta.description,
        f.meta.tags,
        f.kind,
        f.issuer,
        f.client_id,
        sealed_secret,
        now
    ])
    .map_err(name_conflict)?;
    Ok(ProviderId(conn.last_insert_rowid()))
}

/// A new UUID for a provider (sealing needs it before the row exists).
pub fn new_id() -> uuid::Uuid {
    new_uuid()
}

/// Updates the fields; `secret` `None` keeps the stored secret,
/// `Some(None)` removes it.
pub fn update(
    conn: &Connection,
    id: ProviderId,
    f: &ProviderFields<'_>,
    secret: Option<Option<&[u8]>>,
) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached(
        "UPDATE oauth2_providers SET name = ?2, description = ?3, tags = ?4, type = ?5, issuer = ?6, client_id = ?7,
                                    updated_at = ?8 WHERE id = ?1",
    )?
    .execute(params![id, f.meta.name, f.meta.description, f.meta.tags, f.kind, f.issuer, f.client_id, now])
    .map_err(name_conflict)?;
    if let Some(secret) = secret {
        conn.prepare_cached("UPDATE oauth2_providers SET client_secret = ?2 WHERE id = ?1")?
            .execute(params![id, secret])?;
    }
    Ok(())
}

pub fn delete(conn: &Connection, id: ProviderId) -> AppResult<()> {
    conn.prepare_cached("DELETE FROM oauth2_providers WHERE id = ?1")?.execute([id])?;
    Ok(())
}
