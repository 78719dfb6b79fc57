//! ID-token signing keys.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::cols;
use meshcloud_kernel::time::{self, Timestamp};
use rusqlite::{Connection, params};

pub struct KeyRow {
    pub kid: String,
    pub private_key: Vec<u8>,
    pub x: String,
    pub y: String,
    pub created_at: Timestamp,
    pub retired_at: Option<Timestamp>,
}

/// Keys still published: the current one and those retired after `cutoff`.
pub fn published(conn: &Connection, cutoff: &Timestamp) -> AppResult<Vec<KeyRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kid, private_key, x, y, created_at, retired_at FROM signing_keys
          WHERE retired_at IS NULL OR retired_at > ?1 ORDER BY id DESC",
    )?;
    let rows = stmt.query_map([time::to_db(cutoff)], |r| {
        Ok(KeyRow {
            kid: r.get(0)?,
            private_key: r.get(1)?,
            x: r.get(2)?,
            y: r.get(3)?,
            created_at: cols::ts(r, 4)?,
            retired_at: cols::ts_opt(r, 5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Adds a new current key and retires the previous ones.
pub fn rotate_in(conn: &Connection, kid: &str, sealed: &[u8], x: &str, y: &str) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached("UPDATE signing_keys SET retired_at = ?1 WHERE retired_at IS NULL")?.execute([&now])?;
    conn.prepare_cached("INSERT INTO signing_keys (kid, private_key, x, y, created_at) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![kid, sealed, x, y, now])?;
    Ok(())
}

/// Removes keys retired before `cutoff`: nothing they signed is still valid.
pub fn purge_retired(conn: &Connection, cutoff: &Timestamp) -> AppResult<usize> {
    Ok(conn
        .prepare_cached("DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < ?1")?
        .execute([time::to_db(cutoff)])?)
}
