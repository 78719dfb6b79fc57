//! Users: creation (CLI, bootstrap), profiles and preferences.

use meshcloud_kernel::audit::{self, Event};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};

use super::Identity;
use crate::store::orgs::{self, OrgRow};
use crate::store::users::{self, NewUser, UserRow};

/// A profile with the user's organizations and their role in each.
pub struct Profile {
    pub user: UserRow,
    pub orgs: Vec<(OrgRow, bool)>,
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
    let first = validate::text("first_name", &u.first_name, 200)?;
    let last = validate::text("last_name", &u.last_name, 300)?;
    if let Some(p) = &u.password {
        crate::password::Passwords::check_policy(p)?;
    }
    let user_id = email.clone();
    Ok((email, user_id, first, last))
}

impl Identity {
    pub async fn profile(&self, p: &Principal) -> AppResult<Profile> {
        let me = p.user;
        self.db().read(move |c| Ok(Profile { user: users::get(c, me)?, orgs: orgs::memberships(c, me)? })).await
    }

    /// Another user's profile: visible to themselves, to provider admins, and to
    /// users who share an organization with them. Anyone else gets "not found".
    pub async fn profile_of(&self, p: &Principal, id: uuid::Uuid) -> AppResult<Profile> {
        let (me, admin) = (p.user, p.provider_admin);
        self.db()
            .read(move |c| {
                let mut user = users::by_uuid(c, id)?.ok_or(AppError::NotFound)?;
                if user.id == me || admin {
                    let orgs = orgs::memberships(c, user.id)?;
                    return Ok(Profile { user, orgs });
                }
                if !users::share_an_org(c, me, user.id)? {
                    return Err(AppError::NotFound);
                }
                // A colleague sees the organizations they share, not the
                // user's others, and not the user's private preferences.
                let mine: std::collections::HashSet<_> =
                    orgs::memberships(c, me)?.into_iter().map(|(o, _)| o.id).collect();
                let mut orgs = orgs::memberships(c, user.id)?;
                orgs.retain(|(o, _)| mine.contains(&o.id));
                user.preferences = serde_json::json!({});
                Ok(Profile { user, orgs })
            })
            .await
    }

    /// Merges `changes` into the user's preferences. `selectedOrganization` must
    /// name an organization the user belongs to; `null` clears a key.
    pub async fn update_preferences(&self, p: &Principal, changes: serde_json::Value) -> AppResult<Profile> {
        let serde_json::Value::Object(changes) = changes else {
            return Err(AppError::validation("preferences must be a JSON object"));
        };
        let org = match changes.get("selectedOrganization") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) if s.is_empty() => None,
            Some(serde_json::Value::String(s)) => Some(validate::uuid("selectedOrganization", s)?),
            Some(_) => return Err(AppError::validation("selectedOrganization must be a UUID string")),
        };
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
                    if !admin && orgs::membership(c, row.id, me)?.is_none() {
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
                    Event::new("user", "update_preferences", Some(me)).on(user.uuid).describe("preferences updated"),
                )?;
                Ok(Profile { user: users::get(c, me)?, orgs: orgs::memberships(c, me)? })
            })
            .await
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
                    Event::new("user", "create", actor_id.or(Some(id)))
                        .on(uuid)
                        .describe(format!("user {email} created")),
                )?;
                if let Some((org_uuid, org_admin)) = org {
                    let org =
                        orgs::by_uuid(c, org_uuid)?.ok_or_else(|| AppError::validation("no such organization"))?;
                    orgs::add_member(c, org.id, id, org_admin)?;
                    audit::record(
                        c,
                        Event::new("organization", "add_member", actor_id)
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
