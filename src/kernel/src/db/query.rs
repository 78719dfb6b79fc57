//! A small builder for list queries whose filters depend on the request, so
//! that each statement binds exactly the parameters it uses.

use rusqlite::types::Value;

use crate::page::{PageRequest, like_pattern};

#[derive(Default)]
pub struct Where {
    clauses: Vec<String>,
    params: Vec<Value>,
}

impl Where {
    pub fn new(base: &str) -> Self {
        Where { clauses: vec![base.to_string()], params: vec![] }
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

    /// Case-insensitive substring search over `columns` (ASCII case folding, as SQLite's LIKE).
    pub fn search(&mut self, req: &PageRequest, columns: &[&str]) -> &mut Self {
        if let Some(s) = &req.search {
            let pattern = like_pattern(s);
            let clause = columns.iter().map(|c| format!("{c} LIKE ? ESCAPE '\\'")).collect::<Vec<_>>().join(" OR ");
            self.and(&clause, columns.iter().map(|_| Value::Text(pattern.clone())));
        }
        self
    }

    pub fn sql(&self) -> String {
        if self.clauses.is_empty() { "1".to_string() } else { self.clauses.join(" AND ") }
    }

    pub fn params(&self) -> impl Iterator<Item = &Value> {
        self.params.iter()
    }

    /// The filter's parameters followed by `LIMIT`/`OFFSET` of the page.
    pub fn params_paged(&self, req: &PageRequest) -> Vec<Value> {
        let (limit, offset) = req.limit_offset();
        let mut p = self.params.clone();
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
    let filter = w.sql();
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) {from} WHERE {filter}"))?
        .query_row(rusqlite::params_from_iter(w.params()), |r| r.get(0))?;
    let items = conn
        .prepare_cached(&format!("{select} {from} WHERE {filter} ORDER BY {order} LIMIT ? OFFSET ?"))?
        .query_map(rusqlite::params_from_iter(w.params_paged(req)), map)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(crate::page::Page { items, total: total as u64 })
}

/// The `ORDER BY` of a list: the client's whitelisted order, else `default`.
pub fn order_or(req: &PageRequest, columns: &[(&str, &str)], id_col: &str, default: &str) -> String {
    req.order.as_ref().map_or_else(|| default.to_string(), |o| o.sql(columns, id_col))
}
