//! Roles usable in an organization: the built-in ones and the org's own.

use meshcloud_identity::store::roles::RoleRow;
use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::cols;
use meshcloud_kernel::ids::OrgId;
use rusqlite::Connection;

/// Live roles usable in `org`, by name.
pub fn usable(conn: &Connection, org: OrgId) -> AppResult<Vec<RoleRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.uuid, r.org_id, r.role_name, r.scope, r.description, r.created_at, r.updated_at, r.deleted_at
           FROM roles r WHERE r.deleted_at IS NULL AND (r.org_id IS NULL OR r.org_id = ?1) ORDER BY r.role_name, r.id",
    )?;
    let rows = stmt.query_map([org], |r| {
        Ok(RoleRow {
            id: r.get(0)?,
            uuid: cols::uuid(r, 1)?,
            org: r.get(2)?,
            role_name: r.get(3)?,
            scope: r.get(4)?,
            description: r.get(5)?,
            created_at: cols::ts(r, 6)?,
            updated_at: cols::ts(r, 7)?,
            deleted_at: cols::ts_opt(r, 8)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
