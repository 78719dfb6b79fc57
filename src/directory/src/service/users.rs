//! An organization's users: memberships of human accounts, their state and
//! their groups. Adding an account that already exists (without its consent)
//! needs the stronger key; activating someone or putting them in a group
//! never grants more than the caller holds.

use std::collections::HashMap;

use meshcloud_identity::core::grants::{self, AdminGuard, Taker, must_hold};
use meshcloud_identity::core::orgs as core_orgs;
use meshcloud_identity::core::teams as core_teams;
use meshcloud_identity::core::users::{self as core_users, NewUser};
use meshcloud_identity::service::access::Affected;
use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::{TeamId, UserId};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};

use super::Directory;
use super::acl::{self, Endpoint, Op};
use super::groups::uuids;
use super::orgs::live_org;
use crate::model::users::{UserRead, UserState, UserWrite};
use crate::store::orgs::IdOrgRow;
use crate::store::{groups, signup, users};

struct Checked {
    subject: String,
    state: UserState,
    groups: Vec<uuid::Uuid>,
}

fn check(body: &UserWrite) -> AppResult<Checked> {
    if let Some(m) = &body.metadata {
        // A user is named by its subject (read back as metadata.name), so the
        // name is not held to the label rule and not stored.
        m.check_keeping_name()?;
    }
    let subject = validate::email(&body.spec.subject)
        .map_err(|_| AppError::validation("spec.subject must be an e-mail address"))?;
    Ok(Checked { subject, state: body.spec.state, groups: uuids("spec.groupIDs", &body.spec.group_ids)? })
}

/// The live groups of the org with these ids; any other id is a 400.
fn resolve_groups(c: &Conn, org: &IdOrgRow, ids: &[uuid::Uuid]) -> AppResult<Vec<TeamId>> {
    ids.iter()
        .map(|id| {
            Ok(groups::get(c, org.id, *id)?
                .ok_or_else(|| AppError::validation(format!("spec.groupIDs: {id} is not a group of the organization")))?
                .id)
        })
        .collect()
}

fn load(c: &Conn, org: &IdOrgRow, user: uuid::Uuid) -> AppResult<UserRead> {
    let u = users::get(c, org.id, user)?.ok_or(AppError::NotFound)?;
    let gids = users::group_ids(c, org.id, Some(u.id))?.into_iter().map(|(_, _, g)| g.to_string()).collect();
    Ok(UserRead::render(u, org.uuid, gids))
}

impl Directory {
    pub async fn list_users(&self, p: &Principal, org: uuid::Uuid) -> AppResult<Vec<UserRead>> {
        acl::org_scope(p, org, Endpoint::Users, Op::Read)?;
        self.db()
            .read(move |c| {
                let org = live_org(c, org)?;
                let mut gids: HashMap<UserId, Vec<String>> = HashMap::new();
                for (u, _, g) in users::group_ids(c, org.id, None)? {
                    gids.entry(u).or_default().push(g.to_string());
                }
                Ok(users::list(c, org.id)?
                    .into_iter()
                    .map(|u| {
                        let g = gids.remove(&u.id).unwrap_or_default();
                        UserRead::render(u, org.uuid, g)
                    })
                    .collect())
            })
            .await
    }

    /// Adds a user to the organization: an existing account by its address,
    /// else a new account (no password: it signs in through a provider).
    pub async fn create_user(&self, p: &Principal, org: uuid::Uuid, body: UserWrite) -> AppResult<UserRead> {
        acl::org_scope(p, org, Endpoint::Users, Op::Create)?;
        let spec = check(&body)?;
        let may_add_existing = p.may(org, Perm::MembersAdd);
        let (p, dir) = (p.clone(), self.clone());
        self.identity()
            .commit(move |c| {
                let org = live_org(c, org)?;
                let teams = resolve_groups(c, &org, &spec.groups)?;
                must_hold(&p, org.uuid, grants::of_teams(c, &teams)?)?;
                let user = match core_users::by_email(c, &spec.subject)? {
                    Some(u) => {
                        if core_users::is_service(c, u.id)? {
                            return Err(AppError::conflict("the subject is a service account"));
                        }
                        if core_orgs::is_member(c, org.id, u.id)? {
                            return Err(AppError::conflict("the user is already a member of the organization"));
                        }
                        if !may_add_existing {
                            return Err(AppError::Forbidden);
                        }
                        u.uuid
                    }
                    None => {
                        let new = NewUser {
                            email: &spec.subject,
                            user_id: &spec.subject,
                            first_name: "",
                            last_name: "",
                            password_hash: None,
                            provider_admin: false,
                        };
                        core_users::insert(c, &new)?.1
                    }
                };
                let id = core_users::by_uuid(c, user)?.ok_or(AppError::NotFound)?.id;
                core_orgs::join(c, org.id, id, spec.state.core())?;
                for t in &teams {
                    core_teams::add_member(c, *t, id)?;
                }
                if spec.state == UserState::Pending {
                    dir.invite_pending(c, &org, id, &spec.subject)?;
                }
                audit::record(
                    c,
                    Event::new(EventKind::OrganizationAddMember, Some(p.user))
                        .org(org.id)
                        .on(user)
                        .describe(format!("{} added to the organization", spec.subject)),
                )?;
                Ok((load(c, &org, user)?, Affected::InOrg { org: org.id, users: vec![id] }))
            })
            .await
    }

