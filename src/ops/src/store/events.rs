//! The event log as the events API reads and changes it.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::cols;
use meshcloud_kernel::db::pages::{Anchored, sort_of};
use meshcloud_kernel::db::query::{Where, fetch_page_counted, live_count, order_or, rows_by_id};
use meshcloud_kernel::db::search::SearchIndex;
use meshcloud_kernel::ids::{EventId, OrgId, UserId, new_uuid};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::time::{self, Timestamp};
use rusqlite::types::Value;
use rusqlite::{Connection, Row, params, params_from_iter};

#[derive(Debug, Clone)]
pub struct EventRow {
    pub id: EventId,
    pub uuid: uuid::Uuid,
    pub org: Option<uuid::Uuid>,
    pub user: Option<uuid::Uuid>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub provider: String,
    pub system_id: Option<String>,
    pub category: String,
    pub action: String,
    pub acted_upon: Option<uuid::Uuid>,
    pub severity: String,
    pub status: String,
    pub description: String,
    pub metadata: serde_json::Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const SELECT: &str = "SELECT e.id, e.uuid, o.uuid, u.uuid, u.first_name, u.last_name, u.email, e.system_id, \
    e.category, e.action, e.acted_upon, e.severity, e.status, e.description, e.metadata, e.created_at, e.updated_at, \
    u.provider";
const FROM: &str = "FROM events e LEFT JOIN organizations o ON o.id = e.org_id LEFT JOIN users u ON u.id = e.user_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        org: cols::uuid_opt(r, 2)?,
        user: cols::uuid_opt(r, 3)?,
        first_name: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
        last_name: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
        email: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
        provider: r.get::<_, Option<String>>(17)?.unwrap_or_default(),
        system_id: r.get(7)?,
        category: r.get(8)?,
        action: r.get(9)?,
        acted_upon: cols::uuid_opt(r, 10)?,
        severity: r.get(11)?,
        status: r.get(12)?,
        description: r.get(13)?,
        metadata: cols::json(r, 14)?,
        created_at: cols::ts(r, 15)?,
        updated_at: cols::ts(r, 16)?,
    })
}

/// What an event list may be narrowed to (besides `search`).
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub categories: Vec<String>,
    pub actions: Vec<String>,
    pub severities: Vec<String>,
    pub status: Option<String>,
    pub user: Option<uuid::Uuid>,
    pub acted_upon: Option<uuid::Uuid>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

impl Filter {
    fn is_empty(&self) -> bool {
        self.categories.is_empty()
            && self.actions.is_empty()
            && self.severities.is_empty()
            && self.status.is_none()
            && self.user.is_none()
            && self.acted_upon.is_none()
            && self.from.is_none()
            && self.to.is_none()
    }
}

fn filtered(org: OrgId, f: &Filter) -> Where {
    let mut w = Where::with("e.org_id = ?", [Value::Integer(org.0)]);
    w.and("e.deleted_at IS NULL", []);
    w.any_of("e.category", &f.categories).any_of("e.action", &f.actions).any_of("e.severity", &f.severities);
    if let Some(s) = &f.status {
        w.and("e.status = ?", [Value::Text(s.clone())]);
    }
    if let Some(u) = f.user {
        w.and("e.user_id = (SELECT id FROM users WHERE uuid = ?)", [Value::Text(u.to_string())]);
    }
    if let Some(t) = f.acted_upon {
        w.and("e.acted_upon = ?", [Value::Text(t.to_string())]);
    }
    if let Some(t) = &f.from {
        w.and("e.created_at >= ?", [Value::Text(time::to_db(t))]);
    }
    if let Some(t) = &f.to {
        w.and("e.created_at < ?", [Value::Text(time::to_db(t))]);
    }
    w
}

pub const ORDER_FIELDS: [&str; 5] = ["created_at", "category", "action", "severity", "status"];
const ORDER: [(&str, &str); 5] = [
    ("created_at", "e.id"),
    ("category", "e.category"),
    ("action", "e.action"),
    ("severity", "e.severity"),
    ("status", "e.status"),
];

const SEARCH: SearchIndex = SearchIndex { table: "events_search", rowid: "e.id", scoped: true };
const SEARCHED: [&str; 3] = ["e.description", "e.category", "e.action"];
/// An org's live events by id, category and status page through buckets
/// (migration V013); action and severity have no index to seek in.
const PAGES: Anchored = Anchored {
    table: "events",
    scope: "org_id",
    live: "deleted_at IS NULL",
    sorts: &[("id", "events_org_live"), ("category", "events_org_category"), ("status", "events_org_status")],
};

