//! A small builder for list queries whose filters depend on the request, so
//! that each statement binds exactly the parameters it uses.

use rusqlite::types::Value;

use super::search::{SearchIndex, candidates};
use crate::page::{PageRequest, like_pattern};

#[derive(Default)]
pub struct Where {
    clauses: Vec<String>,
    params: Vec<Value>,
    /// The candidate rows of a search, joined before the list's tables (a
    /// JSON array of ids, bound before every other parameter).
    hits: Option<Value>,
}

impl Where {
    pub fn new(base: &str) -> Self {
        Where { clauses: vec![base.to_string()], ..Where::default() }
    }

    /// A first clause that takes parameters.
    pub fn with(clause: &str, params: impl IntoIterator<Item = Value>) -> Self {
        let mut w = Where::default();
        w.and(clause, params);
        w
    }

    /// Adds `clause`, whose anonymous `?` placeholders take `params` in order.
    pub fn and(&mut self, clause: &str, params: impl IntoIterator<Item = Value>) -> &mut Self {
        self.clauses.push(format!("({clause})"));
        self.params.extend(params);
        self
    }

    /// `column IN (values)`; nothing when `values` is empty.
    pub fn any_of(&mut self, column: &str, values: &[String]) -> &mut Self {
        if !values.is_empty() {
            let marks = vec!["?"; values.len()].join(", ");
            self.and(&format!("{column} IN ({marks})"), values.iter().map(|v| Value::Text(v.clone())));
        }
        self
    }

    /// Case-insensitive substring search over `columns` (ASCII case folding, as SQLite's LIKE).
    pub fn search(&mut self, req: &PageRequest, columns: &[&str]) -> &mut Self {
        if let Some(s) = &req.search {
            let pattern = like_pattern(s);
            let clause = columns.iter().map(|c| format!("{c} LIKE ? ESCAPE '\\'")).collect::<Vec<_>>().join(" OR ");
            self.and(&clause, columns.iter().map(|_| Value::Text(pattern.clone())));
        }
        self
    }

    /// `search` over `columns` (exactly as `search`), answered from `index`
    /// where it can: the rows the index finds (of `scope`, when the index is
    /// scoped) are read first and the `LIKE` re-checked on each, so that
    /// neither the page nor its count scans the list. A string of fewer than
    /// three characters, or one the index finds too many candidates for,
    /// leaves the scan.
    pub fn search_indexed(
        &mut self,
        conn: &rusqlite::Connection,
        req: &PageRequest,
        index: &SearchIndex,
        scope: Option<i64>,
        columns: &[&str],
    ) -> crate::AppResult<&mut Self> {
        self.search_through(conn, req, index, scope, columns, true)
    }

    /// As `search_indexed` on an unscoped index, with the candidates a
    /// condition of the `WHERE` clause alone (`id IN (...)`), for statements
    /// that cannot read them first; SQLite then chooses where it starts.
    pub fn search_indexed_where(
        &mut self,
        conn: &rusqlite::Connection,
        req: &PageRequest,
        index: &SearchIndex,
        columns: &[&str],
    ) -> crate::AppResult<&mut Self> {
        self.search_through(conn, req, index, None, columns, false)
    }

    fn search_through(
        &mut self,
        conn: &rusqlite::Connection,
        req: &PageRequest,
        index: &SearchIndex,
        scope: Option<i64>,
        columns: &[&str],
        first: bool,
    ) -> crate::AppResult<&mut Self> {
        let Some(s) = &req.search else { return Ok(self) };
        if let Some(ids) = candidates(conn, index, s, scope)? {
            let ids = Value::Text(serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into()));
            if first {
                // The join order is fixed: the candidates drive, each row read by its key.
                self.hits = Some(ids);
                self.and(&format!("search_hits.value = {}", index.rowid), []);
            } else {
                self.and(&format!("{} IN (SELECT value FROM json_each(?))", index.rowid), [ids]);
            }
        }
        Ok(self.search(req, columns))
    }

    /// The `FROM` clause `from` (which starts with `FROM `) with a search's
    /// candidates joined first, when it has them.
    pub fn from(&self, from: &str) -> String {
        match (&self.hits, from.trim_start().strip_prefix("FROM ")) {
            (Some(_), Some(rest)) => format!("FROM json_each(?) AS search_hits CROSS JOIN {rest}"),
            _ => from.to_string(),
        }
    }

    pub fn sql(&self) -> String {
        if self.clauses.is_empty() { "1".to_string() } else { self.clauses.join(" AND ") }
    }

    /// The parameters of `from` and then of `sql`, in order.
    pub fn params(&self) -> impl Iterator<Item = &Value> {
        self.hits.iter().chain(self.params.iter())
    }

    /// The filter's parameters followed by `LIMIT`/`OFFSET` of the page.
    pub fn params_paged(&self, req: &PageRequest) -> Vec<Value> {
        let (limit, offset) = req.limit_offset();
        let mut p: Vec<Value> = self.params().cloned().collect();
        p.push(Value::Integer(limit));
        p.push(Value::Integer(offset));
        p
    }
}

