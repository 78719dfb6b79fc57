//! Which organization a request acts in, and whether the caller may. Paths
//! under `/controlplanes/{id}` and `/apps/{id}` name no organization: the
//! row's owner is looked up and checked. A caller who is not a member of
//! that organization learns nothing ("not found"); a member without the
//! permission is refused (403).

use meshcloud_identity::core::orgs::{self as core_orgs, OrgRow};
use meshcloud_kernel::access::Perm;
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::OrgId;
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult};

use crate::store::control_planes::{self, ControlPlaneRow};

/// Control planes in these states are gone for every read and write.
pub const DELETED: i64 = 6;

/// A live organization by its row id, if the caller may `perm` in it.
pub fn org(c: &Conn, p: &Principal, id: i64, perm: Perm) -> AppResult<OrgRow> {
    let org = core_orgs::get(c, OrgId(id))?;
    p.require(org.uuid, perm)?;
    Ok(org)
}

/// A control plane (not deleted) of a live organization, if the caller may
/// `perm` in its organization.
pub fn control_plane(c: &Conn, p: &Principal, id: i64, perm: Perm) -> AppResult<ControlPlaneRow> {
    let cp = control_planes::get(c, id)?.filter(|cp| cp.status != DELETED).ok_or(AppError::NotFound)?;
    p.require(cp.org_uuid, perm)?;
    Ok(cp)
}
