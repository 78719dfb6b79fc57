//! Pages of large lists that cost the same anywhere in the list. The
//! migration that creates `<table>_pages` (V013) describes the buckets its
//! triggers keep: for each scope and sort column, the first key `(k, id)` of
//! every run of about a thousand live rows and how many rows the run holds.
//! A page sums those counts from the nearer end to find the run holding its
//! offset, seeks to the run's first key and skips less than one run.

use rusqlite::{Connection, params};

use crate::AppResult;
use crate::page::{Page, PageRequest};

/// A table whose lists are anchored, as its `_pages` migration defines them.
pub struct Anchored {
    pub table: &'static str,
    /// The column a list is scoped by (an org).
    pub scope: &'static str,
    /// Which rows are listed, over the bare table (`deleted_at IS NULL`).
    pub live: &'static str,
    /// The sort columns with buckets (`id` is the row id alone) and the
    /// index each page is read through, `(scope, column, id)` (or `(scope,
    /// id)`) over the live rows: named, so that no statistics choose another.
    pub sorts: &'static [(&'static str, &'static str)],
}

impl Anchored {
    /// Row ids of the page `req` of the live rows of `scope` ordered by
    /// `column` and then the id, both descending when `descending`, with
    /// `total` the number of those rows. `column` may carry a table alias
    /// (`e.name`). `None` when `column` has no buckets.
    pub fn page(
        &self,
        conn: &Connection,
        scope: i64,
        column: &str,
        descending: bool,
        req: &PageRequest,
        total: u64,
    ) -> AppResult<Option<Page<i64>>> {
        let column = column.rsplit('.').next().unwrap_or(column);
        let Some(sort) = self.sorts.iter().map(|(s, _)| *s).find(|s| *s == column) else {
            return Ok(None);
        };
        let (limit, offset) = (req.limit, req.offset);
        if offset >= total || limit == 0 {
            return Ok(Some(Page { items: vec![], total }));
        }
        // The same rows in ascending order: a descending page is an ascending one turned round.
        let (start, len) = if descending {
            let end = total - offset;
            let start = end.saturating_sub(limit);
            (start, end - start)
        } else {
            (offset, limit.min(total - offset))
        };
        let (k, id, skip) = self.locate(conn, sort, scope, start, total)?;
        let mut items = self.read(conn, sort, scope, (&k, id), skip, len)?;
        if descending {
            items.reverse();
        }
        Ok(Some(Page { items, total }))
    }

    /// The first key of the bucket holding ascending position `pos`, and
    /// `pos`'s offset within it.
    fn locate(&self, conn: &Connection, sort: &str, scope: i64, pos: u64, total: u64) -> AppResult<(String, i64, u64)> {
        let from_end = pos > total / 2;
        let mut stmt = conn.prepare_cached(&self.buckets(from_end))?;
        let mut rows = stmt.query(params![sort, scope])?;
        // Rows in the buckets already passed.
        let mut passed = 0u64;
        while let Some(r) = rows.next()? {
            let n = r.get::<_, i64>(2)?.max(0) as u64;
            let first = if from_end { total.saturating_sub(passed + n) } else { passed };
            if first <= pos && pos < first + n {
                return Ok((r.get(0)?, r.get(1)?, pos - first));
            }
            passed += n;
        }
        // Only if the buckets disagree with `total`: walk from the start.
        Ok((String::new(), 0, pos))
    }

    /// The reads of a page sorted by `sort`: by id from an id; then, for a
    /// column, `(col, id) >= (k, id)` in two parts, each a seek in the index
    /// `(scope, col, id)` (SQLite seeks a row value on `col` alone when `id` is
    /// the rowid, and would step through every tie of `k` before `id`): the
    /// ties of `k` from `id` on, how many of them a skip passes, the rows after `k`.
    fn statements(&self, sort: &str) -> [String; 4] {
        let (s, live) = (self.scope, self.live);
        let index = self.sorts.iter().find(|(c, _)| *c == sort).map_or("", |(_, i)| *i);
        let t = format!("{} INDEXED BY {index}", self.table);
        let ties = format!("FROM {t} WHERE {s} = ?1 AND {live} AND {sort} = ?2 AND id >= ?3");
        [
            format!("SELECT id FROM {t} WHERE {s} = ?1 AND {live} AND id >= ?2 ORDER BY id LIMIT ?3 OFFSET ?4"),
            format!("SELECT id {ties} ORDER BY id LIMIT ?4 OFFSET ?5"),
            format!("SELECT count(*) FROM (SELECT 1 {ties} LIMIT ?4)"),
            format!(
                "SELECT id FROM {t} WHERE {s} = ?1 AND {live} AND {sort} > ?2 ORDER BY {sort}, id LIMIT ?3 OFFSET ?4"
            ),
        ]
    }

