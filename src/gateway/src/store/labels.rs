//! Labels of applications, APIs, consumers and certificates: one table per
//! kind (so a label goes with its row), one set of functions for all.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::Conn;
use rusqlite::types::Value;

/// Which resource's labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Application,
    Api,
    Consumer,
    Certificate,
}

impl Kind {
    /// (table, id column)
    fn table(self) -> (&'static str, &'static str) {
        match self {
            Kind::Application => ("gateway_application_labels", "app_id"),
            Kind::Api => ("gateway_api_labels", "api_id"),
            Kind::Consumer => ("gateway_consumer_labels", "consumer_id"),
            Kind::Certificate => ("gateway_certificate_labels", "certificate_id"),
        }
    }
}

/// Replaces a resource's labels (already checked).
pub fn set(c: &Conn, kind: Kind, id: i64, labels: &[String]) -> AppResult<()> {
    let (table, col) = kind.table();
    c.prepare_cached(&format!("DELETE FROM {table} WHERE {col} = ?1"))?.execute([id])?;
    let mut insert = c.prepare_cached(&format!("INSERT INTO {table} ({col}, label) VALUES (?1, ?2)"))?;
    for l in labels {
        insert.execute(rusqlite::params![id, l])?;
    }
    Ok(())
}

/// One resource's labels, sorted.
pub fn of(c: &Conn, kind: Kind, id: i64) -> AppResult<Vec<String>> {
    let (table, col) = kind.table();
    let mut stmt = c.prepare_cached(&format!("SELECT label FROM {table} WHERE {col} = ?1 ORDER BY label"))?;
    let rows = stmt.query_map([id], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The labels of many resources at once (a page), as (id, label) pairs.
pub fn of_many(c: &Conn, kind: Kind, ids: &[i64]) -> AppResult<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let (table, col) = kind.table();
    let marks = vec!["?"; ids.len()].join(", ");
    let sql = format!("SELECT {col}, label FROM {table} WHERE {col} IN ({marks}) ORDER BY {col}, label");
    let mut stmt = c.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(ids.iter()), |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A `WHERE` clause (and its parameters) keeping the rows whose `id_expr`
/// holds every one of `labels`; `None` when there is no filter.
pub fn has_all(kind: Kind, id_expr: &str, labels: &[String]) -> Option<(String, Vec<Value>)> {
    if labels.is_empty() {
        return None;
    }
    let (table, col) = kind.table();
    let marks = vec!["?"; labels.len()].join(", ");
    let clause = format!(
        "{id_expr} IN (SELECT {col} FROM {table} WHERE label IN ({marks}) GROUP BY {col} HAVING COUNT(*) = {})",
        labels.len()
    );
    Some((clause, labels.iter().map(|l| Value::Text(l.clone())).collect()))
}
