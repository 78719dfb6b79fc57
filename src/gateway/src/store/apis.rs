//! APIs of an application.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::{Conn, cols};
use meshcloud_kernel::http::api7::ListQuery;
use meshcloud_kernel::time::{self, Timestamp};
use rusqlite::{OptionalExtension, Row};

use super::labels::{self, Kind};
use super::listing::{self, Listing};

#[derive(Debug, Clone)]
pub struct ApiRow {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub app_id: i64,
    pub name: String,
    pub description: String,
    pub spec: serde_json::Value,
    pub active: i64,
    pub status: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub labels: Vec<String>,
}

/// What a create or a replacement writes.
pub struct ApiWrite<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub spec: &'a serde_json::Value,
    pub active: i64,
}

const SELECT: &str = "SELECT p.id, p.uuid, p.app_id, p.name, p.description, p.spec, p.active, p.status, \
     p.created_at, p.updated_at FROM gateway_apis p";

fn from_row(r: &Row<'_>) -> rusqlite::Result<ApiRow> {
    Ok(ApiRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        app_id: r.get(2)?,
        name: r.get(3)?,
        description: r.get(4)?,
        spec: cols::json(r, 5)?,
        active: r.get(6)?,
        status: r.get(7)?,
        created_at: cols::ts(r, 8)?,
        updated_at: cols::ts(r, 9)?,
        labels: vec![],
    })
}

/// An API of the application, with its labels.
pub fn get(c: &Conn, app_id: i64, id: i64) -> AppResult<Option<ApiRow>> {
    let sql = format!("{SELECT} WHERE p.id = ?1 AND p.app_id = ?2");
    let Some(mut row) = c.prepare_cached(&sql)?.query_row([id, app_id], from_row).optional()? else {
        return Ok(None);
    };
    row.labels = labels::of(c, Kind::Api, row.id)?;
    Ok(Some(row))
}

pub fn insert(
    c: &Conn,
    app_id: i64,
    cp_id: i64,
    uuid: uuid::Uuid,
    w: &ApiWrite<'_>,
    now: &Timestamp,
) -> AppResult<i64> {
    c.prepare_cached(
        "INSERT INTO gateway_apis (uuid, app_id, control_plane_id, name, description, spec, active, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 50, ?8, ?8)",
    )?
    .execute(rusqlite::params![
        uuid.to_string(),
        app_id,
        cp_id,
        w.name,
        w.description,
        w.spec.to_string(),
        w.active,
        time::to_db(now)
    ])?;
    Ok(c.last_insert_rowid())
}

pub fn update(c: &Conn, id: i64, w: &ApiWrite<'_>, now: &Timestamp) -> AppResult<()> {
    c.prepare_cached(
        "UPDATE gateway_apis SET name = ?2, description = ?3, spec = ?4, active = ?5, updated_at = ?6 WHERE id = ?1",
    )?
    .execute(rusqlite::params![id, w.name, w.description, w.spec.to_string(), w.active, time::to_db(now)])?;
    Ok(())
}

pub fn delete(c: &Conn, id: i64) -> AppResult<()> {
    c.prepare_cached("DELETE FROM gateway_apis WHERE id = ?1")?.execute([id])?;
    Ok(())
}

/// Deletes every API of the application; how many went.
pub fn delete_all(c: &Conn, app_id: i64) -> AppResult<usize> {
    Ok(c.prepare_cached("DELETE FROM gateway_apis WHERE app_id = ?1")?.execute([app_id])?)
}

/// One page of an application's APIs and the number matching.
pub fn list(c: &Conn, app_id: i64, q: &ListQuery) -> AppResult<(Vec<ApiRow>, u64)> {
    let l = Listing {
        select: SELECT,
        from: "gateway_apis p",
        alias: "p.",
        parent: ("app_id", app_id),
        kind: Kind::Api,
        searchable: true,
        orders: &[("created_at", "created_at"), ("updated_at", "updated_at")],
    };
    let page = listing::page(c, &l, q, from_row, |r| r.id)?;
    Ok((page.items.into_iter().map(|(r, labels)| ApiRow { labels, ..r }).collect(), page.total))
}