    fn buckets(&self, descending: bool) -> String {
        let dir = if descending { "DESC" } else { "ASC" };
        format!("SELECT k, id, n FROM {}_pages WHERE sort = ?1 AND scope = ?2 ORDER BY k {dir}, id {dir}", self.table)
    }

    /// `len` ids in ascending order from the key `from`, after skipping `skip`.
    fn read(
        &self,
        conn: &Connection,
        sort: &str,
        scope: i64,
        from: (&str, i64),
        skip: u64,
        len: u64,
    ) -> AppResult<Vec<i64>> {
        let int = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        let ids = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> AppResult<Vec<i64>> {
            Ok(conn.prepare_cached(sql)?.query_map(p, |r| r.get(0))?.collect::<Result<Vec<i64>, _>>()?)
        };
        let [by_id, ties, tied, after] = self.statements(sort);
        if sort == "id" {
            return ids(&by_id, &[&scope, &from.1, &int(len), &int(skip)]);
        }
        let mut out = ids(&ties, &[&scope, &from.0, &from.1, &int(len), &int(skip)])?;
        let got = out.len() as u64;
        if got == len {
            return Ok(out);
        }
        // Rows of `k` that the skip passed over, when it passed all of them.
        let skip = if got > 0 {
            0
        } else {
            let n: i64 =
                conn.prepare_cached(&tied)?.query_row(params![scope, from.0, from.1, int(skip)], |r| r.get(0))?;
            skip - (n.max(0) as u64).min(skip)
        };
        out.extend(ids(&after, &[&scope, &from.0, &int(len - got), &int(skip)])?);
        Ok(out)
    }
}

