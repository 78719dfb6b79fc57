//! The one list query of the face's resources: the rows under one parent
//! (a control plane or an application), searched over name and description,
//! filtered by labels (has all), ordered, paged, counted, each with its labels.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::http::api7::ListQuery;
use meshcloud_kernel::page::{Page, like_pattern};
use rusqlite::Row;
use rusqlite::types::Value;

use super::labels::{self, Kind};

/// What one resource's list is made of. Column names are qualified with
/// `alias` (`"a."`, or `""` for an unaliased table).
pub struct Listing<'a> {
    /// `SELECT … FROM <table> [alias]`, the columns `from_row` reads.
    pub select: &'a str,
    /// `<table> [alias]`, for the count.
    pub from: &'a str,
    pub alias: &'a str,
    /// The parent column (`control_plane_id`, `app_id`) and its value.
    pub parent: (&'a str, i64),
    pub kind: Kind,
    /// Does `search` look at name and description (certificates have none)?
    pub searchable: bool,
    /// `order_by` values and their columns (unqualified).
    pub orders: &'a [(&'a str, &'a str)],
}

/// One page of rows with their labels; `total` counts all that match.
pub fn page<T>(
    c: &Conn,
    l: &Listing<'_>,
    q: &ListQuery,
    from_row: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
    id_of: impl Fn(&T) -> i64,
) -> AppResult<Page<(T, Vec<String>)>> {
    let a = l.alias;
    let mut clause = format!("{a}{} = ?", l.parent.0);
    let mut params = vec![Value::Integer(l.parent.1)];
    if let (true, Some(s)) = (l.searchable, &q.request.search) {
        clause
            .push_str(&format!(" AND (lower({a}name) LIKE ? ESCAPE '\\' OR lower({a}description) LIKE ? ESCAPE '\\')"));
        let pattern = like_pattern(&s.to_lowercase());
        params.push(Value::Text(pattern.clone()));
        params.push(Value::Text(pattern));
    }
    if let Some((sql, p)) = labels::has_all(l.kind, &format!("{a}id"), &q.labels) {
        clause.push_str(" AND ");
        clause.push_str(&sql);
        params.extend(p);
    }
    let total: i64 = c
        .prepare(&format!("SELECT count(*) FROM {} WHERE {clause}", l.from))?
        .query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0))?;
    let columns: Vec<(&str, String)> = l.orders.iter().map(|(k, col)| (*k, format!("{a}{col}"))).collect();
    let columns: Vec<(&str, &str)> = columns.iter().map(|(k, col)| (*k, col.as_str())).collect();
    let id = format!("{a}id");
    let order =
        q.request.order.as_ref().map_or_else(|| format!("{a}updated_at DESC, {id} DESC"), |o| o.sql(&columns, &id));
    let (limit, offset) = q.request.limit_offset();
    params.push(Value::Integer(limit));
    params.push(Value::Integer(offset));
    let sql = format!("{} WHERE {clause} ORDER BY {order} LIMIT ? OFFSET ?", l.select);
    let rows: Vec<T> =
        c.prepare(&sql)?.query_map(rusqlite::params_from_iter(params.iter()), from_row)?.collect::<Result<_, _>>()?;
    let ids: Vec<i64> = rows.iter().map(&id_of).collect();
    let all = labels::of_many(c, l.kind, &ids)?;
    let items = rows
        .into_iter()
        .map(|r| {
            let mine = all.iter().filter(|(id, _)| *id == id_of(&r)).map(|(_, l)| l.clone()).collect();
            (r, mine)
        })
        .collect();
    Ok(Page { items, total: u64::try_from(total).unwrap_or(0) })
}
