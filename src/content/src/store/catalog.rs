//! The catalog: publication requests, and the conditions of catalog lists
//! (published designs and filters of every organization).

use meshcloud_kernel::db::cols;
use meshcloud_kernel::db::query::{Where, fetch_page};
use meshcloud_kernel::ids::{OrgId, UserId};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone)]
pub struct RequestRow {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub resource_type: String,
    pub resource_uuid: uuid::Uuid,
    pub org: OrgId,
    pub org_uuid: uuid::Uuid,
    pub requested_by: Option<UserId>,
    pub requested_by_uuid: Option<uuid::Uuid>,
    pub name: String,
    pub catalog_data: serde_json::Value,
    pub status: String,
    pub prior_visibility: Option<String>,
    pub decided_by_uuid: Option<uuid::Uuid>,
    pub decided_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const SELECT: &str = "SELECT r.id, r.uuid, r.resource_type, r.resource_uuid, r.org_id, o.uuid, r.requested_by, u.uuid, \
    r.name, r.catalog_data, r.status, r.prior_visibility, d.uuid, r.decided_at, r.created_at, r.updated_at";
const FROM: &str = "FROM catalog_requests r JOIN organizations o ON o.id = r.org_id \
    LEFT JOIN users u ON u.id = r.requested_by LEFT JOIN users d ON d.id = r.decided_by";
pub const ORDER_FIELDS: [&str; 3] = ["name", "created_at", "updated_at"];
const ORDER: [(&str, &str); 3] = [("name", "r.name"), ("created_at", "r.created_at"), ("updated_at", "r.updated_at")];

fn from_row(r: &Row<'_>) -> rusqlite::Result<RequestRow> {
    Ok(RequestRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        resource_type: r.get(2)?,
        resource_uuid: cols::uuid(r, 3)?,
        org: r.get(4)?,
        org_uuid: cols::uuid(r, 5)?,
        requested_by: r.get(6)?,
        requested_by_uuid: cols::uuid_opt(r, 7)?,
        name: r.get(8)?,
        catalog_data: cols::json(r, 9)?,
        status: r.get(10)?,
        prior_visibility: r.get(11)?,
        decided_by_uuid: cols::uuid_opt(r, 12)?,
        decided_at: cols::ts_opt(r, 13)?,
        created_at: cols::ts(r, 14)?,
        updated_at: cols::ts(r, 15)?,
    })
}

/// A request of `status` for an item, if there is one.
pub fn of_item(conn: &Connection, kind: &str, uuid: uuid::Uuid, status: &str) -> AppResult<Option<RequestRow>> {
    let sql = format!("{SELECT} {FROM} WHERE r.resource_type = ?1 AND r.resource_uuid = ?2 AND r.status = ?3");
    Ok(conn.prepare_cached(&sql)?.query_row(params![kind, uuid.to_string(), status], from_row).optional()?)
}

pub fn by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<RequestRow>> {
    let sql = format!("{SELECT} {FROM} WHERE r.uuid = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([uuid.to_string()], from_row).optional()?)
}

pub fn get(conn: &Connection, id: i64) -> AppResult<RequestRow> {
    let sql = format!("{SELECT} {FROM} WHERE r.id = ?1");
    conn.prepare_cached(&sql)?.query_row([id], from_row).optional()?.ok_or(AppError::NotFound)
}

/// A new pending request; `class` and `content_type` come from its catalog data.
#[allow(clippy::too_many_arguments)]
pub fn insert(
    conn: &Connection,
    uuid: uuid::Uuid,
    kind: &str,
    item: uuid::Uuid,
    org: OrgId,
    by: UserId,
    name: &str,
    catalog_data: &serde_json::Value,
) -> AppResult<i64> {
    let now = time::now_db();
    let field = |k: &str| catalog_data.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let r = conn
        .prepare_cached(
            "INSERT INTO catalog_requests (uuid, resource_type, resource_uuid, org_id, requested_by, name, catalog_data,
                                           class, content_type, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
        )?
        .execute(params![
            uuid.to_string(),
            kind,
            item.to_string(),
            org,
            by,
            name,
            catalog_data.to_string(),
            field("class"),
            field("type"),
            now
        ]);
    match r {
        Ok(_) => Ok(conn.last_insert_rowid()),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
            Err(AppError::conflict("a publication request for this item is already pending"))
        }
        Err(e) => Err(e.into()),
    }
}

