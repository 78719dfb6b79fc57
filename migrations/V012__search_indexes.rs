//! Substring search without a scan: for every table whose lists take `search`,
//! a contentless FTS5 table (SQLite only) with the trigram tokenizer over the
//! searched columns. A list asks it for candidate rows and re-checks its
//! exact `LIKE` on each (see `kernel::db::search`), so the index may hold more
//! than a list matches, never less.
//!
//! Triggers only queue the ids of changed rows in `search_queue`; the writer
//! re-indexes the queued rows from `<table>_search_rows` (a view of what the
//! index holds) once per batch, just before it commits (`kernel::db::search::
//! index_queued`). FTS5 writes a new segment at every savepoint, and every
//! write job runs in one: indexing in the triggers would cost a segment per
//! row. Readers add queued rows to the candidates, so a search is exact even
//! when rows were changed outside the writer.
//!
//! `detail=none` keeps only which rows hold a trigram (no positions: the
//! smallest index); `columnsize=0` drops the per-row sizes only ranking
//! needs. The first change to a row since it was indexed queues the entry
//! the index holds for it, which is what FTS5 needs to take it out.
//! Tables whose lists are scoped to an org or a user index the scope as their
//! first column, spelled as one trigram of private-use characters, so that a
//! search within an org can ask for that org's rows only. Only live rows are
//! indexed.
//!
//! The SQL is generated from one definition per table by the code below, which
//! is part of this migration: it must never change once applied.

/// One table's search index, `<table>_search`. Expressions are over `$`, the
/// row (`NEW`, `OLD` or the table itself); every table has `id INTEGER PRIMARY KEY`.
pub struct Index {
    pub table: &'static str,
    /// The column lists are scoped by (an org or a user), if any.
    pub scope: Option<&'static str>,
    /// Which rows are indexed; `None`: all of them.
    pub live: Option<&'static str>,
    /// The index's columns: (name, expression).
    pub columns: &'static [(&'static str, &'static str)],
}

const INDEXES: &[Index] = &[
    Index {
        table: "environments",
        scope: Some("org_id"),
        live: Some("$.deleted_at IS NULL"),
        columns: &[("name", "$.name"), ("description", "$.description")],
    },
    Index {
        table: "connections",
        scope: Some("org_id"),
        live: Some("$.deleted_at IS NULL"),
        columns: &[("name", "$.name"), ("kind", "$.kind"), ("type", "$.type"), ("sub_type", "$.sub_type")],
    },
    Index {
        table: "credentials",
        scope: Some("org_id"),
        live: Some("$.deleted_at IS NULL"),
        columns: &[("name", "$.name"), ("type", "$.type")],
    },
    Index {
        table: "workspaces",
        scope: Some("org_id"),
        live: Some("$.deleted_at IS NULL"),
        columns: &[("name", "$.name"), ("description", "$.description")],
    },
    Index {
        table: "events",
        scope: Some("org_id"),
        live: Some("$.deleted_at IS NULL"),
        columns: &[("description", "$.description"), ("category", "$.category"), ("action", "$.action")],
    },
    Index {
        table: "teams",
        scope: Some("org_id"),
        live: Some("$.deleted_at IS NULL"),
        columns: &[("name", "$.name"), ("description", "$.description")],
    },
    Index {
        table: "tokens",
        scope: Some("user_id"),
        live: Some("$.revoked_at IS NULL"),
        columns: &[("name", "$.name"), ("purpose", "$.purpose")],
    },
    Index {
        table: "schedules",
        scope: Some("user_id"),
        live: Some("$.kind = 'user'"),
        columns: &[("name", "$.name"), ("cron_expression", "$.cron_expression")],
    },
    Index {
        table: "users",
        scope: None,
        live: Some("$.deleted_at IS NULL"),
        columns: &[
            ("email", "$.email"),
            ("first_name", "$.first_name"),
            ("last_name", "$.last_name"),
            ("user_id", "$.user_id"),
        ],
    },
    Index {
        table: "organizations",
        scope: None,
        live: Some("$.deleted_at IS NULL"),
        columns: &[("name", "$.name"), ("description", "$.description"), ("domain", "coalesce($.domain, '')")],
    },
    Index {
        table: "roles",
        scope: None,
        live: Some("$.deleted_at IS NULL"),
        columns: &[("role_name", "$.role_name"), ("description", "$.description")],
    },
    Index { table: "keychains", scope: None, live: Some("$.deleted_at IS NULL"), columns: &[("name", "$.name")] },
    Index {
        table: "permission_keys",
        scope: None,
        live: Some("$.deleted_at IS NULL"),
        columns: &[
            ("function", "$.function"),
            ("category", "$.category"),
            ("subcategory", "$.subcategory"),
            ("description", "$.description"),
        ],
    },
    Index {
        table: "signup_requests",
        scope: None,
        live: None,
        columns: &[("email", "$.email"), ("first_name", "$.first_name"), ("last_name", "$.last_name")],
    },
];

