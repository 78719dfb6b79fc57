//! Projects (workspaces) for the caller's ACL.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::cols;
use meshcloud_kernel::ids::WorkspaceId;
use rusqlite::Connection;

/// UUIDs of live workspaces by row id, in name order.
pub fn workspace_uuids(conn: &Connection, ids: &[WorkspaceId]) -> AppResult<Vec<(WorkspaceId, uuid::Uuid)>> {
    let mut stmt = conn.prepare_cached("SELECT id, uuid, name FROM workspaces WHERE id = ?1 AND deleted_at IS NULL")?;
    let mut out: Vec<(String, WorkspaceId, uuid::Uuid)> = Vec::with_capacity(ids.len());
    for id in ids {
        let mut rows = stmt.query([id])?;
        if let Some(r) = rows.next()? {
            out.push((r.get(2)?, r.get(0)?, cols::uuid(r, 1)?));
        }
    }
    out.sort();
    Ok(out.into_iter().map(|(_, id, uuid)| (id, uuid)).collect())
}
