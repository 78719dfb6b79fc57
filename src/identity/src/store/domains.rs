//! Domain claims of organizations, and binding a proved domain.

use meshcloud_kernel::db::cols;
use meshcloud_kernel::ids::{OrgId, UserId, new_uuid};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::orgs::{self, OrgFields};

#[derive(Debug, Clone)]
pub struct ClaimRow {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub org: OrgId,
    pub org_uuid: uuid::Uuid,
    pub domain: String,
    pub token: String,
    /// `pending`, `verified` (by DNS) or `approved` (by a provider admin).
    pub status: String,
    pub checked_at: Option<Timestamp>,
    pub last_error: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const SELECT: &str = "SELECT d.id, d.uuid, d.org_id, o.uuid, d.domain, d.token, d.status, d.checked_at, \
    d.last_error, d.created_at, d.updated_at FROM domain_claims d \
    JOIN organizations o ON o.id = d.org_id AND o.deleted_at IS NULL";

fn from_row(r: &Row<'_>) -> rusqlite::Result<ClaimRow> {
    Ok(ClaimRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        org: r.get(2)?,
        org_uuid: cols::uuid(r, 3)?,
        domain: r.get(4)?,
        token: r.get(5)?,
        status: r.get(6)?,
        checked_at: cols::ts_opt(r, 7)?,
        last_error: r.get(8)?,
        created_at: cols::ts(r, 9)?,
        updated_at: cols::ts(r, 10)?,
    })
}

fn rows(conn: &Connection, sql: &str, p: impl rusqlite::Params) -> AppResult<Vec<ClaimRow>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let found = stmt.query_map(p, from_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(found)
}

/// The claims of one organization, oldest first.
pub fn of_org(conn: &Connection, org: OrgId) -> AppResult<Vec<ClaimRow>> {
    rows(conn, &format!("{SELECT} WHERE d.org_id = ?1 ORDER BY d.id"), [org])
}

/// Claims of live organizations in `status` (`None`: all), oldest first.
pub fn all(conn: &Connection, status: Option<&str>, limit: usize) -> AppResult<Vec<ClaimRow>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    match status {
        Some(s) => rows(conn, &format!("{SELECT} WHERE d.status = ?1 ORDER BY d.id LIMIT ?2"), params![s, limit]),
        None => rows(conn, &format!("{SELECT} ORDER BY d.id LIMIT ?1"), [limit]),
    }
}

/// Pending claims, those checked longest ago (or never) first.
pub fn due(conn: &Connection, limit: usize) -> AppResult<Vec<ClaimRow>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    rows(
        conn,
        &format!("{SELECT} WHERE d.status = 'pending' ORDER BY coalesce(d.checked_at, ''), d.id LIMIT ?1"),
        [limit],
    )
}

pub fn by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<ClaimRow>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE d.uuid = ?1"))?
        .query_row([uuid.to_string()], from_row)
        .optional()?)
}

pub fn pending_count(conn: &Connection, org: OrgId) -> AppResult<usize> {
    let n: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM domain_claims WHERE org_id = ?1 AND status = 'pending'")?
        .query_row([org], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

pub fn insert(conn: &Connection, org: OrgId, domain: &str, token: &str, by: UserId) -> AppResult<uuid::Uuid> {
    let uuid = new_uuid();
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO domain_claims (uuid, org_id, domain, token, created_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![uuid.to_string(), org, domain, token, by, now])
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => AppError::conflict(format!("this organization already claims {domain}")),
        other => other,
    })?;
    Ok(uuid)
}

/// Records the outcome of a DNS check that did not prove the claim.
pub fn checked(conn: &Connection, id: i64, error: &str) -> AppResult<()> {
    conn.prepare_cached("UPDATE domain_claims SET checked_at = ?2, last_error = ?3 WHERE id = ?1")?
        .execute(params![id, time::now_db(), error])?;
    Ok(())
}

/// Marks a claim proved (`verified` or `approved`).
pub fn settle(conn: &Connection, id: i64, status: &str, by: Option<UserId>) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached(
        "UPDATE domain_claims SET status = ?2, decided_by = ?3, checked_at = coalesce(checked_at, ?4),
                last_error = '', updated_at = ?4 WHERE id = ?1",
    )?
    .execute(params![id, status, by, now])?;
    Ok(())
}

pub fn delete(conn: &Connection, id: i64) -> AppResult<()> {
    conn.prepare_cached("DELETE FROM domain_claims WHERE id = ?1")?.execute([id])?;
    Ok(())
}

/// Removes the organization's settled claim of `domain` (a domain it no
/// longer holds, claimed again).
pub fn delete_settled(conn: &Connection, org: OrgId, domain: &str) -> AppResult<()> {
    conn.prepare_cached("DELETE FROM domain_claims WHERE org_id = ?1 AND domain = ?2 AND status <> 'pending'")?
        .execute(params![org, domain])?;
    Ok(())
}

/// Binds `domain` to the organization; a conflict if another live one holds it.
pub fn bind(conn: &Connection, org: OrgId, domain: &str) -> AppResult<()> {
    let cur = orgs::get(conn, org)?;
    if let Some(other) = orgs::by_domain(conn, domain)?
        && other.id != org
    {
        return Err(AppError::conflict("another organization holds this domain"));
    }
    let fields = OrgFields {
        name: &cur.name,
        description: &cur.description,
        country: &cur.country,
        region: &cur.region,
        domain: Some(domain),
        metadata: &cur.metadata,
    };
    orgs::update(conn, org, &fields)
}
