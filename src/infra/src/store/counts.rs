//! Live rows per org, kept by triggers (see `V003__infra.sql`).

use meshcloud_kernel::AppResult;
use meshcloud_kernel::ids::OrgId;
use rusqlite::{Connection, OptionalExtension, params};

/// The number of live rows of `table` in `org`.
pub fn live(conn: &Connection, org: OrgId, table: &str) -> AppResult<u64> {
    let n: Option<i64> = conn
        .prepare_cached("SELECT n FROM live_counts WHERE org_id = ?1 AND tbl = ?2")?
        .query_row(params![org, table], |r| r.get(0))
        .optional()?;
    Ok(n.unwrap_or(0).max(0) as u64)
}
