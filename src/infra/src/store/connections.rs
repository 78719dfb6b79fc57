//! Connections: clusters, registries and services an org's tools talk to.

use std::collections::BTreeMap;

use meshcloud_kernel::db::cols;
use meshcloud_kernel::db::pages::{Anchored, sort_of};
use meshcloud_kernel::db::query::{Where, fetch_page_counted, live_count, order_or, rows_by_id};
use meshcloud_kernel::db::search::SearchIndex;
use meshcloud_kernel::ids::{ConnectionId, CredentialId, EnvironmentId, OrgId, UserId, new_uuid};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

#[derive(Debug, Clone)]
pub struct ConnectionRow {
    pub id: ConnectionId,
    pub uuid: uuid::Uuid,
    pub org: OrgId,
    pub org_uuid: uuid::Uuid,
    pub owner: Option<uuid::Uuid>,
    pub name: String,
    pub kind_type: String,
    pub sub_type: String,
    pub kind: String,
    pub status: String,
    pub metadata: serde_json::Value,
    pub credential: Option<uuid::Uuid>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

pub const ORDER_FIELDS: [&str; 7] = ["name", "kind", "type", "sub_type", "status", "created_at", "updated_at"];
const ORDER: [(&str, &str); 7] = [
    ("name", "c.name"),
    ("kind", "c.kind"),
    ("type", "c.type"),
    ("sub_type", "c.sub_type"),
    ("status", "c.status"),
    ("created_at", "c.created_at"),
    ("updated_at", "c.updated_at"),
];
/// `uuid` of a row is its id on the wire: the client's own (`alias_uuid`) where
/// another organization already held it (migration V021).
const SELECT: &str = "SELECT c.id, COALESCE(c.alias_uuid, c.uuid), c.org_id, o.uuid, u.uuid, c.name, c.type, c.sub_type, c.kind, c.status, \
    c.metadata, cr.uuid, c.created_at, c.updated_at, c.deleted_at";
const FROM: &str = "FROM connections c JOIN organizations o ON o.id = c.org_id \
    LEFT JOIN users u ON u.id = c.owner_id LEFT JOIN credentials cr ON cr.id = c.credential_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<ConnectionRow> {
    Ok(ConnectionRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        org: r.get(2)?,
        org_uuid: cols::uuid(r, 3)?,
        owner: cols::uuid_opt(r, 4)?,
        name: r.get(5)?,
        kind_type: r.get(6)?,
        sub_type: r.get(7)?,
        kind: r.get(8)?,
        status: r.get(9)?,
        metadata: cols::json(r, 10)?,
        credential: cols::uuid_opt(r, 11)?,
        created_at: cols::ts(r, 12)?,
        updated_at: cols::ts(r, 13)?,
        deleted_at: cols::ts_opt(r, 14)?,
    })
}

/// What a connection list may be narrowed to.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub kinds: Vec<String>,
    pub statuses: Vec<String>,
    pub types: Vec<String>,
    /// Substring of the name.
    pub name: Option<String>,
    /// Only connections attached to this environment.
    pub environment: Option<EnvironmentId>,
}

fn filtered(org: OrgId, f: &Filter) -> Where {
    let mut w = Where::new("c.deleted_at IS NULL");
    w.and("c.org_id = ?", [Value::Integer(org.0)]);
    w.any_of("c.kind", &f.kinds).any_of("c.status", &f.statuses).any_of("c.type", &f.types);
    if let Some(n) = &f.name {
        w.and("c.name LIKE ? ESCAPE '\\'", [Value::Text(meshcloud_kernel::page::like_pattern(n))]);
    }
    if let Some(e) = f.environment {
        w.and(
            "c.id IN (SELECT connection_id FROM environment_connections WHERE environment_id = ?)",
            [Value::Integer(e.0)],
        );
    }
    w
}

const SEARCH: SearchIndex = SearchIndex { table: "connections_search", rowid: "c.id", scoped: true };
const SEARCHED: [&str; 4] = ["c.name", "c.kind", "c.type", "c.sub_type"];
/// An org's live connections page through buckets (migration V013).
const PAGES: Anchored = Anchored {
    table: "connections",
    scope: "org_id",
    live: "deleted_at IS NULL",
    sorts: &[
        ("name", "connections_name"),
        ("kind", "connections_kind"),
        ("type", "connections_type"),
        ("sub_type", "connections_sub_type"),
        ("status", "connections_status"),
        ("created_at", "connections_created"),
        ("updated_at", "connections_updated"),
    ],
};

