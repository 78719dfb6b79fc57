//! What other families and the application call of the gateway family; its
//! `store` stays private.

/// How much of what plans limit the organization has (see `kernel::entitle`).
pub mod usage {
    use meshcloud_kernel::AppResult;
    use meshcloud_kernel::ids::OrgId;
    use rusqlite::Connection;

    /// Control planes of the organization that are not deleted (status 6).
    pub fn control_planes(c: &Connection, org: OrgId) -> AppResult<i64> {
        Ok(c.prepare_cached("SELECT count(*) FROM gateway_control_planes WHERE org_id = ?1 AND status <> 6")?
            .query_row([org], |r| r.get(0))?)
    }
}
