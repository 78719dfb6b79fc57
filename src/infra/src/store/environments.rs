//! Environments and the connections attached to them.

use meshcloud_kernel::db::cols;
use meshcloud_kernel::db::pages::{Anchored, sort_of};
use meshcloud_kernel::db::query::{Where, fetch_page_counted, live_count, order_or, rows_by_id};
use meshcloud_kernel::db::search::SearchIndex;
use meshcloud_kernel::ids::{ConnectionId, EnvironmentId, OrgId, UserId, WorkspaceId, new_uuid};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone)]
pub struct EnvironmentRow {
    pub id: EnvironmentId,
    pub uuid: uuid::Uuid,
    pub org: OrgId,
    pub org_uuid: uuid::Uuid,
    pub owner: Option<uuid::Uuid>,
    pub name: String,
    pub description: String,
    pub metadata: serde_json::Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

pub const ORDER_FIELDS: [&str; 3] = ["name", "created_at", "updated_at"];
const ORDER: [(&str, &str); 3] = [("name", "e.name"), ("created_at", "e.created_at"), ("updated_at", "e.updated_at")];
/// The org's and owner's uuids come from subqueries by key, not joins: a
/// query on one table by a key is planned without statistics, so stale ones
/// cannot turn a point read into a scan of organizations or users.
const SELECT: &str = "SELECT e.id, e.uuid, e.org_id, (SELECT o.uuid FROM organizations o WHERE o.id = e.org_id), \
    (SELECT u.uuid FROM users u WHERE u.id = e.owner_id), e.name, e.description, e.metadata, \
    e.created_at, e.updated_at, e.deleted_at";
const FROM: &str = "FROM environments e";
const LIST_FROM: &str = "FROM environments e";
const SEARCH: SearchIndex = SearchIndex { table: "environments_search", rowid: "e.id", scoped: true };
/// An org's live environments page through buckets (migration V013).
const PAGES: Anchored = Anchored {
    table: "environments",
    scope: "org_id",
    live: "deleted_at IS NULL",
    sorts: &[
        ("name", "environments_name"),
        ("created_at", "environments_created"),
        ("updated_at", "environments_updated"),
    ],
};

fn from_row(r: &Row<'_>) -> rusqlite::Result<EnvironmentRow> {
    Ok(EnvironmentRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        org: r.get(2)?,
        org_uuid: cols::uuid(r, 3)?,
        owner: cols::uuid_opt(r, 4)?,
        name: r.get(5)?,
        description: r.get(6)?,
        metadata: cols::json(r, 7)?,
        created_at: cols::ts(r, 8)?,
        updated_at: cols::ts(r, 9)?,
        deleted_at: cols::ts_opt(r, 10)?,
    })
}

/// Live environments of an org; with `workspace`, only (or, `assigned == false`,
/// all but) those linked to it.
pub fn list(
    conn: &Connection,
    org: OrgId,
    workspace: Option<(WorkspaceId, bool)>,
    req: &PageRequest,
) -> AppResult<Page<EnvironmentRow>> {
    let mut w = Where::new("e.deleted_at IS NULL");
    w.and("e.org_id = ?", [Value::Integer(org.0)]);
    if let Some((ws, assigned)) = workspace {
        let not = if assigned { "" } else { "NOT " };
        w.and(
            &format!(
                "e.uuid {not}IN (SELECT target FROM workspace_links WHERE workspace_id = ? AND kind = 'environment')"
            ),
            [Value::Integer(ws.0)],
        );
    }
    w.search_indexed(conn, req, &SEARCH, Some(org.0), &["e.name", "e.description"])?;
    let order = order_or(req, &ORDER, "e.id", "e.name, e.id");
    let by_id = format!("{SELECT} {FROM} WHERE e.id = ?1");
    let total = match (&req.search, workspace) {
        (None, None) => Some(live_count(conn, org, "environments")?),
        _ => None,
    };
    if let Some(total) = total {
        let (column, descending) = sort_of(req, &ORDER, ("e.name", false));
        if let Some(ids) = PAGES.page(conn, org.0, column, descending, req, total)? {
            return rows_by_id(conn, ids, &by_id, from_row);
        }
    }
    // Page through the index on the bare table, then read only the page's rows.
    let ids = fetch_page_counted(conn, "SELECT e.id", LIST_FROM, &w, &order, req, total, |r| r.get::<_, i64>(0))?;
    rows_by_id(conn, ids, &by_id, from_row)
}

