//! Queries for the substring-search indexes of migration V012: contentless
//! FTS5 tables with the trigram tokenizer (SQLite only), and the writer's
//! re-indexing of the rows the triggers queued. A search string is asked for
//! as the AND of its trigrams, each a quoted FTS5 string, so no character of
//! the input is FTS5 syntax. With `detail=none` FTS5 keeps no positions, so
//! the trigrams may come from different places or columns of a row: the index
//! finds candidates, and the list re-checks its `LIKE`.

use rusqlite::{Connection, OptionalExtension};

use crate::AppResult;

/// A table's search index and the rows it holds.
#[derive(Clone, Copy)]
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

/// Rows a term is counted up to. A term in fewer rows is rare: the rows
/// holding every rare term are the candidates. Of a more common one the
/// rowids it reached tell its density, which decides whether it narrows the
/// candidates enough to be worth stepping through (FTS5 steps through a row
/// list to skip in it; a term in every row costs a walk over all of them).
#[cfg(not(test))]
const PROBE: i64 = 256;
/// Terms denser than this are left out of the query (the list re-checks
/// every candidate anyway); at most `MAX_TERMS` of the rarest are asked for.
const DENSE: f64 = 0.3;
const MAX_TERMS: usize = 6;

/// Candidates read at most; past this the list's own rows are scanned: for
/// an unscoped index (a user's orgs, a team's members) the list may be
/// small, for a scoped one the scan costs less than that many lookups.
#[cfg(not(test))]
const MAX_CANDIDATES: [usize; 2] = [2_000, 20_000];
// Small enough for the unit tests' few hundred rows to take every path.
#[cfg(test)]
const PROBE: i64 = 4;
#[cfg(test)]
const MAX_CANDIDATES: [usize; 2] = [100, 300];

