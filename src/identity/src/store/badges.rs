//! Badges an organization awards to its users.

use meshcloud_kernel::db::cols;
use meshcloud_kernel::ids::{BadgeId, OrgId, UserId, new_uuid};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone)]
pub struct BadgeRow {
    pub id: BadgeId,
    pub uuid: uuid::Uuid,
    pub org: OrgId,
    pub org_uuid: uuid::Uuid,
    pub name: String,
    pub label: String,
    pub description: String,
    pub image_url: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

pub struct BadgeFields<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub description: &'a str,
    pub image_url: &'a str,
}

const SELECT: &str = "SELECT b.id, b.uuid, b.org_id, o.uuid, b.name, b.label, b.description, b.image_url, \
    b.created_at, b.updated_at, b.deleted_at FROM badges b JOIN organizations o ON o.id = b.org_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<BadgeRow> {
    Ok(BadgeRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        org: r.get(2)?,
        org_uuid: cols::uuid(r, 3)?,
        name: r.get(4)?,
        label: r.get(5)?,
        description: r.get(6)?,
        image_url: r.get(7)?,
        created_at: cols::ts(r, 8)?,
        updated_at: cols::ts(r, 9)?,
        deleted_at: cols::ts_opt(r, 10)?,
    })
}

pub fn list(conn: &Connection, org: OrgId) -> AppResult<Vec<BadgeRow>> {
    let sql = format!("{SELECT} WHERE b.org_id = ?1 AND b.deleted_at IS NULL ORDER BY b.label");
    Ok(conn.prepare_cached(&sql)?.query_map([org], from_row)?.collect::<Result<Vec<_>, _>>()?)
}

pub fn by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<BadgeRow>> {
    let sql = format!("{SELECT} WHERE b.uuid = ?1 AND b.deleted_at IS NULL AND o.deleted_at IS NULL");
    Ok(conn.prepare_cached(&sql)?.query_row([uuid.to_string()], from_row).optional()?)
}

/// A live badge of the org by label or id.
pub fn by_ref(conn: &Connection, org: OrgId, r: &str) -> AppResult<Option<BadgeRow>> {
    let sql = format!("{SELECT} WHERE b.org_id = ?1 AND b.deleted_at IS NULL AND (b.label = ?2 OR b.uuid = ?2)");
    Ok(conn.prepare_cached(&sql)?.query_row(params![org, r], from_row).optional()?)
}

fn label_conflict(e: rusqlite::Error) -> AppError {
    match AppError::from(e) {
        AppError::Conflict(_) => AppError::conflict("a badge with this label already exists in the organization"),
        other => other,
    }
}

pub fn insert(conn: &Connection, org: OrgId, f: &BadgeFields<'_>) -> AppResult<uuid::Uuid> {
    let uuid = new_uuid();
    conn.prepare_cached(
        "INSERT INTO badges (uuid, org_id, name, label, description, image_url, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?
    .execute(params![uuid.to_string(), org, f.name, f.label, f.description, f.image_url, time::now_db()])
    .map_err(label_conflict)?;
    Ok(uuid)
}

pub fn update(conn: &Connection, id: BadgeId, f: &BadgeFields<'_>) -> AppResult<()> {
    conn.prepare_cached(
        "UPDATE badges SET name = ?2, label = ?3, description = ?4, image_url = ?5, updated_at = ?6 WHERE id = ?1",
    )?
    .execute(params![id, f.name, f.label, f.description, f.image_url, time::now_db()])
    .map_err(label_conflict)?;
    Ok(())
}

pub fn delete(conn: &Connection, id: BadgeId) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached("UPDATE badges SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1")?
        .execute(params![id, now])?;
    conn.prepare_cached("DELETE FROM user_badges WHERE badge_id = ?1")?.execute([id])?;
    Ok(())
}

/// Replaces a user's badges of one org.
pub fn set_user_badges(conn: &Connection, org: OrgId, user: UserId, badges: &[BadgeId]) -> AppResult<()> {
    conn.prepare_cached(
        "DELETE FROM user_badges WHERE user_id = ?1 AND badge_id IN (SELECT id FROM badges WHERE org_id = ?2)",
    )?
    .execute(params![user, org])?;
    let now = time::now_db();
    let mut stmt = conn.prepare_cached(
        "INSERT INTO user_badges (user_id, badge_id, created_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    )?;
    for b in badges {
        stmt.execute(params![user, b, now])?;
    }
    Ok(())
}
