//! Checking a list's `search` and its pages against what they must answer,
//! whatever index serves them.

use serde_json::Value;

use super::{Api, enc};

/// Search strings that probe LIKE's and FTS5's syntax, quotes, case, letters
/// outside ASCII and strings too short for a trigram.
pub const TRICKY_SEARCHES: &[&str] = &[
    "%",
    "_",
    "\"",
    "'",
    "\\",
    "a",
    "Al",
    "ALP",
    "pha%b",
    "a%b",
    "der_sc",
    "r_s",
    "x_s",
    "\"d",
    "o'b",
    "O'B",
    "mIxEd cAsE",
    "été",
    "ÉTÉ",
    "100%",
    "50_5",
    "a OR b",
    "col*",
    "NEAR(x y)",
    "-ab",
    "abcd",
    "zzz-nowhere",
];

/// `search`'s rule (SQL LIKE): `needle` occurs in `hay`, ASCII letters
/// compared without case, every other character as itself.
pub fn found_by(hay: &str, needle: &str) -> bool {
    hay.to_ascii_lowercase().contains(&needle.to_ascii_lowercase())
}

fn with(path: &str, query: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}{query}")
}

/// Every item of the list `path` (with any query but paging) read in pages
/// of `size`, and the total every page reported.
pub async fn every_item(api: &Api, path: &str, key: &str, size: u64) -> (Vec<Value>, u64) {
    let (mut items, mut totals, mut page) = (vec![], vec![], 0);
    loop {
        let v = api.get(&with(path, &format!("pagesize={size}&page={page}"))).await.expect(200);
        totals.push(v["total_count"].as_u64().unwrap_or_else(|| panic!("no total_count: {v}")));
        let got = v[key].as_array().cloned().unwrap_or_default();
        if got.is_empty() {
            break;
        }
        items.extend(got);
        page += 1;
    }
    assert!(totals.windows(2).all(|t| t[0] == t[1]), "{path}: totals differ between pages: {totals:?}");
    (items, totals[0])
}

fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(|i| i["id"].as_str().unwrap_or_else(|| panic!("no id: {i}")).to_string()).collect()
}

/// `search=needle` on `path` answers exactly the items of `all` (the same
/// list unsearched, in the same order) one of whose `fields` contains it,
/// with their number as the total, whether read in pages of 3 or of 500.
pub async fn check_search(api: &Api, path: &str, key: &str, fields: &[&str], all: &[Value], needle: &str) {
    let want: Vec<Value> = all
        .iter()
        .filter(|i| fields.iter().any(|f| found_by(i[*f].as_str().unwrap_or_default(), needle)))
        .cloned()
        .collect();
    let searched = with(path, &format!("search={}", enc(needle)));
    for size in [3, 500] {
        let (got, total) = every_item(api, &searched, key, size).await;
        assert_eq!(ids(&got), ids(&want), "{path} search {needle:?} in pages of {size}");
        assert_eq!(total, want.len() as u64, "{path} search {needle:?}: total_count");
    }
}
