//! Invitations: a code that lets people join an org with chosen roles and teams.

use meshcloud_kernel::access::{Perm, PermSet};
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult, validate};

use super::Identity;
use super::access::{Affected, must_hold};
use crate::store::invitations::{self, InvitationFields, InvitationRow};
use crate::store::orgs::{self, OrgRow};
use crate::store::{keys, roles, teams, users};

/// An invitation as a client sends it (create and update).
#[derive(Debug, Clone)]
pub struct InvitationInput {
    pub org: uuid::Uuid,
    pub name: String,
    pub description: String,
    pub emails: Vec<String>,
    pub roles: Vec<String>,
    pub teams: Vec<String>,
    pub status: String,
    pub expires_at: Option<Timestamp>,
    pub quota: Option<i64>,
    pub is_default: bool,
    /// Fields the client left out: an update keeps their stored values.
    pub absent: Absent,
}

/// Optional fields of an invitation a client did not send.
#[derive(Debug, Clone, Copy, Default)]
pub struct Absent {
    pub expires_at: bool,
    pub quota: bool,
    pub is_default: bool,
}

struct Checked {
    name: String,
    description: String,
    emails: Vec<String>,
    roles: Vec<String>,
    teams: Vec<String>,
    status: String,
}

fn check(i: &InvitationInput) -> AppResult<Checked> {
    let name = validate::name("name", &i.name, 255)?;
    let description = validate::text("description", &i.description, 5000)?;
    if i.emails.len() > 1000 || i.roles.len() > 100 || i.teams.len() > 100 {
        return Err(AppError::validation("at most 1000 emails, 100 roles and 100 teams per invitation"));
    }
    let mut emails = i.emails.iter().map(|e| validate::email(e)).collect::<AppResult<Vec<_>>>()?;
    emails.sort();
    emails.dedup();
    let status = match i.status.trim() {
        s @ ("enabled" | "disabled") => s.to_string(),
        other => return Err(AppError::validation(format!("status '{other}' is not enabled or disabled"))),
    };
    if i.quota.is_some_and(|q| q < 0) {
        return Err(AppError::validation("quota must not be negative (0 or none: unlimited)"));
    }
    let trimmed = |v: &[String]| v.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    Ok(Checked { name, description, emails, roles: trimmed(&i.roles), teams: trimmed(&i.teams), status })
}

/// Everything joining through an invitation grants: the `member` role every
/// newcomer gets, the named roles and the named teams' roles. Names that do
/// not (or no longer) exist are an error.
pub(crate) fn granted(c: &Conn, org: &OrgRow, role_names: &[String], team_refs: &[String]) -> AppResult<PermSet> {
    let mut granted = PermSet::default();
    let member =
        roles::by_name(c, org.id, roles::MEMBER)?.ok_or_else(|| AppError::internal("built-in role missing"))?;
    granted |= roles::perms(c, member.id)?;
    for name in role_names {
        let r = roles::by_name(c, org.id, name)?
            .ok_or_else(|| AppError::validation(format!("roles: no role named '{name}' in this organization")))?;
        if r.role_name == roles::PROVIDER_ADMIN {
            return Err(AppError::validation("the provider admin role cannot be handed out by invitation"));
        }
        granted |= roles::perms(c, r.id)?;
    }
    for t in team_refs {
        let team = teams::by_ref(c, org.id, t)?
            .ok_or_else(|| AppError::validation(format!("teams: no team '{t}' in this organization")))?;
        granted |= crate::core::grants::of_team(c, team.id)?;
    }
    Ok(granted)
}

/// The inviter must hold what they hand out.
fn check_grants(c: &Conn, p: &Principal, org: &OrgRow, ch: &Checked) -> AppResult<()> {
    must_hold(p, org.uuid, granted(c, org, &ch.roles, &ch.teams)?)
}

