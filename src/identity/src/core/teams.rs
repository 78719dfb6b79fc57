//! Teams (the Identity face's groups) and their members.

use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::{OrgId, TeamId, UserId};
use meshcloud_kernel::{AppError, AppResult};

use super::grants::ensure_admin_left;
use crate::store::teams;

pub use crate::store::teams::{
    MemberRow, ORDER_FIELDS, TeamRow, add_member, by_uuid, get, ids_of_user, in_org, member_ids, of_user,
    remove_member, update,
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
/// whose grants changed. A conflict if no active admin would be left.
pub fn delete(c: &Conn, team: &TeamRow) -> AppResult<Vec<UserId>> {
    let affected = teams::member_ids(c, team.id)?;
    teams::delete(c, team.id)?;
    ensure_admin_left(c, team.org)?;
    Ok(affected)
}

/// Tombstones a team (the Layer5 `action=delete`): it disappears from every
/// list and grants nothing, and its workspace links go as on delete.
pub fn tombstone(c: &Conn, team: &TeamRow) -> AppResult<Vec<UserId>> {
    let affected = teams::member_ids(c, team.id)?;
    teams::tombstone(c, team.id)?;
    ensure_admin_left(c, team.org)?;
    Ok(affected)
}

/// Takes a team out of its org (restorable) or puts it back. Putting it
/// back grants its roles again, which the caller has checked.
pub fn set_mapped(c: &Conn, team: &TeamRow, mapped: bool) -> AppResult<Vec<UserId>> {
    let affected = teams::member_ids(c, team.id)?;
    teams::set_mapped(c, team.id, mapped)?;
    if !mapped {
        ensure_admin_left(c, team.org)?;
    }
    Ok(affected)
}

/// A team's member row; not found if the user is not in it.
pub fn member(c: &Conn, team: TeamId, user: UserId) -> AppResult<MemberRow> {
    teams::member(c, team, user)?.ok_or(AppError::NotFound)
}
