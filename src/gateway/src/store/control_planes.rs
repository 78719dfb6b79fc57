//! Control planes: the row every resource of the family hangs off.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::{Conn, cols};
use meshcloud_kernel::ids::{OrgId, UserId, new_uuid};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::time::{self, Timestamp};
use rusqlite::{OptionalExtension, Row};

#[derive(Debug, Clone)]
pub struct ControlPlaneRow {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub org: OrgId,
    /// The owning organization's UUID, for the permission check.
    pub org_uuid: uuid::Uuid,
    pub name: String,
    pub region_id: i64,
    pub status: i64,
    pub status_at: Timestamp,
    pub domain: String,
    pub settings: serde_json::Value,
    pub policies: serde_json::Value,
    pub config_version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

pub const SELECT: &str = "SELECT cp.id, cp.uuid, cp.org_id, o.uuid, cp.name, cp.region_id, cp.status, cp.status_at, \
     cp.domain, cp.settings, cp.policies, cp.config_version, cp.created_at, cp.updated_at \
     FROM gateway_control_planes cp JOIN organizations o ON o.id = cp.org_id";

pub fn from_row(r: &Row<'_>) -> rusqlite::Result<ControlPlaneRow> {
    Ok(ControlPlaneRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        org: r.get(2)?,
        org_uuid: cols::uuid(r, 3)?,
        name: r.get(4)?,
        region_id: r.get(5)?,
        status: r.get(6)?,
        status_at: cols::ts(r, 7)?,
        domain: r.get(8)?,
        settings: cols::json(r, 9)?,
        policies: cols::json(r, 10)?,
        config_version: r.get(11)?,
        created_at: cols::ts(r, 12)?,
        updated_at: cols::ts(r, 13)?,
    })
}

/// A control plane of a live organization.
pub fn get(c: &Conn, id: i64) -> AppResult<Option<ControlPlaneRow>> {
    let sql = format!("{SELECT} WHERE cp.id = ?1 AND o.deleted_at IS NULL");
    Ok(c.prepare_cached(&sql)?.query_row([id], from_row).optional()?)
}

/// Something under the control plane changed: its configuration has a new
/// version (the APISIX export's `config_version` and ETag follow it).
pub fn bump(c: &Conn, id: i64, now: &Timestamp) -> AppResult<()> {
    c.prepare_cached(
        "UPDATE gateway_control_planes SET config_version = config_version + 1, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(rusqlite::params![id, time::to_db(now)])?;
    Ok(())
}

/// Is `name` taken by a control plane of the organization (deleted ones
/// included: the name stays theirs)?
pub fn name_taken(c: &Conn, org: OrgId, name: &str) -> AppResult<bool> {
    Ok(c.prepare_cached("SELECT EXISTS (SELECT 1 FROM gateway_control_planes WHERE org_id = ?1 AND name = ?2)")?
        .query_row(rusqlite::params![org, name], |r| r.get(0))?)
}

/// What a new control plane starts with (status pending).
pub struct NewControlPlane<'a> {
    pub org: OrgId,
    pub name: &'a str,
    pub region_id: i64,
    pub domain: &'a str,
    pub settings: &'a serde_json::Value,
    pub policies: &'a serde_json::Value,
    pub created_by: UserId,
    pub now: &'a Timestamp,
}

/// Inserts a control plane; its row id.
pub fn insert(c: &Conn, n: &NewControlPlane<'_>) -> AppResult<i64> {
    let now = time::to_db(n.now);
    c.prepare_cached(
        "INSERT INTO gateway_control_planes (uuid, org_id, name, region_id, status, status_at, domain, settings, \
         policies, config_version, created_by, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7, ?8, 1, ?9, ?5, ?5)",
    )?
    .execute(rusqlite::params![
        new_uuid().to_string(),
        n.org,
        n.name,
        n.region_id,
        now,
        n.domain,
        n.settings.to_string(),
        n.policies.to_string(),
        n.created_by,
    ])?;
    Ok(c.last_insert_rowid())
}

/// Sort keys of the list and their columns.
const ORDERS: [(&str, &str); 2] = [("created_at", "cp.created_at"), ("updated_at", "cp.updated_at")];

/// One page of an organization's control planes (deleted ones left out).
pub fn list(c: &Conn, org: OrgId, req: &PageRequest) -> AppResult<Page<ControlPlaneRow>> {
    let order =
        req.order.as_ref().map_or_else(|| "cp.updated_at DESC, cp.id DESC".to_string(), |o| o.sql(&ORDERS, "cp.id"));
    let (limit, offset) = req.limit_offset();
    let sql = format!("{SELECT} WHERE cp.org_id = ?1 AND cp.status <> 6 ORDER BY {order} LIMIT ?2 OFFSET ?3");
    let items = c
        .prepare_cached(&sql)?
        .query_map(rusqlite::params![org, limit, offset], from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    let total: i64 = c
        .prepare_cached("SELECT count(*) FROM gateway_control_planes WHERE org_id = ?1 AND status <> 6")?
        .query_row([org], |r| r.get(0))?;
    Ok(Page { items, total: u64::try_from(total).unwrap_or(0) })
}

/// Replaces a control plane's settings and policies (the caller bumps its
/// configuration version).
pub fn set_config(
    c: &Conn,
    id: i64,
    settings: &serde_json::Value,
    policies: &serde_json::Value,
    now: &Timestamp,
) -> AppResult<()> {
    c.prepare_cached("UPDATE gateway_control_planes SET settings = ?2, policies = ?3, updated_at = ?4 WHERE id = ?1")?
        .execute(rusqlite::params![id, settings.to_string(), policies.to_string(), time::to_db(now)])?;
    Ok(())
}

/// A control plane moved on by one lifecycle step.
#[derive(Debug, Clone)]
pub struct Moved {
    pub uuid: uuid::Uuid,
    pub org: OrgId,
    pub name: String,
    /// The status it has now.
    pub status: i64,
}

/// Moves up to `limit` provisioning control planes (pending or creating, of
/// live organizations) on by one step: pending → creating → normal. Only
/// `status` and `status_at` change: provisioning is not an edit, so lists
/// ordered by `updated_at` keep their order.
pub fn advance(c: &Conn, now: &Timestamp, limit: i64) -> AppResult<Vec<Moved>> {
    let mut stmt = c.prepare_cached(
        "SELECT cp.id, cp.uuid, cp.org_id, cp.name, cp.status FROM gateway_control_planes cp \
         JOIN organizations o ON o.id = cp.org_id \
         WHERE cp.status IN (1, 2) AND o.deleted_at IS NULL ORDER BY cp.status_at, cp.id LIMIT ?1",
    )?;
    let due = stmt
        .query_map([limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                cols::uuid(r, 1)?,
                r.get::<_, OrgId>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut update = c.prepare_cached(
        "UPDATE gateway_control_planes SET status = ?2, status_at = ?3 WHERE id = ?1 AND status = ?4",
    )?;
    let at = time::to_db(now);
    let mut moved = Vec::with_capacity(due.len());
    for (id, uuid, org, name, status) in due {
        update.execute(rusqlite::params![id, status + 1, at, status])?;
        moved.push(Moved { uuid, org, name, status: status + 1 });
    }
    Ok(moved)
}
