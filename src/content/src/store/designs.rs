//! Designs and their versions.

use meshcloud_kernel::db::cols;
use meshcloud_kernel::db::query::{Where, fetch_page, order_or};
use meshcloud_kernel::db::search::SearchIndex;
use meshcloud_kernel::ids::{OrgId, UserId};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::catalog::{Published, published_where};
use super::resources;
use super::shares;

#[derive(Debug, Clone)]
pub struct DesignRow {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub org: OrgId,
    pub org_uuid: uuid::Uuid,
    pub owner: Option<UserId>,
    pub owner_uuid: Option<uuid::Uuid>,
    pub name: String,
    pub visibility: String,
    pub version: String,
    pub document: serde_json::Value,
    pub catalog_data: serde_json::Value,
    pub location: serde_json::Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One kept document of a design.
#[derive(Debug, Clone)]
pub struct VersionRow {
    pub version: String,
    pub name: String,
    pub document: Option<serde_json::Value>,
    pub created_at: Timestamp,
}

pub const ORDER_FIELDS: [&str; 3] = ["name", "created_at", "updated_at"];
const ORDER: [(&str, &str); 3] = [("name", "d.name"), ("created_at", "d.created_at"), ("updated_at", "d.updated_at")];
const SELECT: &str = "SELECT d.id, d.uuid, d.org_id, o.uuid, d.owner_id, u.uuid, d.name, d.visibility, d.version, \
    d.document, d.catalog_data, d.location, d.created_at, d.updated_at";
// The designs drive (CROSS JOIN fixes the order): started from the org's
// one row, SQLite cannot walk the order's index and sorts every design.
const FROM: &str =
    "FROM designs d CROSS JOIN organizations o ON o.id = d.org_id LEFT JOIN users u ON u.id = d.owner_id";
const SEARCH: SearchIndex = SearchIndex { table: "designs_search", rowid: "d.id", scoped: true };

fn from_row(r: &Row<'_>) -> rusqlite::Result<DesignRow> {
    Ok(DesignRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        org: r.get(2)?,
        org_uuid: cols::uuid(r, 3)?,
        owner: r.get(4)?,
        owner_uuid: cols::uuid_opt(r, 5)?,
        name: r.get(6)?,
        visibility: r.get(7)?,
        version: r.get(8)?,
        document: cols::json(r, 9)?,
        catalog_data: cols::json(r, 10)?,
        location: cols::json(r, 11)?,
        created_at: cols::ts(r, 12)?,
        updated_at: cols::ts(r, 13)?,
    })
}

/// What a design list asks for, beyond paging.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// `private`, `public`, `published`; empty: all of them.
    pub visibility: Vec<String>,
    pub owner: Option<uuid::Uuid>,
    /// Only these designs (a workspace's).
    pub only: Option<Vec<uuid::Uuid>>,
    /// The designs shared with these actors, from any organization (instead
    /// of the organization's own).
    pub shared_with: Option<Vec<String>>,
}

/// Live designs of `org` the caller may see: every non-private one, their own
/// private ones, and (`all_private`) everyone's.
pub fn list(
    conn: &Connection,
    org: OrgId,
    me: UserId,
    all_private: bool,
    f: &Filter,
    req: &PageRequest,
) -> AppResult<Page<DesignRow>> {
    let mut w = Where::new("d.deleted_at IS NULL");
    match &f.shared_with {
        Some(actors) => {
            let (sql, args) = shares::shared_with("d.uuid", "design", actors);
            w.and(&sql, args).and("o.deleted_at IS NULL", []);
        }
        None => {
            w.and("d.org_id = ?", [Value::Integer(org.0)]);
            visible(&mut w, me, all_private);
        }
    }
    w.any_of("d.visibility", &f.visibility);
    if let Some(owner) = f.owner {
        w.and("u.uuid = ?", [Value::Text(owner.to_string())]);
    }
    if let Some(only) = &f.only {
        let ids = only.iter().map(|u| u.to_string()).collect::<Vec<_>>();
        if ids.is_empty() {
            return Ok(Page { items: vec![], total: 0 });
        }
        w.any_of("d.uuid", &ids);
    }
    if f.shared_with.is_some() {
        w.search(req, &["d.name"]);
    } else {
        w.search_indexed(conn, req, &SEARCH, Some(org.0), &["d.name"])?;
    }
    let order = order_or(req, &ORDER, "d.id", "d.updated_at DESC, d.id DESC");
    fetch_page(conn, SELECT, FROM, &w, &order, req, from_row)
}

/// Published designs of every organization (the catalog).
pub fn published(conn: &Connection, f: &Published, req: &PageRequest) -> AppResult<Page<DesignRow>> {
    let w = published_where("d", "design", f, req);
    let order = order_or(req, &ORDER, "d.id", "d.updated_at DESC, d.id DESC");
    fetch_page(conn, SELECT, FROM, &w, &order, req, from_row)
}