pub fn list(conn: &Connection, org: OrgId, f: &Filter, req: &PageRequest) -> AppResult<Page<ConnectionRow>> {
    let mut w = filtered(org, f);
    w.search_indexed(conn, req, &SEARCH, Some(org.0), &SEARCHED)?;
    let order = order_or(req, &ORDER, "c.id", "c.name, c.id");
    let unfiltered = req.search.is_none()
        && f.kinds.is_empty()
        && f.statuses.is_empty()
        && f.types.is_empty()
        && f.name.is_none()
        && f.environment.is_none();
    let total = if unfiltered { Some(live_count(conn, org, "connections")?) } else { None };
    let by_id = format!("{SELECT} {FROM} WHERE c.id = ?1");
    if let Some(total) = total {
        let (column, descending) = sort_of(req, &ORDER, ("c.name", false));
        if let Some(ids) = PAGES.page(conn, org.0, column, descending, req, total)? {
            return rows_by_id(conn, ids, &by_id, from_row);
        }
    }
    let ids =
        fetch_page_counted(conn, "SELECT c.id", "FROM connections c", &w, &order, req, total, |r| r.get::<_, i64>(0))?;
    rows_by_id(conn, ids, &by_id, from_row)
}

/// How many of the filtered connections are in each status.
pub fn status_summary(
    conn: &Connection,
    org: OrgId,
    f: &Filter,
    req: &PageRequest,
) -> AppResult<BTreeMap<String, u64>> {
    let mut w = filtered(org, f);
    w.search_indexed(conn, req, &SEARCH, Some(org.0), &SEARCHED)?;
    let sql = format!("SELECT c.status, count(*) {} WHERE {} GROUP BY c.status", w.from("FROM connections c"), w.sql());
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(w.params()), |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (status, n) = row?;
        out.insert(status, n as u64);
    }
    Ok(out)
}

/// The live connections with this id (their `alias_uuid`, or their `uuid`
/// where they have no alias), one per organization at most, oldest first.
/// Two key lookups and then each row by its key: plans that no statistics
/// can turn into a scan.
pub fn by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Vec<ConnectionRow>> {
    let mut ids: Vec<i64> = conn
        .prepare_cached(
            "SELECT id FROM connections WHERE uuid = ?1 AND alias_uuid IS NULL AND deleted_at IS NULL
             UNION ALL
             SELECT id FROM connections INDEXED BY connections_alias WHERE alias_uuid = ?1 AND deleted_at IS NULL",
        )?
        .query_map([uuid.to_string()], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    ids.sort_unstable();
    let sql = format!("{SELECT} {FROM} WHERE c.id = ?1 AND o.deleted_at IS NULL");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(row) = stmt.query_row([id], from_row).optional()? {
            out.push(row);
        }
    }
    Ok(out)
}

/// The live connection of `org` with this id.
pub fn by_uuid_in(conn: &Connection, org: OrgId, uuid: uuid::Uuid) -> AppResult<Option<ConnectionRow>> {
    Ok(by_uuid(conn, uuid)?.into_iter().find(|r| r.org == org))
}

/// `(row id, soft-deleted?)` of `org`'s connection with this id, deleted or not.
pub fn any_in_org(conn: &Connection, org: OrgId, uuid: uuid::Uuid) -> AppResult<Option<(ConnectionId, bool)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, deleted_at IS NOT NULL FROM connections c
              WHERE c.org_id = ?2 AND COALESCE(c.alias_uuid, c.uuid) = ?1",
        )?
        .query_row(params![uuid.to_string(), org], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Is this `uuid` a stored row's own, in any organization?
fn uuid_taken(conn: &Connection, uuid: &str) -> AppResult<bool> {
    Ok(conn.prepare_cached("SELECT 1 FROM connections WHERE uuid = ?1")?.exists([uuid])?)
}

/// Removes a soft-deleted connection for good (its id is being registered again).
pub fn erase(conn: &Connection, id: ConnectionId) -> AppResult<()> {
    conn.prepare_cached("DELETE FROM connections WHERE id = ?1 AND deleted_at IS NOT NULL")?.execute([id])?;
    Ok(())
}

pub fn get(conn: &Connection, id: ConnectionId) -> AppResult<ConnectionRow> {
    let sql = format!("{SELECT} {FROM} WHERE c.id = ?1");
    conn.prepare_cached(&sql)?.query_row([id], from_row).optional()?.ok_or(AppError::NotFound)
}

/// Columns a client sets on a connection.
pub struct ConnectionFields<'a> {
    pub name: &'a str,
    pub kind_type: &'a str,
    pub sub_type: &'a str,
    pub kind: &'a str,
    pub status: &'a str,
    pub metadata: &'a serde_json::Value,
    pub credential: Option<CredentialId>,
    pub meshery_server_id: Option<&'a str>,
}

pub fn insert(
    conn: &Connection,
    uuid: Option<uuid::Uuid>,
    org: OrgId,
    owner: UserId,
    f: &ConnectionFields<'_>,
) -> AppResult<ConnectionId> {
    let now = time::now_db();
    // An id another organization holds is kept as this row's alias: it
    // neither collides with that row nor tells the client it exists.
    let (own, alias) = match uuid.map(|u| u.to_string()) {
        Some(wanted) if uuid_taken(conn, &wanted)? => (new_uuid().to_string(), Some(wanted)),
        Some(wanted) => (wanted, None),
        None => (new_uuid().to_string(), None),
    };
    conn.prepare_cached(
        "INSERT INTO connections (uuid, org_id, owner_id, name, type, sub_type, kind, status, metadata, credential_id,
                                  meshery_server_id, created_at, updated_at, alias_uuid)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13)",
    )?
    .execute(params![
        own,
        org,
        owner,
        f.name,
        f.kind_type,
        f.sub_type,
        f.kind,
        f.status,
        f.metadata.to_string(),
        f.credential,
        f.meshery_server_id,
        now,
        alias
    ])
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => AppError::conflict("a connection with this id already exists"),
        other => other,
    })?;
    Ok(ConnectionId(conn.last_insert_rowid()))
}

