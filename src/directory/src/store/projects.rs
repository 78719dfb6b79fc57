//! What the Identity face reads of workspaces beyond the Layer5 fields (tags,
//! provisioning and health), and the writes of those columns. Creating,
//! renaming and linking use the infrastructure family's workspace store.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::cols;
use meshcloud_kernel::ids::{OrgId, WorkspaceId};
use meshcloud_kernel::time::{self, Timestamp};
use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone)]
pub struct ProjectRow {
    pub id: WorkspaceId,
    pub uuid: uuid::Uuid,
    pub org: OrgId,
    pub org_uuid: uuid::Uuid,
    pub name: String,
    pub description: String,
    pub tags: String,
    pub provisioning_status: String,
    pub health_status: String,
    pub owner: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const SELECT: &str = "SELECT w.id, w.uuid, w.org_id, o.uuid, w.name, w.description, w.tags, w.provisioning_status, \
    w.health_status, u.email, w.created_at, w.updated_at \
    FROM workspaces w JOIN organizations o ON o.id = w.org_id LEFT JOIN users u ON u.id = w.owner_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<ProjectRow> {
    Ok(ProjectRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        org: r.get(2)?,
        org_uuid: cols::uuid(r, 3)?,
        name: r.get(4)?,
        description: r.get(5)?,
        tags: r.get(6)?,
        provisioning_status: r.get(7)?,
        health_status: r.get(8)?,
        owner: r.get(9)?,
        created_at: cols::ts(r, 10)?,
        updated_at: cols::ts(r, 11)?,
    })
}

/// Live projects of the org (of `only` these workspace rows, if given), by name.
pub fn list(conn: &Connection, org: OrgId, only: Option<&[WorkspaceId]>) -> AppResult<Vec<ProjectRow>> {
    let sql = format!("{SELECT} WHERE w.org_id = ?1 AND w.deleted_at IS NULL ORDER BY w.name, w.id");
    let mut rows = conn.prepare_cached(&sql)?.query_map([org], from_row)?.collect::<Result<Vec<_>, _>>()?;
    if let Some(ids) = only {
        rows.retain(|p| ids.contains(&p.id));
    }
    Ok(rows)
}

/// A live project of the org by id.
pub fn get(conn: &Connection, org: OrgId, uuid: uuid::Uuid) -> AppResult<Option<ProjectRow>> {
    let sql = format!("{SELECT} WHERE w.org_id = ?1 AND w.uuid = ?2 AND w.deleted_at IS NULL");
    Ok(conn.prepare_cached(&sql)?.query_row(params![org, uuid.to_string()], from_row).optional()?)
}

/// Is the name used by another live project of the org? (Layer5 workspace
/// names may repeat; Identity project names may not.)
pub fn name_taken(conn: &Connection, org: OrgId, name: &str, except: Option<WorkspaceId>) -> AppResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM workspaces
              WHERE org_id = ?1 AND name = ?2 AND deleted_at IS NULL AND id IS NOT ?3)",
        )?
        .query_row(params![org, name, except], |r| r.get(0))?)
}

pub fn set_tags(conn: &Connection, id: WorkspaceId, tags: &str) -> AppResult<()> {
    conn.prepare_cached("UPDATE workspaces SET tags = ?2 WHERE id = ?1")?.execute(params![id, tags])?;
    Ok(())
}

pub fn set_provisioning(conn: &Connection, id: WorkspaceId, status: &str) -> AppResult<()> {
    conn.prepare_cached("UPDATE workspaces SET provisioning_status = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![id, status, time::now_db()])?;
    Ok(())
}

/// Live teams of the project's org linked to it, by name.
pub fn group_ids(conn: &Connection, id: WorkspaceId) -> AppResult<Vec<uuid::Uuid>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.uuid FROM workspace_links l JOIN workspaces w ON w.id = l.workspace_id
           JOIN teams t ON t.uuid = l.target AND t.org_id = w.org_id AND t.deleted_at IS NULL AND t.unmapped_at IS NULL
          WHERE l.workspace_id = ?1 AND l.kind = 'team' ORDER BY t.name",
    )?;
    Ok(stmt.query_map([id], |r| cols::uuid(r, 0))?.collect::<Result<Vec<_>, _>>()?)
}
