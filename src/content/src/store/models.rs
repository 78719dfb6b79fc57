//! The models organizations registered: one row per (org, name, version).

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::cols;
use meshcloud_kernel::ids::{OrgId, UserId};
use meshcloud_kernel::time::{self, Timestamp};
use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone)]
pub struct ModelRow {
    pub uuid: uuid::Uuid,
    pub name: String,
    /// The model as registered (`registry::Model` as JSON).
    pub definition: serde_json::Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const SELECT: &str = "SELECT uuid, name, definition, created_at, updated_at FROM content_models";

fn from_row(r: &Row<'_>) -> rusqlite::Result<ModelRow> {
    Ok(ModelRow {
        uuid: cols::uuid(r, 0)?,
        name: r.get(1)?,
        definition: cols::json(r, 2)?,
        created_at: cols::ts(r, 3)?,
        updated_at: cols::ts(r, 4)?,
    })
}

/// Every model of `org`, by name, then the latest registered first.
pub fn of_org(conn: &Connection, org: OrgId) -> AppResult<Vec<ModelRow>> {
    let sql = format!("{SELECT} WHERE org_id = ?1 ORDER BY name, updated_at DESC, id DESC");
    let rows = conn.prepare_cached(&sql)?.query_map([org], from_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Stores a model: replaces the definition of the row with the same name
/// and version in `org` (keeping its id), else adds a row with `uuid`.
/// Answers the row and whether it replaced one.
#[allow(clippy::too_many_arguments)]
pub fn put(
    conn: &Connection,
    org: OrgId,
    uuid: uuid::Uuid,
    name: &str,
    version: &str,
    display_name: &str,
    definition: &serde_json::Value,
    by: UserId,
) -> AppResult<(ModelRow, bool)> {
    let now = time::now_db();
    let existing: Option<i64> = conn
        .prepare_cached("SELECT id FROM content_models WHERE org_id = ?1 AND name = ?2 AND version = ?3")?
        .query_row(params![org, name, version], |r| r.get(0))
        .optional()?;
    let id = match existing {
        Some(id) => {
            conn.prepare_cached(
                "UPDATE content_models SET display_name = ?2, definition = ?3, registered_by = ?4, updated_at = ?5
                 WHERE id = ?1",
            )?
            .execute(params![id, display_name, definition.to_string(), by, now])?;
            id
        }
        None => {
            conn.prepare_cached(
                "INSERT INTO content_models (uuid, org_id, name, version, display_name, definition, registered_by,
                                             created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            )?
            .execute(params![
                uuid.to_string(),
                org,
                name,
                version,
                display_name,
                definition.to_string(),
                by,
                now
            ])?;
            conn.last_insert_rowid()
        }
    };
    let row = conn.prepare_cached(&format!("{SELECT} WHERE id = ?1"))?.query_row([id], from_row)?;
    Ok((row, existing.is_some()))
}
