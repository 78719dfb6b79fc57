//! Typed column readers for rows: stored text to timestamps, UUIDs and JSON.
//! A value that does not parse is a conversion error (an internal error), as
//! only this binary writes these columns.

use rusqlite::Row;
use rusqlite::types::Type;

use crate::time::{self, Timestamp};

fn bad(i: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, Type::Text, format!("stored {what} does not parse").into())
}

pub fn ts(r: &Row<'_>, i: usize) -> rusqlite::Result<Timestamp> {
    let s: String = r.get(i)?;
    time::from_db(&s).ok_or_else(|| bad(i, "timestamp"))
}

pub fn ts_opt(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<Timestamp>> {
    r.get::<_, Option<String>>(i)?.map(|s| time::from_db(&s).ok_or_else(|| bad(i, "timestamp"))).transpose()
}

pub fn uuid(r: &Row<'_>, i: usize) -> rusqlite::Result<uuid::Uuid> {
    let s: String = r.get(i)?;
    uuid::Uuid::parse_str(&s).map_err(|_| bad(i, "uuid"))
}

/// An optional id (a left join's, say); text that is not a UUID reads as none.
pub fn uuid_opt(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<uuid::Uuid>> {
    Ok(r.get::<_, Option<String>>(i)?.and_then(|s| uuid::Uuid::parse_str(&s).ok()))
}

pub fn json(r: &Row<'_>, i: usize) -> rusqlite::Result<serde_json::Value> {
    let s: String = r.get(i)?;
    serde_json::from_str(&s).map_err(|_| bad(i, "json"))
}

pub fn json_opt(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<serde_json::Value>> {
    r.get::<_, Option<String>>(i)?.map(|s| serde_json::from_str(&s).map_err(|_| bad(i, "json"))).transpose()
}
