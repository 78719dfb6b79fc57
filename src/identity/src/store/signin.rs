//! Failed sign-ins per (account, address) pair, per address and per account,
//! kept across restarts (the throttle's memory is the working copy).

use meshcloud_kernel::AppResult;
use rusqlite::{Connection, params};

/// A throttle key's failures as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureRow {
    pub key: String,
    pub failures: u32,
    /// Unix milliseconds.
    pub last_failure: i64,
}

/// Rows whose last failure is at or after `since` (unix milliseconds).
pub fn since(conn: &Connection, since: i64) -> AppResult<Vec<FailureRow>> {
    let mut stmt = conn.prepare("SELECT key, failures, last_failure FROM signin_failures WHERE last_failure >= ?1")?;
    let rows =
        stmt.query_map([since], |r| Ok(FailureRow { key: r.get(0)?, failures: r.get(1)?, last_failure: r.get(2)? }))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn upsert(conn: &Connection, row: &FailureRow) -> AppResult<()> {
    conn.prepare_cached(
        "INSERT INTO signin_failures (key, failures, last_failure) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_failure = excluded.last_failure",
    )?
    .execute(params![row.key, row.failures, row.last_failure])?;
    Ok(())
}

pub fn delete(conn: &Connection, key: &str) -> AppResult<()> {
    conn.prepare_cached("DELETE FROM signin_failures WHERE key = ?1")?.execute([key])?;
    Ok(())
}

/// Removes rows whose last failure is before `before` (forgiven by now).
pub fn purge(conn: &Connection, before: i64) -> AppResult<usize> {
    Ok(conn.prepare_cached("DELETE FROM signin_failures WHERE last_failure < ?1")?.execute([before])?)
}
