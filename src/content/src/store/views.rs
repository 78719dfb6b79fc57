//! Views: saved filter sets of an organization.

use meshcloud_kernel::db::cols;
use meshcloud_kernel::db::query::{Where, fetch_page, order_or};
use meshcloud_kernel::ids::{OrgId, UserId};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::shares;

#[derive(Debug, Clone)]
pub struct ViewRow {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub org: OrgId,
    pub org_uuid: uuid::Uuid,
    pub owner: Option<UserId>,
    pub owner_uuid: Option<uuid::Uuid>,
    pub name: String,
    pub visibility: String,
    pub filters: serde_json::Value,
    pub metadata: serde_json::Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

pub const ORDER_FIELDS: [&str; 3] = ["name", "created_at", "updated_at"];
const ORDER: [(&str, &str); 3] = [("name", "v.name"), ("created_at", "v.created_at"), ("updated_at", "v.updated_at")];
const SELECT: &str = "SELECT v.id, v.uuid, v.org_id, o.uuid, v.owner_id, u.uuid, v.name, v.visibility, v.filters, \
    v.metadata, v.created_at, v.updated_at";
const FROM: &str = "FROM views v JOIN organizations o ON o.id = v.org_id LEFT JOIN users u ON u.id = v.owner_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<ViewRow> {
    Ok(ViewRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        org: r.get(2)?,
        org_uuid: cols::uuid(r, 3)?,
        owner: r.get(4)?,
        owner_uuid: cols::uuid_opt(r, 5)?,
        name: r.get(6)?,
        visibility: r.get(7)?,
        filters: cols::json(r, 8)?,
        metadata: cols::json(r, 9)?,
        created_at: cols::ts(r, 10)?,
        updated_at: cols::ts(r, 11)?,
    })
}

/// What a list of views or filters asks for, beyond paging.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub visibility: Vec<String>,
    pub owner: Option<uuid::Uuid>,
    /// Shared with these actors, from any organization, instead of the org's own.
    pub shared_with: Option<Vec<String>>,
}

/// The conditions of a list of views or filters (`alias` is the table's).
pub(crate) fn list_where(
    alias: &str,
    kind: &str,
    org: OrgId,
    me: UserId,
    all_private: bool,
    f: &Filter,
    req: &PageRequest,
) -> Where {
    let mut w = Where::new(&format!("{alias}.deleted_at IS NULL"));
    match &f.shared_with {
        Some(actors) => {
            let (sql, args) = shares::shared_with(&format!("{alias}.uuid"), kind, actors);
            w.and(&sql, args).and("o.deleted_at IS NULL", []);
        }
        None => {
            w.and(&format!("{alias}.org_id = ?"), [Value::Integer(org.0)]);
            super::visible(&mut w, alias, me, all_private);
        }
    }
    w.any_of(&format!("{alias}.visibility"), &f.visibility);
    if let Some(owner) = f.owner {
        w.and("u.uuid = ?", [Value::Text(owner.to_string())]);
    }
    w.search(req, &[&format!("{alias}.name")]);
    w
}

pub fn list(
    conn: &Connection,
    org: OrgId,
    me: UserId,
    all_private: bool,
    f: &Filter,
    req: &PageRequest,
) -> AppResult<Page<ViewRow>> {
    let w = list_where("v", "view", org, me, all_private, f, req);
    let order = order_or(req, &ORDER, "v.id", "v.updated_at DESC, v.id DESC");
    fetch_page(conn, SELECT, FROM, &w, &order, req, from_row)
}

pub fn by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<ViewRow>> {
    let sql = format!("{SELECT} {FROM} WHERE v.uuid = ?1 AND v.deleted_at IS NULL AND o.deleted_at IS NULL");
    Ok(conn.prepare_cached(&sql)?.query_row([uuid.to_string()], from_row).optional()?)
}

pub fn get(conn: &Connection, id: i64) -> AppResult<ViewRow> {
    let sql = format!("{SELECT} {FROM} WHERE v.id = ?1");
    conn.prepare_cached(&sql)?.query_row([id], from_row).optional()?.ok_or(AppError::NotFound)
}

/// Whether any view row (live or deleted) has this id.
pub fn uuid_taken(conn: &Connection, uuid: uuid::Uuid) -> AppResult<bool> {
    super::uuid_taken(conn, "views", uuid)
}

#[allow(clippy::too_many_arguments)]
pub fn insert(
    conn: &Connection,
    uuid: uuid::Uuid,
    org: OrgId,
    owner: UserId,
    name: &str,
    visibility: &str,
    filters: &serde_json::Value,
    metadata: &serde_json::Value,
) -> AppResult<i64> {
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO views (uuid, org_id, owner_id, name, visibility, filters, metadata, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    )?
    .execute(params![
        uuid.to_string(),
        org,
        owner,
        name,
        visibility,
        filters.to_string(),
        metadata.to_string(),
        now
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn update(
    conn: &Connection,
    id: i64,
    name: &str,
    visibility: &str,
    filters: &serde_json::Value,
    metadata: &serde_json::Value,
) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached(
        "UPDATE views SET name = ?2, visibility = ?3, filters = ?4, metadata = ?5, updated_at = ?6 WHERE id = ?1",
    )?
    .execute(params![id, name, visibility, filters.to_string(), metadata.to_string(), now])?;
    Ok(())
}
