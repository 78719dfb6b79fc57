//! Teams: a group of an org's users that carries roles for its members.

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};

use super::Identity;
use super::access::Affected;
use super::users::{Profile, profiles_in_org};
use crate::core::grants::{self, AdminGuard, Taker, must_hold};
use crate::core::teams as core_teams;
use crate::store::orgs::{self, OrgRow};
use crate::store::teams::{self, MemberRow, TeamRow};
use crate::store::users;

/// What `POST .../teams/{teamId}` did.
pub enum TeamAction {
    /// The team is (again) in the org.
    Mapped(TeamRow),
    /// The team was tombstoned.
    Tombstoned(TeamRow),
}

fn check_name(name: &str) -> AppResult<String> {
    validate::name("name", name, 255)
}

fn check_description(d: &str) -> AppResult<String> {
    validate::text("description", d, 5000)
}

/// A team of the org that has not been tombstoned.
fn live_team(c: &Conn, org: &OrgRow, team: uuid::Uuid) -> AppResult<TeamRow> {
    teams::in_org(c, org.id, team)?.filter(|t| t.deleted_at.is_none()).ok_or(AppError::NotFound)
}

impl Identity {
    pub async fn list_teams(&self, p: &Principal, org: uuid::Uuid, req: PageRequest) -> AppResult<Page<TeamRow>> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                let org = Self::org_for(c, &p, org, Perm::TeamsRead)?;
                teams::list(c, org.id, &req)
            })
            .await
    }

    pub async fn get_team(&self, p: &Principal, org: uuid::Uuid, team: uuid::Uuid) -> AppResult<TeamRow> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                let org = Self::org_for(c, &p, org, Perm::TeamsRead)?;
                live_team(c, &org, team)
            })
            .await
    }

    pub async fn create_team(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        name: &str,
        description: Option<&str>,
    ) -> AppResult<TeamRow> {
        p.require(org, Perm::TeamsCreate)?;
        let name = check_name(name)?;
        let description = description.map(check_description).transpose()?.unwrap_or_default();
        let p = p.clone();
        self.db()
            .write(move |c| {
                let org = Self::org_for(c, &p, org, Perm::TeamsCreate)?;
                let team = core_teams::create(c, org.id, p.user, &name, &description)?;
                audit::record(
                    c,
                    Event::new(EventKind::TeamCreate, Some(p.user))
                        .org(org.id)
                        .on(team.uuid)
                        .describe(format!("team {name} created")),
                )?;
                Ok(team)
            })
            .await
    }

    pub async fn update_team(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        team: uuid::Uuid,
        name: Option<&str>,
        description: Option<&str>,
    ) -> AppResult<TeamRow> {
        p.require(org, Perm::TeamsUpdate)?;
        let name = name.map(check_name).transpose()?;
        let description = description.map(check_description).transpose()?;
        let p = p.clone();
        self.db()
            .write(move |c| {
                let org = Self::org_for(c, &p, org, Perm::TeamsUpdate)?;
                let t = live_team(c, &org, team)?;
                teams::update(
                    c,
                    t.id,
                    name.as_deref().unwrap_or(&t.name),
                    description.as_deref().unwrap_or(&t.description),
                )?;
                audit::record(
                    c,
                    Event::new(EventKind::TeamUpdate, Some(p.user)).org(org.id).on(t.uuid).describe("team updated"),
                )?;
                live_team(c, &org, team)
            })
            .await
    }

    /// `POST .../teams/{teamId}`: `action=delete` tombstones the team; no
    /// action puts a removed team back into its org.
    pub async fn team_action(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        team: uuid::Uuid,
        action: Option<&str>,
    ) -> AppResult<TeamAction> {
        let delete = match action.map(str::trim) {
            None | Some("") | Some("add") => false,
            Some("delete") => true,
            Some(other) => return Err(AppError::validation(format!("action '{other}' is not 'delete'"))),
        };
        let perm = if delete { Perm::TeamsDelete } else { Perm::TeamsUpdate };
        p.require(org, perm)?;
        let p = p.clone();
        self.commit(move |c| {
            let org = Self::org_for(c, &p, org, perm)?;
            let t = live_team(c, &org, team)?;
            let (action, result, affected) = if delete {
                Taker::new(c, &p, org.id)?.take_team(c, t.id)?;
                let affected = core_teams::tombstone(c, &t)?;
                (EventKind::TeamTombstone, TeamAction::Tombstoned(in_org_any(c, &org, team)?), affected)
            } else {
                // Putting a removed team back hands its roles to its members again.
                if t.unmapped_at.is_some() {
                    must_hold(&p, org.uuid, grants::of_team(c, t.id)?)?;
                }
                let affected = core_teams::set_mapped(c, &t, true)?;
                (EventKind::TeamAddToOrganization, TeamAction::Mapped(live_team(c, &org, team)?), affected)
            };
            audit::record(
                c,
                Event::new(action, Some(p.user)).org(org.id).on(t.uuid).describe(format!("team {}", t.name)),
            )?;
            Ok((result, Affected::InOrg { org: org.id, users: affected }))
        })
        .await
    }

    /// `POST .../teams/{teamId}/remove`: the team leaves its org (restorable).
    pub async fn remove_team(&self, p: &Principal, org: uuid::Uuid, team: uuid::Uuid) -> AppResult<TeamRow> {
        p.require(org, Perm::TeamsUpdate)?;
        let p = p.clone();
        self.commit(move |c| {
            let org = Self::org_for(c, &p, org, Perm::TeamsUpdate)?;
            let t = live_team(c, &org, team)?;
            Taker::new(c, &p, org.id)?.take_team(c, t.id)?;
            let affected = core_teams::set_mapped(c, &t, false)?;
            audit::record(
                c,
                Event::new(EventKind::TeamRemoveFromOrganization, Some(p.user))
                    .org(org.id)
                    .on(t.uuid)
                    .describe(format!("team {} removed from the organization", t.name)),
            )?;
            Ok((live_team(c, &org, team)?, Affected::InOrg { org: org.id, users: affected }))
        })
        .await
    }

    pub async fn delete_team(&self, p: &Principal, org: uuid::Uuid, team: uuid::Uuid) -> AppResult<()> {
        p.require(org, Perm::TeamsDelete)?;
        let p = p.clone();
        self.commit(move |c| {
            let org = Self::org_for(c, &p, org, Perm::TeamsDelete)?;
            let t = teams::in_org(c, org.id, team)?.ok_or(AppError::NotFound)?;
            Taker::new(c, &p, org.id)?.take_team(c, t.id)?;
            let affected = core_teams::delete(c, &t)?;
            audit::record(
                c,
                Event::new(EventKind::TeamDelete, Some(p.user))
                    .org(org.id)
                    .on(t.uuid)
                    .describe(format!("team {} deleted", t.name)),
            )?;
            Ok(((), Affected::InOrg { org: org.id, users: affected }))
        })
        .await
    }

    /// Members of a team, reached by the team's id alone.
    pub async fn team_users(&self, p: &Principal, team: uuid::Uuid, req: PageRequest) -> AppResult<Page<MemberRow>> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                let t = teams::by_uuid(c, team)?.filter(|t| t.deleted_at.is_none()).ok_or(AppError::NotFound)?;
                p.require(t.org_uuid, Perm::TeamsRead)?;
                teams::members(c, t.id, &req)
            })
            .await
    }

    /// Users of the org who are not in the team (what the reference documents
    /// for `GET /api/identity/orgs/{orgId}/teams/{teamId}/users`).
    pub async fn team_non_members(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        team: uuid::Uuid,
        req: PageRequest,
    ) -> AppResult<Page<Profile>> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                let org = Self::org_for(c, &p, org, Perm::TeamsRead)?;
                p.require(org.uuid, Perm::MembersRead)?;
                let t = live_team(c, &org, team)?;
                let who = users::Who::NotInTeam { org: org.id, team: t.id };
                profiles_in_org(c, users::list(c, &who, &req)?, org.id)
            })
            .await
    }

    pub async fn add_team_member(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        team: uuid::Uuid,
        user: &str,
    ) -> AppResult<MemberRow> {
        p.require(org, Perm::TeamsMembers)?;
        let user = user.to_string();
        let p = p.clone();
        self.commit(move |c| {
            let org = Self::org_for(c, &p, org, Perm::TeamsMembers)?;
            let t = live_team(c, &org, team)?;
            must_hold(&p, org.uuid, grants::of_team(c, t.id)?)?;
            let u = users::by_ref(c, &user)?.ok_or(AppError::NotFound)?;
            if !orgs::is_member(c, org.id, u.id)? {
                return Err(AppError::NotFound);
            }
            let m = match teams::add_member(c, t.id, u.id)? {
                Some(m) => {
                    audit::record(
                        c,
                        Event::new(EventKind::TeamAddMember, Some(p.user))
                            .org(org.id)
                            .on(t.uuid)
                            .describe(format!("{} joined team {}", u.email, t.name)),
                    )?;
                    m
                }
                None => teams::member(c, t.id, u.id)?.ok_or(AppError::NotFound)?,
            };
            Ok((m, Affected::InOrg { org: org.id, users: vec![u.id] }))
        })
        .await
    }

    pub async fn remove_team_member(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        team: uuid::Uuid,
        user: &str,
    ) -> AppResult<()> {
        p.require(org, Perm::TeamsMembers)?;
        let user = user.to_string();
        let p = p.clone();
        self.commit(move |c| {
            let org = Self::org_for(c, &p, org, Perm::TeamsMembers)?;
            let t = live_team(c, &org, team)?;
            let u = users::by_ref(c, &user)?.ok_or(AppError::NotFound)?;
            let guard = AdminGuard::start(c, org.id)?;
            if teams::member(c, t.id, u.id)?.is_none() {
                return Err(AppError::NotFound);
            }
            // Leaving the team takes its roles away from the member.
            Taker::new(c, &p, org.id)?.take(c, &[u.id], grants::of_team(c, t.id)?)?;
            if !core_teams::remove_member(c, &guard, t.id, u.id)? {
                return Err(AppError::NotFound);
            }
            guard.finish(c)?;
            audit::record(
                c,
                Event::new(EventKind::TeamRemoveMember, Some(p.user))
                    .org(org.id)
                    .on(t.uuid)
                    .describe(format!("{} left team {}", u.email, t.name)),
            )?;
            Ok(((), Affected::InOrg { org: org.id, users: vec![u.id] }))
        })
        .await
    }
}

/// A team of the org whatever its state (to show a tombstoned team once).
fn in_org_any(c: &Conn, org: &OrgRow, team: uuid::Uuid) -> AppResult<TeamRow> {
    teams::in_org(c, org.id, team)?.ok_or(AppError::NotFound)
}

/// For other families, which check permissions themselves.
impl Identity {
    /// A live team currently in the org.
    pub async fn team_in_org(&self, org: meshcloud_kernel::ids::OrgId, team: uuid::Uuid) -> AppResult<Option<TeamRow>> {
        self.db().read(move |c| core_teams::live_in_org(c, org, team)).await
    }

    /// Live teams of the org among (`include`) or outside `ids`.
    pub async fn teams_subset(
        &self,
        org: meshcloud_kernel::ids::OrgId,
        ids: Vec<uuid::Uuid>,
        include: bool,
        req: PageRequest,
    ) -> AppResult<Page<TeamRow>> {
        self.db().read(move |c| teams::list_subset(c, org, &ids, include, &req)).await
    }
}
