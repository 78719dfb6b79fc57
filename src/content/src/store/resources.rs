//! Pattern resources: one row per component of a live design's current
//! document. The rows are an index: the designs' writes rewrite a design's
//! rows in their own transaction (`reindex`, `remove`), and nothing else
//! writes them.

use std::collections::HashMap;

use meshcloud_kernel::db::cols;
use meshcloud_kernel::db::query::{Where, fetch_page_counted, order_or};
use meshcloud_kernel::ids::{OrgId, UserId, new_uuid};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::time::Timestamp;
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::Value;

use super::designs::visible;

#[derive(Debug, Clone)]
pub struct ResourceRow {
    pub uuid: uuid::Uuid,
    pub design_uuid: uuid::Uuid,
    pub component_id: String,
    pub name: String,
    pub namespace: String,
    pub kind: String,
    pub api_version: String,
    pub model: String,
    /// The design's version (its current document's).
    pub version: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

pub const ORDER_FIELDS: [&str; 5] = ["name", "kind", "namespace", "created_at", "updated_at"];
const ORDER: [(&str, &str); 5] = [
    ("name", "r.name"),
    ("kind", "r.kind"),
    ("namespace", "r.namespace"),
    ("created_at", "r.created_at"),
    ("updated_at", "r.updated_at"),
];
const SELECT: &str = "SELECT r.uuid, d.uuid, r.component_id, r.name, r.namespace, r.kind, r.api_version, r.model, \
    d.version, r.created_at, r.updated_at";
// The resources drive (their indexes give the order); each design is read by key.
const FROM: &str = "FROM pattern_resources r CROSS JOIN designs d ON d.id = r.design_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<ResourceRow> {
    Ok(ResourceRow {
        uuid: cols::uuid(r, 0)?,
        design_uuid: cols::uuid(r, 1)?,
        component_id: r.get(2)?,
        name: r.get(3)?,
        namespace: r.get(4)?,
        kind: r.get(5)?,
        api_version: r.get(6)?,
        model: r.get(7)?,
        version: r.get(8)?,
        created_at: cols::ts(r, 9)?,
        updated_at: cols::ts(r, 10)?,
    })
}

/// What a list asks for beyond paging and visibility.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub design: Option<uuid::Uuid>,
    pub kind: Option<String>,
    pub namespace: Option<String>,
}

/// Resources of the live designs of `org` the caller sees (the designs'
/// own rule, `designs::visible`). A deleted design's rows are gone with
/// it. The page is read from the resources' own indexes (the order's, the
/// designs joined by key); the count from the resources alone when the
/// caller sees every design, else from the org's visible designs and their
/// rows, so that neither walks every resource through a join.
pub fn list(
    conn: &Connection,
    org: OrgId,
    me: UserId,
    all_private: bool,
    f: &Filter,
    req: &PageRequest,
) -> AppResult<Page<ResourceRow>> {
    let filters = |w: &mut Where| {
        match f.design {
            // A design's few rows, by its key: `+` keeps SQLite from walking
            // the org's rows in the order's index instead (as it would
            // before statistics are gathered).
            Some(design) => {
                w.and("+r.org_id = ?", [Sql::Integer(org.0)]);
                w.and("r.design_id = (SELECT id FROM designs WHERE uuid = ?)", [Sql::Text(design.to_string())]);
            }
            None => {
                w.and("r.org_id = ?", [Sql::Integer(org.0)]);
            }
        }
        if let Some(kind) = &f.kind {
            w.and("r.kind = ?", [Sql::Text(kind.clone())]);
        }
        if let Some(namespace) = &f.namespace {
            w.and("r.namespace = ?", [Sql::Text(namespace.clone())]);
        }
        w.search(req, &["r.name", "r.kind", "r.namespace"]);
    };
    let mut count = Where::default();
    let count_from = if all_private {
        "FROM pattern_resources r"
    } else {
        count.and("d.org_id = ?", [Sql::Integer(org.0)]);
        count.and("d.deleted_at IS NULL", []);
        visible(&mut count, me, all_private);
        "FROM designs d CROSS JOIN pattern_resources r ON r.design_id = d.id"
    };
    filters(&mut count);
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) {count_from} WHERE {}", count.sql()))?
        .query_row(rusqlite::params_from_iter(count.params()), |r| r.get(0))?;
    let mut w = Where::default();
    filters(&mut w);
    visible(&mut w, me, all_private);
    let order = order_or(req, &ORDER, "r.id", "r.updated_at DESC, r.id DESC");
    fetch_page_counted(conn, SELECT, FROM, &w, &order, req, Some(total.max(0) as u64), from_row)
}