/// Sets a request's status (`approved`, `denied`, `withdrawn`).
pub fn set_status(
    conn: &Connection,
    id: i64,
    status: &str,
    by: Option<UserId>,
    prior_visibility: Option<&str>,
) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached(
        "UPDATE catalog_requests SET status = ?2, decided_by = coalesce(?3, decided_by),
                prior_visibility = coalesce(?4, prior_visibility), decided_at = coalesce(decided_at, ?5),
                updated_at = ?5 WHERE id = ?1",
    )?
    .execute(params![id, status, by, prior_visibility, now])?;
    Ok(())
}

/// Requests of the organizations `orgs` (`None`: every organization) and
/// those `me` filed, optionally of one status.
pub fn list(
    conn: &Connection,
    orgs: Option<&[OrgId]>,
    me: UserId,
    status: Option<&str>,
    req: &PageRequest,
) -> AppResult<Page<RequestRow>> {
    let mut w = Where::new("1 = 1");
    if let Some(orgs) = orgs {
        let marks = vec!["?"; orgs.len().max(1)].join(", ");
        let mut args: Vec<Value> = orgs.iter().map(|o| Value::Integer(o.0)).collect();
        if orgs.is_empty() {
            args.push(Value::Null);
        }
        args.push(Value::Integer(me.0));
        w.and(&format!("r.org_id IN ({marks}) OR r.requested_by = ?"), args);
    }
    if let Some(s) = status {
        w.and("r.status = ?", [Value::Text(s.into())]);
    }
    w.search(req, &["r.name"]);
    let order = meshcloud_kernel::db::query::order_or(req, &ORDER, "r.id", "r.created_at DESC, r.id DESC");
    fetch_page(conn, SELECT, FROM, &w, &order, req, from_row)
}

/// What a catalog list filters by, beyond paging.
#[derive(Debug, Clone, Default)]
pub struct Published {
    /// Classes (of the approved request); empty: all.
    pub classes: Vec<String>,
    pub owner: Option<uuid::Uuid>,
    pub org: Option<uuid::Uuid>,
}

/// The conditions of a catalog list of `kind` (`alias` is its table's).
pub(crate) fn published_where(alias: &str, kind: &str, f: &Published, req: &PageRequest) -> Where {
    let mut w = Where::new(&format!("{alias}.deleted_at IS NULL AND o.deleted_at IS NULL"));
    w.and(&format!("{alias}.visibility = 'published'"), []);
    if !f.classes.is_empty() {
        let marks = vec!["?"; f.classes.len()].join(", ");
        let mut args = vec![Value::Text(kind.into())];
        args.extend(f.classes.iter().map(|c| Value::Text(c.clone())));
        w.and(
            &format!(
                "{alias}.uuid IN (SELECT resource_uuid FROM catalog_requests
                                   WHERE resource_type = ? AND status = 'approved' AND class IN ({marks}))"
            ),
            args,
        );
    }
    if let Some(owner) = f.owner {
        w.and("u.uuid = ?", [Value::Text(owner.to_string())]);
    }
    if let Some(org) = f.org {
        w.and("o.uuid = ?", [Value::Text(org.to_string())]);
    }
    w.search(req, &[&format!("{alias}.name")]);
    w
}

/// Names and how many items each has.
pub type Counts = Vec<(String, u64)>;

/// How many published items of `kind` each catalog type (`Deployment`, …)
/// and each compatible model has, from the approved requests.
pub fn counts(conn: &Connection, kind: &str) -> AppResult<(Counts, Counts)> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.content_type, r.catalog_data FROM catalog_requests r
          WHERE r.resource_type = ?1 AND r.status = 'approved'",
    )?;
    let rows = stmt.query_map([kind], |r| Ok((r.get::<_, String>(0)?, cols::json(r, 1)?)))?;
    let mut types = std::collections::BTreeMap::<String, u64>::new();
    let mut models = std::collections::BTreeMap::<String, u64>::new();
    for row in rows {
        let (t, data) = row?;
        *types.entry(t).or_default() += 1;
        for m in data.get("compatibility").and_then(|c| c.as_array()).into_iter().flatten() {
            if let Some(m) = m.as_str() {
                *models.entry(m.to_string()).or_default() += 1;
            }
        }
    }
    Ok((types.into_iter().collect(), models.into_iter().collect()))
}