/// The rows whose index entries are out of date, by table, each with the
/// entry the index holds for it: FTS5 takes an entry out given its text.
pub const QUEUE: &str = "
CREATE TABLE search_queue (
    tbl TEXT NOT NULL,
    id  INTEGER NOT NULL,
    old TEXT,             -- what the index holds for the row (a JSON array), if anything
    PRIMARY KEY (tbl, id)
) STRICT, WITHOUT ROWID;
";

pub fn migration() -> String {
    QUEUE.to_string() + &INDEXES.iter().map(sql).collect::<String>()
}

/// `expr` over the row `row` (`NEW.`, `OLD.` or `` for the table itself).
fn over(expr: &str, row: &str) -> String {
    expr.replace("$.", row)
}

/// The columns of the row an expression reads.
fn reads(expr: &str, out: &mut Vec<String>) {
    for part in expr.split("$.").skip(1) {
        let name: String = part.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if !out.contains(&name) {
            out.push(name);
        }
    }
}

/// The scope as three characters of the private use area (U+E000, 6400 of
/// them): one trigram, the same one `kernel::db::search` spells for a query.
fn scope_token(column: &str, row: &str) -> String {
    let c = format!("{row}{column}");
    format!("char(57344 + ({c} / 40960000) % 6400, 57344 + ({c} / 6400) % 6400, 57344 + {c} % 6400)")
}

/// The index's table, its view and triggers, and its filling from the rows
/// already there (the table `search_queue` must exist).
pub fn sql(ix: &Index) -> String {
    let t = ix.table;
    let fts = format!("{t}_search");
    let live = |row: &str| {
        let mut conds = vec![];
        if let Some(l) = ix.live {
            conds.push(format!("({})", over(l, row)));
        }
        if let Some(s) = ix.scope {
            conds.push(format!("{row}{s} IS NOT NULL"));
        }
        if conds.is_empty() { "1".to_string() } else { conds.join(" AND ") }
    };
    let mut columns: Vec<(&str, String)> = vec![];
    if let Some(s) = ix.scope {
        columns.push(("scope", scope_token(s, "$.")));
    }
    columns.extend(ix.columns.iter().map(|(n, e)| (*n, e.to_string())));
    let names = columns.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ");
    let values = columns.iter().map(|(n, e)| format!("{} AS {n}", over(e, ""))).collect::<Vec<_>>().join(", ");
    let entry = |row: &str| columns.iter().map(|(_, e)| over(e, row)).collect::<Vec<_>>().join(", ");
    let mut watched = vec![];
    for (_, e) in ix.columns {
        reads(e, &mut watched);
    }
    if let Some(s) = ix.scope {
        reads(&format!("$.{s}"), &mut watched);
    }
    if let Some(l) = ix.live {
        reads(l, &mut watched);
    }
    let changed: Vec<String> = watched.iter().map(|c| format!("OLD.{c} IS NOT NEW.{c}")).collect();
    let (live_old, live_new, live_row) = (live("OLD."), live("NEW."), live(""));
    let (watched, changed) = (watched.join(", "), changed.join(" OR "));
    // The first change since the index was last written records what it holds.
    let queue =
        |old: &str| format!("INSERT INTO search_queue (tbl, id, old) VALUES ('{t}', {old}) ON CONFLICT DO NOTHING;");
    let old_entry = entry("OLD.");
    let (queue_insert, queue_update, queue_delete) = (
        queue("NEW.id, NULL"),
        queue(&format!("NEW.id, CASE WHEN {live_old} THEN json_array({old_entry}) END")),
        queue(&format!("OLD.id, json_array({old_entry})")),
    );
    format!(
        "
CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='', detail=none, columnsize=0, tokenize='trigram');
CREATE VIEW {fts}_rows AS SELECT id, {values} FROM {t} WHERE {live_row};
CREATE TRIGGER {fts}_insert AFTER INSERT ON {t} WHEN {live_new} BEGIN
    {queue_insert}
END;
CREATE TRIGGER {fts}_update AFTER UPDATE OF {watched} ON {t}
    WHEN (({live_old}) OR ({live_new})) AND ({changed}) BEGIN
    {queue_update}
END;
CREATE TRIGGER {fts}_delete AFTER DELETE ON {t} WHEN {live_old} BEGIN
    {queue_delete}
END;
INSERT INTO {fts} (rowid, {names}) SELECT id, {names} FROM {fts}_rows;
"
    )
}
