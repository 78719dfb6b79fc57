//! Consumers of a control plane: their blanked credentials, the sealed
//! originals, and labels.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::{Conn, cols};
use meshcloud_kernel::http::api7::ListQuery;
use meshcloud_kernel::page::Page;
use meshcloud_kernel::time::{self, Timestamp};
use rusqlite::{OptionalExtension, Row};

use super::labels::Kind;
use super::listing::{self, Listing};

#[derive(Debug, Clone)]
pub struct ConsumerRow {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub control_plane_id: i64,
    pub name: String,
    pub description: String,
    /// The credentials with every secret field blanked (`None`: null).
    pub credentials: Option<serde_json::Value>,
    /// The whole credentials object, sealed (AAD: the consumer's UUID).
    pub credentials_sealed: Option<Vec<u8>>,
    pub status: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What a create or an update writes (checked, secrets sealed).
#[derive(Debug, Clone)]
pub struct ConsumerWrite {
    pub name: String,
    pub description: String,
    pub credentials: Option<serde_json::Value>,
    pub credentials_sealed: Option<Vec<u8>>,
}

/// `order_by` values and their columns.
pub const ORDERS: [(&str, &str); 2] = [("created_at", "created_at"), ("updated_at", "updated_at")];

const SELECT: &str = "SELECT id, uuid, control_plane_id, name, description, credentials, credentials_sealed, status, \
     created_at, updated_at FROM gateway_consumers";

fn from_row(r: &Row<'_>) -> rusqlite::Result<ConsumerRow> {
    Ok(ConsumerRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        control_plane_id: r.get(2)?,
        name: r.get(3)?,
        description: r.get(4)?,
        credentials: cols::json_opt(r, 5)?,
        credentials_sealed: r.get(6)?,
        status: r.get(7)?,
        created_at: cols::ts(r, 8)?,
        updated_at: cols::ts(r, 9)?,
    })
}

fn json_text(v: &Option<serde_json::Value>) -> AppResult<Option<String>> {
    Ok(v.as_ref().map(serde_json::to_string).transpose()?)
}

/// A consumer of the control plane.
pub fn get(c: &Conn, cp_id: i64, id: i64) -> AppResult<Option<ConsumerRow>> {
    let sql = format!("{SELECT} WHERE id = ?1 AND control_plane_id = ?2");
    Ok(c.prepare_cached(&sql)?.query_row([id, cp_id], from_row).optional()?)
}

/// Every consumer of the control plane (for the uniqueness of credential
/// keys, which may be secret and so are only compared once unsealed).
pub fn all(c: &Conn, cp_id: i64) -> AppResult<Vec<ConsumerRow>> {
    let sql = format!("{SELECT} WHERE control_plane_id = ?1 ORDER BY id");
    let rows = c.prepare_cached(&sql)?.query_map([cp_id], from_row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The id of the control plane's consumer called `name`, if any.
pub fn by_name(c: &Conn, cp_id: i64, name: &str) -> AppResult<Option<i64>> {
    Ok(c.prepare_cached("SELECT id FROM gateway_consumers WHERE control_plane_id = ?1 AND name = ?2")?
        .query_row(rusqlite::params![cp_id, name], |r| r.get(0))
        .optional()?)
}

pub fn insert(c: &Conn, uuid: uuid::Uuid, cp_id: i64, w: &ConsumerWrite, now: &Timestamp) -> AppResult<i64> {
    c.prepare_cached(
        "INSERT INTO gateway_consumers (uuid, control_plane_id, name, description, credentials, credentials_sealed, \
         status, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 50, ?7, ?7)",
    )?
    .execute(rusqlite::params![
        uuid.to_string(),
        cp_id,
        w.name,
        w.description,
        json_text(&w.credentials)?,
        w.credentials_sealed,
        time::to_db(now),
    ])?;
    Ok(c.last_insert_rowid())
}

pub fn update(c: &Conn, id: i64, w: &ConsumerWrite, now: &Timestamp) -> AppResult<()> {
    c.prepare_cached(
        "UPDATE gateway_consumers SET name = ?2, description = ?3, credentials = ?4, credentials_sealed = ?5, \
         updated_at = ?6 WHERE id = ?1",
    )?
    .execute(rusqlite::params![
        id,
        w.name,
        w.description,
        json_text(&w.credentials)?,
        w.credentials_sealed,
        time::to_db(now)
    ])?;
    Ok(())
}

/// Deletes a consumer (its labels go with it).
pub fn delete(c: &Conn, id: i64) -> AppResult<()> {
    c.prepare_cached("DELETE FROM gateway_consumers WHERE id = ?1")?.execute([id])?;
    Ok(())
}

/// A page of a control plane's consumers with their labels, and the count.
pub fn list(c: &Conn, cp_id: i64, q: &ListQuery) -> AppResult<Page<(ConsumerRow, Vec<String>)>> {
    let l = Listing {
        select: SELECT,
        from: "gateway_consumers",
        alias: "",
        parent: ("control_plane_id", cp_id),
        kind: Kind::Consumer,
        searchable: true,
        orders: &ORDERS,
    };
    listing::page(c, &l, q, from_row, |r| r.id)
}
