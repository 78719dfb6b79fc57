//! Organizations and their memberships.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::entitle::{self, Feature};
use meshcloud_kernel::ids::{OrgId, UserId};

use super::grants::guarded;
use crate::store::{orgs, roles, teams, users};

pub use crate::store::orgs::{
    OrgFields, OrgRow, by_uuid, get, insert, is_member, member_ids, memberships, soft_delete, update,
};
pub use crate::store::users::{MEMBER_ORDER_FIELDS, MembershipRow, membership, memberships_of};

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

/// Adds a user (person or service account) to the org in `state`; false if
/// they were a member already (nothing changed). Every face adds members
/// through this; what a new member may do is up to the roles and teams the
/// face gives them next (Layer5 binds the built-in `member` role, the
/// Identity face grants only through the groups named). A new person
/// (service accounts are not counted) must fit the org's member limit.
pub fn join(c: &Conn, org: OrgId, user: UserId, state: MemberState) -> AppResult<bool> {
    if !orgs::is_member(c, org, user)? && !users::is_service(c, user)? {
        entitle::admit(c, org, Feature::MembersInOrganization)?;
    }
    orgs::join(c, org, user, state.as_db())
}

/// Removes a user from the org with their team memberships and the roles
/// bound to them there. False if they were not a member (nothing changed);
/// a conflict if the org would lose its last active admin.
pub fn remove_member(c: &Conn, org: OrgId, user: UserId) -> AppResult<bool> {
    if !orgs::is_member(c, org, user)? {
        return Ok(false);
    }
    guarded(c, org, || {
        teams::leave_all(c, org, user)?;
        roles::unbind_user_everywhere(c, org, user)?;
        orgs::remove_member(c, org, user)?;
        Ok(true)
    })
}

/// Sets a membership's state; suspending the last active admin, or leaving
/// them pending, is a conflict.
pub fn set_member_state(c: &Conn, org: OrgId, user: UserId, state: MemberState) -> AppResult<()> {
    guarded(c, org, || orgs::set_member_state(c, org, user, state.as_db()))
}

/// Domains are claimed, not taken: binding a domain directly (create or
/// update, on any face) is for provider admins. An organization admin claims
/// one and has it proved (`Identity::claim_domain`); dropping the domain an
/// organization has is anyone's who may update it.
pub fn may_bind_domain(provider_admin: bool, current: Option<&str>, new: Option<&str>) -> AppResult<()> {
    match new {
        Some(d) if Some(d) != current && !provider_admin => Err(meshcloud_kernel::AppError::Forbidden),
        _ => Ok(()),
    }
}
