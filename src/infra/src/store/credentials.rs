//! Credentials. The secret column only ever holds sealed bytes.

use meshcloud_kernel::db::cols;
use meshcloud_kernel::db::pages::{Anchored, sort_of};
use meshcloud_kernel::db::query::{Where, fetch_page_counted, live_count, order_or, rows_by_id};
use meshcloud_kernel::db::search::SearchIndex;
use meshcloud_kernel::ids::{CredentialId, OrgId, UserId};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone)]
pub struct CredentialRow {
    pub id: CredentialId,
    pub uuid: uuid::Uuid,
    pub org: OrgId,
    pub org_uuid: uuid::Uuid,
    pub owner: Option<UserId>,
    pub owner_uuid: Option<uuid::Uuid>,
    pub name: String,
    pub kind: String,
    pub sealed: Option<Vec<u8>>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

pub const ORDER_FIELDS: [&str; 4] = ["name", "type", "created_at", "updated_at"];
const ORDER: [(&str, &str); 4] =
    [("name", "c.name"), ("type", "c.type"), ("created_at", "c.created_at"), ("updated_at", "c.updated_at")];
const SELECT: &str = "SELECT c.id, c.uuid, c.org_id, o.uuid, c.owner_id, u.uuid, c.name, c.type, c.secret, \
    c.created_at, c.updated_at, c.deleted_at \
    FROM credentials c JOIN organizations o ON o.id = c.org_id LEFT JOIN users u ON u.id = c.owner_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<CredentialRow> {
    Ok(CredentialRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        org: r.get(2)?,
        org_uuid: cols::uuid(r, 3)?,
        owner: r.get(4)?,
        owner_uuid: cols::uuid_opt(r, 5)?,
        name: r.get(6)?,
        kind: r.get(7)?,
        sealed: r.get(8)?,
        created_at: cols::ts(r, 9)?,
        updated_at: cols::ts(r, 10)?,
        deleted_at: cols::ts_opt(r, 11)?,
    })
}

const SEARCH: SearchIndex = SearchIndex { table: "credentials_search", rowid: "c.id", scoped: true };
/// An org's live credentials page through buckets (migration V013).
const PAGES: Anchored = Anchored {
    table: "credentials",
    scope: "org_id",
    live: "deleted_at IS NULL",
    sorts: &[
        ("name", "credentials_name"),
        ("type", "credentials_type"),
        ("created_at", "credentials_created"),
        ("updated_at", "credentials_updated"),
    ],
};

pub fn list(conn: &Connection, org: OrgId, req: &PageRequest) -> AppResult<Page<CredentialRow>> {
    let mut w = Where::new("c.deleted_at IS NULL");
    w.and("c.org_id = ?", [Value::Integer(org.0)]);
    w.search_indexed(conn, req, &SEARCH, Some(org.0), &["c.name", "c.type"])?;
    let order = order_or(req, &ORDER, "c.id", "c.name, c.id");
    let total = if req.search.is_none() { Some(live_count(conn, org, "credentials")?) } else { None };
    if let Some(total) = total {
        let (column, descending) = sort_of(req, &ORDER, ("c.name", false));
        if let Some(ids) = PAGES.page(conn, org.0, column, descending, req, total)? {
            return rows_by_id(conn, ids, &format!("{SELECT} WHERE c.id = ?1"), from_row);
        }
    }
    let (select, from) = SELECT.split_once(" FROM ").unwrap_or((SELECT, ""));
    fetch_page_counted(conn, select, &format!("FROM {from}"), &w, &order, req, total, from_row)
}

pub fn by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<CredentialRow>> {
    let sql = format!("{SELECT} WHERE c.uuid = ?1 AND c.deleted_at IS NULL AND o.deleted_at IS NULL");
    Ok(conn.prepare_cached(&sql)?.query_row([uuid.to_string()], from_row).optional()?)
}

pub fn get(conn: &Connection, id: CredentialId) -> AppResult<CredentialRow> {
    let sql = format!("{SELECT} WHERE c.id = ?1");
    conn.prepare_cached(&sql)?.query_row([id], from_row).optional()?.ok_or(AppError::NotFound)
}

/// Inserts a credential whose secret was sealed for `uuid`.
pub fn insert(
    conn: &Connection,
    uuid: uuid::Uuid,
    org: OrgId,
    owner: UserId,
    name: &str,
    kind: &str,
    sealed: Option<&[u8]>,
) -> AppResult<CredentialId> {
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO credentials (uuid, org_id, owner_id, name, type, secret, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?
    .execute(params![uuid.to_string(), org, owner, name, kind, sealed, now])?;
    Ok(CredentialId(conn.last_insert_rowid()))
}

/// `sealed == None` keeps the stored secret.
pub fn update(conn: &Connection, id: CredentialId, name: &str, kind: &str, sealed: Option<&[u8]>) -> AppResult<()> {
    let now = time::now_db();
    match sealed {
        Some(s) => conn
            .prepare_cached("UPDATE credentials SET name = ?2, type = ?3, secret = ?4, updated_at = ?5 WHERE id = ?1")?
            .execute(params![id, name, kind, s, now])?,
        None => conn
            .prepare_cached("UPDATE credentials SET name = ?2, type = ?3, updated_at = ?4 WHERE id = ?1")?
            .execute(params![id, name, kind, now])?,
    };
    Ok(())
}

/// Soft delete. The sealed secret is dropped at once: a deleted credential
/// keeps nothing worth stealing. Connections using it lose the reference.
pub fn delete(conn: &Connection, id: CredentialId) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached("UPDATE credentials SET deleted_at = ?2, updated_at = ?2, secret = NULL WHERE id = ?1")?
        .execute(params![id, now])?;
    conn.prepare_cached("UPDATE connections SET credential_id = NULL WHERE credential_id = ?1")?.execute([id])?;
    Ok(())
}

/// The master-key canary, if one was stored.
pub fn canary(conn: &Connection) -> AppResult<Option<Vec<u8>>> {
    Ok(conn.prepare_cached("SELECT sealed FROM sealing_canary WHERE id = 1")?.query_row([], |r| r.get(0)).optional()?)
}

/// Replaces the canary (only when no secret is sealed under the old key).
pub fn replace_canary(conn: &Connection, sealed: &[u8]) -> AppResult<()> {
    conn.prepare_cached("UPDATE sealing_canary SET sealed = ?1, created_at = ?2 WHERE id = 1")?
        .execute(params![sealed, time::now_db()])?;
    Ok(())
}

/// Is any secret stored (sealed under whatever key the canary names)?
/// Is any secret that only the master key opens stored? (Credentials and
/// upstream providers' client secrets; ID-token signing keys are not counted:
/// they are replaced when they cannot be opened.)
pub fn any_sealed(conn: &Connection) -> AppResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM credentials WHERE secret IS NOT NULL
             UNION ALL SELECT 1 FROM oauth2_providers WHERE client_secret IS NOT NULL LIMIT 1",
        )?
        .query_row([], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Stores the canary unless another process stored one first; returns the one kept.
pub fn store_canary(conn: &Connection, sealed: &[u8]) -> AppResult<Vec<u8>> {
    conn.prepare_cached(
        "INSERT INTO sealing_canary (id, sealed, created_at) VALUES (1, ?1, ?2) ON CONFLICT DO NOTHING",
    )?
    .execute(params![sealed, time::now_db()])?;
    canary(conn)?.ok_or_else(|| AppError::internal("canary missing after insert"))
}
