//! Organizations and memberships.

use meshcloud_kernel::db::cols;
use meshcloud_kernel::db::query::{Where, rows_by_id};
use meshcloud_kernel::db::search::SearchIndex;
use meshcloud_kernel::ids::{OrgId, UserId, new_uuid};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

#[derive(Debug, Clone)]
pub struct OrgRow {
    pub id: OrgId,
    pub uuid: uuid::Uuid,
    pub name: String,
    pub description: String,
    pub country: String,
    pub region: String,
    pub domain: Option<String>,
    pub owner: uuid::Uuid,
    pub metadata: serde_json::Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

/// Sort keys a client may name, and the columns behind them.
pub const ORDER_FIELDS: [&str; 4] = ["name", "created_at", "updated_at", "country"];
const ORDER_COLUMNS: [(&str, &str); 4] =
    [("name", "o.name"), ("created_at", "o.created_at"), ("updated_at", "o.updated_at"), ("country", "o.country")];

/// The owner is read by a subquery, not a join: a query on one table by its
/// key is planned without statistics (SQLite's shortcut for a primary or
/// unique key equality), so stale statistics cannot turn a lookup by uuid
/// into a scan of organizations.
const SELECT: &str = "SELECT o.id, o.uuid, o.name, o.description, o.country, o.region, o.domain, \
    (SELECT u.uuid FROM users u WHERE u.id = o.owner_id), o.metadata, o.created_at, o.updated_at, o.deleted_at \
    FROM organizations o";

fn from_row(r: &Row<'_>) -> rusqlite::Result<OrgRow> {
    Ok(OrgRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        name: r.get(2)?,
        description: r.get(3)?,
        country: r.get(4)?,
        region: r.get(5)?,
        domain: r.get(6)?,
        owner: cols::uuid(r, 7)?,
        metadata: cols::json(r, 8)?,
        created_at: cols::ts(r, 9)?,
        updated_at: cols::ts(r, 10)?,
        deleted_at: cols::ts_opt(r, 11)?,
    })
}

pub fn by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<OrgRow>> {
    let sql = format!("{SELECT} WHERE o.uuid = ?1 AND o.deleted_at IS NULL");
    Ok(conn.prepare_cached(&sql)?.query_row([uuid.to_string()], from_row).optional()?)
}

pub fn get(conn: &Connection, id: OrgId) -> AppResult<OrgRow> {
    let sql = format!("{SELECT} WHERE o.id = ?1 AND o.deleted_at IS NULL");
    conn.prepare_cached(&sql)?.query_row([id], from_row).optional()?.ok_or(AppError::NotFound)
}

/// Does the organization sign its users in through a provider of its own?
pub fn signs_in_with_own_provider(conn: &Connection, org: OrgId) -> AppResult<bool> {
    Ok(conn
        .prepare_cached("SELECT coalesce(provider_scope = 'organization', 0) FROM organizations WHERE id = ?1")?
        .query_row([org], |r| r.get(0))?)
}

pub fn by_domain(conn: &Connection, domain: &str) -> AppResult<Option<OrgRow>> {
    let sql = format!("{SELECT} WHERE o.domain = ?1 AND o.deleted_at IS NULL");
    Ok(conn.prepare_cached(&sql)?.query_row([domain], from_row).optional()?)
}

