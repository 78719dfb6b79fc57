//! API7 members: the core memberships of an organization, with their roles.
//! An invitation makes the invitee a pending member at once (found by
//! e-mail, or a new account without a password) holding the chosen role,
//! and a core invitation they accept on the Layer5 face or the UI, which
//! activates the membership. A pending membership grants nothing.

use std::collections::HashMap;

use meshcloud_identity::core::orgs::{self as core_orgs, MEMBER_ORDER_FIELDS, MemberState, MembershipRow};
use meshcloud_identity::core::users::{self as core_users, NewUser};
use meshcloud_identity::core::{invitations as core_invitations, roles as core_roles};
use meshcloud_identity::service::access::Affected;
use meshcloud_kernel::access::{Perm, PermSet};
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::{OrgId, RoleId, UserId};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};

use super::{Gateway, scope};
use crate::model::members::{Member, Role};

/// `order_by` values of the member list (default `updated_at`).
pub const ORDERS: [&str; 6] = MEMBER_ORDER_FIELDS;

/// Renders memberships with their roles, reading each role's keys once.
fn render(c: &Conn, org: OrgId, rows: Vec<MembershipRow>) -> AppResult<Vec<Member>> {
    let mut perms: HashMap<RoleId, PermSet> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for m in rows {
        let mut roles = Vec::new();
        for r in core_roles::held(c, org, m.user.id)? {
            let held = match perms.get(&r.id) {
                Some(p) => *p,
                None => {
                    let p = core_roles::perms(c, r.id)?;
                    perms.insert(r.id, p);
                    p
                }
            };
            roles.push(Role::render(org, &r, held));
        }
        out.push(Member::render(org, &m, roles));
    }
    Ok(out)
}

fn one(c: &Conn, org: OrgId, user: UserId) -> AppResult<Member> {
    let m = core_orgs::membership(c, org, user)?.ok_or(AppError::NotFound)?;
    render(c, org, vec![m])?.pop().ok_or(AppError::NotFound)
}

impl Gateway {
    pub async fn list_members(&self, p: &Principal, id: i64, req: PageRequest) -> AppResult<Page<Member>> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                let org = scope::org(c, &p, id, Perm::MembersRead)?;
                let page = core_orgs::memberships_of(c, org.id, &req)?;
                Ok(Page { items: render(c, org.id, page.items)?, total: page.total })
            })
            .await
    }

    pub async fn get_member(&self, p: &Principal, id: i64, member: i64) -> AppResult<Member> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                let org = scope::org(c, &p, id, Perm::MembersRead)?;
                one(c, org.id, UserId(member))
            })
            .await
    }

    /// Invites `email` with the role `role_id` (see the module's comment).
    /// The inviter must hold everything the invitation grants; someone who
    /// is a member already (in any state) is a conflict.
    pub async fn invite_member(&self, p: &Principal, id: i64, email: &str, role_id: i64) -> AppResult<Member> {
        let email =
            validate::email(email).map_err(|_| AppError::validation(format!("email: not an address: {email:?}")))?;
        let p = p.clone();
        self.identity()
            .commit(move |c| {
                let org = scope::org(c, &p, id, Perm::MembersInvite)?;
                let role = core_roles::in_org_by_id(c, org.id, RoleId(role_id))?
                    .ok_or_else(|| AppError::validation(format!("role_id: no role {role_id} in this organization")))?;
                let user = match core_users::by_email(c, &email)? {
                    Some(u) if core_users::is_service(c, u.id)? => {
                        return Err(AppError::conflict("the address is a service account's"));
                    }
                    Some(u) if core_orgs::is_member(c, org.id, u.id)? => {
                        return Err(AppError::conflict(format!("{email} is already a member of the organization")));
                    }
                    Some(u) => u.id,
                    None => {
                        let new = NewUser {
                            email: &email,
                            user_id: &email,
                            first_name: "",
                            last_name: "",
                            password_hash: None,
                            provider_admin: false,
                        };
                        core_users::insert(c, &new)?.0
                    }
                };
                core_invitations::invite(c, &p, &org, &email, &role)?;
                core_orgs::join(c, org.id, user, MemberState::Pending)?;
                core_roles::bind_user(c, org.id, role.id, user)?;
                audit::record(
                    c,
                    Event::new(EventKind::OrganizationAddMember, Some(p.user))
                        .org(org.id)
                        .on(core_users::get(c, user)?.uuid)
                        .describe(format!("{email} invited as {} (pending)", role.role_name)),
                )?;
                Ok((one(c, org.id, user)?, Affected::InOrg { org: org.id, users: vec![user] }))
            })
            .await
    }
}
