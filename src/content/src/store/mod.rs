//! All SQL of the content family (private to it).

pub mod catalog;
pub mod designs;
pub mod filters;
pub mod models;
pub mod resources;
pub mod shares;
pub mod views;

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::query::Where;
use meshcloud_kernel::ids::UserId;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};

/// Whether any row of `table` (live or deleted) has this id: an id once
/// used is never handed to another item. `table` is one of this family's.
fn uuid_taken(conn: &Connection, table: &'static str, uuid: uuid::Uuid) -> AppResult<bool> {
    let found: Option<i64> = conn
        .prepare_cached(&format!("SELECT id FROM {table} WHERE uuid = ?1"))?
        .query_row([uuid.to_string()], |r| r.get(0))
        .optional()?;
    Ok(found.is_some())
}

/// Which items (designs, views, filters; `alias` is the table's) of an org a
/// list shows the caller: every non-private one, their own private ones, and
/// (`all_private`) everyone's.
fn visible(w: &mut Where, alias: &str, me: UserId, all_private: bool) {
    if !all_private {
        w.and(&format!("{alias}.visibility <> 'private' OR {alias}.owner_id = ?"), [Value::Integer(me.0)]);
    }
}