    /// Sets the membership's state and the user's groups in the organization.
    pub async fn update_user(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        user: uuid::Uuid,
        body: UserWrite,
    ) -> AppResult<UserRead> {
        acl::org_scope(p, org, Endpoint::Users, Op::Update)?;
        let spec = check(&body)?;
        let (p, dir) = (p.clone(), self.clone());
        self.identity()
            .commit(move |c| {
                let org = live_org(c, org)?;
                let u = users::get(c, org.id, user)?.ok_or(AppError::NotFound)?;
                let guard = AdminGuard::start(c, org.id)?;
                if u.email != spec.subject {
                    return Err(AppError::validation("spec.subject cannot be changed"));
                }
                let wanted = resolve_groups(c, &org, &spec.groups)?;
                let current: Vec<TeamId> = users::group_ids(c, org.id, Some(u.id))?.into_iter().map(|g| g.1).collect();
                let joining: Vec<TeamId> = wanted.iter().filter(|t| !current.contains(t)).copied().collect();
                let mut granted = grants::of_teams(c, &joining)?;
                // Taking someone's access away is the remove key's business,
                // not the team-membership key's that guards the rest of a PUT.
                let deactivating = spec.state != UserState::Active && u.state == "active";
                if deactivating && !p.may(org.uuid, Perm::MembersRemove) {
                    return Err(AppError::Forbidden);
                }
                let activating = spec.state == UserState::Active && u.state != "active";
                if activating {
                    // Everything the membership grants comes back to life.
                    granted |= grants::of_teams(c, &wanted)? | grants::direct(c, org.id, u.id)?;
                }
                must_hold(&p, org.uuid, granted)?;
                // Taking away needs what it takes: the groups left, or the
                // whole membership when it stops being active.
                let taker = Taker::new(c, &p, org.id)?;
                let leaving: Vec<TeamId> = current.iter().filter(|t| !wanted.contains(t)).copied().collect();
                if deactivating {
                    taker.take_member(c, u.id)?;
                } else if !leaving.is_empty() {
                    taker.take(c, &[u.id], grants::of_teams(c, &leaving)?)?;
                }
                // Joins first and leaves last: the admin rule is checked on a
                // state that only loses what the request takes away.
                for t in &joining {
                    core_teams::add_member(c, *t, u.id)?;
                }
                core_orgs::set_member_state(c, org.id, u.id, spec.state.core())?;
                match (spec.state, u.state.as_str()) {
                    (UserState::Pending, "pending") => {}
                    // Put back to pending: a fresh link, as for a new member.
                    (UserState::Pending, _) => dir.invite_pending(c, &org, u.id, &u.email)?,
                    // Activated or suspended by an admin: an outstanding link is void.
                    _ => signup::forget(c, org.id, u.id)?,
                }
                for t in &leaving {
                    core_teams::remove_member(c, &guard, *t, u.id)?;
                }
                guard.finish(c)?;
                audit::record(
                    c,
                    Event::new(EventKind::OrganizationUpdateMember, Some(p.user))
                        .org(org.id)
                        .on(u.uuid)
                        .describe(format!("{} is {} in the organization", u.email, spec.state.as_db())),
                )?;
                Ok((load(c, &org, u.uuid)?, Affected::InOrg { org: org.id, users: vec![u.id] }))
            })
            .await
    }

    /// Removes the user from the organization and from its groups.
    pub async fn delete_user(&self, p: &Principal, org: uuid::Uuid, user: uuid::Uuid) -> AppResult<()> {
        acl::org_scope(p, org, Endpoint::Users, Op::Delete)?;
        let p = p.clone();
        let me = p.user;
        self.identity()
            .commit(move |c| {
                let org = live_org(c, org)?;
                let u = users::get(c, org.id, user)?.ok_or(AppError::NotFound)?;
                Taker::new(c, &p, org.id)?.take_member(c, u.id)?;
                core_orgs::remove_member(c, org.id, u.id)?;
                audit::record(
                    c,
                    Event::new(EventKind::OrganizationRemoveMember, Some(me))
                        .org(org.id)
                        .on(u.uuid)
                        .describe(format!("{} removed from the organization", u.email)),
                )?;
                Ok(((), Affected::InOrg { org: org.id, users: vec![u.id] }))
            })
            .await
    }
}
