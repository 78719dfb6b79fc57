//! Quotas of an organization and the sums of its allocations.

use std::collections::HashMap;

use meshcloud_kernel::AppResult;
use meshcloud_kernel::ids::{AllocationId, OrgId};
use rusqlite::{Connection, params};

/// Quantities the org has set, by kind (kinds never set are absent).
pub fn quantities(conn: &Connection, org: OrgId) -> AppResult<HashMap<String, i64>> {
    let mut stmt = conn.prepare_cached("SELECT kind, quantity FROM quotas WHERE org_id = ?1")?;
    let rows = stmt.query_map([org], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    Ok(rows.collect::<Result<HashMap<_, _>, _>>()?)
}

pub fn set_quantity(conn: &Connection, org: OrgId, kind: &str, quantity: i64) -> AppResult<()> {
    conn.prepare_cached(
        "INSERT INTO quotas (org_id, kind, quantity) VALUES (?1, ?2, ?3)
         ON CONFLICT (org_id, kind) DO UPDATE SET quantity = excluded.quantity",
    )?
    .execute(params![org, kind, quantity])?;
    Ok(())
}

/// `(committed, reserved)` per kind, summed over the allocations of the
/// org's live projects, leaving out allocation `except` (the one a write
/// replaces).
pub fn totals(conn: &Connection, org: OrgId, except: Option<AllocationId>) -> AppResult<HashMap<String, (i64, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.kind, sum(i.committed), sum(i.reserved) FROM allocation_items i
           JOIN allocations a ON a.id = i.allocation_id
           JOIN workspaces w ON w.id = a.workspace_id AND w.deleted_at IS NULL
          WHERE a.org_id = ?1 AND a.id IS NOT ?2
          GROUP BY i.kind",
    )?;
    let rows = stmt.query_map(params![org, except], |r| {
        Ok((r.get::<_, String>(0)?, (r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))
    })?;
    Ok(rows.collect::<Result<HashMap<_, _>, _>>()?)
}