pub fn by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<EnvironmentRow>> {
    let sql = format!(
        "{SELECT} {FROM} WHERE e.uuid = ?1 AND e.deleted_at IS NULL
            AND (SELECT count(*) FROM organizations o WHERE o.id = e.org_id AND o.deleted_at IS NULL) > 0"
    );
    Ok(conn.prepare_cached(&sql)?.query_row([uuid.to_string()], from_row).optional()?)
}

pub fn get(conn: &Connection, id: EnvironmentId) -> AppResult<EnvironmentRow> {
    let sql = format!("{SELECT} {FROM} WHERE e.id = ?1");
    conn.prepare_cached(&sql)?.query_row([id], from_row).optional()?.ok_or(AppError::NotFound)
}

pub fn insert(conn: &Connection, org: OrgId, owner: UserId, name: &str, description: &str) -> AppResult<EnvironmentId> {
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO environments (uuid, org_id, owner_id, name, description, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![new_uuid().to_string(), org, owner, name, description, now])?;
    Ok(EnvironmentId(conn.last_insert_rowid()))
}

pub fn update(conn: &Connection, id: EnvironmentId, name: &str, description: &str) -> AppResult<()> {
    conn.prepare_cached("UPDATE environments SET name = ?2, description = ?3, updated_at = ?4 WHERE id = ?1")?
        .execute(params![id, name, description, time::now_db()])?;
    Ok(())
}

/// Soft delete; the environment's connection and workspace links go at once.
pub fn delete(conn: &Connection, id: EnvironmentId, uuid: uuid::Uuid) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached("UPDATE environments SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1")?
        .execute(params![id, now])?;
    conn.prepare_cached("DELETE FROM environment_connections WHERE environment_id = ?1")?.execute([id])?;
    conn.prepare_cached("DELETE FROM workspace_links WHERE kind = 'environment' AND target = ?1")?
        .execute([uuid.to_string()])?;
    Ok(())
}

/// Links a connection; false if it was linked already.
pub fn attach(conn: &Connection, env: EnvironmentId, connection: ConnectionId) -> AppResult<bool> {
    let n = conn
        .prepare_cached(
            "INSERT INTO environment_connections (environment_id, connection_id, uuid, created_at)
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        )?
        .execute(params![env, connection, new_uuid().to_string(), time::now_db()])?;
    Ok(n == 1)
}

pub fn detach(conn: &Connection, env: EnvironmentId, connection: ConnectionId) -> AppResult<bool> {
    let n = conn
        .prepare_cached("DELETE FROM environment_connections WHERE environment_id = ?1 AND connection_id = ?2")?
        .execute(params![env, connection])?;
    Ok(n == 1)
}