/// Live organizations, either all of them or those `member` belongs to.
pub fn list(conn: &Connection, member: Option<UserId>, req: &PageRequest) -> AppResult<Page<OrgRow>> {
    const SEARCH: SearchIndex = SearchIndex { table: "organizations_search", rowid: "o.id", scoped: false };
    let mut w = Where::new("o.deleted_at IS NULL");
    // A condition only: the count below reads organizations in a subquery.
    w.search_indexed_where(conn, req, &SEARCH, &["o.name", "o.description", "coalesce(o.domain, '')"])?;
    let order =
        req.order.as_ref().map_or_else(|| "o.name ASC, o.id ASC".to_string(), |o| o.sql(&ORDER_COLUMNS, "o.id"));
    let filter = w.sql();
    let total: i64 = match member {
        // Counted from the memberships, each org checked by its key in a
        // subquery: O(memberships) whatever the statistics say.
        Some(m) => {
            let params = std::iter::once(Value::Integer(m.0)).chain(w.params().cloned());
            conn.prepare_cached(&format!(
                "SELECT count(*) FROM org_members m WHERE m.user_id = ?
                    AND (SELECT count(*) FROM organizations o WHERE o.id = m.org_id AND {filter}) > 0"
            ))?
            .query_row(params_from_iter(params), |r| r.get(0))?
        }
        None => conn
            .prepare_cached(&format!("SELECT count(*) FROM organizations o WHERE {filter}"))?
            .query_row(params_from_iter(w.params()), |r| r.get(0))?,
    };
    if let Some(m) = member {
        w.and("o.id IN (SELECT org_id FROM org_members WHERE user_id = ?)", [Value::Integer(m.0)]);
    }
    let filter = w.sql();
    // Page through ids in index order, then read only the rows of the page,
    // each by its key: a join back to the page let stale statistics scan
    // organizations once per row of the page.
    let ids = conn
        .prepare_cached(&format!("SELECT o.id FROM organizations o WHERE {filter} ORDER BY {order} LIMIT ? OFFSET ?"))?
        .query_map(params_from_iter(w.params_paged(req)), |r| r.get::<_, i64>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let ids = Page { items: ids, total: total.max(0) as u64 };
    rows_by_id(conn, ids, &format!("{SELECT} WHERE o.id = ?1"), from_row)
}

pub struct OrgFields<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub country: &'a str,
    pub region: &'a str,
    pub domain: Option<&'a str>,
    pub metadata: &'a serde_json::Value,
}

pub fn insert(conn: &Connection, owner: UserId, f: &OrgFields<'_>) -> AppResult<OrgId> {
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO organizations (uuid, name, description, country, region, domain, owner_id, metadata, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(params![
        new_uuid().to_string(),
        f.name,
        f.description,
        f.country,
        f.region,
        f.domain,
        owner,
        f.metadata.to_string(),
        now
    ])
    .map_err(domain_conflict)?;
    let id = OrgId(conn.last_insert_rowid());
    join(conn, id, owner, "active")?;
    let admin = crate::store::roles::by_name(conn, id, crate::store::roles::ORG_ADMIN)?
        .ok_or_else(|| AppError::internal("built-in role missing"))?;
    crate::store::roles::bind_user(conn, id, admin.id, owner)?;
    Ok(id)
}

pub fn update(conn: &Connection, id: OrgId, f: &OrgFields<'_>) -> AppResult<()> {
    let n = conn
        .prepare_cached(
            "UPDATE organizations SET name = ?2, description = ?3, country = ?4, region = ?5, domain = ?6,
                    metadata = ?7, updated_at = ?8
              WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .execute(params![
            id,
            f.name,
            f.description,
            f.country,
            f.region,
            f.domain,
            f.metadata.to_string(),
            time::now_db()
        ])
        .map_err(domain_conflict)?;
    if n == 1 { Ok(()) } else { Err(AppError::NotFound) }
}

fn domain_conflict(e: rusqlite::Error) -> AppError {
    match AppError::from(e) {
        AppError::Conflict(_) => AppError::conflict("another organization already claims this domain"),
        other => other,
    }
}

/// Soft delete: the row stays until the purge job removes it.
pub fn soft_delete(conn: &Connection, id: OrgId) -> AppResult<()> {
    let now = time::now_db();
    let n = conn
        .prepare_cached(
            "UPDATE organizations SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .execute(params![id, now])?;
    if n == 1 { Ok(()) } else { Err(AppError::NotFound) }
}

pub fn is_member(conn: &Connection, org: OrgId, user: UserId) -> AppResult<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM org_members WHERE org_id = ?1 AND user_id = ?2")?
        .query_row([org.0, user.0], |_| Ok(()))
        .optional()?
        .is_some())
}

pub fn remove_member(conn: &Connection, org: OrgId, user: UserId) -> AppResult<bool> {
    let n = conn
        .prepare_cached("DELETE FROM org_members WHERE org_id = ?1 AND user_id = ?2")?
        .execute(params![org, user])?;
    Ok(n == 1)
}

/// A membership's state (`active`, `pending`, `suspended`); `None` if not a member.
pub fn member_state(conn: &Connection, org: OrgId, user: UserId) -> AppResult<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT state FROM org_members WHERE org_id = ?1 AND user_id = ?2")?
        .query_row(params![org, user], |r| r.get(0))
        .optional()?)
}