/// Which designs (`d`) of an org a list shows the caller: the family's one
/// rule ([`super::visible`]). Every list of designs, or of what they hold,
/// filters by this.
pub fn visible(w: &mut Where, me: UserId, all_private: bool) {
    super::visible(w, "d", me, all_private);
}

pub fn by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<DesignRow>> {
    let sql = format!("{SELECT} {FROM} WHERE d.uuid = ?1 AND d.deleted_at IS NULL AND o.deleted_at IS NULL");
    Ok(conn.prepare_cached(&sql)?.query_row([uuid.to_string()], from_row).optional()?)
}

pub fn get(conn: &Connection, id: i64) -> AppResult<DesignRow> {
    let sql = format!("{SELECT} {FROM} WHERE d.id = ?1");
    conn.prepare_cached(&sql)?.query_row([id], from_row).optional()?.ok_or(AppError::NotFound)
}

/// A new design; the document's own `id` must already be `uuid`.
#[allow(clippy::too_many_arguments)]
pub fn insert(
    conn: &Connection,
    uuid: uuid::Uuid,
    org: OrgId,
    owner: UserId,
    name: &str,
    visibility: &str,
    version: &str,
    document: &serde_json::Value,
) -> AppResult<i64> {
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO designs (uuid, org_id, owner_id, name, visibility, version, document, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    )?
    .execute(params![uuid.to_string(), org, owner, name, visibility, version, document.to_string(), now])?;
    let id = conn.last_insert_rowid();
    keep_version(conn, id, version, name, document, &now)?;
    resources::reindex(conn, id, document, &now)?;
    Ok(id)
}

/// Whether any design row (live or deleted) has this id.
pub fn uuid_taken(conn: &Connection, uuid: uuid::Uuid) -> AppResult<bool> {
    super::uuid_taken(conn, "designs", uuid)
}

/// Sets the design's document; with `keep` (the document changed) the new
/// version is kept beside the earlier ones and its resources reindexed.
pub fn update(
    conn: &Connection,
    id: i64,
    name: &str,
    visibility: &str,
    version: &str,
    document: &serde_json::Value,
    keep: bool,
) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached(
        "UPDATE designs SET name = ?2, visibility = ?3, version = ?4, document = ?5, updated_at = ?6 WHERE id = ?1",
    )?
    .execute(params![id, name, visibility, version, document.to_string(), now])?;
    if keep {
        keep_version(conn, id, version, name, document, &now)?;
        resources::reindex(conn, id, document, &now)?;
    }
    Ok(())
}

fn keep_version(
    conn: &Connection,
    id: i64,
    version: &str,
    name: &str,
    document: &serde_json::Value,
    now: &str,
) -> AppResult<()> {
    // A version is written once: its document never changes afterwards.
    conn.prepare_cached(
        "INSERT INTO design_versions (design_id, version, name, document, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (design_id, version) DO NOTHING",
    )?
    .execute(params![id, version, name, document.to_string(), now])?;
    Ok(())
}

/// Soft delete; versions stay until the purge removes the row, resources go
/// at once.
pub fn delete(conn: &Connection, id: i64) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached("UPDATE designs SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1")?
        .execute(params![id, now])?;
    resources::remove(conn, id)
}

/// The versions of a design, newest first (without their documents).
pub fn versions(conn: &Connection, id: i64, req: &PageRequest) -> AppResult<Page<VersionRow>> {
    let w = Where::with("v.design_id = ?", [Value::Integer(id)]);
    fetch_page(
        conn,
        "SELECT v.version, v.name, v.created_at",
        "FROM design_versions v",
        &w,
        "v.created_at DESC, v.version DESC",
        req,
        |r| Ok(VersionRow { version: r.get(0)?, name: r.get(1)?, document: None, created_at: cols::ts(r, 2)? }),
    )
}

pub fn version(conn: &Connection, id: i64, version: &str) -> AppResult<Option<VersionRow>> {
    Ok(conn
        .prepare_cached(
            "SELECT version, name, document, created_at FROM design_versions WHERE design_id = ?1 AND version = ?2",
        )?
        .query_row(params![id, version], |r| {
            Ok(VersionRow {
                version: r.get(0)?,
                name: r.get(1)?,
                document: Some(cols::json(r, 2)?),
                created_at: cols::ts(r, 3)?,
            })
        })
        .optional()?)
}

/// Sets what the catalog decides: the visibility and the catalog data.
pub fn set_catalog(conn: &Connection, id: i64, visibility: &str, catalog_data: &serde_json::Value) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached("UPDATE designs SET visibility = ?2, catalog_data = ?3, updated_at = ?4 WHERE id = ?1")?
        .execute(params![id, visibility, catalog_data.to_string(), now])?;
    Ok(())
}
