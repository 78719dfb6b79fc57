//! An organization's users: memberships of human accounts, their state and
//! their groups. Adding an account that already exists (without its consent)
//! needs the stronger key; activating someone or putting them in a group
//! never grants more than the caller holds.

use std::collections::HashMap;

use meshcloud_identity::service::access::{Affected, must_hold, team_perms};
use meshcloud_identity::store::orgs as core_orgs;
use meshcloud_identity::store::users::{self as core_users, NewUser};
use meshcloud_identity::store::{roles as core_roles, teams as core_teams};
use meshcloud_kernel::access::{Perm, PermSet};
use meshcloud_kernel::audit::{self, Event};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::{OrgId, TeamId, UserId};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};

use super::Directory;
use super::acl::{self, Endpoint, Op};
use super::groups::{perms_of, uuids};
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

fn perms_of_teams(c: &Conn, teams: &[TeamId]) -> AppResult<PermSet> {
    let mut set = PermSet::default();
    for t in teams {
        set |= team_perms(c, *t)?;
    }
    Ok(set)
}

/// What the roles bound to the user directly (not through a group) grant.
fn direct_perms(c: &Conn, org: OrgId, user: UserId) -> AppResult<PermSet> {
    perms_of(c, &core_roles::user_roles(c, org, user)?)
}

/// Everything a member (person or service account) holds in the
/// organization: its groups' roles and the roles bound to it directly.
pub(crate) fn held_by(c: &Conn, org: OrgId, user: UserId) -> AppResult<PermSet> {
    let teams: Vec<TeamId> = users::group_ids(c, org, Some(user))?.into_iter().map(|g| g.1).collect();
    let mut set = perms_of_teams(c, &teams)?;
    set |= direct_perms(c, org, user)?;
    Ok(set)
}

fn load(c: &Conn, org: &IdOrgRow, user: uuid::Uuid) -> AppResult<UserRead> {
    let u = users::get(c, org.id, user)?.ok_or(AppError::NotFound)?;
    let gids = users::group_ids(c, org.id, Some(u.id))?.into_iter().map(|(_, _, g)| g.to_string()).collect();
    Ok(UserRead::render(u, org.uuid, gids))
}

/// The last-admin rule, counting only active memberships.
pub(crate) fn active_admin_left(c: &Conn, org: &IdOrgRow) -> AppResult<()> {
    core_roles::ensure_org_admin_left(c, org.id)?;
    if users::active_admin_count(c, org.id)? == 0 {
        return Err(AppError::conflict("an organization needs at least one active organization admin"));
    }
    Ok(())
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
                must_hold(&p, org.uuid, perms_of_teams(c, &teams)?)?;
                let user = match core_users::by_email(c, &spec.subject)? {
                    Some(u) => {
                        if users::is_service(c, u.id)? {
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
                core_orgs::add_member(c, org.id, id)?;
                users::set_state(c, org.id, id, spec.state.as_db())?;
                for t in &teams {
                    core_teams::add_member(c, *t, id)?;
                }
                if spec.state == UserState::Pending {
                    dir.invite_pending(c, &org, id, &spec.subject)?;
                }
                audit::record(
                    c,
                    Event::new("organization", "add_member", Some(p.user))
                        .org(org.id)
                        .on(user)
                        .describe(format!("{} added to the organization", spec.subject)),
                )?;
                Ok((load(c, &org, user)?, Affected::Users(vec![id])))
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
                if u.email != spec.subject {
                    return Err(AppError::validation("spec.subject cannot be changed"));
                }
                let wanted = resolve_groups(c, &org, &spec.groups)?;
                let current: Vec<TeamId> = users::group_ids(c, org.id, Some(u.id))?.into_iter().map(|g| g.1).collect();
                let joining: Vec<TeamId> = wanted.iter().filter(|t| !current.contains(t)).copied().collect();
                let mut granted = perms_of_teams(c, &joining)?;
                // Taking someone's access away is the remove key's business,
                // not the team-membership key's that guards the rest of a PUT.
                let deactivating = spec.state != UserState::Active && u.state == "active";
                if deactivating && !p.may(org.uuid, Perm::MembersRemove) {
                    return Err(AppError::Forbidden);
                }
                let activating = spec.state == UserState::Active && u.state != "active";
                if activating {
                    // Everything the membership grants comes back to life.
                    granted |= perms_of_teams(c, &wanted)? | direct_perms(c, org.id, u.id)?;
                }
                must_hold(&p, org.uuid, granted)?;
                users::set_state(c, org.id, u.id, spec.state.as_db())?;
                match (spec.state, u.state.as_str()) {
                    (UserState::Pending, "pending") => {}
                    // Put back to pending: a fresh link, as for a new member.
                    (UserState::Pending, _) => dir.invite_pending(c, &org, u.id, &u.email)?,
                    // Activated or suspended by an admin: an outstanding link is void.
                    _ => signup::forget(c, org.id, u.id)?,
                }
                for t in &joining {
                    core_teams::add_member(c, *t, u.id)?;
                }
                for t in current.iter().filter(|t| !wanted.contains(t)) {
                    core_teams::remove_member(c, *t, u.id)?;
                }
                active_admin_left(c, &org)?;
                audit::record(
                    c,
                    Event::new("organization", "update_member", Some(p.user)).org(org.id).on(u.uuid).describe(format!(
                        "{} is {} in the organization",
                        u.email,
                        spec.state.as_db()
                    )),
                )?;
                Ok((load(c, &org, u.uuid)?, Affected::Users(vec![u.id])))
            })
            .await
    }

    /// Removes the user from the organization and from its groups.
    pub async fn delete_user(&self, p: &Principal, org: uuid::Uuid, user: uuid::Uuid) -> AppResult<()> {
        acl::org_scope(p, org, Endpoint::Users, Op::Delete)?;
        let me = p.user;
        self.identity()
            .commit(move |c| {
                let org = live_org(c, org)?;
                let u = users::get(c, org.id, user)?.ok_or(AppError::NotFound)?;
                core_teams::leave_all(c, org.id, u.id)?;
                core_roles::unbind_user_everywhere(c, org.id, u.id)?;
                core_orgs::remove_member(c, org.id, u.id)?;
                active_admin_left(c, &org)?;
                audit::record(
                    c,
                    Event::new("organization", "remove_member", Some(me))
                        .org(org.id)
                        .on(u.uuid)
                        .describe(format!("{} removed from the organization", u.email)),
                )?;
                Ok(((), Affected::Users(vec![u.id])))
            })
            .await
    }
}