/// Events of `category` in `org` that acted upon `target` (a workspace's
/// event list), newest first unless `req` orders otherwise. Org and category
/// matter: ids of other kinds of rows (some chosen by clients) may collide
/// with `target`.
pub fn about(
    conn: &Connection,
    org: OrgId,
    category: &str,
    target: uuid::Uuid,
    req: &PageRequest,
) -> AppResult<Page<EventRow>> {
    let f = Filter { categories: vec![category.to_string()], acted_upon: Some(target), ..Filter::default() };
    list(conn, org, &f, req)
}

/// What a list of the events about one row may be ordered by.
pub const ABOUT_ORDER_FIELDS: [&str; 3] = ["created_at", "category", "action"];

/// The org's live events, newest first unless `req` orders otherwise.
pub fn list(conn: &Connection, org: OrgId, f: &Filter, req: &PageRequest) -> AppResult<Page<EventRow>> {
    let mut w = filtered(org, f);
    w.search_indexed(conn, req, &SEARCH, Some(org.0), &SEARCHED)?;
    let order = order_or(req, &ORDER, "e.id", "e.id DESC");
    let by_id = format!("{SELECT} {FROM} WHERE e.id = ?1");
    let total = if f.is_empty() && req.search.is_none() { Some(live_count(conn, org, "events")?) } else { None };
    if let Some(total) = total {
        let (column, descending) = sort_of(req, &ORDER, ("e.id", true));
        if let Some(ids) = PAGES.page(conn, org.0, column, descending, req, total)? {
            return rows_by_id(conn, ids, &by_id, from_row);
        }
    }
    let ids = fetch_page_counted(conn, "SELECT e.id", "FROM events e", &w, &order, req, total, |r| r.get::<_, i64>(0))?;
    rows_by_id(conn, ids, &by_id, from_row)
}

