//! Pages that seek instead of skipping: for the large lists, each scope's
//! live rows in each sort order are cut into runs of about `N` rows
//! ("buckets"), each stored as its first key `(k, id)` and its row count `n`
//! in `<table>_pages`, kept by triggers in the writing transaction (SQLite
//! triggers; `kernel::db::pages` reads them). A page at offset X adds up the
//! counts to find the bucket holding X, seeks to its first key and skips
//! fewer than 2N rows, whatever the size of the list.
//!
//! A bucket holds the rows from its first key up to the next bucket's. The
//! first bucket of a (sort, scope) starts at `('', 0)`, before every row
//! (sort columns are NOT NULL text, ids positive), and is never removed. A
//! bucket that grows past 2N rows is split at its N-th row; one that shrinks
//! to N/4 rows or fewer is merged into the one before it when that stays
//! within 2N. A sort by the id has `k = ''` throughout.
//!
//! The SQL is generated from one definition per table by the code below, which
//! is part of this migration: it must never change once applied.

/// The anchored lists of one table: the live rows of each scope, in the order
/// of each sort column and then the id. Expressions are over `$`, the row.
pub struct Paged {
    pub table: &'static str,
    pub scope: &'static str,
    pub live: &'static str,
    /// NOT NULL text columns with an index `(scope, column, id)` over the live
    /// rows, or `id` (with an index `(scope, id)`).
    pub sorts: &'static [&'static str],
}

/// Rows per bucket: buckets hold between N/4 and 2N rows.
pub const N: i64 = 1024;

const LISTS: &[Paged] = &[
    Paged {
        table: "environments",
        scope: "org_id",
        live: "$.deleted_at IS NULL",
        sorts: &["name", "created_at", "updated_at"],
    },
    Paged {
        table: "connections",
        scope: "org_id",
        live: "$.deleted_at IS NULL",
        sorts: &["name", "kind", "type", "sub_type", "status", "created_at", "updated_at"],
    },
    Paged {
        table: "credentials",
        scope: "org_id",
        live: "$.deleted_at IS NULL",
        sorts: &["name", "type", "created_at", "updated_at"],
    },
    Paged {
        table: "workspaces",
        scope: "org_id",
        live: "$.deleted_at IS NULL",
        sorts: &["name", "created_at", "updated_at"],
    },
    Paged { table: "events", scope: "org_id", live: "$.deleted_at IS NULL", sorts: &["id", "category", "status"] },
];

pub fn migration() -> String {
    LISTS.iter().map(|p| sql(p, N)).collect()
}

fn over(expr: &str, row: &str) -> String {
    expr.replace("$.", row)
}

/// The columns of the row an expression reads.
fn reads(expr: &str) -> Vec<String> {
    expr.split("$.")
        .skip(1)
        .map(|part| part.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect())
        .collect()
}

