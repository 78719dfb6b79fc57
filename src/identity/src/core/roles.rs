//! Roles and their bindings to members and teams.

use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::{OrgId, RoleId, TeamId, UserId};
use meshcloud_kernel::{AppError, AppResult};

use super::grants::AdminGuard;
use crate::store::{roles, teams};

pub use crate::store::roles::{
    MEMBER, ORG_ADMIN, PROVIDER_ADMIN, RoleRow, bind_team, bind_user, by_name, perms, team_roles, usable,
};

/// A role usable in the org (its own or a built-in one).
pub fn in_org(c: &Conn, org: OrgId, role: uuid::Uuid) -> AppResult<Option<RoleRow>> {
    Ok(roles::by_uuid(c, role)?.filter(|r| r.org.is_none_or(|o| o == org)))
}

/// A live role usable in the org (its own or a built-in one) by row id.
pub fn in_org_by_id(c: &Conn, org: OrgId, role: RoleId) -> AppResult<Option<RoleRow>> {
    match roles::get(c, role) {
        Ok(r) => Ok(Some(r).filter(|r| r.deleted_at.is_none() && r.org.is_none_or(|o| o == org))),
        Err(AppError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The roles a member holds in the org: bound directly or through a live
/// team, each once, by name.
pub fn held(c: &Conn, org: OrgId, user: UserId) -> AppResult<Vec<RoleRow>> {
    let mut out = roles::user_roles(c, org, user)?;
    for (team, _, _) in teams::of_user(c, org, user)? {
        for r in roles::team_roles(c, team)? {
            if !out.iter().any(|o| o.id == r.id) {
                out.push(r);
            }
        }
    }
    out.sort_by(|a, b| a.role_name.cmp(&b.role_name).then(a.id.0.cmp(&b.id.0)));
    Ok(out)
}

/// Unbinds a role from a team; false if it was not bound. Part of an
/// operation under `guard`, which checks the last-admin rule at its end.
pub fn unbind_team(c: &Conn, guard: &AdminGuard, role: RoleId, team: TeamId) -> AppResult<bool> {
    roles::unbind_team(c, guard.org(), role, team)
}
