//! How much of what plans limit the organization has (see `kernel::entitle`).

use meshcloud_kernel::AppResult;
use meshcloud_kernel::ids::OrgId;
use rusqlite::Connection;

/// People who are members (service accounts are not counted).
pub fn members(c: &Connection, org: OrgId) -> AppResult<i64> {
    Ok(crate::store::users::count_in_org(c, org)? as i64)
}