/// The column and direction a list is ordered by: the request's order
/// mapped through `columns` (field, column), else `default`.
pub fn sort_of<'a>(req: &PageRequest, columns: &[(&str, &'a str)], default: (&'a str, bool)) -> (&'a str, bool) {
    match &req.order {
        Some(o) => columns.iter().find(|(f, _)| *f == o.field).map_or(default, |(_, c)| (*c, o.descending)),
        None => default,
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use rusqlite::OptionalExtension;

    use super::*;
    use crate::db::embedded::migrations::V013__list_pages as migration;

    const T: Anchored = Anchored {
        table: "t",
        scope: "org_id",
        live: "deleted_at IS NULL",
        sorts: &[("id", "t_live"), ("name", "t_name"), ("cat", "t_cat")],
    };
    /// Small buckets (2 to 8 rows), so that a few hundred rows split and merge them often.
    const N: i64 = 4;

    fn db(rows_before: usize, rng: &mut StdRng) -> Connection {
        let conn = Connection::open_in_memory().expect("db");
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, org_id INTEGER, name TEXT NOT NULL, cat TEXT NOT NULL, deleted_at TEXT) STRICT;
             CREATE INDEX t_live ON t (org_id, id) WHERE deleted_at IS NULL;
             CREATE INDEX t_name ON t (org_id, name, id) WHERE deleted_at IS NULL;
             CREATE INDEX t_cat ON t (org_id, cat, id) WHERE deleted_at IS NULL;",
        )
        .expect("ddl");
        for _ in 0..rows_before {
            insert(&conn, rng);
        }
        let paged = migration::Paged {
            table: "t",
            scope: "org_id",
            live: "$.deleted_at IS NULL",
            sorts: &["id", "name", "cat"],
        };
        conn.execute_batch(&migration::sql(&paged, N)).expect("pages");
        conn
    }

    fn org(rng: &mut StdRng) -> Option<i64> {
        // Mostly org 1, some in 2, a few without an org (never listed).
        match rng.gen_range(0..10) {
            0 => None,
            1 | 2 => Some(2),
            _ => Some(1),
        }
    }

    fn insert(conn: &Connection, rng: &mut StdRng) {
        // Few names and fewer categories: many ties, some sorting before every other name.
        let name = if rng.gen_bool(0.05) { String::new() } else { format!("n{}", rng.gen_range(0..40)) };
        let cat = ["a", "b", "c"][rng.gen_range(0..3)];
        let deleted = rng.gen_bool(0.05).then_some("gone");
        conn.execute(
            "INSERT INTO t (org_id, name, cat, deleted_at) VALUES (?1, ?2, ?3, ?4)",
            params![org(rng), name, cat, deleted],
        )
        .expect("insert");
    }

    fn change(conn: &Connection, rng: &mut StdRng) {
        let Some(id) = conn
            .query_row("SELECT id FROM t ORDER BY random() LIMIT 1", [], |r| r.get::<_, i64>(0))
            .optional()
            .expect("pick")
        else {
            return insert(conn, rng);
        };
        let sql = match rng.gen_range(0..8) {
            0 | 1 => "UPDATE t SET name = 'n' || (abs(random()) % 40) WHERE id = ?1",
            2 => "UPDATE t SET cat = char(97 + abs(random()) % 3) WHERE id = ?1",
            3 => "UPDATE t SET deleted_at = 'gone' WHERE id = ?1",
            4 => "UPDATE t SET deleted_at = NULL WHERE id = ?1",
            5 => "UPDATE t SET org_id = 3 - coalesce(org_id, 1) WHERE id = ?1",
            6 => "UPDATE t SET name = name, cat = cat WHERE id = ?1",
            _ => "DELETE FROM t WHERE id = ?1",
        };
        conn.execute(sql, [id]).expect("change");
    }

    fn live_ids(conn: &Connection, scope: i64, order: &str) -> Vec<i64> {
        let sql = format!("SELECT id FROM t WHERE org_id = ?1 AND deleted_at IS NULL ORDER BY {order}");
        conn.prepare(&sql)
            .expect("sql")
            .query_map([scope], |r| r.get(0))
            .expect("q")
            .collect::<Result<_, _>>()
            .expect("ids")
    }

    /// Every bucket counts exactly the live rows from its first key to the next
    /// one's, the first starts before every row, and none is past 2N rows.
    fn check_buckets(conn: &Connection) {
        for (sort, _) in T.sorts {
            for scope in [1i64, 2] {
                let buckets: Vec<(String, i64, i64)> = conn
                    .prepare("SELECT k, id, n FROM t_pages WHERE sort = ?1 AND scope = ?2 ORDER BY k, id")
                    .expect("sql")
                    .query_map(params![sort, scope], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .expect("q")
                    .collect::<Result<_, _>>()
                    .expect("buckets");
                let key = if *sort == "id" { "''".to_string() } else { sort.to_string() };
                let total: i64 = conn
                    .query_row("SELECT count(*) FROM t WHERE org_id = ?1 AND deleted_at IS NULL", [scope], |r| r.get(0))
                    .expect("count");
                if buckets.is_empty() {
                    assert_eq!(total, 0, "{sort} {scope}: rows without buckets");
                    continue;
                }
                assert_eq!((buckets[0].0.as_str(), buckets[0].1), ("", 0), "{sort} {scope}: first bucket");
                for (i, (k, id, n)) in buckets.iter().enumerate() {
                    let next = buckets.get(i + 1).map(|(k, id, _)| (k.clone(), *id));
                    let real: i64 = conn
                        .query_row(
                            &format!(
                                "SELECT count(*) FROM t WHERE org_id = ?1 AND deleted_at IS NULL AND ({key}, id) >= (?2, ?3)
                                   AND (?4 IS NULL OR ({key}, id) < (?4, ?5))"
                            ),
                            params![scope, k, id, next.as_ref().map(|n| n.0.clone()), next.as_ref().map(|n| n.1)],
                            |r| r.get(0),
                        )
                        .expect("real");
                    assert_eq!(*n, real, "{sort} {scope}: bucket ({k}, {id})");
                    assert!(*n <= 2 * N, "{sort} {scope}: bucket ({k}, {id}) holds {n}");
                    assert!(*n > 0 || i == 0, "{sort} {scope}: empty bucket ({k}, {id})");
                }
            }
        }
    }

    fn check_pages(conn: &Connection) {
        for scope in [1i64, 2] {
            let total = live_ids(conn, scope, "id").len() as u64;
            for (sort, col) in [("id", "id"), ("name", "name"), ("cat", "cat")] {
                for descending in [false, true] {
                    let dir = if descending { "DESC" } else { "ASC" };
                    let order = if sort == "id" { format!("id {dir}") } else { format!("{col} {dir}, id {dir}") };
                    let all = live_ids(conn, scope, &order);
                    for limit in [1u64, 3, 7, 500] {
                        let mut got = vec![];
                        let mut offset = 0;
                        while offset <= total {
                            let req = PageRequest { offset, limit, search: None, order: None };
                            let page = T.page(conn, scope, &format!("x.{col}"), descending, &req, total).expect("page");
                            let page = page.expect("anchored");
                            assert_eq!(page.total, total);
                            got.extend(page.items);
                            offset += limit;
                        }
                        assert_eq!(got, all, "scope {scope}, {order}, limit {limit}");
                    }
                }
            }
        }
    }

    /// For random inserts, updates and deletes, buckets always count the
    /// real rows and every page of every order is what LIMIT/OFFSET returns.
    #[test]
    fn buckets_follow_every_change_and_pages_match_the_plain_query() {
        let mut rng = StdRng::seed_from_u64(13);
        let conn = db(60, &mut rng);
        check_buckets(&conn);
        check_pages(&conn);
        for round in 0..30 {
            for _ in 0..40 {
                if round < 12 || rng.gen_bool(0.3) {
                    insert(&conn, &mut rng);
                } else {
                    change(&conn, &mut rng);
                }
            }
            check_buckets(&conn);
            if round % 5 == 4 {
                check_pages(&conn);
            }
        }
        let split: i64 = conn.query_row("SELECT count(*) FROM t_pages", [], |r| r.get(0)).expect("n");
        assert!(split > 100, "only {split} buckets: the test does not split them");
        // Deleting nearly everything merges buckets back down.
        conn.execute("DELETE FROM t WHERE id % 10 <> 0", []).expect("delete");
        check_buckets(&conn);
        check_pages(&conn);
        let buckets: i64 = conn.query_row("SELECT count(*) FROM t_pages", [], |r| r.get(0)).expect("n");
        let rows: i64 = conn.query_row("SELECT count(*) FROM t WHERE deleted_at IS NULL", [], |r| r.get(0)).expect("n");
        assert!(buckets <= 3 * 2 * (rows / (N / 4) + 1), "{buckets} buckets for {rows} rows");
    }

    #[test]
    fn only_anchored_columns_are_paged_this_way() {
        let mut rng = StdRng::seed_from_u64(1);
        let conn = db(5, &mut rng);
        let req = PageRequest { offset: 0, limit: 10, search: None, order: None };
        assert!(T.page(&conn, 1, "x.deleted_at", false, &req, 5).expect("page").is_none());
    }

    /// Each read is a seek in the sort column's index, never a scan of the scope.
    #[test]
    fn reads_seek_the_sort_index() {
        let mut rng = StdRng::seed_from_u64(2);
        let conn = db(5, &mut rng);
        let plan = |sql: &str| -> String {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).expect("plan");
            let n = stmt.parameter_count();
            let rows = stmt
                .query_map(rusqlite::params_from_iter(vec![0; n]), |r| r.get::<_, String>(3))
                .expect("q")
                .collect::<Result<Vec<_>, _>>()
                .expect("rows");
            rows.join("; ")
        };
        let [by_id, ..] = T.statements("id");
        let [_, ties, tied, after] = T.statements("name");
        for (sql, want) in [
            (by_id, "t_live (org_id=? AND id>?)"),
            (ties, "t_name (org_id=? AND name=? AND id>?)"),
            (tied, "t_name (org_id=? AND name=? AND id>?)"),
            (after, "t_name (org_id=? AND name>?)"),
            (T.buckets(true), "PRIMARY KEY (sort=? AND scope=?)"),
            (T.buckets(false), "PRIMARY KEY (sort=? AND scope=?)"),
        ] {
            let got = plan(&sql);
            assert!(got.contains(want) && !got.contains("TEMP B-TREE"), "{sql}: {got}");
        }
    }
}