/// The live environments a connection is attached to, by name.
pub fn of_connection(conn: &Connection, connection: ConnectionId) -> AppResult<Vec<EnvironmentRow>> {
    let sql = format!(
        "{SELECT} FROM environment_connections ec JOIN environments e ON e.id = ec.environment_id
          WHERE ec.connection_id = ?1 AND e.deleted_at IS NULL ORDER BY e.name"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([connection], from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

#[cfg(test)]
mod plans {
    //! The hot queries of environments keep their plans whatever the
    //! statistics say (see `meshcloud_kernel::db::plan`).

    use meshcloud_kernel::db::plan::{Expect, Stats, check, check_under_each, set_stats, statements_of};

    use super::*;

    #[test]
    fn point_reads_and_first_pages_keep_their_plans_under_any_statistics() {
        let dir = tempfile::TempDir::new().expect("tmp");
        let path = dir.path().join("plans.db");
        meshcloud_kernel::db::migrate(&path).expect("migrates");
        let conn = Connection::open(&path).expect("opens");
        conn.execute_batch(
            "BEGIN;
             INSERT INTO users (uuid, email, user_id, created_at, updated_at) VALUES ('00000000-0000-4000-8000-000000000000', 'a@b.c', 'a', '', '');
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
             INSERT INTO organizations (uuid, name, owner_id, created_at, updated_at) 
                 SELECT printf('00000000-0000-4000-8000-%012d', i), 'org', 1, '', '' FROM n;
             COMMIT;",
        )
        .expect("seed");
        let (org, owner) = (OrgId(1), UserId(1));
        conn.execute_batch("BEGIN").expect("begin");
        for i in 0..2000 {
            insert(&conn, OrgId(1 + i % 20), owner, &format!("env {i:04}"), "").expect("env");
        }
        conn.execute_batch("COMMIT").expect("commit");
        let env = get(&conn, EnvironmentId(1)).expect("env");

        let row = Expect {
            uses: &["SEARCH o USING INTEGER PRIMARY KEY", "SEARCH u USING INTEGER PRIMARY KEY"],
            never_scan: &["e", "o", "u"],
        };
        let mut queries = Vec::new();
        let (_, sqls) = statements_of(&conn, || by_uuid(&conn, env.uuid).expect("read").expect("found"));
        assert_eq!(sqls.len(), 1);
        queries.push((
            sqls[0].clone(),
            Expect { uses: &["sqlite_autoindex_environments_1"], never_scan: &["e", "o", "u"] },
        ));
        let (_, sqls) = statements_of(&conn, || get(&conn, env.id).expect("read"));
        queries.push((sqls[0].clone(), Expect { uses: &["SEARCH e USING INTEGER PRIMARY KEY"], ..row }));
        for order in [None, Some("created_at"), Some("updated_at")] {
            let req = PageRequest {
                offset: 0,
                limit: 25,
                search: None,
                order: order.map(|f| meshcloud_kernel::page::Order { field: f.into(), descending: true }),
            };
            let (page, sqls) = statements_of(&conn, || list(&conn, org, None, &req).expect("list"));
            assert_eq!((page.items.len(), page.total), (25, 100));
            let index: &'static [&'static str] = match order {
                None => &["environments_name"],
                Some("created_at") => &["environments_created"],
                _ => &["environments_updated"],
            };
            // The count, the buckets, the seeks in the sort's index (two or
            // three: ties of the bucket's first key, how many, the rest), the rows.
            assert!((5..=6).contains(&sqls.len()), "{sqls:#?}");
            for sql in sqls {
                let want = if sql.contains("live_counts") {
                    Expect { uses: &["live_counts"], never_scan: &["live_counts"] }
                } else if sql.contains("environments_pages") {
                    Expect { uses: &["PRIMARY KEY (sort=? AND scope=?)"], never_scan: &["environments_pages"] }
                } else if sql.contains("INDEXED BY") {
                    Expect { uses: index, never_scan: &["environments"] }
                } else {
                    Expect { uses: &["SEARCH e USING INTEGER PRIMARY KEY"], ..row }
                };
                queries.push((sql, want));
            }
        }
        // A search reads its candidates first and each environment by its
        // key. Statistics that call environments a one-row table make SQLite
        // scan it per candidate instead: they are refreshed (see `db::plan`).
        let req = PageRequest { offset: 0, limit: 25, search: Some("env 01".into()), order: None };
        let (page, sqls) = statements_of(&conn, || list(&conn, org, None, &req).expect("search"));
        assert_eq!((page.items.len(), page.total), (5, 5));
        let searched: Vec<String> = sqls.into_iter().filter(|s| s.contains("search_hits")).collect();
        assert_eq!(searched.len(), 1);
        for stats in [Stats::Absent, Stats::Fresh] {
            set_stats(&conn, stats, &[]).expect("stats");
            let want = Expect { uses: &["SEARCH e USING INTEGER PRIMARY KEY"], never_scan: &["e"] };
            check(&conn, &searched[0], want).unwrap_or_else(|e| panic!("[{stats:?}] {e}"));
        }
        let poison = [("organizations", 1), ("users", 1), ("environments", 1), ("live_counts", 1)];
        check_under_each(&conn, &poison, &queries).unwrap_or_else(|e| panic!("{e}"));
    }
}
