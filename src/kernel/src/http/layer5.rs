//! Layer5 list conventions: `page` (0-based) and `pagesize` requests, answered
//! by `{<items key>, page, page_size, total_count}`.
//!
//! Both parameters are strings in the reference, and its list operations
//! document no 400: what cannot be understood falls back to the default
//! rather than failing the list. Rules (also in the README):
//! - `page`: missing, empty, negative or not a number = 0.
//! - `pagesize`: missing, empty, zero, negative or not a number =
//!   `DEFAULT_PAGE_SIZE`; above `MAX_PAGE_SIZE` or `all` = `MAX_PAGE_SIZE`.
//! - `order` on a field the list does not sort by: the default order.
//! - `search` longer than `MAX_SEARCH` characters: its first `MAX_SEARCH`.

use crate::page::{Order, PageRequest};

pub const DEFAULT_PAGE_SIZE: u64 = 10;
pub const MAX_PAGE_SIZE: u64 = 500;
/// Search strings longer than this are refused rather than scanned.
pub const MAX_SEARCH: usize = 200;

/// The parsed paging of one Layer5 list request.
#[derive(Debug, Clone)]
pub struct L5Paging {
    pub page: u64,
    pub page_size: u64,
    pub request: PageRequest,
}

pub fn paging(
    page: Option<&str>,
    pagesize: Option<&str>,
    search: Option<&str>,
    order: Option<&str>,
    order_fields: &[&str],
) -> L5Paging {
    let page = match page.map(str::trim).filter(|p| !p.is_empty()) {
        None => 0,
        Some(p) => match p.parse::<i64>() {
            Ok(n) => n.max(0) as u64,
            // Larger than i64: a page past any end.
            Err(_) if p.chars().all(|c| c.is_ascii_digit()) => i64::MAX as u64,
            Err(_) => 0,
        },
    };
    let page_size = match pagesize.map(str::trim).filter(|p| !p.is_empty()) {
        None => DEFAULT_PAGE_SIZE,
        Some(p) if p.eq_ignore_ascii_case("all") => MAX_PAGE_SIZE,
        Some(p) => match p.parse::<i64>() {
            Ok(n) if n <= 0 => DEFAULT_PAGE_SIZE,
            Ok(n) => (n as u64).min(MAX_PAGE_SIZE),
            // Larger than i64: clamp like any other huge value.
            Err(_) if p.chars().all(|c| c.is_ascii_digit()) => MAX_PAGE_SIZE,
            Err(_) => DEFAULT_PAGE_SIZE,
        },
    };
    let search =
        search.map(str::trim).filter(|s| !s.is_empty()).map(|s| s.chars().take(MAX_SEARCH).collect::<String>());
    let order = Order::parse(order.unwrap_or(""), order_fields).unwrap_or(None);
    L5Paging {
        page,
        page_size,
        request: PageRequest { offset: page.saturating_mul(page_size), limit: page_size, search, order },
    }
}

/// A boolean query flag, read as the reference's server reads it: `true`
/// (any case) or `1` is set, anything else is not (its operations document no
/// 400 for a flag).
pub fn flag(raw: Option<&str>) -> bool {
    raw.map(str::trim).is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

impl L5Paging {
    /// Every row at once (the `all=true` flag): one page holding the whole list.
    pub fn unbounded(mut self) -> Self {
        self.page = 0;
        self.request.offset = 0;
        self.request.limit = u64::MAX >> 1;
        self
    }
}

/// Declares a Layer5 page envelope whose items key is `$key`.
#[macro_export]
macro_rules! layer5_page {
    ($name:ident, $key:literal, $item:ty) => {
        #[derive(Debug, Clone, poem_openapi::Object)]
        pub struct $name {
            #[oai(rename = $key)]
            pub items: Vec<$item>,
            /// Current page number (zero-based).
            pub page: u64,
            /// Number of items per page.
            pub page_size: u64,
            /// Total number of items available.
            pub total_count: u64,
        }

        impl $name {
            pub fn new(paging: &$crate::http::layer5::L5Paging, page: $crate::page::Page<$item>) -> Self {
                let page_size = if paging.request.limit > $crate::http::layer5::MAX_PAGE_SIZE {
                    page.total
                } else {
                    paging.page_size
                };
                $name { items: page.items, page: paging.page, page_size, total_count: page.total }
            }

            /// The single-item wrapper some Layer5 operations answer with.
            pub fn single(item: $item) -> Self {
                $name { items: vec![item], page: 0, page_size: 1, total_count: 1 }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(page: Option<&str>, size: Option<&str>) -> (u64, u64) {
        let p = paging(page, size, None, None, &[]);
        (p.page, p.page_size)
    }

    #[test]
    fn paging_edges() {
        assert_eq!(p(None, None), (0, DEFAULT_PAGE_SIZE));
        assert_eq!(p(Some("-3"), Some("-1")), (0, DEFAULT_PAGE_SIZE));
        assert_eq!(p(Some("2"), Some("999999")), (2, MAX_PAGE_SIZE));
        assert_eq!(p(Some("1"), Some("99999999999999999999999")), (1, MAX_PAGE_SIZE));
        assert_eq!(p(None, Some("all")), (0, MAX_PAGE_SIZE));
        assert_eq!(p(Some("x"), Some("ten")), (0, DEFAULT_PAGE_SIZE), "not numbers: the defaults");
        let req = paging(None, None, Some(&"s".repeat(300)), Some("secret desc"), &["name"]).request;
        assert_eq!(req.search.as_ref().map(|s| s.len()), Some(MAX_SEARCH));
        assert!(req.order.is_none(), "an unknown order field: the default order");
        assert!(flag(Some("TRUE")) && flag(Some("1")));
        assert!(!flag(None) && !flag(Some("null")) && !flag(Some("false")));
        let big = paging(Some("9223372036854775807"), Some("500"), None, None, &[]);
        assert!(big.request.offset == u64::MAX || big.request.offset > 0);
    }
}
