//! Workspaces and what they hold (environments, teams, designs, views).

use meshcloud_kernel::audit::EventKind;
use meshcloud_kernel::db::cols;
use meshcloud_kernel::db::pages::{Anchored, sort_of};
use meshcloud_kernel::db::query::{Where, fetch_page, fetch_page_counted, live_count, order_or, rows_by_id};
use meshcloud_kernel::db::search::SearchIndex;
use meshcloud_kernel::ids::{OrgId, UserId, WorkspaceId, new_uuid};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone)]
pub struct WorkspaceRow {
    pub id: WorkspaceId,
    pub uuid: uuid::Uuid,
    pub org: OrgId,
    pub org_uuid: uuid::Uuid,
    pub owner: Option<uuid::Uuid>,
    pub name: String,
    pub description: String,
    pub metadata: serde_json::Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

pub const ORDER_FIELDS: [&str; 3] = ["name", "created_at", "updated_at"];
const ORDER: [(&str, &str); 3] = [("name", "w.name"), ("created_at", "w.created_at"), ("updated_at", "w.updated_at")];
const SELECT: &str = "SELECT w.id, w.uuid, w.org_id, o.uuid, u.uuid, w.name, w.description, w.metadata, \
    w.created_at, w.updated_at, w.deleted_at";
const FROM: &str = "FROM workspaces w JOIN organizations o ON o.id = w.org_id LEFT JOIN users u ON u.id = w.owner_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<WorkspaceRow> {
    Ok(WorkspaceRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        org: r.get(2)?,
        org_uuid: cols::uuid(r, 3)?,
        owner: cols::uuid_opt(r, 4)?,
        name: r.get(5)?,
        description: r.get(6)?,
        metadata: cols::json(r, 7)?,
        created_at: cols::ts(r, 8)?,
        updated_at: cols::ts(r, 9)?,
        deleted_at: cols::ts_opt(r, 10)?,
    })
}

const SEARCH: SearchIndex = SearchIndex { table: "workspaces_search", rowid: "w.id", scoped: true };
const SEARCHED: [&str; 2] = ["w.name", "w.description"];
/// An org's live workspaces page through buckets (migration V013).
const PAGES: Anchored = Anchored {
    table: "workspaces",
    scope: "org_id",
    live: "deleted_at IS NULL",
    sorts: &[("name", "workspaces_name"), ("created_at", "workspaces_created"), ("updated_at", "workspaces_updated")],
};

/// Live workspaces of an org, or (`deleted`) its soft-deleted ones.
pub fn list(conn: &Connection, org: OrgId, deleted: bool, req: &PageRequest) -> AppResult<Page<WorkspaceRow>> {
    let mut w = Where::new(if deleted { "w.deleted_at IS NOT NULL" } else { "w.deleted_at IS NULL" });
    w.and("w.org_id = ?", [Value::Integer(org.0)]);
    if deleted {
        // The index holds live workspaces only.
        w.search(req, &SEARCHED);
    } else {
        w.search_indexed(conn, req, &SEARCH, Some(org.0), &SEARCHED)?;
    }
    let order = order_or(req, &ORDER, "w.id", "w.name, w.id");
    let by_id = format!("{SELECT} {FROM} WHERE w.id = ?1");
    let total = if req.search.is_none() && !deleted { Some(live_count(conn, org, "workspaces")?) } else { None };
    if let Some(total) = total {
        let (column, descending) = sort_of(req, &ORDER, ("w.name", false));
        if let Some(ids) = PAGES.page(conn, org.0, column, descending, req, total)? {
            return rows_by_id(conn, ids, &by_id, from_row);
        }
    }
    let ids =
        fetch_page_counted(conn, "SELECT w.id", "FROM workspaces w", &w, &order, req, total, |r| r.get::<_, i64>(0))?;
    rows_by_id(conn, ids, &by_id, from_row)
}

pub fn by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<WorkspaceRow>> {
    let sql = format!("{SELECT} {FROM} WHERE w.uuid = ?1 AND w.deleted_at IS NULL AND o.deleted_at IS NULL");
    Ok(conn.prepare_cached(&sql)?.query_row([uuid.to_string()], from_row).optional()?)
}

pub fn get(conn: &Connection, id: WorkspaceId) -> AppResult<WorkspaceRow> {
    let sql = format!("{SELECT} {FROM} WHERE w.id = ?1");
    conn.prepare_cached(&sql)?.query_row([id], from_row).optional()?.ok_or(AppError::NotFound)
}

pub fn insert(conn: &Connection, org: OrgId, owner: UserId, name: &str, description: &str) -> AppResult<WorkspaceId> {
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO workspaces (uuid, org_id, owner_id, name, description, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![new_uuid().to_string(), org, owner, name, description, now])?;
    Ok(WorkspaceId(conn.last_insert_rowid()))
}

