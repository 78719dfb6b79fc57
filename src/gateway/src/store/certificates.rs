//! Certificates of a control plane, their labels and expiry warnings.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::{Conn, cols};
use meshcloud_kernel::http::api7::ListQuery;
use meshcloud_kernel::ids::OrgId;
use meshcloud_kernel::page::Page;
use meshcloud_kernel::time::{self, Timestamp};
use rusqlite::{OptionalExtension, Row};

use super::labels::Kind;
use super::listing::{self, Listing};

#[derive(Debug, Clone)]
pub struct CertificateRow {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub control_plane_id: i64,
    /// `server` or `client`.
    pub kind: String,
    pub certificate: String,
    pub private_key_sealed: Vec<u8>,
    pub client_ca_certificate: Option<String>,
    pub snis: Vec<String>,
    pub subject: String,
    pub issuer: String,
    pub serial_number: String,
    pub signature_algorithm: String,
    pub not_before: Timestamp,
    pub not_after: Timestamp,
    pub expiry_warned_at: Option<Timestamp>,
    pub status: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What a create or a replace writes (checked, key sealed).
#[derive(Debug, Clone)]
pub struct CertificateWrite {
    pub kind: String,
    pub certificate: String,
    pub private_key_sealed: Vec<u8>,
    pub client_ca_certificate: Option<String>,
    pub snis: Vec<String>,
    pub subject: String,
    pub issuer: String,
    pub serial_number: String,
    pub signature_algorithm: String,
    pub not_before: Timestamp,
    pub not_after: Timestamp,
}

/// `order_by` values and their columns.
pub const ORDERS: [(&str, &str); 3] =
    [("created_at", "created_at"), ("updated_at", "updated_at"), ("expiry_time", "not_after")];

const SELECT: &str = "SELECT id, uuid, control_plane_id, type, certificate, private_key_sealed, client_ca_certificate, \
     snis, subject, issuer, serial_number, signature_algorithm, not_before, not_after, expiry_warned_at, status, \
     created_at, updated_at FROM gateway_certificates";

fn from_row(r: &Row<'_>) -> rusqlite::Result<CertificateRow> {
    let snis = cols::json(r, 7)?;
    Ok(CertificateRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        control_plane_id: r.get(2)?,
        kind: r.get(3)?,
        certificate: r.get(4)?,
        private_key_sealed: r.get(5)?,
        client_ca_certificate: r.get(6)?,
        snis: serde_json::from_value(snis).unwrap_or_default(),
        subject: r.get(8)?,
        issuer: r.get(9)?,
        serial_number: r.get(10)?,
        signature_algorithm: r.get(11)?,
        not_before: cols::ts(r, 12)?,
        not_after: cols::ts(r, 13)?,
        expiry_warned_at: cols::ts_opt(r, 14)?,
        status: r.get(15)?,
        created_at: cols::ts(r, 16)?,
        updated_at: cols::ts(r, 17)?,
    })
}

/// A certificate of the control plane.
pub fn get(c: &Conn, cp_id: i64, id: i64) -> AppResult<Option<CertificateRow>> {
    let sql = format!("{SELECT} WHERE id = ?1 AND control_plane_id = ?2");
    Ok(c.prepare_cached(&sql)?.query_row([id, cp_id], from_row).optional()?)
}

pub fn insert(c: &Conn, uuid: uuid::Uuid, cp_id: i64, w: &CertificateWrite, now: &Timestamp) -> AppResult<i64> {
    let now = time::to_db(now);
    c.prepare_cached(
        "INSERT INTO gateway_certificates (uuid, control_plane_id, type, certificate, private_key_sealed, \
         client_ca_certificate, snis, subject, issuer, serial_number, signature_algorithm, not_before, not_after, \
         status, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 50, ?14, ?14)",
    )?
    .execute(rusqlite::params![
        uuid.to_string(),
        cp_id,
        w.kind,
        w.certificate,
        w.private_key_sealed,
        w.client_ca_certificate,
        serde_json::to_string(&w.snis)?,
        w.subject,
        w.issuer,
        w.serial_number,
        w.signature_algorithm,
        time::to_db(&w.not_before),
        time::to_db(&w.not_after),
        now,
    ])?;
    Ok(c.last_insert_rowid())
}

