//! Sign-up requests: people asking for an account, decided by an admin.

use meshcloud_kernel::db::cols;
use meshcloud_kernel::db::query::{Where, fetch_page, order_or};
use meshcloud_kernel::db::search::SearchIndex;
use meshcloud_kernel::ids::{OrgId, SignupRequestId, UserId, new_uuid};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone)]
pub struct RequestRow {
    pub id: SignupRequestId,
    pub uuid: uuid::Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub message: String,
    pub org: Option<OrgId>,
    pub org_uuid: Option<uuid::Uuid>,
    pub password_hash: Option<String>,
    pub status: String,
    pub decided_at: Option<Timestamp>,
    pub user: Option<uuid::Uuid>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const SELECT: &str = "SELECT s.id, s.uuid, s.email, s.first_name, s.last_name, s.message, s.org_id, o.uuid, \
    s.password_hash, s.status, s.decided_at, u.uuid, s.created_at, s.updated_at";
const FROM: &str = "FROM signup_requests s LEFT JOIN organizations o ON o.id = s.org_id AND o.deleted_at IS NULL \
    LEFT JOIN users u ON u.id = s.user_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<RequestRow> {
    Ok(RequestRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        email: r.get(2)?,
        first_name: r.get(3)?,
        last_name: r.get(4)?,
        message: r.get(5)?,
        org: r.get(6)?,
        org_uuid: cols::uuid_opt(r, 7)?,
        password_hash: r.get(8)?,
        status: r.get(9)?,
        decided_at: cols::ts_opt(r, 10)?,
        user: cols::uuid_opt(r, 11)?,
        created_at: cols::ts(r, 12)?,
        updated_at: cols::ts(r, 13)?,
    })
}

pub const ORDER_FIELDS: [&str; 3] = ["created_at", "email", "status"];
const ORDER: [(&str, &str); 3] = [("created_at", "s.created_at"), ("email", "s.email"), ("status", "s.status")];

/// Requests, all of them (`orgs == None`) or those naming one of `orgs`.
pub fn list(
    conn: &Connection,
    orgs: Option<&[OrgId]>,
    status: Option<&str>,
    req: &PageRequest,
) -> AppResult<Page<RequestRow>> {
    let mut w = Where::default();
    if let Some(orgs) = orgs {
        let marks = vec!["?"; orgs.len().max(1)].join(", ");
        let mut vals: Vec<Value> = orgs.iter().map(|o| Value::Integer(o.0)).collect();
        if vals.is_empty() {
            vals.push(Value::Integer(-1));
        }
        w.and(&format!("s.org_id IN ({marks})"), vals);
    }
    if let Some(s) = status {
        w.and("s.status = ?", [Value::Text(s.to_string())]);
    }
    const SEARCH: SearchIndex = SearchIndex { table: "signup_requests_search", rowid: "s.id", scoped: false };
    w.search_indexed(conn, req, &SEARCH, None, &["s.email", "s.first_name", "s.last_name"])?;
    let order = order_or(req, &ORDER, "s.id", "s.created_at DESC, s.id DESC");
    fetch_page(conn, SELECT, FROM, &w, &order, req, from_row)
}

pub fn by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<RequestRow>> {
    let sql = format!("{SELECT} {FROM} WHERE s.uuid = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([uuid.to_string()], from_row).optional()?)
}

/// The pending request of an address, if any.
pub fn pending_for(conn: &Connection, email: &str) -> AppResult<Option<RequestRow>> {
    let sql = format!("{SELECT} {FROM} WHERE s.email = ?1 AND s.status = 'pending'");
    Ok(conn.prepare_cached(&sql)?.query_row([email], from_row).optional()?)
}

pub struct NewRequest<'a> {
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub message: &'a str,
    pub org: Option<OrgId>,
    pub password_hash: Option<&'a str>,
}

/// How many requests wait for a decision.
pub fn pending_count(conn: &Connection) -> AppResult<usize> {
    let n: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM signup_requests WHERE status = 'pending'")?
        .query_row([], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

pub fn insert(conn: &Connection, n: &NewRequest<'_>) -> AppResult<uuid::Uuid> {
    let uuid = new_uuid();
    conn.prepare_cached(
        "INSERT INTO signup_requests (uuid, email, first_name, last_name, message, org_id, password_hash, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    )?
    .execute(params![
        uuid.to_string(),
        n.email,
        n.first_name,
        n.last_name,
        n.message,
        n.org,
        n.password_hash,
        time::now_db()
    ])?;
    Ok(uuid)
}

/// Records a decision on a pending request; false if it was not pending.
pub fn decide(
    conn: &Connection,
    id: SignupRequestId,
    status: &str,
    by: UserId,
    user: Option<UserId>,
) -> AppResult<bool> {
    let now = time::now_db();
    let n = conn
        .prepare_cached(
            "UPDATE signup_requests SET status = ?2, decided_by = ?3, decided_at = ?4, user_id = ?5, updated_at = ?4,
                    password_hash = NULL
              WHERE id = ?1 AND status = 'pending'",
        )?
        .execute(params![id, status, by, now, user])?;
    if n == 0 {
        return Err(AppError::conflict("the request has already been decided"));
    }
    Ok(true)
}