/// Checked again on acceptance, against the inviter's grants of now: roles and
/// teams are named, and a name may since have moved to something stronger,
/// or the inviter may have lost what they handed out.
fn still_grantable(c: &Conn, inv: &InvitationRow) -> AppResult<()> {
    const STALE: &str = "this invitation grants more than its creator may hand out now; ask for a new one";
    let org = orgs::get(c, inv.org)?;
    let wanted = granted(c, &org, &inv.roles, &inv.teams).map_err(|_| AppError::validation(STALE))?;
    let owner = match inv.owner {
        Some(o) => users::by_uuid(c, o)?,
        None => None,
    };
    let owner = owner.ok_or_else(|| AppError::validation(STALE))?;
    let held = keys::grants(c, owner.id, owner.is_provider_admin)?.in_org(org.uuid);
    if held.contains_all(wanted) { Ok(()) } else { Err(AppError::validation(STALE)) }
}

fn fields<'a>(ch: &'a Checked, i: &'a InvitationInput) -> InvitationFields<'a> {
    InvitationFields {
        name: &ch.name,
        description: &ch.description,
        emails: &ch.emails,
        roles: &ch.roles,
        teams: &ch.teams,
        status: &ch.status,
        expires_at: i.expires_at.as_ref(),
        // 0 is the wire's "unlimited", stored as no quota.
        quota: i.quota.filter(|q| *q > 0),
        is_default: i.is_default,
    }
}

impl Identity {
    pub async fn list_invitations(&self, p: &Principal, header: Option<&str>) -> AppResult<Vec<InvitationRow>> {
        let org = self.context_org(p, header, Perm::InvitationsRead).await?;
        self.db().read(move |c| invitations::list(c, org.id)).await
    }

