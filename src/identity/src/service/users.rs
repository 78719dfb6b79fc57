//! Users: creation (CLI, bootstrap), profiles and preferences.

use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};

use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::OrgId;

use super::Identity;
use crate::store::orgs::{self, OrgRow};
use crate::store::users::{self, NewUser, UserRow};
use crate::store::{roles, teams};

/// A profile with the user's organizations and teams and their roles in each.
pub struct Profile {
    pub user: UserRow,
    pub orgs: Vec<OrgRoles>,
    pub teams: Vec<TeamRoles>,
}

pub struct OrgRoles {
    pub org: OrgRow,
    pub role_names: Vec<String>,
}

pub struct TeamRoles {
    pub id: uuid::Uuid,
    pub name: String,
    pub org: uuid::Uuid,
    pub role_names: Vec<String>,
}

/// The profile of `user` as seen in the orgs `only` (every org when `None`).
pub fn load_profile(c: &Conn, user: UserRow, only: Option<&[OrgId]>) -> AppResult<Profile> {
    let mut orgs_out = Vec::new();
    let mut teams_out = Vec::new();
    let orgs = match only {
        Some(ids) => orgs::memberships_in(c, user.id, ids)?,
        None => orgs::memberships(c, user.id)?,
    };
    for org in orgs {
        for (team, id, name) in teams::of_user(c, org.id, user.id)? {
            let role_names = roles::team_roles(c, team)?.into_iter().map(|r| r.role_name).collect();
            teams_out.push(TeamRoles { id, name, org: org.uuid, role_names });
        }
        let role_names = roles::held_role_names(c, org.id, user.id)?;
        orgs_out.push(OrgRoles { org, role_names });
    }
    Ok(Profile { user, orgs: orgs_out, teams: teams_out })
}

pub struct CreateUser {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub password: Option<String>,
    pub provider_admin: bool,
    /// An organization to join, and whether as its admin.
    pub org: Option<(uuid::Uuid, bool)>,
}

/// Checks and normalises a new user's fields; returns (email, user_id).
pub fn validate_new_user(u: &CreateUser) -> AppResult<(String, String, String, String)> {
    let email = validate::email(&u.email)?;
    let first = validate::optional_name("first_name", &u.first_name, 200)?;
    let last = validate::optional_name("last_name", &u.last_name, 300)?;
    if let Some(p) = &u.password {
        crate::password::Passwords::check_policy(p)?;
    }
    let user_id = email.clone();
    Ok((email, user_id, first, last))
}

/// A page of users as one org's user list shows them.
pub fn profiles_in_org(
    c: &Conn,
    page: meshcloud_kernel::page::Page<UserRow>,
    org: OrgId,
) -> AppResult<meshcloud_kernel::page::Page<Profile>> {
    let only = [org];
    let items = page.items.into_iter().map(|u| load_profile(c, u, Some(&only))).collect::<AppResult<Vec<_>>>()?;
    Ok(meshcloud_kernel::page::Page { items, total: page.total })
}

impl Identity {
    pub async fn profile(&self, p: &Principal) -> AppResult<Profile> {
        let me = p.user;
        self.db().read(move |c| load_profile(c, users::get(c, me)?, None)).await
    }

    /// Another user's profile: visible to themselves, to provider admins, and to
    /// users who share an organization with them. Anyone else gets "not found".
    pub async fn profile_of(&self, p: &Principal, id: uuid::Uuid) -> AppResult<Profile> {
        let (me, admin) = (p.user, p.provider_admin);
        self.db()
            .read(move |c| {
                let mut user = users::by_uuid(c, id)?.ok_or(AppError::NotFound)?;
                if user.id == me || admin {
                    return load_profile(c, user, None);
                }
                if !users::share_an_org(c, me, user.id)? {
                    return Err(AppError::NotFound);
                }
                // A colleague sees the organizations they share, not the
                // user's others, and not the user's private preferences.
                let mine: Vec<OrgId> = orgs::memberships(c, me)?.into_iter().map(|o| o.id).collect();
                user.preferences = serde_json::json!({});
                load_profile(c, user, Some(&mine))
            })
            .await
    }

