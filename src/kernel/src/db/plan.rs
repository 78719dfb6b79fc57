//! Query plans under test: what a store function runs, and how SQLite plans
//! it with no statistics, fresh statistics and misleading ones.
//!
//! Each family's store tests its own hot queries with this (stores are
//! private to their crates): run the store function inside [`statements_of`],
//! then [`check_under_each`] explains every statement it ran under the three
//! statistics states and asserts the intended indexes are used and no big
//! table is scanned. SQLite-only by nature (`EXPLAIN QUERY PLAN`,
//! `sqlite_stat1`).

use std::cell::RefCell;

use rusqlite::Connection;
use rusqlite::trace::{TraceEvent, TraceEventCodes};

use crate::AppResult;

thread_local! {
    static SEEN: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

fn record(e: TraceEvent<'_>) {
    if let TraceEvent::Stmt(stmt, _) = e {
        let sql = stmt.sql().trim().to_string();
        SEEN.with(|s| {
            if let Some(v) = s.borrow_mut().as_mut()
                && !sql.starts_with("--")
                && !v.contains(&sql)
            {
                v.push(sql);
            }
        });
    }
}

/// Runs `f` and returns, with its result, the text (parameters unbound) of
/// every distinct statement it ran on `conn`, in order.
pub fn statements_of<T>(conn: &Connection, f: impl FnOnce() -> T) -> (T, Vec<String>) {
    SEEN.with(|s| *s.borrow_mut() = Some(Vec::new()));
    conn.trace_v2(TraceEventCodes::SQLITE_TRACE_STMT, Some(record));
    let out = f();
    conn.trace_v2(TraceEventCodes::empty(), None);
    let seen = SEEN.with(|s| s.borrow_mut().take()).unwrap_or_default();
    (out, seen)
}

/// The `EXPLAIN QUERY PLAN` lines of `sql`, parameters left unbound.
pub fn explain(conn: &Connection, sql: &str) -> AppResult<Vec<String>> {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
    let mut rows = stmt.raw_query();
    let mut lines = Vec::new();
    while let Some(r) = rows.next()? {
        lines.push(r.get::<_, String>(3)?);
    }
    Ok(lines)
}

/// What a plan must show: each of `uses` somewhere in it (an index name, or a
/// whole phrase such as `SEARCH o USING INTEGER PRIMARY KEY`), and no line
/// that scans one of `never_scan` (table aliases as the SQL names them), with
/// or without an index: a scan reads the whole table or index.
#[derive(Debug, Clone, Copy)]
pub struct Expect<'a> {
    pub uses: &'a [&'a str],
    pub never_scan: &'a [&'a str],
}

/// Checks one statement's plan against `want`; the error shows the plan.
pub fn check(conn: &Connection, sql: &str, want: Expect<'_>) -> Result<(), String> {
    let plan = explain(conn, sql).map_err(|e| format!("cannot explain {sql}: {e}"))?;
    let missing: Vec<&&str> = want.uses.iter().filter(|u| !plan.iter().any(|l| l.contains(**u))).collect();
    let scans: Vec<&String> = plan
        .iter()
        .filter(|l| {
            want.never_scan.iter().any(|t| l.as_str() == format!("SCAN {t}") || l.starts_with(&format!("SCAN {t} ")))
        })
        .collect();
    if missing.is_empty() && scans.is_empty() {
        return Ok(());
    }
    Err(format!("{sql}\n  plan: {plan:#?}\n  missing: {missing:?}\n  scans: {scans:?}"))
}

/// The statistics the planner works from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stats {
    /// Never analyzed (a fresh install).
    Absent,
    /// ANALYZE of the data as it is.
    Fresh,
    /// Statistics claiming each listed table holds the given number of rows,
    /// each index key matching one of them: what statistics taken on a
    /// nearly empty install say once tables grew.
    Poisoned,
}

