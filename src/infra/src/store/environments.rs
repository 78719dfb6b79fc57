//! Environments and the connections attached to them.

use meshcloud_kernel::db::cols;
use meshcloud_kernel::db::pages::{Anchored, sort_of};
use meshcloud_kernel::db::query::{Where, fetch_page_counted, live_count, order_or, rows_by_id};
use meshcloud_kernel::db::search::SearchIndex;
use meshcloud_kernel::ids::{ConnectionId, EnvironmentId, OrgId, UserId, WorkspaceId, new_uuid};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone)]
pub struct EnvironmentRow {
    pub id: EnvironmentId,
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
const ORDER: [(&str, &str); 3] = [("name", "e.name"), ("created_at", "e.created_at"), ("updated_at", "e.updated_at")];
const SELECT: &str = "SELECT e.id, e.uuid, e.org_id, o.uuid, u.uuid, e.name, e.description, e.metadata, \
    e.created_at, e.updated_at, e.deleted_at";
const FROM: &str = "FROM environments e JOIN organizations o ON o.id = e.org_id LEFT JOIN users u ON u.id = e.owner_id";
const LIST_FROM: &str = "FROM environments e";
const SEARCH: SearchIndex = SearchIndex { table: "environments_search", rowid: "e.id", scoped: true };
/// An org's live environments page through buckets (migration V013).
const PAGES: Anchored = Anchored {
    table: "environments",
    scope: "org_id",
    live: "deleted_at IS NULL",
    sorts: &[
        ("name", "environments_name"),
        ("created_at", "environments_created"),
        ("updated_at", "environments_updated"),
    ],
};

fn from_row(r: &Row<'_>) -> rusqlite::Result<EnvironmentRow> {
    Ok(EnvironmentRow {
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

/// Live environments of an org; with `workspace`, only (or, `assigned == false`,
/// all but) those linked to it.
pub fn list(
    conn: &Connection,
    org: OrgId,
    workspace: Option<(WorkspaceId, bool)>,
    req: &PageRequest,
) -> AppResult<Page<EnvironmentRow>> {
    let mut w = Where::new("e.deleted_at IS NULL");
    w.and("e.org_id = ?", [Value::Integer(org.0)]);
    if let Some((ws, assigned)) = workspace {
        let not = if assigned { "" } else { "NOT " };
        w.and(
            &format!(
                "e.uuid {not}IN (SELECT target FROM workspace_links WHERE workspace_id = ? AND kind = 'environment')"
            ),
            [Value::Integer(ws.0)],
        );
    }
    w.search_indexed(conn, req, &SEARCH, Some(org.0), &["e.name", "e.description"])?;
    let order = order_or(req, &ORDER, "e.id", "e.name, e.id");
    let by_id = format!("{SELECT} {FROM} WHERE e.id = ?1");
    let total = match (&req.search, workspace) {
        (None, None) => Some(live_count(conn, org, "environments")?),
        _ => None,
    };
    if let Some(total) = total {
        let (column, descending) = sort_of(req, &ORDER, ("e.name", false));
        if let Some(ids) = PAGES.page(conn, org.0, column, descending, req, total)? {
            return rows_by_id(conn, ids, &by_id, from_row);
        }
    }
    // Page through the index on the bare table, then join only the page's rows.
    let ids = fetch_page_counted(conn, "SELECT e.id", LIST_FROM, &w, &order, req, total, |r| r.get::<_, i64>(0))?;
    rows_by_id(conn, ids, &by_id, from_row)
}

pub fn by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<EnvironmentRow>> {
    let sql = format!("{SELECT} {FROM} WHERE e.uuid = ?1 AND e.deleted_at IS NULL AND o.deleted_at IS NULL");
    Ok(conn.prepare_cached(&sql)?.query_row([uuid.to_string()], from_row).optional()?)
}

pub fn get(conn: &Connection, id: EnvironmentId) -> AppResult<EnvironmentRow> {
    let sql = format!("{SELECT} {FROM} WHERE e.id = ?1");
    conn.prepare_cached(&sql)?.query_row([id], from_row).optional()?.ok_or(AppError::NotFound)
}

pub fn insert(conn: &Connection, org: OrgId, owner: UserId, name: &str, description: &str) -> AppResult<EnvironmentId> {
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO environments (uuid, org_id, owner_id, name, description, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![new_uuid().to_string(), org, owner, name, description, now])?;
    Ok(EnvironmentId(conn.last_insert_rowid()))
}

pub fn update(conn: &Connection, id: EnvironmentId, name: &str, description: &str) -> AppResult<()> {
    conn.prepare_cached("UPDATE environments SET name = ?2, description = ?3, updated_at = ?4 WHERE id = ?1")?
        .execute(params![id, name, description, time::now_db()])?;
    Ok(())
}

/// Soft delete; the environment's connection and workspace links go at once.
pub fn delete(conn: &Connection, id: EnvironmentId, uuid: uuid::Uuid) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached("UPDATE environments SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1")?
        .execute(params![id, now])?;
    conn.prepare_cached("DELETE FROM environment_connections WHERE environment_id = ?1")?.execute([id])?;
    conn.prepare_cached("DELETE FROM workspace_links WHERE kind = 'environment' AND target = ?1")?
        .execute([uuid.to_string()])?;
    Ok(())
}

/// Links a connection; false if it was linked already.
pub fn attach(conn: &Connection, env: EnvironmentId, connection: ConnectionId) -> AppResult<bool> {
    let n = conn
        .prepare_cached(
            "INSERT INTO environment_connections (environment_id, connection_id, uuid, created_at)
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        )?
        .execute(params![env, connection, new_uuid().to_string(), time::now_db()])?;
    Ok(n == 1)
}

pub fn detach(conn: &Connection, env: EnvironmentId, connection: ConnectionId) -> AppResult<bool> {
    let n = conn
        .prepare_cached("DELETE FROM environment_connections WHERE environment_id = ?1 AND connection_id = ?2")?
        .execute(params![env, connection])?;
    Ok(n == 1)
}

/// `(uuid, name)` of the live environments a connection is attached to.
pub fn of_connection(conn: &Connection, connection: ConnectionId) -> AppResult<Vec<(uuid::Uuid, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.uuid, e.name FROM environment_connections ec JOIN environments e ON e.id = ec.environment_id
          WHERE ec.connection_id = ?1 AND e.deleted_at IS NULL ORDER BY e.name",
    )?;
    let rows = stmt.query_map([connection], |r| Ok((cols::uuid(r, 0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
