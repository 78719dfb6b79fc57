//! The only paging types stores and services see. Faces translate their own
//! query dialects into a `PageRequest` and a `Page` back into their envelope.

/// Which rows of a list: already clamped by the face that parsed it.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub offset: u64,
    pub limit: u64,
    /// Case-insensitive substring to match against the resource's search columns.
    pub search: Option<String>,
    /// A sort key from the resource's whitelist and its direction.
    pub order: Option<Order>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub field: String,
    pub descending: bool,
}

impl Order {
    /// Parses `field`, `field asc`, `field desc` or `-field` against the
    /// allowed fields of a resource.
    pub fn parse(raw: &str, allowed: &[&str]) -> Result<Option<Order>, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        let (field, descending) = if let Some(f) = raw.strip_prefix('-') {
            (f.trim(), true)
        } else {
            let mut parts = raw.split_whitespace();
            let field = parts.next().unwrap_or_default();
            let dir = parts.next().map(str::to_ascii_lowercase);
            if parts.next().is_some() {
                return Err(format!("order '{raw}' is not '<field> [asc|desc]'"));
            }
            match dir.as_deref() {
                None | Some("asc") => (field, false),
                Some("desc") => (field, true),
                Some(d) => return Err(format!("order direction '{d}' is not asc or desc")),
            }
        };
        if allowed.contains(&field) {
            Ok(Some(Order { field: field.to_string(), descending }))
        } else {
            Err(format!("order field '{field}' is not one of: {}", allowed.join(", ")))
        }
    }

    /// The SQL for this order, with the row id as the tie-breaker so pages
    /// are stable. `field` was checked against a whitelist; the columns are ours.
    pub fn sql(&self, columns: &[(&str, &str)], id_col: &str) -> String {
        let col = columns.iter().find(|(f, _)| *f == self.field).map_or(id_col, |(_, c)| c);
        let dir = if self.descending { "DESC" } else { "ASC" };
        format!("{col} {dir}, {id_col} {dir}")
    }
}

impl PageRequest {
    /// `LIMIT ?, OFFSET ?` values for SQLite, saturated into its signed range.
    pub fn limit_offset(&self) -> (i64, i64) {
        (i64::try_from(self.limit).unwrap_or(i64::MAX), i64::try_from(self.offset).unwrap_or(i64::MAX))
    }
}

/// One page of results and the size of the whole list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), total: self.total }
    }
}

/// Escapes a user search string for `LIKE ... ESCAPE '\'`.
pub fn like_pattern(search: &str) -> String {
    let mut p = String::with_capacity(search.len() + 2);
    p.push('%');
    for c in search.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_parsing() {
        let allowed = ["name", "created_at"];
        assert_eq!(Order::parse("", &allowed), Ok(None));
        assert_eq!(Order::parse("name desc", &allowed), Ok(Some(Order { field: "name".into(), descending: true })));
        assert_eq!(
            Order::parse("-created_at", &allowed),
            Ok(Some(Order { field: "created_at".into(), descending: true }))
        );
        assert!(Order::parse("name sideways", &allowed).is_err());
        assert!(Order::parse("password", &allowed).is_err());
        assert!(Order::parse("name; drop table users", &allowed).is_err());
    }

    #[test]
    fn like_escapes() {
        assert_eq!(like_pattern("a%b_c\\"), "%a\\%b\\_c\\\\%");
    }
}