    /// Org members with the key see any invitation of the org; an invitee
    /// sees the one addressed to them, so they know what they accept.
    pub async fn get_invitation(&self, p: &Principal, id: uuid::Uuid) -> AppResult<InvitationRow> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                let inv = invitations::by_uuid(c, id)?.ok_or(AppError::NotFound)?;
                if inv.emails.contains(&p.email) {
                    return Ok(inv);
                }
                p.require(inv.org_uuid, Perm::InvitationsRead)?;
                Ok(inv)
            })
            .await
    }

    pub async fn create_invitation(
        &self,
        p: &Principal,
        input: InvitationInput,
        perm: Perm,
    ) -> AppResult<InvitationRow> {
        p.require(input.org, perm)?;
        let ch = check(&input)?;
        let p = p.clone();
        self.db()
            .write(move |c| {
                let org = Self::org_for(c, &p, input.org, perm)?;
                check_grants(c, &p, &org, &ch)?;
                let uuid = invitations::insert(c, org.id, p.user, &fields(&ch, &input))?;
                audit::record(
                    c,
                    Event::new(EventKind::InvitationCreate, Some(p.user))
                        .org(org.id)
                        .on(uuid)
                        .describe(format!("invitation {} created", ch.name)),
                )?;
                invitations::by_uuid(c, uuid)?.ok_or(AppError::NotFound)
            })
            .await
    }

    pub async fn update_invitation(
        &self,
        p: &Principal,
        id: uuid::Uuid,
        input: InvitationInput,
    ) -> AppResult<InvitationRow> {
        let ch = check(&input)?;
        let p = p.clone();
        self.db()
            .write(move |c| {
                let inv = invitations::by_uuid(c, id)?.ok_or(AppError::NotFound)?;
                p.require(inv.org_uuid, Perm::InvitationsManage)?;
                if input.org != inv.org_uuid {
                    return Err(AppError::validation("org_id cannot be changed"));
                }
                let org = orgs::get(c, inv.org)?;
                check_grants(c, &p, &org, &ch)?;
                let mut input = input;
                if input.absent.expires_at {
                    input.expires_at = inv.expires_at;
                }
                if input.absent.quota {
                    input.quota = inv.quota;
                }
                if input.absent.is_default {
                    input.is_default = inv.is_default;
                }
                invitations::update(c, inv.id, &fields(&ch, &input))?;
                audit::record(
                    c,
                    Event::new(EventKind::InvitationUpdate, Some(p.user))
                        .org(org.id)
                        .on(inv.uuid)
                        .describe("invitation updated"),
                )?;
                invitations::by_uuid(c, id)?.ok_or(AppError::NotFound)
            })
            .await
    }

    pub async fn delete_invitation(&self, p: &Principal, id: uuid::Uuid) -> AppResult<()> {
        let p = p.clone();
        self.db()
            .write(move |c| {
                let inv = invitations::by_uuid(c, id)?.ok_or(AppError::NotFound)?;
                p.require(inv.org_uuid, Perm::InvitationsManage)?;
                invitations::delete(c, inv.id)?;
                audit::record(
                    c,
                    Event::new(EventKind::InvitationDelete, Some(p.user))
                        .org(inv.org)
                        .on(inv.uuid)
                        .describe(format!("invitation {} deleted", inv.name)),
                )
            })
            .await
    }

    /// The signed-in user joins the invitation's org with its roles and teams.
    pub async fn accept_invitation(&self, p: &Principal, id: uuid::Uuid) -> AppResult<InvitationRow> {
        let p = p.clone();
        self.commit(move |c| {
            let inv = invitations::by_uuid(c, id)?.ok_or(AppError::NotFound)?;
            let me = users::get(c, p.user)?;
            let mine = me.uuid.to_string();
            if inv.accepted_by.contains(&mine) {
                return Err(AppError::conflict("you have already accepted this invitation"));
            }
            if !inv.emails.is_empty() && !inv.emails.contains(&me.email) {
                return Err(AppError::validation("this invitation is addressed to other e-mail addresses"));
            }
            if inv.status != "enabled" {
                return Err(AppError::validation("this invitation is disabled"));
            }
            if inv.expires_at.is_some_and(|e| e <= time::now()) {
                return Err(AppError::validation("this invitation has expired"));
            }
            if inv.quota.is_some_and(|q| inv.accepted_by.len() as i64 >= q) {
                return Err(AppError::validation("this invitation has been used up"));
            }
            still_grantable(c, &inv)?;
            if !crate::core::orgs::join(c, inv.org, me.id, crate::core::orgs::MemberState::Active)? {
                // Invited on a face that records the invitee as a pending
                // member (API7): accepting activates that membership.
                if orgs::member_state(c, inv.org, me.id)?.as_deref() != Some("pending") {
                    return Err(AppError::conflict("you are already a member of this organization"));
                }
                crate::core::orgs::set_member_state(c, inv.org, me.id, crate::core::orgs::MemberState::Active)?;
            }
            let member = roles::by_name(c, inv.org, roles::MEMBER)?
                .ok_or_else(|| AppError::internal("built-in role missing"))?;
            roles::bind_user(c, inv.org, member.id, me.id)?;
            // `still_grantable` found every name.
            for name in &inv.roles {
                if let Some(r) = roles::by_name(c, inv.org, name)? {
                    roles::bind_user(c, inv.org, r.id, me.id)?;
                }
            }
            for t in &inv.teams {
                if let Some(team) = teams::by_ref(c, inv.org, t)? {
                    teams::add_member(c, team.id, me.id)?;
                }
            }
            let mut accepted = inv.accepted_by.clone();
            accepted.push(mine);
            invitations::set_accepted(c, inv.id, &accepted)?;
            audit::record(
                c,
                Event::new(EventKind::InvitationAccept, Some(me.id))
                    .org(inv.org)
                    .on(inv.uuid)
                    .describe(format!("{} joined through invitation {}", me.email, inv.name)),
            )?;
            let inv = invitations::by_uuid(c, id)?.ok_or(AppError::NotFound)?;
            let org = inv.org;
            Ok((inv, Affected::InOrg { org, users: vec![me.id] }))
        })
        .await
    }
}