pub fn update(conn: &Connection, id: ConnectionId, f: &ConnectionFields<'_>) -> AppResult<()> {
    conn.prepare_cached(
        "UPDATE connections SET name = ?2, type = ?3, sub_type = ?4, kind = ?5, status = ?6, metadata = ?7,
                credential_id = ?8, meshery_server_id = ?9, updated_at = ?10
          WHERE id = ?1",
    )?
    .execute(params![
        id,
        f.name,
        f.kind_type,
        f.sub_type,
        f.kind,
        f.status,
        f.metadata.to_string(),
        f.credential,
        f.meshery_server_id,
        time::now_db()
    ])?;
    Ok(())
}

/// Soft delete; the connection leaves every environment.
pub fn delete(conn: &Connection, id: ConnectionId) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached("UPDATE connections SET deleted_at = ?2, updated_at = ?2, status = 'deleted' WHERE id = ?1")?
        .execute(params![id, now])?;
    conn.prepare_cached("DELETE FROM environment_connections WHERE connection_id = ?1")?.execute([id])?;
    Ok(())
}

/// Live connections of an org registered by one Meshery server, or that server's own connection.
pub fn of_meshery_server(conn: &Connection, org: OrgId, server: &str) -> AppResult<Vec<(ConnectionId, uuid::Uuid)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, COALESCE(alias_uuid, uuid) FROM connections
          WHERE org_id = ?1 AND deleted_at IS NULL
            AND (meshery_server_id = ?2 OR (kind = 'meshery' AND COALESCE(alias_uuid, uuid) = ?2))",
    )?;
    let rows = stmt.query_map(params![org, server], |r| Ok((r.get(0)?, cols::uuid(r, 1)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

#[cfg(test)]
mod plans {
    //! Finding a connection by its wire id (its own uuid or an alias, V021)
    //! is a key lookup whatever the statistics say.

    use meshcloud_kernel::db::plan::{Expect, check_under_each, statements_of};

    use super::*;

    #[test]
    fn reads_by_id_are_key_lookups() {
        let dir = tempfile::TempDir::new().expect("tmp");
        let path = dir.path().join("plans.db");
        meshcloud_kernel::db::migrate(&path).expect("migrates");
        let conn = Connection::open(&path).expect("opens");
        conn.execute_batch(
            "INSERT INTO users (uuid, email, user_id, created_at, updated_at) VALUES ('00000000-0000-4000-8000-000000000000', 'a@b.c', 'a', '', '');
             INSERT INTO organizations (uuid, name, owner_id, created_at, updated_at) VALUES
                 ('00000000-0000-4000-8000-000000000001', 'a', 1, '', ''), ('00000000-0000-4000-8000-000000000002', 'b', 1, '', '');",
        )
        .expect("seed");
        let f = ConnectionFields {
            name: "k",
            kind_type: "platform",
            sub_type: "orchestration",
            kind: "kubernetes",
            status: "connected",
            metadata: &serde_json::json!({}),
            credential: None,
            meshery_server_id: None,
        };
        conn.execute_batch("BEGIN").expect("begin");
        let wanted = new_uuid();
        insert(&conn, Some(wanted), OrgId(1), UserId(1), &f).expect("first");
        // The same id in another org becomes an alias of a fresh row uuid.
        insert(&conn, Some(wanted), OrgId(2), UserId(1), &f).expect("aliased");
        for i in 0..500 {
            insert(&conn, None, OrgId(1 + i % 2), UserId(1), &f).expect("more");
        }
        conn.execute_batch("COMMIT").expect("commit");
        let (found, sqls) = statements_of(&conn, || by_uuid(&conn, wanted).expect("read"));
        assert_eq!(found.iter().map(|r| (r.org, r.uuid)).collect::<Vec<_>>(), [(OrgId(1), wanted), (OrgId(2), wanted)]);
        assert_eq!(sqls.len(), 2, "{sqls:#?}");
        let ids =
            Expect { uses: &["connections_alias", "sqlite_autoindex_connections_1"], never_scan: &["connections"] };
        // (The rows are then read by key with the same joins as `get`.)
        let (_, in_org) = statements_of(&conn, || any_in_org(&conn, OrgId(2), wanted).expect("read"));
        let queries = vec![
            (sqls[0].clone(), ids),
            (in_org[0].clone(), Expect { uses: &["connections_wire_id"], never_scan: &["c"] }),
        ];
        check_under_each(&conn, &[("connections", 1), ("organizations", 1)], &queries)
            .unwrap_or_else(|e| panic!("{e}"));
    }
}