/// The tables, triggers and first buckets of `p`, with buckets of about `n` rows.
pub fn sql(p: &Paged, n: i64) -> String {
    let (t, s) = (p.table, p.scope);
    let pages = format!("{t}_pages");
    let live = |row: &str| format!("({}) AND {row}{s} IS NOT NULL", over(p.live, row));
    let key = |sort: &str, row: &str| if sort == "id" { "''".to_string() } else { format!("{row}{sort}") };
    // The bucket holding the key of `row` in `sort`, as `(k, id) = (...)`.
    let holder = |sort: &str, row: &str| {
        format!(
            "sort = '{sort}' AND scope = {row}{s} AND (k, id) = (SELECT k, id FROM {pages} \
             WHERE sort = '{sort}' AND scope = {row}{s} AND (k, id) <= ({}, {row}id) ORDER BY k DESC, id DESC LIMIT 1)",
            key(sort, row)
        )
    };
    // Count a row in (`add`) or out of (`remove`) its bucket, when `cond`
    // holds; `add` first makes the bucket that starts before every row.
    let add = |sort: &str, cond: Option<&str>| {
        let (first, when) = match cond {
            None => (format!("VALUES ('{sort}', NEW.{s}, '', 0, 0)"), String::new()),
            Some(c) => (format!("SELECT '{sort}', NEW.{s}, '', 0, 0 WHERE {c}"), format!("{c} AND ")),
        };
        format!(
            "    INSERT INTO {pages} (sort, scope, k, id, n) {first} ON CONFLICT DO NOTHING;
    UPDATE {pages} SET n = n + 1 WHERE {when}{};
",
            holder(sort, "NEW.")
        )
    };
    let remove = |sort: &str, cond: Option<&str>| {
        let when = cond.map_or_else(String::new, |c| format!("{c} AND "));
        format!(
            "    UPDATE {pages} SET n = n - 1 WHERE {when}{};
",
            holder(sort, "OLD.")
        )
    };
    let (live_new, live_old, live_row) = (live("NEW."), live("OLD."), live(""));

    let mut out = format!(
        "
CREATE TABLE {pages} (
    sort  TEXT NOT NULL,
    scope INTEGER NOT NULL,
    k     TEXT NOT NULL,
    id    INTEGER NOT NULL,
    n     INTEGER NOT NULL,
    PRIMARY KEY (sort, scope, k, id)
) STRICT, WITHOUT ROWID;
"
    );
    out += &format!("CREATE TRIGGER {pages}_insert AFTER INSERT ON {t} WHEN {live_new} BEGIN\n");
    for sort in p.sorts {
        out += &add(sort, None);
    }
    out += "END;\n";
    out += &format!("CREATE TRIGGER {pages}_delete AFTER DELETE ON {t} WHEN {live_old} BEGIN\n");
    for sort in p.sorts {
        out += &remove(sort, None);
    }
    out += "END;\n";
    for sort in p.sorts {
        let mut watched = reads(&format!("$.{s} {}", p.live));
        if *sort != "id" {
            watched.insert(0, sort.to_string());
        }
        watched.dedup();
        let changed: Vec<String> = watched.iter().map(|c| format!("OLD.{c} IS NOT NEW.{c}")).collect();
        out += &format!(
            "CREATE TRIGGER {pages}_{sort}_update AFTER UPDATE OF {} ON {t}
    WHEN (({live_old}) OR ({live_new})) AND ({}) BEGIN
{}{}END;
",
            watched.join(", "),
            changed.join(" OR "),
            remove(sort, Some(&format!("({live_old})"))),
            add(sort, Some(&format!("({live_new})"))),
        );
    }

    // Split a bucket past 2N rows at its N-th row; merge one down to N/4 rows
    // into the one before it when the two fit in 2N.
    let (big, small) = (2 * n, n / 4);
    let this = "sort = NEW.sort AND scope = NEW.scope AND k = NEW.k AND id = NEW.id";
    let before = format!(
        "(SELECT {{}} FROM {pages} WHERE sort = NEW.sort AND scope = NEW.scope AND (k, id) < (NEW.k, NEW.id) \
         ORDER BY k DESC, id DESC LIMIT 1)"
    );
    let merge = format!("NEW.n < OLD.n AND NEW.n <= {small} AND NEW.id <> 0");
    out += &format!(
        "CREATE TRIGGER {pages}_balance AFTER UPDATE OF n ON {pages}
    WHEN NEW.n > {big} OR ({merge}) BEGIN
"
    );
    let row_live = over(p.live, "");
    for sort in p.sorts {
        // The id of the N-th live row from the bucket's first key.
        let nth = if *sort == "id" {
            format!(
                "(SELECT id FROM {t} WHERE {s} = NEW.scope AND {row_live} AND id >= NEW.id ORDER BY id LIMIT 1 OFFSET {n})"
            )
        } else {
            let ties = format!("FROM {t} WHERE {s} = NEW.scope AND {row_live} AND {sort} = NEW.k AND id >= NEW.id");
            format!(
                "coalesce((SELECT id {ties} ORDER BY id LIMIT 1 OFFSET {n}),
            (SELECT id FROM {t} WHERE {s} = NEW.scope AND {row_live} AND {sort} > NEW.k ORDER BY {sort}, id
              LIMIT 1 OFFSET {n} - (SELECT count(*) FROM (SELECT 1 {ties} LIMIT {n}))))"
            )
        };
        out += &format!(
            "    INSERT INTO {pages} (sort, scope, k, id, n)
        SELECT '{sort}', NEW.scope, {}, r.id, NEW.n - {n} FROM {t} r
         WHERE NEW.sort = '{sort}' AND NEW.n > {big} AND r.id = {nth};
",
            key(sort, "r.")
        );
    }
    out += &format!("    UPDATE {pages} SET n = {n} WHERE NEW.n > {big} AND {this};\n");
    out += &format!(
        "    DELETE FROM {pages} WHERE {merge} AND {this} AND {} + NEW.n <= {big};
    UPDATE {pages} SET n = n + NEW.n
     WHERE {merge} AND sort = NEW.sort AND scope = NEW.scope AND (k, id) = {} AND n + NEW.n <= {big};
END;
",
        before.replace("{}", "n"),
        before.replace("{}", "k, id"),
    );

    // The rows already there: a bucket every N rows.
    for sort in p.sorts {
        let order = if *sort == "id" { "id".to_string() } else { format!("{sort}, id") };
        out += &format!(
            "INSERT INTO {pages} (sort, scope, k, id, n)
    SELECT '{sort}', scope, CASE WHEN rn = 0 THEN '' ELSE k END, CASE WHEN rn = 0 THEN 0 ELSE id END, min({n}, total - rn)
      FROM (SELECT {s} AS scope, {} AS k, id, row_number() OVER (PARTITION BY {s} ORDER BY {order}) - 1 AS rn,
                   count(*) OVER (PARTITION BY {s}) AS total
              FROM {t} WHERE {live_row})
     WHERE rn % {n} = 0;
",
            key(sort, "")
        );
    }
    out
}
