//! Applications of a control plane, the (host, path prefix) pairs they
//! claim, and what they need to know of the control plane's certificates.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::{Conn, cols};
use meshcloud_kernel::http::api7::ListQuery;
use meshcloud_kernel::time::{self, Timestamp};
use rusqlite::{OptionalExtension, Row};

use super::labels::{self, Kind};
use super::listing::{self, Listing};

#[derive(Debug, Clone)]
pub struct AppRow {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub control_plane_id: i64,
    pub name: String,
    pub description: String,
    pub path_prefix: String,
    pub spec: serde_json::Value,
    pub active: i64,
    pub status: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub labels: Vec<String>,
}

/// What a create or a replacement writes.
pub struct AppWrite<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub path_prefix: &'a str,
    pub spec: &'a serde_json::Value,
    pub active: i64,
}

const SELECT: &str = "SELECT a.id, a.uuid, a.control_plane_id, a.name, a.description, a.path_prefix, a.spec, \
     a.active, a.status, a.created_at, a.updated_at FROM gateway_applications a";

fn from_row(r: &Row<'_>) -> rusqlite::Result<AppRow> {
    Ok(AppRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        control_plane_id: r.get(2)?,
        name: r.get(3)?,
        description: r.get(4)?,
        path_prefix: r.get(5)?,
        spec: cols::json(r, 6)?,
        active: r.get(7)?,
        status: r.get(8)?,
        created_at: cols::ts(r, 9)?,
        updated_at: cols::ts(r, 10)?,
        labels: vec![],
    })
}

/// An application by id, with its labels.
pub fn get(c: &Conn, id: i64) -> AppResult<Option<AppRow>> {
    let row = c.prepare_cached(&format!("{SELECT} WHERE a.id = ?1"))?.query_row([id], from_row).optional()?;
    let Some(mut row) = row else { return Ok(None) };
    row.labels = labels::of(c, Kind::Application, row.id)?;
    Ok(Some(row))
}

pub fn insert(c: &Conn, cp_id: i64, uuid: uuid::Uuid, w: &AppWrite<'_>, now: &Timestamp) -> AppResult<i64> {
    let now = time::to_db(now);
    c.prepare_cached(
        "INSERT INTO gateway_applications (uuid, control_plane_id, name, description, path_prefix, spec, active, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 50, ?8, ?8)",
    )?
    .execute(rusqlite::params![uuid.to_string(), cp_id, w.name, w.description, w.path_prefix, w.spec.to_string(), w.active, now])?;
    Ok(c.last_insert_rowid())
}

pub fn update(c: &Conn, id: i64, w: &AppWrite<'_>, now: &Timestamp) -> AppResult<()> {
    c.prepare_cached(
        "UPDATE gateway_applications SET name = ?2, description = ?3, path_prefix = ?4, spec = ?5, active = ?6, updated_at = ?7
          WHERE id = ?1",
    )?
    .execute(rusqlite::params![id, w.name, w.description, w.path_prefix, w.spec.to_string(), w.active, time::to_db(now)])?;
    Ok(())
}

/// Deletes the application; its APIs, labels and host claims go with it
/// (foreign keys).
pub fn delete(c: &Conn, id: i64) -> AppResult<()> {
    c.prepare_cached("DELETE FROM gateway_applications WHERE id = ?1")?.execute([id])?;
    Ok(())
}

/// One page of a control plane's applications and the number matching.
pub fn list(c: &Conn, cp_id: i64, q: &ListQuery) -> AppResult<(Vec<AppRow>, u64)> {
    let l = Listing {
        select: SELECT,
        from: "gateway_applications a",
        alias: "a.",
        parent: ("control_plane_id", cp_id),
        kind: Kind::Application,
        searchable: true,
        orders: &[("created_at", "created_at"), ("updated_at", "updated_at")],
    };
    let page = listing::page(c, &l, q, from_row, |r| r.id)?;
    Ok((page.items.into_iter().map(|(r, labels)| AppRow { labels, ..r }).collect(), page.total))
}

/// Another application of the control plane already claiming one of
/// `hosts` with this path prefix: (host, its id, its name).
pub fn host_clash(
    c: &Conn,
    cp_id: i64,
    app_id: Option<i64>,
    hosts: &[String],
    path_prefix: &str,
) -> AppResult<Option<(String, i64, String)>> {
    let mut stmt = c.prepare_cached(
        "SELECT a.id, a.name FROM gateway_application_hosts h JOIN gateway_applications a ON a.id = h.app_id
          WHERE h.control_plane_id = ?1 AND h.host = ?2 AND h.path_prefix = ?3 AND h.app_id <> ?4",
    )?;
    for host in hosts {
        let other = stmt
            .query_row(rusqlite::params![cp_id, host, path_prefix, app_id.unwrap_or(0)], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .optional()?;
        if let Some((id, name)) = other {
            return Ok(Some((host.clone(), id, name)));
        }
    }
    Ok(None)
}

/// Replaces the (host, path prefix) pairs the application claims (checked
/// with `host_clash` first).
pub fn claim_hosts(c: &Conn, cp_id: i64, app_id: i64, hosts: &[String], path_prefix: &str) -> AppResult<()> {
    c.prepare_cached("DELETE FROM gateway_application_hosts WHERE app_id = ?1")?.execute([app_id])?;
    let mut insert = c.prepare_cached(
        "INSERT INTO gateway_application_hosts (control_plane_id, host, path_prefix, app_id) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for h in hosts {
        insert.execute(rusqlite::params![cp_id, h, path_prefix, app_id])?;
    }
    Ok(())
}

/// Whether a certificate of this control plane has this id.
pub fn certificate_exists(c: &Conn, cp_id: i64, cert_id: i64) -> AppResult<bool> {
    Ok(c.prepare_cached("SELECT 1 FROM gateway_certificates WHERE id = ?1 AND control_plane_id = ?2")?
        .query_row([cert_id, cp_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The control plane's server certificates and their SNIs, by id.
pub fn server_certificates(c: &Conn, cp_id: i64) -> AppResult<Vec<(i64, Vec<String>)>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, snis FROM gateway_certificates WHERE control_plane_id = ?1 AND type = 'server' ORDER BY id",
    )?;
    let rows = stmt.query_map([cp_id], |r| Ok((r.get::<_, i64>(0)?, cols::json(r, 1)?)))?;
    let mut out = vec![];
    for row in rows {
        let (id, snis) = row?;
        let snis = snis.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect());
        out.push((id, snis.unwrap_or_default()));
    }
    Ok(out)
}
