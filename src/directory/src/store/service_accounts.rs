//! Service accounts: users of kind `service` that cannot sign in, with a row
//! naming them in their organization and one live token of kind `service`.

use meshcloud_kernel::db::cols;
use meshcloud_kernel::ids::{OrgId, UserId};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::model::CheckedMetadata;

#[derive(Debug, Clone)]
pub struct ServiceAccountRow {
    pub user: UserId,
    pub uuid: uuid::Uuid,
    pub org: OrgId,
    pub org_uuid: uuid::Uuid,
    pub name: String,
    pub description: String,
    pub tags: String,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Expiry of the newest unrevoked token (`None`: it has none).
    pub expiry: Option<Timestamp>,
}

const SELECT: &str = "SELECT sa.user_id, u.uuid, sa.org_id, o.uuid, sa.name, sa.description, sa.tags, \
    cb.email, ub.email, sa.created_at, sa.updated_at, \
    (SELECT t.expires_at FROM tokens t WHERE t.user_id = sa.user_id AND t.kind = 'service' AND t.revoked_at IS NULL
      ORDER BY t.created_at DESC LIMIT 1) \
    FROM service_accounts sa JOIN users u ON u.id = sa.user_id AND u.deleted_at IS NULL \
    JOIN organizations o ON o.id = sa.org_id \
    LEFT JOIN users cb ON cb.id = sa.created_by LEFT JOIN users ub ON ub.id = sa.updated_by";

fn from_row(r: &Row<'_>) -> rusqlite::Result<ServiceAccountRow> {
    Ok(ServiceAccountRow {
        user: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        org: r.get(2)?,
        org_uuid: cols::uuid(r, 3)?,
        name: r.get(4)?,
        description: r.get(5)?,
        tags: r.get(6)?,
        created_by: r.get(7)?,
        updated_by: r.get(8)?,
        created_at: cols::ts(r, 9)?,
        updated_at: cols::ts(r, 10)?,
        expiry: cols::ts_opt(r, 11)?,
    })
}

/// Every service account of the org, by name.
pub fn list(conn: &Connection, org: OrgId) -> AppResult<Vec<ServiceAccountRow>> {
    let sql = format!("{SELECT} WHERE sa.org_id = ?1 ORDER BY sa.name");
    Ok(conn.prepare_cached(&sql)?.query_map([org], from_row)?.collect::<Result<Vec<_>, _>>()?)
}

/// A service account of the org by its id (the user's UUID).
pub fn get(conn: &Connection, org: OrgId, uuid: uuid::Uuid) -> AppResult<Option<ServiceAccountRow>> {
    let sql = format!("{SELECT} WHERE sa.org_id = ?1 AND u.uuid = ?2");
    Ok(conn.prepare_cached(&sql)?.query_row(params![org, uuid.to_string()], from_row).optional()?)
}

/// The service account a user is in the org, if it is one.
pub fn of_user(conn: &Connection, org: OrgId, user: UserId) -> AppResult<Option<ServiceAccountRow>> {
    let sql = format!("{SELECT} WHERE sa.org_id = ?1 AND sa.user_id = ?2");
    Ok(conn.prepare_cached(&sql)?.query_row(params![org, user], from_row).optional()?)
}

fn name_conflict(e: rusqlite::Error) -> AppError {
    match AppError::from(e) {
        AppError::Conflict(_) => AppError::conflict("a service account with this name already exists"),
        other => other,
    }
}

/// The account's row for `user` (made by the identity core) in `org`.
pub fn insert(conn: &Connection, org: OrgId, user: UserId, meta: &CheckedMetadata, actor: UserId) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO service_accounts (user_id, org_id, name, description, tags, created_by, updated_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?7)",
    )?
    .execute(params![user, org, meta.name, meta.description, meta.tags, actor, now])
    .map_err(name_conflict)?;
    Ok(())
}

pub fn update(conn: &Connection, user: UserId, meta: &CheckedMetadata, actor: UserId) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached(
        "UPDATE service_accounts SET name = ?2, description = ?3, tags = ?4, updated_by = ?5, updated_at = ?6
          WHERE user_id = ?1",
    )?
    .execute(params![user, meta.name, meta.description, meta.tags, actor, now])
    .map_err(name_conflict)?;
    Ok(())
}

/// Removes the account's row.
pub fn delete(conn: &Connection, user: UserId) -> AppResult<()> {
    conn.prepare_cached("DELETE FROM service_accounts WHERE user_id = ?1")?.execute([user])?;
    Ok(())
}