/// A resource of a live design.
pub fn by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<ResourceRow>> {
    let sql = format!("{SELECT} {FROM} WHERE r.uuid = ?1 AND d.deleted_at IS NULL");
    Ok(conn.prepare_cached(&sql)?.query_row([uuid.to_string()], from_row).optional()?)
}

/// The resource of component `component_id` of design `design`.
pub fn by_component(conn: &Connection, design: uuid::Uuid, component_id: &str) -> AppResult<ResourceRow> {
    let sql = format!("{SELECT} {FROM} WHERE d.uuid = ?1 AND r.component_id = ?2 AND d.deleted_at IS NULL");
    conn.prepare_cached(&sql)?
        .query_row(params![design.to_string(), component_id], from_row)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// One component as the index holds it.
struct Entry<'a> {
    component_id: &'a str,
    name: &'a str,
    namespace: &'a str,
    kind: &'a str,
    api_version: &'a str,
    model: &'a str,
    digest: String,
}

fn text<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    path.iter().try_fold(v, |v, k| v.get(k)).and_then(Value::as_str).unwrap_or_default()
}

fn entry(c: &Value) -> Entry<'_> {
    let display = text(c, &["displayName"]);
    let digest = meshcloud_kernel::crypto::sha256(c.to_string().as_bytes());
    Entry {
        component_id: text(c, &["id"]),
        name: if display.is_empty() { text(c, &["configuration", "metadata", "name"]) } else { display },
        namespace: text(c, &["configuration", "metadata", "namespace"]),
        kind: text(c, &["component", "kind"]),
        api_version: text(c, &["component", "version"]),
        model: text(c, &["model", "name"]),
        digest: digest[..16].iter().map(|b| format!("{b:02x}")).collect(),
    }
}

/// Rewrites the rows of design `design` (row id) from its current
/// `document`: delete and insert, in the caller's transaction. A component
/// id already indexed keeps its resource id and `created_at`, and its
/// `updated_at` unless the component changed; a component id given twice
/// is indexed once (the first).
pub fn reindex(conn: &Connection, design: i64, document: &Value, now: &str) -> AppResult<()> {
    let mut kept: HashMap<String, (String, String, String, String)> = conn
        .prepare_cached(
            "SELECT component_id, uuid, digest, created_at, updated_at FROM pattern_resources WHERE design_id = ?1",
        )?
        .query_map([design], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))))?
        .collect::<Result<_, _>>()?;
    if !kept.is_empty() {
        conn.prepare_cached("DELETE FROM pattern_resources WHERE design_id = ?1")?.execute([design])?;
    }
    let components = document.get("components").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    if components.is_empty() {
        return Ok(());
    }
    let org: i64 =
        conn.prepare_cached("SELECT org_id FROM designs WHERE id = ?1")?.query_row([design], |r| r.get(0))?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO pattern_resources (uuid, design_id, org_id, position, component_id, name, namespace, kind,
             api_version, model, digest, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (design_id, component_id) DO NOTHING",
    )?;
    for (position, c) in components.iter().enumerate().filter(|(_, c)| c.is_object()) {
        let e = entry(c);
        let (uuid, created, updated) = match kept.remove(e.component_id) {
            Some((uuid, digest, created, updated)) => {
                let updated = if digest == e.digest { updated } else { now.to_string() };
                (uuid, created, updated)
            }
            None => (new_uuid().to_string(), now.to_string(), now.to_string()),
        };
        insert.execute(params![
            uuid,
            design,
            org,
            position as i64,
            e.component_id,
            e.name,
            e.namespace,
            e.kind,
            e.api_version,
            e.model,
            e.digest,
            created,
            updated
        ])?;
    }
    Ok(())
}

/// Drops the rows of a deleted design.
pub fn remove(conn: &Connection, design: i64) -> AppResult<()> {
    conn.prepare_cached("DELETE FROM pattern_resources WHERE design_id = ?1")?.execute([design])?;
    Ok(())
}
