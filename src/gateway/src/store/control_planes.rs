//! Control planes: the row every resource of the family hangs off.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::{Conn, cols};
use meshcloud_kernel::ids::OrgId;
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
