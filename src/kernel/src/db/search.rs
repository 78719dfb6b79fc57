//! Queries for the substring-search indexes of migration V012: contentless
//! FTS5 tables with the trigram tokenizer (SQLite only). A search string is
//! asked for as the AND of its trigrams, each a quoted FTS5 string, so no
//! character of the input is FTS5 syntax. With `detail=none` FTS5 keeps no
//! positions, so the trigrams may come from different places or columns of a
//! row: the index finds candidates, and the list re-checks its `LIKE`.

/// A table's search index and the rows it holds.
pub struct SearchIndex {
    /// The FTS5 table, `<table>_search`.
    pub table: &'static str,
    /// The listed table's row id in the list's `FROM` (`e.id`).
    pub rowid: &'static str,
    /// Whether the index's first column is the list's scope (an org or a user).
    pub scoped: bool,
}

/// Trigrams asked for at most: a few of a long string find its rows as well as all of them.
const MAX_TRIGRAMS: usize = 12;

/// The FTS5 query for rows that may contain `search` (and belong to `scope`,
/// when given), or `None` when the index cannot answer: fewer than three
/// characters hold no trigram.
pub fn trigram_query(search: &str, scope: Option<i64>) -> Option<String> {
    let chars: Vec<char> = search.chars().collect();
    if chars.len() < 3 || chars.contains(&'\0') {
        return None;
    }
    let mut grams: Vec<String> = vec![];
    for w in chars.windows(3) {
        let g: String = w.iter().collect();
        if !grams.contains(&g) {
            grams.push(g);
        }
    }
    if grams.len() > MAX_TRIGRAMS {
        // Spread over the string, always with its first and last.
        let last = grams.len() - 1;
        grams = (0..MAX_TRIGRAMS).map(|i| grams[i * last / (MAX_TRIGRAMS - 1)].clone()).collect();
    }
    let mut terms: Vec<String> = vec![];
    if let Some(s) = scope {
        terms.push(quoted(&scope_token(s)?));
    }
    terms.extend(grams.iter().map(|g| quoted(g)));
    Some(terms.join(" AND "))
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A scope id as the index spells it: three characters of the private use
/// area (U+E000, 6400 of them), as the migration's `char(...)` computes it.
pub fn scope_token(id: i64) -> Option<String> {
    if id < 0 {
        return None;
    }
    [(id / 40_960_000) % 6400, (id / 6400) % 6400, id % 6400]
        .iter()
        .map(|d| u32::try_from(57_344 + d).ok().and_then(char::from_u32))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_quote_every_trigram() {
        assert_eq!(trigram_query("ab", None), None);
        assert_eq!(trigram_query("a\"bc", None).as_deref(), Some(r#""a""b" AND """bc""#));
        assert_eq!(trigram_query("abab", None).as_deref(), Some(r#""aba" AND "bab""#));
        let long = trigram_query(&format!("xxx{}", "0123456789".repeat(20)), Some(1)).expect("query");
        assert_eq!(long.matches(" AND ").count(), MAX_TRIGRAMS);
        assert!(long.starts_with("\"\u{e000}\u{e000}\u{e001}\" AND \"xxx\""), "{long}");
    }

    #[test]
    fn scope_tokens_match_the_migration() {
        let conn = rusqlite::Connection::open_in_memory().expect("db");
        for id in [0i64, 1, 6399, 6400, 40_960_000, 123_456_789_012] {
            let sql: String = conn
                .query_row(
                    "SELECT char(57344 + (?1 / 40960000) % 6400, 57344 + (?1 / 6400) % 6400, 57344 + ?1 % 6400)",
                    [id],
                    |r| r.get(0),
                )
                .expect("char");
            assert_eq!(Some(sql), scope_token(id), "{id}");
        }
    }

    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use rusqlite::Connection;

    use crate::db::embedded::migrations::V012__search_indexes as migration;
    use crate::db::query::{Where, fetch_page};
    use crate::page::PageRequest;

    const SCOPED: SearchIndex = SearchIndex { table: "t_search", rowid: "t.id", scoped: true };
    const UNSCOPED: SearchIndex = SearchIndex { table: "u_search", rowid: "u.id", scoped: false };
    /// Letters in both cases (ASCII and not), LIKE's and FTS5's syntax, quotes, spaces.
    const ALPHABET: &[char] = &['a', 'A', 'b', 'B', 'é', 'É', 'ß', '%', '_', '"', '\'', '\\', ' ', '*', '(', ':', '-'];

    fn db() -> Connection {
        let conn = Connection::open_in_memory().expect("db");
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, org_id INTEGER, name TEXT NOT NULL, note TEXT NOT NULL, deleted_at TEXT) STRICT;
             CREATE TABLE u (id INTEGER PRIMARY KEY, name TEXT NOT NULL, domain TEXT) STRICT;",
        )
        .expect("ddl");
        conn.execute_batch(
            "INSERT INTO t (org_id, name, note) VALUES (1, 'before the index', 'x');
             INSERT INTO u (name, domain) VALUES ('before the index', NULL);",
        )
        .expect("rows before");
        let t = migration::Index {
            table: "t",
            scope: Some("org_id"),
            live: Some("$.deleted_at IS NULL"),
            columns: &[("name", "$.name"), ("note", "$.note")],
        };
        let u = migration::Index {
            table: "u",
            scope: None,
            live: None,
            columns: &[("name", "$.name"), ("domain", "coalesce($.domain, '')")],
        };
        conn.execute_batch(&(migration::sql(&t) + &migration::sql(&u))).expect("indexes");
        conn
    }

    fn text(rng: &mut StdRng) -> String {
        (0..rng.gen_range(0..9)).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())]).collect()
    }

    /// All ids and the total of a search, through the index or by the plain scan.
    fn search(conn: &Connection, scoped: bool, s: &str, indexed: bool, limit: u64) -> (Vec<i64>, u64) {
        let (index, from, cols, id): (_, _, &[&str], _) = if scoped {
            (&SCOPED, "FROM t", &["t.name", "t.note"], "t.id")
        } else {
            (&UNSCOPED, "FROM u", &["u.name", "coalesce(u.domain, '')"], "u.id")
        };
        let (mut ids, mut totals, mut offset) = (vec![], vec![], 0);
        loop {
            let req = PageRequest { offset, limit, search: Some(s.to_string()), order: None };
            let mut w = if scoped { Where::with("t.org_id = ?", [1.into()]) } else { Where::default() };
            if scoped {
                w.and("t.deleted_at IS NULL", []);
            }
            if indexed {
                w.search_indexed(conn, &req, index, Some(1), cols).expect("indexed");
            } else {
                w.search(&req, cols);
            }
            let p = fetch_page(conn, &format!("SELECT {id}"), from, &w, &format!("{id} DESC"), &req, |r| {
                r.get::<_, i64>(0)
            })
            .expect("page");
            totals.push(p.total);
            if p.items.is_empty() {
                assert!(totals.iter().all(|t| *t == p.total), "{s:?}: totals {totals:?}");
                return (ids, p.total);
            }
            ids.extend(p.items);
            offset += limit;
        }
    }

    fn same(conn: &Connection, s: &str) {
        for scoped in [true, false] {
            let plain = search(conn, scoped, s, false, 1000);
            assert_eq!(search(conn, scoped, s, true, 1000), plain, "search {s:?}, scoped {scoped}");
            assert_eq!(search(conn, scoped, s, true, 7), plain, "search {s:?} in pages of 7, scoped {scoped}");
        }
    }

    /// Through the index a search finds exactly the rows and the count the
    /// plain LIKE does, for every kind of input, as rows change.
    #[test]
    fn indexed_search_finds_what_like_finds() {
        let conn = db();
        let mut rng = StdRng::seed_from_u64(5);
        let mut samples: Vec<String> = vec![];
        for round in 0..8 {
            for _ in 0..150 {
                let (name, note) = (text(&mut rng), text(&mut rng));
                let org = [Some(1), Some(1), Some(2), None][rng.gen_range(0..4)];
                conn.execute(
                    "INSERT INTO t (org_id, name, note) VALUES (?1, ?2, ?3)",
                    rusqlite::params![org, name, note],
                )
                .expect("t");
                let domain = rng.gen_bool(0.5).then(|| text(&mut rng));
                conn.execute("INSERT INTO u (name, domain) VALUES (?1, ?2)", rusqlite::params![name, domain])
                    .expect("u");
                if name.chars().count() >= 3 {
                    samples.push(name.chars().skip(1).take(4).collect());
                }
            }
            if round > 0 {
                conn.execute_batch(
                    "UPDATE t SET name = upper(name) WHERE id % 7 = 0;
                     UPDATE t SET note = name || note WHERE id % 11 = 0;
                     UPDATE t SET deleted_at = 'gone' WHERE id % 13 = 0;
                     UPDATE t SET deleted_at = NULL WHERE id % 26 = 0;
                     UPDATE t SET org_id = 3 - coalesce(org_id, 2) WHERE id % 17 = 0;
                     DELETE FROM t WHERE id % 19 = 0;
                     UPDATE u SET domain = NULL WHERE id % 5 = 0;
                     UPDATE u SET name = lower(name) WHERE id % 3 = 0;
                     DELETE FROM u WHERE id % 23 = 0;",
                )
                .expect("changes");
            }
            for s in samples.iter().rev().take(25) {
                same(&conn, s);
            }
            for _ in 0..25 {
                same(&conn, &text(&mut rng));
            }
        }
        for s in [
            "%",
            "_",
            "\"",
            "'",
            "a%",
            "%_",
            "\"a\"",
            "a",
            "ab",
            "aB",
            "AB",
            "é",
            "ÉÉ",
            "é é",
            "*",
            "a OR b",
            "NEAR(a b)",
            "\\",
        ] {
            same(&conn, s);
        }
    }

    #[test]
    fn rows_are_found_by_their_own_columns_only() {
        let conn = db();
        conn.execute_batch(
            "INSERT INTO t (org_id, name, note) VALUES (1, 'Alpha-Cluster', 'west%zone_1'), (2, 'alpha-other', ''),
                                                      (1, 'xab', 'cdx'), (1, 'gone alpha', '');
             UPDATE t SET deleted_at = 'now' WHERE name = 'gone alpha';
             UPDATE t SET name = 'Renamed' WHERE name = 'xab';",
        )
        .expect("rows");
        let ids = |s: &str| search(&conn, true, s, true, 100).0;
        assert_eq!(ids("ALPHA-c"), vec![2], "case-insensitive, this org only, not the deleted row");
        assert_eq!(ids("t%zone_"), vec![2], "% and _ are literal");
        assert_eq!(ids("t%zon%"), Vec::<i64>::new());
        assert_eq!(ids("abcd"), Vec::<i64>::new(), "never across columns");
        assert_eq!(ids("xab"), Vec::<i64>::new(), "an update takes the old text out");
        assert_eq!(ids("renam"), vec![4], "and puts the new text in");
    }

    /// A scoped search reads the index first and each candidate by its id.
    #[test]
    fn scoped_search_is_driven_by_the_index() {
        let conn = db();
        let req = PageRequest { offset: 0, limit: 10, search: Some("alpha".into()), order: None };
        let mut w = Where::with("t.org_id = ?", [1.into()]);
        w.and("t.deleted_at IS NULL", []);
        w.search_indexed(&conn, &req, &SCOPED, Some(1), &["t.name", "t.note"]).expect("search");
        let sql = format!("EXPLAIN QUERY PLAN SELECT t.id {} WHERE {} ORDER BY +t.name", w.from("FROM t"), w.sql());
        let plan: Vec<String> = conn
            .prepare(&sql)
            .expect("plan")
            .query_map(rusqlite::params_from_iter(w.params()), |r| r.get(3))
            .expect("q")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert!(plan[0].starts_with("SCAN t_search VIRTUAL TABLE"), "{plan:?}");
        assert!(plan[1].starts_with("SEARCH t USING INTEGER PRIMARY KEY"), "{plan:?}");
    }

    #[test]
    fn fts5_with_the_trigram_tokenizer_is_built_in() {
        let conn = Connection::open_in_memory().expect("db");
        let on: bool =
            conn.query_row("SELECT sqlite_compileoption_used('ENABLE_FTS5')", [], |r| r.get(0)).expect("option");
        assert!(on);
        conn.execute_batch("CREATE VIRTUAL TABLE f USING fts5(a, tokenize='trigram', detail=none)").expect("trigram");
    }
}
