//! What other families and the application call of the content family; its
//! `store` stays private.

/// How much of what plans limit the organization has (see `kernel::entitle`).
pub mod usage {
    use meshcloud_kernel::AppResult;
    use meshcloud_kernel::ids::OrgId;
    use rusqlite::Connection;

    /// Live designs owned by the organization.
    pub fn designs(c: &Connection, org: OrgId) -> AppResult<i64> {
        Ok(c.prepare_cached("SELECT count(*) FROM designs WHERE org_id = ?1 AND deleted_at IS NULL")?
            .query_row([org], |r| r.get(0))?)
    }
}
