//! How much of what plans limit the organization has (see `kernel::entitle`),
//! from the counts the store's triggers keep.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::query::live_count;
use meshcloud_kernel::ids::OrgId;
use rusqlite::Connection;

pub fn workspaces(c: &Connection, org: OrgId) -> AppResult<i64> {
    Ok(live_count(c, org, "workspaces")? as i64)
}

pub fn environments(c: &Connection, org: OrgId) -> AppResult<i64> {
    Ok(live_count(c, org, "environments")? as i64)
}

pub fn connections(c: &Connection, org: OrgId) -> AppResult<i64> {
    Ok(live_count(c, org, "connections")? as i64)
}
