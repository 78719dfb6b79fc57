//! Asynchronous provisioning state of organizations and workspaces.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::cols;
use meshcloud_kernel::ids::{OrgId, WorkspaceId};
use meshcloud_kernel::time;
use rusqlite::Connection;

/// A row whose provisioning state changes: (row id, org, uuid, name).
pub struct Moved {
    pub id: WorkspaceId,
    pub org: OrgId,
    pub uuid: uuid::Uuid,
    pub name: String,
}

fn moved(r: &rusqlite::Row<'_>) -> rusqlite::Result<Moved> {
    Ok(Moved { id: r.get(0)?, org: r.get(1)?, uuid: cols::uuid(r, 2)?, name: r.get(3)? })
}

/// Marks live organizations still provisioning as provisioned.
pub fn finish_orgs(conn: &Connection) -> AppResult<Vec<Moved>> {
    let mut stmt = conn.prepare_cached(
        "UPDATE organizations SET provisioning_status = 'provisioned', updated_at = ?1
          WHERE provisioning_status = 'provisioning' AND deleted_at IS NULL RETURNING id, id, uuid, name",
    )?;
    Ok(stmt.query_map([time::now_db()], moved)?.collect::<Result<Vec<_>, _>>()?)
}

/// Live organizations waiting to be deleted.
pub fn deprovisioning_orgs(conn: &Connection) -> AppResult<Vec<Moved>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, id, uuid, name FROM organizations WHERE provisioning_status = 'deprovisioning' AND deleted_at IS NULL",
    )?;
    Ok(stmt.query_map([], moved)?.collect::<Result<Vec<_>, _>>()?)
}

/// Marks live workspaces still provisioning as provisioned.
pub fn finish_workspaces(conn: &Connection) -> AppResult<Vec<Moved>> {
    let mut stmt = conn.prepare_cached(
        "UPDATE workspaces SET provisioning_status = 'provisioned', updated_at = ?1
          WHERE provisioning_status = 'provisioning' AND deleted_at IS NULL RETURNING id, org_id, uuid, name",
    )?;
    Ok(stmt.query_map([time::now_db()], moved)?.collect::<Result<Vec<_>, _>>()?)
}

/// Live workspaces waiting to be deleted.
pub fn deprovisioning_workspaces(conn: &Connection) -> AppResult<Vec<Moved>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, org_id, uuid, name FROM workspaces WHERE provisioning_status = 'deprovisioning' AND deleted_at IS NULL",
    )?;
    Ok(stmt.query_map([], moved)?.collect::<Result<Vec<_>, _>>()?)
}

/// Is any organization or workspace waiting for the job?
pub fn pending(conn: &Connection) -> AppResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM organizations WHERE provisioning_status IN ('provisioning', 'deprovisioning')
                               AND deleted_at IS NULL)
                 OR EXISTS (SELECT 1 FROM workspaces WHERE provisioning_status IN ('provisioning', 'deprovisioning')
                               AND deleted_at IS NULL)",
        )?
        .query_row([], |r| r.get(0))?)
}