/// The distinct trigrams of `search`, at most `MAX_TRIGRAMS` spread over
/// it; none for fewer than three characters.
pub fn trigrams(search: &str) -> Vec<String> {
    let chars: Vec<char> = search.chars().collect();
    if chars.contains(&'\0') {
        return vec![];
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
    grams
}

/// The FTS5 query for rows holding every one of `terms` (trigrams or a
/// scope token), each a quoted string.
pub fn match_all(terms: &[String]) -> String {
    terms.iter().map(|t| quoted(t)).collect::<Vec<_>>().join(" AND ")
}

/// The ids of the rows of `index` that may contain `search` (of `scope`,
/// when the index is scoped), or `None` when the index cannot narrow the
/// list enough: fewer than three characters, or too many candidates.
pub fn candidates(
    conn: &Connection,
    index: &SearchIndex,
    search: &str,
    scope: Option<i64>,
) -> AppResult<Option<Vec<i64>>> {
    let mut terms = trigrams(search);
    if terms.is_empty() {
        return Ok(None);
    }
    let fts = index.table;
    let scope = if index.scoped { scope.and_then(scope_token) } else { None };
    terms.extend(scope.clone());
    // Rows changed outside the writer since it last indexed: always candidates.
    let base = fts.strip_suffix("_search").unwrap_or(fts);
    let mut queued: Vec<i64> = conn
        .prepare_cached("SELECT id FROM search_queue WHERE tbl = ?1")?
        .query_map([base], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    // Each term's rows up to PROBE: (term, how many, density of the rowids reached).
    let mut probe = conn.prepare_cached(&format!(
        "SELECT count(*), min(rowid), max(rowid) FROM (SELECT rowid FROM {fts} WHERE {fts} MATCH ?1 LIMIT ?2)"
    ))?;
    let mut probed: Vec<(String, i64, f64)> = vec![];
    for t in terms {
        let (n, lo, hi): (i64, Option<i64>, Option<i64>) = probe
            .query_row(rusqlite::params![match_all(std::slice::from_ref(&t)), PROBE], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        if n == 0 {
            return Ok(Some(queued));
        }
        let span = (hi.unwrap_or(0) - lo.unwrap_or(0)).max(0) + 1;
        probed.push((t, n, n as f64 / span as f64));
    }
    let rare: Vec<String> = probed.iter().filter(|(_, n, _)| *n < PROBE).map(|(t, _, _)| t.clone()).collect();
    let query = if !rare.is_empty() {
        rare
    } else {
        probed.sort_by(|a, b| a.2.total_cmp(&b.2));
        let sparse: Vec<String> =
            probed.iter().filter(|(_, _, d)| *d <= DENSE).take(MAX_TERMS).map(|(t, _, _)| t.clone()).collect();
        // Every term is dense: all of them, and the list reads as many as it may.
        if sparse.is_empty() { probed.into_iter().map(|(t, _, _)| t).collect() } else { sparse }
    };
    let max = MAX_CANDIDATES[usize::from(scope.is_some())];
    let mut ids = conn
        .prepare_cached(&format!("SELECT rowid FROM {fts} WHERE {fts} MATCH ?1 LIMIT ?2"))?
        .query_map(rusqlite::params![match_all(&query), max as i64 + 1], |r| r.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    if !queued.is_empty() {
        ids.append(&mut queued);
        ids.sort_unstable();
        ids.dedup();
    }
    Ok((ids.len() <= max).then_some(ids))
}

/// Re-indexes the rows the search triggers queued, all at once, in the
/// caller's transaction: the writer calls it once per batch, before it
/// commits, so that FTS5 writes one segment per batch rather than one per row.
pub fn index_queued(conn: &Connection) -> AppResult<()> {
    let queued: Vec<(String, i64)> = conn
        .prepare_cached("SELECT tbl, id FROM search_queue ORDER BY tbl, id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (t, ids) in queued.chunk_by(|a, b| a.0 == b.0).map(|c| (&c[0].0, c.iter().map(|(_, id)| *id))) {
        // Names written by the migration's triggers; checked before they become SQL.
        if t.is_empty() || !t.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return Err(crate::AppError::internal(format!("search queue names no table: {t:?}")));
        }
        // Each row's entry read by its id (a plan no statistics can turn into
        // a scan), then all of them written in one statement each: FTS5
        // writes a segment at every statement's savepoint.
        let mut read = conn.prepare_cached(&format!("SELECT * FROM {t}_search_rows WHERE id = ?1"))?;
        let names: Vec<String> = read.column_names().iter().map(|c| c.to_string()).collect();
        let mut rows = vec![];
        for id in ids {
            let row = read
                .query_row([id], |r| {
                    (0..names.len())
                        .map(|i| {
                            Ok(match r.get_ref(i)? {
                                rusqlite::types::ValueRef::Integer(n) => serde_json::Value::from(n),
                                rusqlite::types::ValueRef::Text(s) => String::from_utf8_lossy(s).into_owned().into(),
                                _ => serde_json::Value::Null,
                            })
                        })
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
                .optional()?;
            rows.extend(row.map(serde_json::Value::from));
        }
        let cols = names[1..].join(", ");
        // Out: the entries the index holds, as the triggers recorded them.
        let old = (0..names.len() - 1).map(|i| format!("old ->> {i}")).collect::<Vec<_>>().join(", ");
        conn.prepare_cached(&format!(
            "INSERT INTO {t}_search ({t}_search, rowid, {cols})
                 SELECT 'delete', id, {old} FROM search_queue WHERE tbl = ?1 AND old IS NOT NULL"
        ))?
        .execute([t])?;
        // In: the live rows' entries now.
        if !rows.is_empty() {
            let values = (1..names.len()).map(|i| format!("value ->> {i}")).collect::<Vec<_>>().join(", ");
            conn.prepare_cached(&format!(
                "INSERT INTO {t}_search (rowid, {cols}) SELECT value ->> 0, {values} FROM json_each(?1)"
            ))?
            .execute([serde_json::Value::from(rows).to_string()])?;
        }
    }
    if !queued.is_empty() {
        conn.prepare_cached("DELETE FROM search_queue")?.execute([])?;
    }
    Ok(())
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
        assert!(trigrams("ab").is_empty());
        assert_eq!(match_all(&trigrams("a\"bc")), r#""a""b" AND """bc""#);
        assert_eq!(match_all(&trigrams("abab")), r#""aba" AND "bab""#);
        let long = trigrams(&format!("xxx{}", "0123456789".repeat(20)));
        assert_eq!(long.len(), MAX_TRIGRAMS);
        assert_eq!((long[0].as_str(), long[MAX_TRIGRAMS - 1].as_str()), ("xxx", "901"));
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
        conn.execute_batch(migration::QUEUE).expect("queue");
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
        // A third share a prefix, so that its trigrams are common.
        let prefix = ["", "", "", "", "pre-", "PRE-"][rng.gen_range(0..6)];
        let rest: String = (0..rng.gen_range(0..9)).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())]).collect();
        format!("{prefix}{rest}")
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

    /// The maintained indexes hold exactly what indexes built afresh from
    /// the rows would: every trigram of the data finds the same rows.
    fn matches_a_fresh_index(conn: &Connection) {
        for (table, columns) in [("t", "scope, name, note"), ("u", "name, domain")] {
            conn.execute_batch(&format!(
                "DROP TABLE IF EXISTS temp.fresh;
                 CREATE VIRTUAL TABLE temp.fresh USING fts5({columns}, content='', detail=none, columnsize=0, tokenize='trigram');
                 INSERT INTO temp.fresh (rowid, {columns}) SELECT id, {columns} FROM {table}_search_rows;"
            ))
            .expect("fresh index");
            let texts: Vec<String> = conn
                .prepare(&format!("SELECT concat_ws(' ', {columns}) FROM {table}_search_rows"))
                .expect("sql")
                .query_map([], |r| r.get(0))
                .expect("q")
                .collect::<Result<_, _>>()
                .expect("texts");
            let mut terms: Vec<String> = texts.iter().flat_map(|t| trigrams(t)).collect();
            terms.sort();
            terms.dedup();
            let found = |fts: &str, q: &str| -> Vec<i64> {
                let sql = format!("SELECT rowid FROM {fts} WHERE {fts} MATCH ?1 ORDER BY rowid");
                conn.prepare(&sql)
                    .expect("sql")
                    .query_map([q], |r| r.get(0))
                    .expect("q")
                    .collect::<Result<_, _>>()
                    .expect("ids")
            };
            for term in terms.iter().step_by(3) {
                let q = match_all(std::slice::from_ref(term));
                assert_eq!(found(&format!("{table}_search"), &q), found("fresh", &q), "{table}: {term:?}");
            }
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
            index_queued(&conn).expect("index");
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
                // Every other round the changes stay queued, as if made outside the writer.
                if round % 2 == 0 {
                    index_queued(&conn).expect("index");
                    matches_a_fresh_index(&conn);
                }
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
            "pre-",
            "PRE-a",
            "re-",
        ] {
            same(&conn, s);
        }
    }

    /// The rows holding a search's rare trigrams are its candidates; with only
    /// common ones, the scope's rows holding them all; too many leave the scan.
    #[test]
    fn candidates_come_from_rare_trigrams_or_the_scope() {
        let conn = db();
        for org in [1, 2] {
            for i in 0..60 {
                conn.execute(
                    "INSERT INTO t (org_id, name, note) VALUES (?1, ?2, '')",
                    rusqlite::params![org, format!("pre-common-{i}")],
                )
                .expect("t");
                conn.execute("INSERT INTO u (name) VALUES (?1)", [format!("pre-common-{i}")]).expect("u");
            }
        }
        conn.execute_batch("INSERT INTO t (org_id, name, note) VALUES (1, 'pre-rare', '')").expect("rare");
        index_queued(&conn).expect("index");
        let rare: i64 = conn.query_row("SELECT id FROM t WHERE name = 'pre-rare'", [], |r| r.get(0)).expect("id");
        let org1: Vec<i64> = conn
            .prepare("SELECT id FROM t WHERE org_id = 1 AND name LIKE 'pre-common%' ORDER BY id")
            .expect("sql")
            .query_map([], |r| r.get(0))
            .expect("q")
            .collect::<Result<_, _>>()
            .expect("ids");
        let found = |index: &SearchIndex, s: &str| candidates(&conn, index, s, Some(1)).expect("candidates");
        assert_eq!(found(&SCOPED, "PRE-RARE"), Some(vec![rare]), "the rare trigrams alone");
        assert_eq!(found(&SCOPED, "pre-common"), Some(org1), "common trigrams within org 1");
        assert_eq!(found(&UNSCOPED, "pre-common"), None, "more than an unscoped list reads: scan");
        assert_eq!(found(&SCOPED, "zzz-nothing"), Some(vec![]));
        assert_eq!(found(&SCOPED, "pr"), None);
    }

    #[test]
    fn rows_are_found_by_their_own_columns_only() {
        let conn = db();
        conn.execute_batch(
            "INSERT INTO t (org_id, name, note) VALUES (1, 'Alpha-Cluster', 'west%zone_1'), (2, 'alpha-other', ''),
                                                      (1, 'xab', 'cdx'), (1, 'gone alpha', '');",
        )
        .expect("rows");
        index_queued(&conn).expect("index");
        conn.execute_batch(
            "UPDATE t SET deleted_at = 'now' WHERE name = 'gone alpha';
             UPDATE t SET name = 'Renamed' WHERE name = 'xab';",
        )
        .expect("changes");
        index_queued(&conn).expect("index");
        let indexed = |q: &str| -> Vec<i64> {
            let sql = "SELECT rowid FROM t_search WHERE t_search MATCH ?1 ORDER BY rowid";
            conn.prepare(sql)
                .expect("sql")
                .query_map([q], |r| r.get(0))
                .expect("q")
                .collect::<Result<_, _>>()
                .expect("ids")
        };
        assert_eq!(indexed("\"xab\""), Vec::<i64>::new(), "the old text is out of the index");
        assert_eq!(indexed("\"alp\""), vec![2, 3], "the deleted row is out of the index");
        let queued: i64 = conn.query_row("SELECT count(*) FROM search_queue", [], |r| r.get(0)).expect("queue");
        assert_eq!(queued, 0);
        let ids = |s: &str| search(&conn, true, s, true, 100).0;
        assert_eq!(ids("ALPHA-c"), vec![2], "case-insensitive, this org only, not the deleted row");
        assert_eq!(ids("t%zone_"), vec![2], "% and _ are literal");
        assert_eq!(ids("t%zon%"), Vec::<i64>::new());
        assert_eq!(ids("abcd"), Vec::<i64>::new(), "never across columns");
        assert_eq!(ids("xab"), Vec::<i64>::new(), "an update takes the old text out");
        assert_eq!(ids("renam"), vec![4], "and puts the new text in");
    }

    /// A scoped search reads its candidates first and each by its id.
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
        assert!(plan[0].starts_with("SCAN search_hits VIRTUAL TABLE"), "{plan:?}");
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