/// One page of `select ... from ... WHERE w ORDER BY order` and the total count
/// of matching rows. `from` holds the `FROM`/`JOIN` part shared by both queries.
pub fn fetch_page<T>(
    conn: &rusqlite::Connection,
    select: &str,
    from: &str,
    w: &Where,
    order: &str,
    req: &PageRequest,
    map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> crate::AppResult<crate::page::Page<T>> {
    fetch_page_counted(conn, select, from, w, order, req, None, map)
}

/// As `fetch_page`, with the total already known when the caller keeps a count.
///
/// Two things keep deep pages and searches cheap on large tables. A page in
/// the far half is read from the other end (the order reversed) and turned
/// round, so no page skips more than half of the rows. With a search the
/// rows are filtered first and the matches sorted (`+column` keeps SQLite from
/// walking the order's index and testing every row it passes), counted in
/// the same pass.
#[allow(clippy::too_many_arguments)]
pub fn fetch_page_counted<T>(
    conn: &rusqlite::Connection,
    select: &str,
    from: &str,
    w: &Where,
    order: &str,
    req: &PageRequest,
    total: Option<u64>,
    mut map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> crate::AppResult<crate::page::Page<T>> {
    let filter = w.sql();
    let from = &w.from(from);
    if total.is_none() && req.search.is_some() {
        // Every match is read and sorted anyway: the total rides along with
        // the page's rows (one pass over the matches, not two).
        let sql =
            format!("{select}, count(*) OVER () {from} WHERE {filter} ORDER BY {} LIMIT ? OFFSET ?", unindexed(order));
        let mut stmt = conn.prepare_cached(&sql)?;
        let last = stmt.column_count().saturating_sub(1);
        let mut total = 0u64;
        let items = stmt
            .query_map(rusqlite::params_from_iter(w.params_paged(req)), |r| {
                total = r.get::<_, i64>(last)?.max(0) as u64;
                map(r)
            })?
            .collect::<Result<Vec<_>, _>>()?;
        if !items.is_empty() {
            return Ok(crate::page::Page { items, total });
        }
    }
    let total = match total {
        Some(t) => t,
        None => conn
            .prepare_cached(&format!("SELECT count(*) {from} WHERE {filter}"))?
            .query_row(rusqlite::params_from_iter(w.params()), |r| r.get::<_, i64>(0))?
            .max(0) as u64,
    };
    let (limit, offset) = req.limit_offset();
    let (limit, offset) = (limit.max(0) as u64, offset.max(0) as u64);
    if offset >= total || limit == 0 {
        return Ok(crate::page::Page { items: vec![], total });
    }
    let order = if req.search.is_some() { unindexed(order) } else { order.to_string() };
    let far = offset > total / 2;
    let (order, limit, offset) = if far {
        // Rows [offset, offset+limit) counted from the end.
        let end = (offset + limit).min(total);
        (reversed(&order), end - offset, total - end)
    } else {
        (order, limit, offset)
    };
    let mut params: Vec<Value> = w.params().cloned().collect();
    params.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    params.push(Value::Integer(i64::try_from(offset).unwrap_or(i64::MAX)));
    let mut items = conn
        .prepare_cached(&format!("{select} {from} WHERE {filter} ORDER BY {order} LIMIT ? OFFSET ?"))?
        .query_map(rusqlite::params_from_iter(params), map)?
        .collect::<Result<Vec<_>, _>>()?;
    if far {
        items.reverse();
    }
    Ok(crate::page::Page { items, total })
}

/// The rows of a page of ids (read through an index), fetched one by one
/// with `sql`, which takes the id as `?1`: only the page's rows are joined.
pub fn rows_by_id<T>(
    conn: &rusqlite::Connection,
    ids: crate::page::Page<i64>,
    sql: &str,
    mut map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> crate::AppResult<crate::page::Page<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let items = ids.items.into_iter().map(|id| stmt.query_row([id], &mut map)).collect::<Result<Vec<_>, _>>()?;
    Ok(crate::page::Page { items, total: ids.total })
}

/// Live rows of `table` in `org`, from the counts triggers keep in `live_counts`.
pub fn live_count(conn: &rusqlite::Connection, org: crate::ids::OrgId, table: &str) -> crate::AppResult<u64> {
    use rusqlite::OptionalExtension;
    let n: Option<i64> = conn
        .prepare_cached("SELECT n FROM live_counts WHERE org_id = ?1 AND tbl = ?2")?
        .query_row(rusqlite::params![org, table], |r| r.get(0))
        .optional()?;
    Ok(n.unwrap_or(0).max(0) as u64)
}

/// Each `ORDER BY` term with its direction flipped.
fn reversed(order: &str) -> String {
    order
        .split(',')
        .map(|t| {
            let t = t.trim();
            let upper = t.to_ascii_uppercase();
            if let Some(col) = upper.strip_suffix(" DESC").map(|_| &t[..t.len() - 5]) {
                format!("{} ASC", col.trim_end())
            } else if let Some(col) = upper.strip_suffix(" ASC").map(|_| &t[..t.len() - 4]) {
                format!("{} DESC", col.trim_end())
            } else {
                format!("{t} DESC")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Each `ORDER BY` term as an expression no index can serve.
fn unindexed(order: &str) -> String {
    order.split(',').map(|t| format!("+{}", t.trim())).collect::<Vec<_>>().join(", ")
}

/// The `ORDER BY` of a list: the client's whitelisted order, else `default`.
pub fn order_or(req: &PageRequest, columns: &[(&str, &str)], id_col: &str, default: &str) -> String {
    req.order.as_ref().map_or_else(|| default.to_string(), |o| o.sql(columns, id_col))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages(conn: &rusqlite::Connection, order: &str, search: Option<&str>, limit: u64) -> Vec<Vec<i64>> {
        let mut out = vec![];
        let mut offset = 0;
        loop {
            let req = PageRequest { offset, limit, search: search.map(String::from), order: None };
            let mut w = Where::new("1");
            w.search(&req, &["name"]);
            let p = fetch_page(conn, "SELECT id", "FROM t", &w, order, &req, |r| r.get::<_, i64>(0)).expect("page");
            if p.items.is_empty() {
                return out;
            }
            out.push(p.items);
            offset += limit;
        }
    }

    /// Far pages read backwards and searched pages sorted after filtering
    /// give exactly the rows a plain `LIMIT/OFFSET` would.
    #[test]
    fn every_page_matches_the_plain_query() {
        let conn = rusqlite::Connection::open_in_memory().expect("db");
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, rank INTEGER); CREATE INDEX t_name ON t (name, id);",
        )
        .expect("ddl");
        for i in 0..97 {
            conn.execute(
                "INSERT INTO t (name, rank) VALUES (?1, ?2)",
                rusqlite::params![format!("n{}", (i * 37) % 11), i % 4],
            )
            .expect("row");
        }
        for order in ["name, id", "name DESC, id DESC", "rank ASC, name DESC, id ASC", "rank IS NOT NULL, id"] {
            for search in [None, Some("n1")] {
                let filter = if search.is_some() { "WHERE name LIKE '%n1%'" } else { "" };
                let all: Vec<i64> = conn
                    .prepare(&format!("SELECT id FROM t {filter} ORDER BY {order}"))
                    .expect("sql")
                    .query_map([], |r| r.get(0))
                    .expect("rows")
                    .collect::<Result<_, _>>()
                    .expect("ids");
                for limit in [1, 7, 10, 200] {
                    let got: Vec<i64> = pages(&conn, order, search, limit).concat();
                    assert_eq!(got, all, "order {order}, search {search:?}, limit {limit}");
                }
            }
        }
        assert_eq!(reversed("a, b DESC, c ASC"), "a DESC, b ASC, c DESC");
    }
}