/// Puts `conn`'s database into `state`; `poison` lists (table, rows) for
/// [`Stats::Poisoned`]. Needs a writable connection.
pub fn set_stats(conn: &Connection, state: Stats, poison: &[(&str, i64)]) -> AppResult<()> {
    // ANALYZE creates sqlite_stat1 if needed; `ANALYZE sqlite_schema` reloads
    // whatever the table then holds without analyzing anything.
    conn.execute_batch("ANALYZE")?;
    match state {
        Stats::Fresh => {}
        Stats::Absent => conn.execute_batch("DELETE FROM sqlite_stat1; ANALYZE sqlite_schema;")?,
        Stats::Poisoned => {
            for (table, rows) in poison {
                conn.execute("DELETE FROM sqlite_stat1 WHERE tbl = ?1", [table])?;
                let mut idx = conn.prepare("SELECT name FROM pragma_index_list(?1)")?;
                let names = idx.query_map([table], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
                for name in names {
                    let cols: i64 =
                        conn.query_row("SELECT count(*) FROM pragma_index_info(?1)", [&name], |r| r.get(0))?;
                    let mut stat = rows.to_string();
                    for _ in 0..cols {
                        stat.push_str(" 1");
                    }
                    conn.execute(
                        "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?1, ?2, ?3)",
                        [*table, &name, &stat],
                    )?;
                }
                conn.execute(
                    "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?1, NULL, ?2)",
                    [*table, &rows.to_string()],
                )?;
            }
            conn.execute_batch("ANALYZE sqlite_schema")?;
        }
    }
    Ok(())
}

/// Checks every `(sql, expect)` under each statistics state; collects every
/// failure, each labelled with its state.
pub fn check_under_each(
    conn: &Connection,
    poison: &[(&str, i64)],
    queries: &[(String, Expect<'_>)],
) -> Result<(), String> {
    let mut failures = Vec::new();
    for state in [Stats::Absent, Stats::Fresh, Stats::Poisoned] {
        set_stats(conn, state, poison).map_err(|e| format!("cannot set statistics {state:?}: {e}"))?;
        for (sql, want) in queries {
            if let Err(e) = check(conn, sql, *want) {
                failures.push(format!("[{state:?}] {e}"));
            }
        }
    }
    if failures.is_empty() { Ok(()) } else { Err(failures.join("\n\n")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Db, DbOptions};

    fn plan_of(conn: &Connection) -> Vec<String> {
        explain(conn, "SELECT * FROM t WHERE a = ?1 AND b = ?2").expect("explain")
    }

    const SCHEMA: &str = "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, b INTEGER NOT NULL) STRICT;
        CREATE INDEX t_a ON t (a); CREATE INDEX t_b ON t (b);
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
        INSERT INTO t (a, b) SELECT i % 2, i FROM n;";

    /// Statistics the writer's scheduled refresh takes reach every reader,
    /// also for statements it had prepared before (an ANALYZE alone would
    /// not: other connections keep the statistics they loaded).
    #[tokio::test]
    async fn readers_see_statistics_the_writer_takes() {
        let dir = tempfile::TempDir::new().expect("tmp");
        let opts = DbOptions { readers: 1, optimize_every: 2, ..DbOptions::default() };
        let db = Db::open(&dir.path().join("t.db"), opts).expect("open");
        db.write(|c| {
            c.execute_batch(SCHEMA)?;
            // Statistics taken when `t` held 20 rows and `a` was the
            // selective column.
            c.execute_batch(
                "ANALYZE; DELETE FROM sqlite_stat1 WHERE tbl = 't';
                 INSERT INTO sqlite_stat1 VALUES ('t', 't_a', '20 1'), ('t', 't_b', '20 10');
                 ANALYZE sqlite_schema;",
            )?;
            Ok(())
        })
        .await
        .expect("seed");
        let cached = "SELECT id FROM t WHERE a = ?1 AND b = ?2";
        let before = db
            .read(move |c| {
                c.prepare_cached(cached)?.query_map([1, 3], |r| r.get::<_, i64>(0))?.for_each(drop);
                Ok(plan_of(c))
            })
            .await
            .expect("plan");
        assert!(before.iter().any(|l| l.contains("INDEX t_a")), "{before:?}");
        // The second batch is followed by the refresh, which finds `t` a
        // hundred times larger than its statistics say.
        db.write(|_| Ok(())).await.expect("second batch");
        db.write(|_| Ok(())).await.expect("after the refresh");
        let after = db
            .read(move |c| {
                let n = c.prepare_cached(cached)?.query_map([1, 3], |r| r.get::<_, i64>(0))?.count();
                Ok((n, plan_of(c)))
            })
            .await
            .expect("plan");
        assert_eq!(after.0, 1);
        assert!(after.1.iter().any(|l| l.contains("INDEX t_b")), "{after:?}");
        db.close();
    }

    /// The writer refreshes statistics on its own after `optimize_every`
    /// batches: a table that grew since its last analysis gets new ones.
    #[tokio::test]
    async fn the_writer_refreshes_statistics_while_it_runs() {
        let dir = tempfile::TempDir::new().expect("tmp");
        let opts = DbOptions { readers: 1, optimize_every: 4, ..DbOptions::default() };
        let db = Db::open(&dir.path().join("t.db"), opts).expect("open");
        db.write(|c| {
            c.execute_batch(
                "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, b INTEGER NOT NULL) STRICT;
                 CREATE INDEX t_a ON t (a); CREATE INDEX t_b ON t (b);
                 INSERT INTO t (a, b) VALUES (1, 1); ANALYZE;",
            )?;
            Ok(())
        })
        .await
        .expect("seed");
        let rows = |c: &Connection| -> AppResult<String> {
            Ok(c.query_row("SELECT stat FROM sqlite_stat1 WHERE idx = 't_b'", [], |r| r.get(0))?)
        };
        assert_eq!(db.read(rows).await.expect("stat"), "1 1");
        for _ in 0..3 {
            db.write(|c| {
                c.execute_batch(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
                     INSERT INTO t (a, b) SELECT i % 2, i FROM n;",
                )?;
                Ok(())
            })
            .await
            .expect("grow");
        }
        // The refresh runs right after the fourth batch (the third growth)
        // committed; one more write is answered only after it.
        db.write(|_| Ok(())).await.expect("write");
        let stat = db.read(rows).await.expect("stat");
        assert!(stat.starts_with("3001 "), "{stat}");
        db.close();
    }

    #[test]
    fn the_three_statistics_states_reach_the_planner() {
        let conn = Connection::open_in_memory().expect("open");
        conn.execute_batch(SCHEMA).expect("seed");
        let sql = "SELECT * FROM t WHERE a = ?1 AND b = ?2".to_string();
        let by_b = Expect { uses: &["INDEX t_b"], never_scan: &["t"] };
        set_stats(&conn, Stats::Fresh, &[]).expect("fresh");
        check(&conn, &sql, by_b).expect("fresh statistics pick t_b");
        set_stats(&conn, Stats::Poisoned, &[("t", 10_000)]).expect("poison");
        let stat: String =
            conn.query_row("SELECT stat FROM sqlite_stat1 WHERE idx = 't_b'", [], |r| r.get(0)).expect("stat");
        assert_eq!(stat, "10000 1");
        set_stats(&conn, Stats::Absent, &[]).expect("absent");
        let n: i64 = conn.query_row("SELECT count(*) FROM sqlite_stat1", [], |r| r.get(0)).expect("count");
        assert_eq!(n, 0);
        let err =
            check_under_each(&conn, &[("t", 10_000)], &[(sql.clone(), Expect { uses: &["t_none"], never_scan: &[] })])
                .expect_err("no such index");
        assert_eq!(err.matches("missing").count(), 3, "{err}");
        let (_, seen) = statements_of(&conn, || {
            conn.query_row("SELECT count(*) FROM t WHERE a = ?1", [1], |r| r.get::<_, i64>(0)).expect("count")
        });
        assert_eq!(seen, vec!["SELECT count(*) FROM t WHERE a = ?1".to_string()]);
    }
}
