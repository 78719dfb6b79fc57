//! An organization's users: listing with their roles, adding, removing, and
//! the caller's effective keys.

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult};

use super::Identity;
use super::access::{Affected, must_hold};
use super::users::{Profile, load_profile, profiles_in_org};
use crate::store::keys::{self, KeyRow};
use crate::store::{orgs, roles, teams, users};

/// `filter` of the org user list: a JSON object.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct UserFilter {
    role: Option<String>,
    status: Option<String>,
}

/// The reference documents no 400 for its lists: a filter that is not such an
/// object is ignored, as a list ignores every parameter it cannot understand.
fn parse_filter(raw: Option<&str>) -> UserFilter {
    raw.map(str::trim).filter(|s| !s.is_empty()).and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default()
}

impl Identity {
    /// Users of the org, each with their roles and teams there.
    pub async fn org_users(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        team: Option<uuid::Uuid>,
        filter: Option<&str>,
        req: PageRequest,
    ) -> AppResult<Page<Profile>> {
        let filter = parse_filter(filter);
        let p = p.clone();
        self.db()
            .read(move |c| {
                let org = Self::org_for(c, &p, org, Perm::MembersRead)?;
                let team = match team {
                    Some(t) => Some(teams::in_org(c, org.id, t)?.ok_or(AppError::NotFound)?.id),
                    None => None,
                };
                let who = users::Who::OrgPeople {
                    org: org.id,
                    team,
                    role: filter.role.as_deref(),
                    status: filter.status.as_deref(),
                };
                profiles_in_org(c, users::list(c, &who, &req)?, org.id)
            })
            .await
    }

    /// Adds an existing user to the org with the `member` role.
    pub async fn add_org_user(&self, p: &Principal, org: uuid::Uuid, user: &str) -> AppResult<Profile> {
        p.require(org, Perm::MembersAdd)?;
        let user = user.to_string();
        let p = p.clone();
        self.commit(move |c| {
            let org = Self::org_for(c, &p, org, Perm::MembersAdd)?;
            // The caller may add accounts, so saying none matched discloses nothing more;
            // the reference's wording leads, for clients that match on it.
            const NO_ACCOUNT: AppError =
                AppError::NotFoundAs("Result not found: no account has this e-mail address or id");
            let u = users::by_ref(c, &user)?.ok_or(NO_ACCOUNT)?;
            let member =
                roles::by_name(c, org.id, roles::MEMBER)?.ok_or_else(|| AppError::internal("built-in role missing"))?;
            must_hold(&p, org.uuid, roles::perms(c, member.id)?)?;
            if !crate::core::orgs::join(c, org.id, u.id, crate::core::orgs::MemberState::Active)? {
                return Err(AppError::conflict("the user is already a member of the organization"));
            }
            roles::bind_user(c, org.id, member.id, u.id)?;
            audit::record(
                c,
                Event::new(EventKind::OrganizationAddMember, Some(p.user))
                    .org(org.id)
                    .on(u.uuid)
                    .describe(format!("{} added to the organization", u.email)),
            )?;
            let id = u.id;
            Ok((load_profile(c, u, Some(&[org.id]))?, Affected::InOrg { org: org.id, users: vec![id] }))
        })
        .await
    }

    /// Removes a user from the org, with their roles and team memberships there.
    pub async fn remove_org_user(&self, p: &Principal, org: uuid::Uuid, user: &str) -> AppResult<()> {
        p.require(org, Perm::MembersRemove)?;
        let user = user.to_string();
        let p = p.clone();
        self.commit(move |c| {
            let org = Self::org_for(c, &p, org, Perm::MembersRemove)?;
            let u = users::by_ref(c, &user)?.ok_or(AppError::NotFound)?;
            if !orgs::is_member(c, org.id, u.id)? {
                return Err(AppError::NotFound);
            }
            crate::core::grants::Taker::new(c, &p, org.id)?.take_member(c, u.id)?;
            if !crate::core::orgs::remove_member(c, org.id, u.id)? {
                return Err(AppError::NotFound);
            }
            audit::record(
                c,
                Event::new(EventKind::OrganizationRemoveMember, Some(p.user))
                    .org(org.id)
                    .on(u.uuid)
                    .describe(format!("{} removed from the organization", u.email)),
            )?;
            Ok(((), Affected::InOrg { org: org.id, users: vec![u.id] }))
        })
        .await
    }

    /// The caller's effective keys in the org: every key of every keychain of
    /// every role they hold there (all keys for a provider admin).
    pub async fn my_keys(&self, p: &Principal, org: uuid::Uuid, req: PageRequest) -> AppResult<Page<KeyRow>> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                if p.provider_admin {
                    orgs::by_uuid(c, org)?.ok_or(AppError::NotFound)?;
                    return keys::list_keys(c, &req);
                }
                let grant = p.grants.orgs.get(&org).ok_or(AppError::NotFound)?;
                keys::held_keys(c, grant.org, p.user, &req)
            })
            .await
    }
}

impl Identity {
    /// The public directory; each user comes with whether the caller may see
    /// their e-mail address.
    pub async fn public_users(
        &self,
        p: Option<&Principal>,
        filter: Option<&str>,
        req: PageRequest,
    ) -> AppResult<Page<(users::UserRow, bool)>> {
        // A role names a grant in one organization: the directory has none to match it against.
        let filter = UserFilter { role: None, ..parse_filter(filter) };
        let me = p.map(|p| (p.user, p.provider_admin));
        self.db()
            .read(move |c| {
                let who = users::Who::Public { viewer: me, status: filter.status.as_deref() };
                let page = users::list(c, &who, &req)?;
                let mut items = Vec::with_capacity(page.items.len());
                for u in page.items {
                    let email = match me {
                        None => false,
                        Some((_, true)) => true,
                        Some((id, false)) => u.id == id || users::share_an_org(c, id, u.id)?,
                    };
                    items.push((u, email));
                }
                Ok(Page { items, total: page.total })
            })
            .await
    }
}