pub fn count_with_status(conn: &Connection, org: OrgId, status: &str) -> AppResult<u64> {
    let n: i64 = conn
        .prepare_cached("SELECT count(*) FROM events WHERE org_id = ?1 AND status = ?2 AND deleted_at IS NULL")?
        .query_row(params![org, status], |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// Events per actor in the org.
#[derive(Debug, Clone)]
pub struct UserSummary {
    pub user: Option<uuid::Uuid>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub total: u64,
    pub unread: u64,
    pub last_event_at: Timestamp,
}

pub const SUMMARY_ORDER_FIELDS: [&str; 3] = ["total", "unread", "last_event_at"];

pub fn summary(conn: &Connection, org: OrgId, f: &Filter, req: &PageRequest) -> AppResult<Page<UserSummary>> {
    let mut w = filtered(org, f);
    w.search_indexed(conn, req, &SEARCH, Some(org.0), &SEARCHED)?;
    let filter = w.sql();
    let from = w.from("FROM events e");
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(DISTINCT coalesce(e.user_id, 0)) {from} WHERE {filter}"))?
        .query_row(params_from_iter(w.params()), |r| r.get(0))?;
    let order = match &req.order {
        Some(o) => {
            let col = match o.field.as_str() {
                "unread" => "unread",
                "last_event_at" => "last_event_at",
                _ => "total",
            };
            format!("{col} {}, g.user_id", if o.descending { "DESC" } else { "ASC" })
        }
        None => "total DESC, g.user_id".to_string(),
    };
    let sql = format!(
        "SELECT u.uuid, u.first_name, u.last_name, u.email, g.total, g.unread, g.last_event_at
           FROM (SELECT e.user_id, count(*) AS total, sum(e.status = 'unread') AS unread,
                        max(e.created_at) AS last_event_at
                   {from} WHERE {filter} GROUP BY e.user_id) g
           LEFT JOIN users u ON u.id = g.user_id
          ORDER BY {order} LIMIT ? OFFSET ?"
    );
    let items = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(w.params_paged(req)), |r| {
            Ok(UserSummary {
                user: cols::uuid_opt(r, 0)?,
                first_name: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                last_name: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                email: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                total: r.get::<_, i64>(4)?.max(0) as u64,
                unread: r.get::<_, i64>(5)?.max(0) as u64,
                last_event_at: cols::ts(r, 6)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page { items, total: total.max(0) as u64 })
}

/// Distinct (category, action) pairs of the org's events.
pub fn types(conn: &Connection, org: OrgId) -> AppResult<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT category, action FROM event_types WHERE org_id = ?1 AND n > 0 ORDER BY category, action",
    )?;
    let rows = stmt.query_map([org], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// An event reported by an agent.
pub struct NewEvent<'a> {
    pub org: OrgId,
    pub user: UserId,
    pub system_id: Option<&'a str>,
    pub category: &'a str,
    pub action: &'a str,
    pub acted_upon: Option<uuid::Uuid>,
    pub severity: &'a str,
    pub status: &'a str,
    pub description: &'a str,
    pub metadata: &'a serde_json::Value,
}

/// Live events of the org per UTC day (`YYYY-MM-DD`) from day `since` on;
/// days without events are absent. The stored time is fixed-width RFC 3339
/// UTC text, so its first ten characters are the day.
pub fn per_day(conn: &Connection, org: OrgId, since: &str) -> AppResult<Vec<(String, u64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT substr(created_at, 1, 10) AS day, count(*) FROM events
          WHERE org_id = ?1 AND deleted_at IS NULL AND created_at >= ?2
          GROUP BY substr(created_at, 1, 10)",
    )?;
    let rows = stmt.query_map(params![org, since], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (day, n) = row?;
        out.push((day, n.max(0) as u64));
    }
    Ok(out)
}

pub fn insert(conn: &Connection, e: &NewEvent<'_>) -> AppResult<uuid::Uuid> {
    let uuid = new_uuid();
    conn.prepare_cached(
        "INSERT INTO events (uuid, org_id, user_id, system_id, category, action, acted_upon, severity, status,
                             description, metadata, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
    )?
    .execute(params![
        uuid.to_string(),
        e.org,
        e.user,
        e.system_id,
        e.category,
        e.action,
        e.acted_upon.map(|u| u.to_string()),
        e.severity,
        e.status,
        e.description,
        e.metadata.to_string(),
        time::now_db()
    ])?;
    Ok(uuid)
}

fn uuid_list(ids: &[uuid::Uuid]) -> (String, Vec<Value>) {
    (vec!["?"; ids.len().max(1)].join(", "), ids.iter().map(|u| Value::Text(u.to_string())).collect())
}

/// Soft-deletes the org's live events among `ids`; returns those it deleted.
pub fn delete_many(conn: &Connection, org: OrgId, ids: &[uuid::Uuid]) -> AppResult<Vec<uuid::Uuid>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let (marks, mut vals) = uuid_list(ids);
    let now = time::now_db();
    let mut p = vec![Value::Text(now.clone()), Value::Text(now), Value::Integer(org.0)];
    p.append(&mut vals);
    let sql = format!(
        "UPDATE events SET deleted_at = ?, updated_at = ? WHERE org_id = ? AND deleted_at IS NULL
            AND uuid IN ({marks}) RETURNING uuid"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(p), |r| cols::uuid(r, 0))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Sets the status of the org's live events among `ids`; returns those it changed.
pub fn set_status_many(conn: &Connection, org: OrgId, ids: &[uuid::Uuid], status: &str) -> AppResult<Vec<uuid::Uuid>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let (marks, mut vals) = uuid_list(ids);
    let mut p = vec![Value::Text(status.to_string()), Value::Text(time::now_db()), Value::Integer(org.0)];
    p.append(&mut vals);
    let sql = format!(
        "UPDATE events SET status = ?, updated_at = ? WHERE org_id = ? AND deleted_at IS NULL
            AND uuid IN ({marks}) RETURNING uuid"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(p), |r| cols::uuid(r, 0))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Up to `limit` ids of events older than `cutoff`, oldest first (for the
/// retention job). There is no index on `created_at`: this daily read walks
/// the log in id order on a reader, so no write waits for it.
pub fn older_than(conn: &Connection, cutoff: &Timestamp, limit: i64) -> AppResult<Vec<i64>> {
    let mut stmt = conn.prepare_cached("SELECT id FROM events WHERE created_at < ?1 ORDER BY id LIMIT ?2")?;
    let ids = stmt.query_map(params![time::to_db(cutoff), limit], |r| r.get(0))?;
    Ok(ids.collect::<Result<Vec<i64>, _>>()?)
}

/// Removes those of `ids` still older than `cutoff`; returns how many went.
pub fn delete_older_than(conn: &Connection, ids: &[i64], cutoff: &Timestamp) -> AppResult<usize> {
    let mut stmt = conn.prepare_cached("DELETE FROM events WHERE id = ?1 AND created_at < ?2")?;
    let cutoff = time::to_db(cutoff);
    let mut n = 0;
    for id in ids {
        n += stmt.execute(params![id, cutoff])?;
    }
    Ok(n)
}
