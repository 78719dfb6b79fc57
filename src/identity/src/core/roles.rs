//! Roles and their bindings to members and teams.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::{OrgId, RoleId, TeamId};

use super::grants::AdminGuard;
use crate::store::roles;

pub use crate::store::roles::{ORG_ADMIN, PROVIDER_ADMIN, RoleRow, bind_team, by_name, perms, team_roles, usable};

/// A role usable in the org (its own or a built-in one).
pub fn in_org(c: &Conn, org: OrgId, role: uuid::Uuid) -> AppResult<Option<RoleRow>> {
    Ok(roles::by_uuid(c, role)?.filter(|r| r.org.is_none_or(|o| o == org)))
}

/// Unbinds a role from a team; false if it was not bound. Part of an
/// operation under `guard`, which checks the last-admin rule at its end.
pub fn unbind_team(c: &Conn, guard: &AdminGuard, role: RoleId, team: TeamId) -> AppResult<bool> {
    roles::unbind_team(c, guard.org(), role, team)
}