/// Replaces a certificate; a new one has not been warned about yet.
pub fn replace(c: &Conn, id: i64, w: &CertificateWrite, now: &Timestamp) -> AppResult<()> {
    c.prepare_cached(
        "UPDATE gateway_certificates SET type = ?2, certificate = ?3, private_key_sealed = ?4, \
         client_ca_certificate = ?5, snis = ?6, subject = ?7, issuer = ?8, serial_number = ?9, \
         signature_algorithm = ?10, not_before = ?11, not_after = ?12, expiry_warned_at = NULL, updated_at = ?13 \
         WHERE id = ?1",
    )?
    .execute(rusqlite::params![
        id,
        w.kind,
        w.certificate,
        w.private_key_sealed,
        w.client_ca_certificate,
        serde_json::to_string(&w.snis)?,
        w.subject,
        w.issuer,
        w.serial_number,
        w.signature_algorithm,
        time::to_db(&w.not_before),
        time::to_db(&w.not_after),
        time::to_db(now),
    ])?;
    Ok(())
}

/// Every certificate of the control plane, oldest first (for the export).
pub fn all(c: &Conn, cp_id: i64) -> AppResult<Vec<CertificateRow>> {
    let sql = format!("{SELECT} WHERE control_plane_id = ?1 ORDER BY id");
    let rows = c.prepare_cached(&sql)?.query_map([cp_id], from_row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Deletes a certificate (its labels go with it).
pub fn delete(c: &Conn, id: i64) -> AppResult<()> {
    c.prepare_cached("DELETE FROM gateway_certificates WHERE id = ?1")?.execute([id])?;
    Ok(())
}

/// A page of a control plane's certificates with their labels, and the count.
pub fn list(c: &Conn, cp_id: i64, q: &ListQuery) -> AppResult<Page<(CertificateRow, Vec<String>)>> {
    let l = Listing {
        select: SELECT,
        from: "gateway_certificates",
        alias: "",
        parent: ("control_plane_id", cp_id),
        kind: Kind::Certificate,
        searchable: false,
        orders: &ORDERS,
    };
    listing::page(c, &l, q, from_row, |r| r.id)
}

/// A certificate to warn about: expiring by `before`, not yet warned, in a
/// live control plane of a live organization.
#[derive(Debug, Clone)]
pub struct Expiring {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub org: OrgId,
    pub control_plane: String,
    pub snis: Vec<String>,
    pub not_after: Timestamp,
}

pub fn expiring(c: &Conn, before: &Timestamp, limit: i64) -> AppResult<Vec<Expiring>> {
    let mut stmt = c.prepare_cached(
        "SELECT g.id, g.uuid, cp.org_id, cp.name, g.snis, g.not_after FROM gateway_certificates g \
         JOIN gateway_control_planes cp ON cp.id = g.control_plane_id \
         JOIN organizations o ON o.id = cp.org_id \
         WHERE g.expiry_warned_at IS NULL AND g.not_after <= ?1 AND cp.status <> 6 AND o.deleted_at IS NULL \
         ORDER BY g.not_after, g.id LIMIT ?2",
    )?;
    let rows = stmt.query_map(rusqlite::params![time::to_db(before), limit], |r| {
        let snis = cols::json(r, 4)?;
        Ok(Expiring {
            id: r.get(0)?,
            uuid: cols::uuid(r, 1)?,
            org: r.get(2)?,
            control_plane: r.get(3)?,
            snis: serde_json::from_value(snis).unwrap_or_default(),
            not_after: cols::ts(r, 5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn mark_warned(c: &Conn, id: i64, now: &Timestamp) -> AppResult<()> {
    c.prepare_cached("UPDATE gateway_certificates SET expiry_warned_at = ?2 WHERE id = ?1")?
        .execute(rusqlite::params![id, time::to_db(now)])?;
    Ok(())
}