    /// Merges `changes` into the user's preferences. `selectedOrganization` (or
    /// the upstream schema's `selectedOrganizationId`, the same preference: both
    /// are stored) must name an organization the user belongs to; `null`, an
    /// empty string or the nil UUID clears it; `null` clears any other key.
    pub async fn update_preferences(&self, p: &Principal, changes: serde_json::Value) -> AppResult<Profile> {
        let serde_json::Value::Object(mut changes) = changes else {
            return Err(AppError::validation("preferences must be a JSON object"));
        };
        let mut selected = None;
        for key in ["selectedOrganization", "selectedOrganizationId"] {
            let value = match changes.get(key) {
                None => continue,
                Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::String(s)) if s.is_empty() => None,
                Some(serde_json::Value::String(s)) => Some(validate::uuid(key, s)?).filter(|u| !u.is_nil()),
                Some(_) => return Err(AppError::validation(format!("{key} must be a UUID string"))),
            };
            if selected.is_some_and(|earlier| earlier != value) {
                return Err(AppError::validation("selectedOrganization and selectedOrganizationId differ"));
            }
            selected = Some(value);
        }
        if let Some(value) = selected {
            let v = value.map_or(serde_json::Value::Null, |u| serde_json::Value::String(u.to_string()));
            changes.insert("selectedOrganization".into(), v.clone());
            changes.insert("selectedOrganizationId".into(), v);
        }
        let org = selected.flatten();
        match changes.get("selectedWorkspace") {
            None | Some(serde_json::Value::Null) => {}
            Some(serde_json::Value::String(s)) if s.is_empty() => {}
            Some(serde_json::Value::String(s)) => {
                validate::uuid("selectedWorkspace", s)?;
            }
            Some(_) => return Err(AppError::validation("selectedWorkspace must be a UUID string")),
        }
        if serde_json::to_vec(&changes)?.len() > 64 * 1024 {
            return Err(AppError::validation("preferences must be at most 64 KiB"));
        }
        let (me, admin) = (p.user, p.provider_admin);
        self.db()
            .write(move |c| {
                if let Some(org) = org {
                    let row = orgs::by_uuid(c, org)?.ok_or_else(|| {
                        AppError::validation("selectedOrganization is not an organization you belong to")
                    })?;
                    if !admin && !orgs::is_member(c, row.id, me)? {
                        return Err(AppError::validation("selectedOrganization is not an organization you belong to"));
                    }
                }
                let mut user = users::get(c, me)?;
                let prefs =
                    user.preferences.as_object_mut().ok_or_else(|| AppError::internal("preferences not an object"))?;
                for (k, v) in changes {
                    if v.is_null() {
                        prefs.remove(&k);
                    } else {
                        prefs.insert(k, v);
                    }
                }
                users::set_preferences(c, me, &user.preferences)?;
                audit::record(
                    c,
                    Event::new(EventKind::UserUpdatePreferences, Some(me))
                        .on(user.uuid)
                        .describe("preferences updated"),
                )?;
                load_profile(c, users::get(c, me)?, None)
            })
            .await
    }

    /// Every account of the installation, with its address: for provider
    /// admins, who create and reset them (the public directory hides addresses).
    pub async fn accounts(
        &self,
        p: &Principal,
        req: meshcloud_kernel::page::PageRequest,
    ) -> AppResult<meshcloud_kernel::page::Page<UserRow>> {
        p.require_provider_admin()?;
        let viewer = Some((p.user, true));
        self.db().read(move |c| users::list(c, &users::Who::Public { viewer, status: None }, &req)).await
    }

    /// Creates a user (operators: CLI, bootstrap; later the invitation flows).
    pub async fn create_user(&self, actor: Option<&Principal>, u: CreateUser) -> AppResult<UserRow> {
        if let Some(a) = actor {
            a.require_provider_admin()?;
        }
        let (email, user_id, first, last) = validate_new_user(&u)?;
        let hash = match u.password {
            Some(p) => Some(self.hash_password(p).await?),
            None => None,
        };
        let actor_id = actor.map(|a| a.user);
        let admin = u.provider_admin;
        let org = u.org;
        self.db()
            .write(move |c| {
                let new = NewUser {
                    email: &email,
                    user_id: &user_id,
                    first_name: &first,
                    last_name: &last,
                    password_hash: hash.as_deref(),
                    provider_admin: admin,
                };
                let (id, uuid) = users::insert(c, &new)?;
                audit::record(
                    c,
                    Event::new(EventKind::UserCreate, actor_id.or(Some(id)))
                        .on(uuid)
                        .describe(format!("user {email} created")),
                )?;
                if let Some((org_uuid, org_admin)) = org {
                    let org = orgs::by_uuid(c, org_uuid)?
                        .ok_or_else(|| AppError::validation("orgId: no such organization"))?;
                    crate::core::orgs::join(c, org.id, id, crate::core::orgs::MemberState::Active)?;
                    let name = if org_admin { roles::ORG_ADMIN } else { roles::MEMBER };
                    let role =
                        roles::by_name(c, org.id, name)?.ok_or_else(|| AppError::internal("built-in role missing"))?;
                    roles::bind_user(c, org.id, role.id, id)?;
                    audit::record(
                        c,
                        Event::new(EventKind::OrganizationAddMember, actor_id)
                            .org(org.id)
                            .on(uuid)
                            .describe(format!("{email} joined")),
                    )?;
                }
                users::get(c, id)
            })
            .await
    }
}
