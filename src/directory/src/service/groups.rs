//! Groups: an organization's teams, their members (users and service
//! accounts) and the roles they carry. Nobody gives a group, or a new member
//! of one, permissions they do not hold themselves.

use std::collections::HashMap;

use meshcloud_identity::core::grants::{self, AdminGuard, Taker, must_hold};
use meshcloud_identity::core::roles::{self as core_roles, PROVIDER_ADMIN, RoleRow};
use meshcloud_identity::core::teams as core_teams;
use meshcloud_identity::service::access::Affected;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::{TeamId, UserId};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult};

use super::Directory;
use super::acl::{self, Endpoint, Op};
use super::orgs::live_org;
use crate::model::CheckedMetadata;
use crate::model::groups::{GroupRead, GroupSpec, GroupWrite};
use crate::store::groups::{self, GroupMember, GroupRow};
use crate::store::orgs::IdOrgRow;

/// Ids in a body list: UUIDs, each once, in their order.
pub(crate) fn uuids(field: &str, raw: &[String]) -> AppResult<Vec<uuid::Uuid>> {
    if raw.len() > 1000 {
        return Err(AppError::validation(format!("{field} may hold at most 1000 ids")));
    }
    let mut out: Vec<uuid::Uuid> = Vec::with_capacity(raw.len());
    for r in raw {
        let id = uuid::Uuid::parse_str(r.trim())
            .map_err(|_| AppError::validation(format!("{field}: {r:?} is not an id (UUID)")))?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

struct Checked {
    meta: CheckedMetadata,
    users: Vec<uuid::Uuid>,
    service_accounts: Vec<uuid::Uuid>,
    roles: Vec<uuid::Uuid>,
}

/// `keeping_name`: an update, which may send back a name made on the Layer5
/// face (spaces allowed there); the caller holds a new name to the rule.
fn check(body: &GroupWrite, keeping_name: bool) -> AppResult<Checked> {
    let meta = if keeping_name { body.metadata.check_keeping_name()? } else { body.metadata.check()? };
    Ok(Checked {
        meta,
        users: uuids("spec.userIDs", &body.spec.user_ids)?,
        service_accounts: uuids("spec.serviceAccountIDs", &body.spec.service_account_ids)?,
        roles: uuids("spec.roleIDs", &body.spec.role_ids)?,
    })
}

/// The spec resolved against the organization.
struct Resolved {
    members: Vec<UserId>,
    roles: Vec<RoleRow>,
}

fn resolve(c: &Conn, org: &IdOrgRow, spec: &Checked) -> AppResult<Resolved> {
    let mut members = Vec::with_capacity(spec.users.len() + spec.service_accounts.len());
    for (ids, service, field) in
        [(&spec.users, false, "spec.userIDs"), (&spec.service_accounts, true, "spec.serviceAccountIDs")]
    {
        for id in ids {
            let user = groups::org_member(c, org.id, *id, service)?.ok_or_else(|| {
                let what = if service { "service account" } else { "user" };
                AppError::validation(format!("{field}: {id} is not a {what} of the organization"))
            })?;
            members.push(user);
        }
    }
    let mut roles = Vec::with_capacity(spec.roles.len());
    for id in &spec.roles {
        let role = core_roles::in_org(c, org.id, *id)?
            .ok_or_else(|| AppError::validation(format!("spec.roleIDs: {id} is not a role of the organization")))?;
        // Protected: the appliance-wide role is never handed out by a group.
        if role.scope == "provider" || role.role_name == PROVIDER_ADMIN {
            return Err(AppError::Forbidden);
        }
        roles.push(role);
    }
    Ok(Resolved { members, roles })
}

/// Groups with their members and roles, in the order of `rows`.
fn render(rows: Vec<GroupRow>, members: Vec<GroupMember>, roles: Vec<(TeamId, uuid::Uuid)>) -> Vec<GroupRead> {
    let mut specs: HashMap<TeamId, GroupSpec> = rows
        .iter()
        .map(|g| (g.id, GroupSpec { user_ids: vec![], service_account_ids: vec![], role_ids: vec![] }))
        .collect();
    for m in members {
        if let Some(s) = specs.get_mut(&m.team) {
            if m.service { &mut s.service_account_ids } else { &mut s.user_ids }.push(m.uuid.to_string());
        }
    }
    for (team, role) in roles {
        if let Some(s) = specs.get_mut(&team) {
            s.role_ids.push(role.to_string());
        }
    }
    rows.into_iter()
        .map(|g| {
            let spec = specs.remove(&g.id).unwrap_or(GroupSpec {
                user_ids: vec![],
                service_account_ids: vec![],
                role_ids: vec![],
            });
            GroupRead::render(g, spec)
        })
        .collect()
}

fn load(c: &Conn, org: &IdOrgRow, group: uuid::Uuid) -> AppResult<GroupRead> {
    let g = groups::get(c, org.id, group)?.ok_or(AppError::NotFound)?;
    let members = groups::members(c, org.id, Some(g.id))?;
    let roles = groups::role_ids(c, org.id, Some(g.id))?;
    render(vec![g], members, roles).pop().ok_or(AppError::NotFound)
}

impl Directory {
    pub async fn list_groups(&self, p: &Principal, org: uuid::Uuid) -> AppResult<Vec<GroupRead>> {
        acl::org_scope(p, org, Endpoint::Groups, Op::Read)?;
        self.db()
            .read(move |c| {
                let org = live_org(c, org)?;
                let rows = groups::list(c, org.id)?;
                Ok(render(rows, groups::members(c, org.id, None)?, groups::role_ids(c, org.id, None)?))
            })
            .await
    }

    pub async fn get_group(&self, p: &Principal, org: uuid::Uuid, group: uuid::Uuid) -> AppResult<GroupRead> {
        acl::org_scope(p, org, Endpoint::Groups, Op::Read)?;
        self.db().read(move |c| load(c, &live_org(c, org)?, group)).await
    }

    pub async fn create_group(&self, p: &Principal, org: uuid::Uuid, body: GroupWrite) -> AppResult<GroupRead> {
        acl::org_scope(p, org, Endpoint::Groups, Op::Create)?;
        let spec = check(&body, false)?;
        let p = p.clone();
        self.identity()
            .commit(move |c| {
                let org = live_org(c, org)?;
                let r = resolve(c, &org, &spec)?;
                must_hold(&p, org.uuid, grants::of_roles(c, &r.roles)?)?;
                let team = core_teams::create(c, org.id, p.user, &spec.meta.name, &spec.meta.description)?;
                let id = team.id;
                groups::set_tags(c, id, &spec.meta.tags)?;
                for m in &r.members {
                    core_teams::add_member(c, id, *m)?;
                }
                for role in &r.roles {
                    core_roles::bind_team(c, org.id, role.id, id)?;
                }
                audit::record(
                    c,
                    Event::new(EventKind::TeamCreate, Some(p.user))
                        .org(org.id)
                        .on(team.uuid)
                        .describe(format!("group {} created", spec.meta.name)),
                )?;
                Ok((load(c, &org, team.uuid)?, Affected::InOrg { org: org.id, users: r.members }))
            })
            .await
    }

    /// Replaces the group's metadata, members and roles.
    pub async fn update_group(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        group: uuid::Uuid,
        body: GroupWrite,
    ) -> AppResult<()> {
        acl::org_scope(p, org, Endpoint::Groups, Op::Update)?;
        let mut spec = check(&body, true)?;
        let renamed = body.metadata.check();
        let p = p.clone();
        self.identity()
            .commit(move |c| {
                let org = live_org(c, org)?;
                let g = groups::get(c, org.id, group)?.ok_or(AppError::NotFound)?;
                let guard = AdminGuard::start(c, org.id)?;
                crate::model::keep_or_rename(&mut spec.meta.name, &g.name, renamed)?;
                let r = resolve(c, &org, &spec)?;
                let current: Vec<UserId> = groups::members(c, org.id, Some(g.id))?.iter().map(|m| m.user).collect();
                let bound = core_roles::team_roles(c, g.id)?;
                let joining: Vec<UserId> = r.members.iter().filter(|m| !current.contains(m)).copied().collect();
                let added: Vec<&RoleRow> = r.roles.iter().filter(|w| !bound.iter().any(|b| b.id == w.id)).collect();
                // Everyone in the group gains the added roles; who joins gains all of them.
                let mut granted = grants::of_roles(c, added.iter().copied())?;
                if !joining.is_empty() {
                    granted |= grants::of_roles(c, &r.roles)?;
                }
                must_hold(&p, org.uuid, granted)?;
                // Taking away needs the same: who leaves loses the group's
                // roles, everyone in it loses the roles it drops.
                let taker = Taker::new(c, &p, org.id)?;
                let leaving: Vec<UserId> = current.iter().filter(|m| !r.members.contains(m)).copied().collect();
                if !leaving.is_empty() {
                    taker.take(c, &leaving, grants::of_roles(c, &bound)?)?;
                }
                let dropped: Vec<&RoleRow> = bound.iter().filter(|b| !r.roles.iter().any(|w| w.id == b.id)).collect();
                if !dropped.is_empty() {
                    taker.take(c, &current, grants::of_roles(c, dropped.iter().copied())?)?;
                }
                core_teams::update(c, g.id, &spec.meta.name, &spec.meta.description)?;
                groups::set_tags(c, g.id, &spec.meta.tags)?;
                for m in &joining {
                    core_teams::add_member(c, g.id, *m)?;
                }
                for m in &leaving {
                    core_teams::remove_member(c, &guard, g.id, *m)?;
                }
                for role in added {
                    core_roles::bind_team(c, org.id, role.id, g.id)?;
                }
                for role in dropped {
                    core_roles::unbind_team(c, &guard, role.id, g.id)?;
                }
                guard.finish(c)?;
                audit::record(
                    c,
                    Event::new(EventKind::TeamUpdate, Some(p.user))
                        .org(org.id)
                        .on(g.uuid)
                        .describe(format!("group {} updated", spec.meta.name)),
                )?;
                let mut affected = current;
                affected.extend(joining);
                Ok(((), Affected::InOrg { org: org.id, users: affected }))
            })
            .await
    }

    pub async fn delete_group(&self, p: &Principal, org: uuid::Uuid, group: uuid::Uuid) -> AppResult<()> {
        acl::org_scope(p, org, Endpoint::Groups, Op::Delete)?;
        let p = p.clone();
        let me = p.user;
        self.identity()
            .commit(move |c| {
                let org = live_org(c, org)?;
                let g = groups::get(c, org.id, group)?.ok_or(AppError::NotFound)?;
                Taker::new(c, &p, org.id)?.take_team(c, g.id)?;
                let affected = core_teams::delete(c, &core_teams::get(c, g.id)?)?;
                audit::record(
                    c,
                    Event::new(EventKind::TeamDelete, Some(me))
                        .org(org.id)
                        .on(g.uuid)
                        .describe(format!("group {} deleted", g.name)),
                )?;
                Ok(((), Affected::InOrg { org: org.id, users: affected }))
            })
            .await
    }
}