pub fn update(conn: &Connection, id: WorkspaceId, name: &str, description: &str) -> AppResult<()> {
    conn.prepare_cached("UPDATE workspaces SET name = ?2, description = ?3, updated_at = ?4 WHERE id = ?1")?
        .execute(params![id, name, description, time::now_db()])?;
    Ok(())
}

/// Soft delete; the workspace's links go with it.
pub fn delete(conn: &Connection, id: WorkspaceId) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached("UPDATE workspaces SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1")?
        .execute(params![id, now])?;
    conn.prepare_cached("DELETE FROM workspace_links WHERE workspace_id = ?1")?.execute([id])?;
    Ok(())
}

/// What a workspace can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    Environment,
    Team,
    Design,
    View,
}

impl LinkKind {
    /// What the log records when a workspace gains a link of this kind.
    pub fn assigned(self) -> EventKind {
        match self {
            LinkKind::Environment => EventKind::WorkspaceAssignEnvironment,
            LinkKind::Team => EventKind::WorkspaceAssignTeam,
            LinkKind::Design => EventKind::WorkspaceAssignDesign,
            LinkKind::View => EventKind::WorkspaceAssignView,
        }
    }

    /// What the log records when a workspace loses a link of this kind.
    pub fn unassigned(self) -> EventKind {
        match self {
            LinkKind::Environment => EventKind::WorkspaceUnassignEnvironment,
            LinkKind::Team => EventKind::WorkspaceUnassignTeam,
            LinkKind::Design => EventKind::WorkspaceUnassignDesign,
            LinkKind::View => EventKind::WorkspaceUnassignView,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Environment => "environment",
            LinkKind::Team => "team",
            LinkKind::Design => "design",
            LinkKind::View => "view",
        }
    }
}

#[derive(Debug, Clone)]
pub struct LinkRow {
    pub uuid: uuid::Uuid,
    pub workspace: uuid::Uuid,
    pub target: uuid::Uuid,
    pub created_at: Timestamp,
}

/// Links `target`; returns the mapping (the existing one if it was linked already).
pub fn link(conn: &Connection, ws: &WorkspaceRow, kind: LinkKind, target: uuid::Uuid) -> AppResult<(LinkRow, bool)> {
    let n = conn
        .prepare_cached(
            "INSERT INTO workspace_links (workspace_id, kind, target, uuid, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![ws.id, kind.as_str(), target.to_string(), new_uuid().to_string(), time::now_db()])?;
    let row = conn
        .prepare_cached(
            "SELECT uuid, created_at FROM workspace_links WHERE workspace_id = ?1 AND kind = ?2 AND target = ?3",
        )?
        .query_row(params![ws.id, kind.as_str(), target.to_string()], |r| {
            Ok(LinkRow { uuid: cols::uuid(r, 0)?, workspace: ws.uuid, target, created_at: cols::ts(r, 1)? })
        })?;
    Ok((row, n == 1))
}

pub fn unlink(conn: &Connection, ws: WorkspaceId, kind: LinkKind, target: uuid::Uuid) -> AppResult<bool> {
    let n = conn
        .prepare_cached("DELETE FROM workspace_links WHERE workspace_id = ?1 AND kind = ?2 AND target = ?3")?
        .execute(params![ws, kind.as_str(), target.to_string()])?;
    Ok(n == 1)
}

/// Links of one kind, for kinds whose rows live elsewhere (designs, views).
pub fn links(conn: &Connection, ws: &WorkspaceRow, kind: LinkKind, req: &PageRequest) -> AppResult<Page<LinkRow>> {
    let mut w = Where::with("l.workspace_id = ?", [Value::Integer(ws.id.0)]);
    w.and("l.kind = ?", [Value::Text(kind.as_str().into())]);
    let order = order_or(req, &[("created_at", "l.created_at")], "l.target", "l.created_at, l.target");
    fetch_page(conn, "SELECT l.uuid, l.target, l.created_at", "FROM workspace_links l", &w, &order, req, |r| {
        Ok(LinkRow {
            uuid: cols::uuid(r, 0)?,
            workspace: ws.uuid,
            target: cols::uuid(r, 1)?,
            created_at: cols::ts(r, 2)?,
        })
    })
}

/// UUIDs of everything of one kind linked to the workspace.
pub fn targets(conn: &Connection, ws: WorkspaceId, kind: LinkKind) -> AppResult<Vec<uuid::Uuid>> {
    let mut stmt = conn.prepare_cached("SELECT target FROM workspace_links WHERE workspace_id = ?1 AND kind = ?2")?;
    let rows = stmt.query_map(params![ws, kind.as_str()], |r| cols::uuid(r, 0))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Live workspaces that hold `target` of `kind` (for events when it goes away).
pub fn holding(conn: &Connection, kind: LinkKind, target: uuid::Uuid) -> AppResult<Vec<WorkspaceRow>> {
    let sql = format!(
        "{SELECT} {FROM} WHERE w.deleted_at IS NULL AND w.id IN
           (SELECT workspace_id FROM workspace_links WHERE kind = ?1 AND target = ?2)"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![kind.as_str(), target.to_string()], from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
