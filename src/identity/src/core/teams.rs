//! Teams (the Identity face's groups) and their members.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::{OrgId, TeamId, UserId};

use super::grants::{AdminGuard, guarded};
use crate::store::teams;

pub use crate::store::teams::{
    MemberRow, ORDER_FIELDS, TeamRow, add_member, by_uuid, get, in_org, member_ids, of_user, update,
};

/// A live team currently in the org (not tombstoned, not taken out).
pub fn live_in_org(c: &Conn, org: OrgId, team: uuid::Uuid) -> AppResult<Option<TeamRow>> {
    Ok(teams::in_org(c, org, team)?.filter(|t| t.deleted_at.is_none() && t.unmapped_at.is_none()))
}

/// Creates a team owned by `owner`.
pub fn create(c: &Conn, org: OrgId, owner: UserId, name: &str, description: &str) -> AppResult<TeamRow> {
    let id = teams::insert(c, org, owner, name, description)?;
    teams::get(c, id)
}

/// Deletes a team with its memberships and role bindings; the workspaces it
/// was assigned to lose it too (a trigger of the workspace links keeps that
/// true for every path, the purge included). Returns the former members,
/// whose grants changed. A conflict if the org would lose its last active
/// admin.
pub fn delete(c: &Conn, team: &TeamRow) -> AppResult<Vec<UserId>> {
    guarded(c, team.org, || {
        let affected = teams::member_ids(c, team.id)?;
        teams::delete(c, team.id)?;
        Ok(affected)
    })
}

/// Tombstones a team (the Layer5 `action=delete`): it disappears from every
/// list and grants nothing, and its workspace links go as on delete.
pub fn tombstone(c: &Conn, team: &TeamRow) -> AppResult<Vec<UserId>> {
    guarded(c, team.org, || {
        let affected = teams::member_ids(c, team.id)?;
        teams::tombstone(c, team.id)?;
        Ok(affected)
    })
}

/// Takes a team out of its org (restorable) or puts it back. Putting it
/// back grants its roles again, which the caller has checked.
pub fn set_mapped(c: &Conn, team: &TeamRow, mapped: bool) -> AppResult<Vec<UserId>> {
    guarded(c, team.org, || {
        let affected = teams::member_ids(c, team.id)?;
        teams::set_mapped(c, team.id, mapped)?;
        Ok(affected)
    })
}

/// Removes a member from a team of the guard's org; false if they were not
/// in it. Part of an operation under `guard`, which checks the last-admin
/// rule at its end.
pub fn remove_member(c: &Conn, guard: &AdminGuard, team: TeamId, user: UserId) -> AppResult<bool> {
    teams::remove_member(c, guard.org(), team, user)
}