/// Adds a member in `state`; false if they were one already (nothing changed).
pub fn join(conn: &Connection, org: OrgId, user: UserId, state: &str) -> AppResult<bool> {
    let n = conn
        .prepare_cached(
            "INSERT INTO org_members (org_id, user_id, state, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![org, user, state, time::now_db()])?;
    Ok(n == 1)
}

/// Sets a membership's state (`active`, `pending`, `suspended`).
pub fn set_member_state(conn: &Connection, org: OrgId, user: UserId, state: &str) -> AppResult<()> {
    let n = conn
        .prepare_cached("UPDATE org_members SET state = ?3 WHERE org_id = ?1 AND user_id = ?2")?
        .execute(params![org, user, state])?;
    if n == 1 { Ok(()) } else { Err(AppError::NotFound) }
}

/// The user's live organizations, oldest membership first.
pub fn memberships(conn: &Connection, user: UserId) -> AppResult<Vec<OrgRow>> {
    let ids: Vec<OrgId> = conn
        .prepare_cached("SELECT org_id FROM org_members WHERE user_id = ?1 ORDER BY created_at, org_id")?
        .query_map([user], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    live_rows(conn, ids)
}

/// The user's live organizations among `orgs`, oldest membership first:
/// O(`orgs`), however many other orgs the user belongs to.
pub fn memberships_in(conn: &Connection, user: UserId, orgs: &[OrgId]) -> AppResult<Vec<OrgRow>> {
    let mut since = conn.prepare_cached("SELECT created_at FROM org_members WHERE org_id = ?1 AND user_id = ?2")?;
    let mut found = Vec::new();
    for org in orgs {
        if let Some(at) = since.query_row(params![org, user], |r| r.get::<_, String>(0)).optional()? {
            found.push((at, *org));
        }
    }
    found.sort();
    found.dedup();
    live_rows(conn, found.into_iter().map(|(_, o)| o).collect())
}

/// The live rows of `ids`, in that order, each read by its key (see `SELECT`).
fn live_rows(conn: &Connection, ids: Vec<OrgId>) -> AppResult<Vec<OrgRow>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE o.id = ?1 AND o.deleted_at IS NULL"))?;
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(row) = stmt.query_row([id], from_row).optional()? {
            rows.push(row);
        }
    }
    Ok(rows)
}

/// Members of an org (for cache invalidation when the org goes away).
pub fn member_ids(conn: &Connection, org: OrgId) -> AppResult<Vec<UserId>> {
    let mut stmt = conn.prepare_cached("SELECT user_id FROM org_members WHERE org_id = ?1")?;
    Ok(stmt.query_map([org], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?)
}

/// The first live org of a user (the default org context).
pub fn first_for_user(conn: &Connection, user: UserId) -> AppResult<Option<OrgRow>> {
    let mut ids =
        conn.prepare_cached("SELECT org_id FROM org_members WHERE user_id = ?1 ORDER BY created_at, org_id")?;
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE o.id = ?1 AND o.deleted_at IS NULL"))?;
    for id in ids.query_map([user], |r| r.get::<_, OrgId>(0))? {
        if let Some(row) = stmt.query_row([id?], from_row).optional()? {
            return Ok(Some(row));
        }
    }
    Ok(None)
}

/// Removes organizations soft-deleted before `cutoff`; returns how many.
pub fn purge_deleted(conn: &Connection, cutoff: &Timestamp) -> AppResult<usize> {
    Ok(conn
        .prepare_cached("DELETE FROM organizations WHERE deleted_at IS NOT NULL AND deleted_at < ?1")?
        .execute([time::to_db(cutoff)])?)
}
