//! Organizations and their memberships.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::{OrgId, UserId};

use super::grants::ensure_admin_left;
use crate::store::{orgs, roles, teams};

pub use crate::store::orgs::{
    OrgFields, OrgRow, add_member, by_uuid, get, insert, is_member, member_ids, soft_delete, update,
};

/// A membership's standing (the Identity face's user `state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberState {
    Active,
    Pending,
    Suspended,
}

impl MemberState {
    pub fn as_db(self) -> &'static str {
        match self {
            MemberState::Active => "active",
            MemberState::Pending => "pending",
            MemberState::Suspended => "suspended",
        }
    }
}

/// Removes a user from the org with their team memberships and the roles
/// bound to them there. False if they were not a member (nothing changed);
/// a conflict if no active admin would be left.
pub fn remove_member(c: &Conn, org: OrgId, user: UserId) -> AppResult<bool> {
    if !orgs::is_member(c, org, user)? {
        return Ok(false);
    }
    teams::leave_all(c, org, user)?;
    roles::unbind_user_everywhere(c, org, user)?;
    orgs::remove_member(c, org, user)?;
    ensure_admin_left(c, org)?;
    Ok(true)
}

/// Sets a membership's state; suspending or leaving pending the last active
/// admin is a conflict.
pub fn set_member_state(c: &Conn, org: OrgId, user: UserId, state: MemberState) -> AppResult<()> {
    orgs::set_member_state(c, org, user, state.as_db())?;
    if state != MemberState::Active {
        ensure_admin_left(c, org)?;
    }
    Ok(())
}
