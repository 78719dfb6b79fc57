//! Allocations of resources to projects, and their per-kind items.

use meshcloud_kernel::db::cols;
use meshcloud_kernel::ids::{AllocationId, OrgId, UserId, WorkspaceId, new_uuid};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::model::CheckedMetadata;

/// One kind's share: `(kind, committed, reserved)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub kind: String,
    pub committed: i64,
    pub reserved: i64,
}

#[derive(Debug, Clone)]
pub struct AllocationRow {
    pub id: AllocationId,
    pub uuid: uuid::Uuid,
    pub org_uuid: uuid::Uuid,
    pub project_uuid: uuid::Uuid,
    /// The project's workspace row.
    pub workspace: WorkspaceId,
    pub name: String,
    pub description: String,
    pub tags: String,
    pub resource_kind: String,
    pub resource_id: String,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub items: Vec<Item>,
}

const SELECT: &str = "SELECT a.id, a.uuid, o.uuid, w.uuid, a.name, a.description, a.tags, a.resource_kind, \
    a.resource_id, cb.email, ub.email, a.created_at, a.updated_at, a.workspace_id \
    FROM allocations a JOIN organizations o ON o.id = a.org_id \
    JOIN workspaces w ON w.id = a.workspace_id AND w.deleted_at IS NULL \
    LEFT JOIN users cb ON cb.id = a.created_by LEFT JOIN users ub ON ub.id = a.updated_by";

fn from_row(r: &Row<'_>) -> rusqlite::Result<AllocationRow> {
    Ok(AllocationRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        org_uuid: cols::uuid(r, 2)?,
        project_uuid: cols::uuid(r, 3)?,
        name: r.get(4)?,
        description: r.get(5)?,
        tags: r.get(6)?,
        resource_kind: r.get(7)?,
        resource_id: r.get(8)?,
        created_by: r.get(9)?,
        updated_by: r.get(10)?,
        created_at: cols::ts(r, 11)?,
        updated_at: cols::ts(r, 12)?,
        workspace: r.get(13)?,
        items: vec![],
    })
}

fn with_items(conn: &Connection, mut rows: Vec<AllocationRow>) -> AppResult<Vec<AllocationRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, committed, reserved FROM allocation_items WHERE allocation_id = ?1 ORDER BY kind",
    )?;
    for row in &mut rows {
        row.items = stmt
            .query_map([row.id], |r| Ok(Item { kind: r.get(0)?, committed: r.get(1)?, reserved: r.get(2)? }))?
            .collect::<Result<Vec<_>, _>>()?;
    }
    Ok(rows)
}

/// Allocations of the org's live projects (of `projects` only, if given), by name.
pub fn list(conn: &Connection, org: OrgId, projects: Option<&[WorkspaceId]>) -> AppResult<Vec<AllocationRow>> {
    let sql = format!("{SELECT} WHERE a.org_id = ?1 ORDER BY a.name, a.id");
    let mut rows = conn.prepare_cached(&sql)?.query_map([org], from_row)?.collect::<Result<Vec<_>, _>>()?;
    if let Some(ids) = projects {
        rows.retain(|a| ids.contains(&a.workspace));
    }
    with_items(conn, rows)
}

/// An allocation of one project by id.
pub fn get(conn: &Connection, workspace: WorkspaceId, uuid: uuid::Uuid) -> AppResult<Option<AllocationRow>> {
    let sql = format!("{SELECT} WHERE a.workspace_id = ?1 AND a.uuid = ?2");
    let row = conn.prepare_cached(&sql)?.query_row(params![workspace, uuid.to_string()], from_row).optional()?;
    Ok(match row {
        Some(r) => with_items(conn, vec![r])?.pop(),
        None => None,
    })
}

fn name_conflict(e: rusqlite::Error) -> AppError {
    match AppError::from(e) {
        AppError::Conflict(_) => AppError::conflict("an allocation with this name already exists in the project"),
        other => other,
    }
}

pub struct NewAllocation<'a> {
    pub org: OrgId,
    pub workspace: WorkspaceId,
    pub meta: &'a CheckedMetadata,
    pub resource_kind: &'a str,
    pub resource_id: &'a str,
    pub actor: UserId,
}

pub fn insert(conn: &Connection, a: &NewAllocation<'_>, items: &[Item]) -> AppResult<(AllocationId, uuid::Uuid)> {
    let uuid = new_uuid();
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO allocations (uuid, org_id, workspace_id, name, description, tags, resource_kind, resource_id,
                                  created_by, updated_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?10)",
    )?
    .execute(params![
        uuid.to_string(),
        a.org,
        a.workspace,
        a.meta.name,
        a.meta.description,
        a.meta.tags,
        a.resource_kind,
        a.resource_id,
        a.actor,
        now
    ])
    .map_err(name_conflict)?;
    let id = AllocationId(conn.last_insert_rowid());
    set_items(conn, id, items)?;
    Ok((id, uuid))
}

pub fn update(conn: &Connection, id: AllocationId, a: &NewAllocation<'_>, items: &[Item]) -> AppResult<()> {
    conn.prepare_cached(
        "UPDATE allocations SET name = ?2, description = ?3, tags = ?4, resource_kind = ?5, resource_id = ?6,
                                updated_by = ?7, updated_at = ?8
          WHERE id = ?1",
    )?
    .execute(params![
        id,
        a.meta.name,
        a.meta.description,
        a.meta.tags,
        a.resource_kind,
        a.resource_id,
        a.actor,
        time::now_db()
    ])
    .map_err(name_conflict)?;
    set_items(conn, id, items)
}

fn set_items(conn: &Connection, id: AllocationId, items: &[Item]) -> AppResult<()> {
    conn.prepare_cached("DELETE FROM allocation_items WHERE allocation_id = ?1")?.execute([id])?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO allocation_items (allocation_id, kind, committed, reserved) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for i in items {
        stmt.execute(params![id, i.kind, i.committed, i.reserved])?;
    }
    Ok(())
}

pub fn delete(conn: &Connection, id: AllocationId) -> AppResult<()> {
    conn.prepare_cached("DELETE FROM allocations WHERE id = ?1")?.execute([id])?;
    Ok(())
}
