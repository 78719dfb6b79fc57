//! Filters: Meshery's filter records (the WASM filter or its source, and its
//! configuration), stored as sent.

use meshcloud_kernel::db::cols;
use meshcloud_kernel::db::query::{fetch_page, order_or};
use meshcloud_kernel::ids::{OrgId, UserId};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::catalog::{Published, published_where};
use super::views::{Filter, list_where};

#[derive(Debug, Clone)]
pub struct FilterRow {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub org: OrgId,
    pub org_uuid: uuid::Uuid,
    pub owner: Option<UserId>,
    pub owner_uuid: Option<uuid::Uuid>,
    pub name: String,
    pub visibility: String,
    pub filter_file: String,
    pub filter_resource: String,
    pub catalog_data: serde_json::Value,
    pub location: serde_json::Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What a filter is made of, as written.
#[derive(Debug, Clone)]
pub struct FilterFields {
    pub name: String,
    pub visibility: String,
    pub filter_file: String,
    pub filter_resource: String,
    pub location: serde_json::Value,
}

pub const ORDER_FIELDS: [&str; 3] = ["name", "created_at", "updated_at"];
const ORDER: [(&str, &str); 3] = [("name", "f.name"), ("created_at", "f.created_at"), ("updated_at", "f.updated_at")];
const SELECT: &str = "SELECT f.id, f.uuid, f.org_id, o.uuid, f.owner_id, u.uuid, f.name, f.visibility, f.filter_file, \
    f.filter_resource, f.catalog_data, f.location, f.created_at, f.updated_at";
const FROM: &str = "FROM filters f JOIN organizations o ON o.id = f.org_id LEFT JOIN users u ON u.id = f.owner_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<FilterRow> {
    Ok(FilterRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        org: r.get(2)?,
        org_uuid: cols::uuid(r, 3)?,
        owner: r.get(4)?,
        owner_uuid: cols::uuid_opt(r, 5)?,
        name: r.get(6)?,
        visibility: r.get(7)?,
        filter_file: r.get(8)?,
        filter_resource: r.get(9)?,
        catalog_data: cols::json(r, 10)?,
        location: cols::json(r, 11)?,
        created_at: cols::ts(r, 12)?,
        updated_at: cols::ts(r, 13)?,
    })
}

pub fn list(
    conn: &Connection,
    org: OrgId,
    me: UserId,
    all_private: bool,
    f: &Filter,
    req: &PageRequest,
) -> AppResult<Page<FilterRow>> {
    let w = list_where("f", "filter", org, me, all_private, f, req);
    let order = order_or(req, &ORDER, "f.id", "f.updated_at DESC, f.id DESC");
    fetch_page(conn, SELECT, FROM, &w, &order, req, from_row)
}

/// Published filters of every organization (the catalog).
pub fn published(conn: &Connection, f: &Published, req: &PageRequest) -> AppResult<Page<FilterRow>> {
    let w = published_where("f", "filter", f, req);
    let order = order_or(req, &ORDER, "f.id", "f.updated_at DESC, f.id DESC");
    fetch_page(conn, SELECT, FROM, &w, &order, req, from_row)
}

pub fn by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<FilterRow>> {
    let sql = format!("{SELECT} {FROM} WHERE f.uuid = ?1 AND f.deleted_at IS NULL AND o.deleted_at IS NULL");
    Ok(conn.prepare_cached(&sql)?.query_row([uuid.to_string()], from_row).optional()?)
}

pub fn get(conn: &Connection, id: i64) -> AppResult<FilterRow> {
    let sql = format!("{SELECT} {FROM} WHERE f.id = ?1");
    conn.prepare_cached(&sql)?.query_row([id], from_row).optional()?.ok_or(AppError::NotFound)
}

/// Whether any filter row (live or deleted) has this id.
pub fn uuid_taken(conn: &Connection, uuid: uuid::Uuid) -> AppResult<bool> {
    super::uuid_taken(conn, "filters", uuid)
}

pub fn insert(conn: &Connection, uuid: uuid::Uuid, org: OrgId, owner: UserId, f: &FilterFields) -> AppResult<i64> {
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO filters (uuid, org_id, owner_id, name, visibility, filter_file, filter_resource, location,
                              created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(params![
        uuid.to_string(),
        org,
        owner,
        f.name,
        f.visibility,
        f.filter_file,
        f.filter_resource,
        f.location.to_string(),
        now
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn update(conn: &Connection, id: i64, f: &FilterFields) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached(
        "UPDATE filters SET name = ?2, visibility = ?3, filter_file = ?4, filter_resource = ?5, location = ?6,
                updated_at = ?7 WHERE id = ?1",
    )?
    .execute(params![id, f.name, f.visibility, f.filter_file, f.filter_resource, f.location.to_string(), now])?;
    Ok(())
}

/// Sets what the catalog decides: the visibility and the catalog data.
pub fn set_catalog(conn: &Connection, id: i64, visibility: &str, catalog_data: &serde_json::Value) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached("UPDATE filters SET visibility = ?2, catalog_data = ?3, updated_at = ?4 WHERE id = ?1")?
        .execute(params![id, visibility, catalog_data.to_string(), now])?;
    Ok(())
}

/// Soft delete.
pub fn delete(conn: &Connection, id: i64) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached("UPDATE filters SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1")?
        .execute(params![id, now])?;
    Ok(())
}
