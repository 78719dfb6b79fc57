//! Lookups shared by the project, allocation, quota, service-account and
//! provider operations: ids from paths, the org row behind a scope check,
//! and group lists from request bodies.

use meshcloud_identity::core::orgs;
use meshcloud_identity::core::teams::{self, TeamRow};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::OrgId;
use meshcloud_kernel::{AppError, AppResult};

/// An id from a path: text that is not a UUID names nothing.
pub fn path_id(raw: &str) -> AppResult<uuid::Uuid> {
    uuid::Uuid::parse_str(raw.trim()).map_err(|_| AppError::NotFound)
}

/// The org row behind a passed scope check: the grant names it, else (a
/// provider admin outside the org) it is looked up.
pub fn org_row(c: &Conn, org: uuid::Uuid, known: Option<OrgId>) -> AppResult<OrgId> {
    match known {
        Some(id) => Ok(id),
        None => Ok(orgs::by_uuid(c, org)?.ok_or(AppError::NotFound)?.id),
    }
}

/// Distinct UUIDs of a list in a body, in their order.
pub fn body_ids(field: &str, raw: &[String]) -> AppResult<Vec<uuid::Uuid>> {
    let mut out: Vec<uuid::Uuid> = Vec::with_capacity(raw.len());
    for r in raw {
        let id = uuid::Uuid::parse_str(r.trim())
            .map_err(|_| AppError::validation(format!("{field} must hold group ids (UUIDs); {r:?} is not one")))?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// The live groups (teams) of the org with these ids; any other id is a 400.
pub fn live_groups(c: &Conn, org: OrgId, ids: &[uuid::Uuid]) -> AppResult<Vec<TeamRow>> {
    ids.iter()
        .map(|id| {
            teams::live_in_org(c, org, *id)?
                .ok_or_else(|| AppError::validation(format!("spec.groupIDs: {id} is not a group of the organization")))
        })
        .collect()
}
