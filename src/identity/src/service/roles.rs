//! Roles: the org's own and the built-in ones, the keychains they hold, and
//! who holds them (role bindings).

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::UserId;
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};

use super::Identity;
use super::access::{Affected, must_hold};
use crate::core::grants::Taker;
use crate::store::keys::{self, KeychainRow};
use crate::store::orgs::{self, OrgRow};
use crate::store::roles::{self, PROVIDER_ADMIN, RoleRow, Selector};
use crate::store::{teams, users};

/// Who a role assignment is for.
#[derive(Debug, Clone)]
pub enum Holder {
    /// A user by id, e-mail or username as the client sent it.
    User(String),
    Team(uuid::Uuid),
}

/// One entry of a bulk role edit: the holder's complete set of direct roles.
#[derive(Debug, Clone)]
pub struct HolderRoles {
    pub holder: Holder,
    pub role_names: Vec<String>,
}

/// A role usable in `org`: built in, or the org's own.
fn role_in_org(c: &Conn, org: &OrgRow, id: uuid::Uuid) -> AppResult<RoleRow> {
    roles::by_uuid(c, id)?.filter(|r| r.org.is_none_or(|o| o == org.id)).ok_or(AppError::NotFound)
}

/// Built-in roles are shared by every org and cannot be changed by one.
fn custom(role: RoleRow) -> AppResult<RoleRow> {
    if role.builtin() {
        return Err(AppError::validation(format!("built-in role '{}' cannot be changed", role.role_name)));
    }
    Ok(role)
}

/// A role name as compared: lower case, and every run of spaces, `-` and
/// `_` one space (the Identity face shows `organization admin` as
/// `organization-admin`, so that spelling would look the same there).
fn fold(name: &str) -> String {
    let lower = name.to_lowercase();
    lower.split([' ', '-', '_']).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Role names are compared ignoring case and separators (and in NFC, as
/// stored): a custom role may not take a built-in role's name, current or
/// former, nor another role's of the org, in any spelling. A conflict
/// otherwise.
fn same_name_free(c: &Conn, org: &OrgRow, name: &str, renamed: Option<&RoleRow>) -> AppResult<()> {
    let folded = fold(name);
    if let Some((old, new)) = roles::FORMER_NAMES.iter().find(|(old, _)| fold(old) == folded) {
        return Err(AppError::conflict(format!("role_name '{old}' is the former name of the built-in role '{new}'")));
    }
    let taken = roles::usable(c, org.id)?
        .into_iter()
        .filter(|r| renamed.is_none_or(|me| me.id != r.id))
        .find(|r| fold(&r.role_name) == folded);
    match taken {
        Some(b) if b.builtin() => {
            Err(AppError::conflict(format!("role_name '{}' is taken by a built-in role", b.role_name)))
        }
        Some(r) => {
            Err(AppError::conflict(format!("role_name '{}' is taken by another role of the organization", r.role_name)))
        }
        None => Ok(()),
    }
}

fn resolve_roles(c: &Conn, org: &OrgRow, names: &[String]) -> AppResult<Vec<RoleRow>> {
    let mut out: Vec<RoleRow> = Vec::with_capacity(names.len());
    for n in names {
        let role = roles::by_name(c, org.id, n.trim())?
            .ok_or_else(|| AppError::validation(format!("roleNames: no role named '{n}' in this organization")))?;
        if !out.iter().any(|r| r.id == role.id) {
            out.push(role);
        }
    }
    Ok(out)
}

/// Applies one holder's role set (`replace`) or adds to it; returns the users affected.
fn apply(c: &Conn, taker: &Taker, org: &OrgRow, h: &HolderRoles, replace: bool) -> AppResult<Vec<UserId>> {
    let p = taker.principal();
    let wanted = resolve_roles(c, org, &h.role_names)?;
    // Under `replace`, roles missing from the set are taken away.
    let removed = |current: &[RoleRow]| -> Vec<RoleRow> {
        let gone = current.iter().filter(|r| !wanted.iter().any(|w| w.id == r.id));
        if replace { gone.cloned().collect() } else { vec![] }
    };
    match &h.holder {
        Holder::User(r) => {
            let u = users::by_ref(c, r)?.ok_or(AppError::NotFound)?;
            if !orgs::is_member(c, org.id, u.id)? {
                return Err(AppError::NotFound);
            }
            let current: Vec<RoleRow> = roles::user_roles(c, org.id, u.id)?;
            // A bulk edit sends back the org user list's `role_names`, which
            // include roles held through teams: those stay with the team.
            let through_teams: Vec<String> = if replace {
                let held = roles::held_role_names(c, org.id, u.id)?;
                held.into_iter().filter(|n| !current.iter().any(|c| &c.role_name == n)).collect()
            } else {
                vec![]
            };
            let wants_provider = wanted.iter().any(|r| r.role_name == PROVIDER_ADMIN);
            let added: Vec<&RoleRow> = wanted
                .iter()
                .filter(|r| r.role_name != PROVIDER_ADMIN && !current.iter().any(|c| c.id == r.id))
                .filter(|r| !through_teams.contains(&r.role_name))
                .collect();
            must_hold(p, org.uuid, crate::core::grants::of_roles(c, added.iter().copied())?)?;
            let removed = removed(&current);
            if !removed.is_empty() {
                taker.take(c, &[u.id], crate::core::grants::of_roles(c, &removed)?)?;
            }
            if wants_provider != u.is_provider_admin && (wants_provider || replace) {
                // The appliance-wide role is a flag on the user, not a binding in one org.
                p.require_provider_admin()?;
                users::set_provider_admin(c, u.id, wants_provider)?;
                if users::provider_admin_count(c)? == 0 {
                    return Err(AppError::conflict("meshcloud needs at least one provider admin"));
                }
            }
            for r in added {
                roles::bind_user(c, org.id, r.id, u.id)?;
            }
            for r in &removed {
                roles::unbind_user(c, org.id, r.id, u.id)?;
            }
            record(c, p, org, u.uuid, &u.email, &h.role_names)?;
            Ok(vec![u.id])
        }
        Holder::Team(t) => {
            let team = teams::in_org(c, org.id, *t)?.filter(|t| t.deleted_at.is_none()).ok_or(AppError::NotFound)?;
            if wanted.iter().any(|r| r.role_name == PROVIDER_ADMIN) {
                return Err(AppError::validation("the provider admin role is held by users, not teams"));
            }
            let current = roles::team_roles(c, team.id)?;
            let added: Vec<&RoleRow> = wanted.iter().filter(|r| !current.iter().any(|c| c.id == r.id)).collect();
            must_hold(p, org.uuid, crate::core::grants::of_roles(c, added.iter().copied())?)?;
            let removed = removed(&current);
            if !removed.is_empty() {
                taker.take(c, &teams::member_ids(c, team.id)?, crate::core::grants::of_roles(c, &removed)?)?;
            }
            for r in added {
                roles::bind_team(c, org.id, r.id, team.id)?;
            }
            for r in &removed {
                roles::unbind_team(c, org.id, r.id, team.id)?;
            }
            record(c, p, org, team.uuid, &team.name, &h.role_names)?;
            teams::member_ids(c, team.id)
        }
    }
}

fn record(c: &Conn, p: &Principal, org: &OrgRow, on: uuid::Uuid, who: &str, names: &[String]) -> AppResult<()> {
    audit::record(
        c,
        Event::new(EventKind::RoleAssign, Some(p.user))
            .org(org.id)
            .on(on)
            .describe(format!("roles of {who} set"))
            .meta(serde_json::json!({ "roleNames": names })),
    )
}

impl Identity {
    pub async fn list_roles(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        selector: Option<&str>,
        team: Option<uuid::Uuid>,
        req: PageRequest,
    ) -> AppResult<Page<RoleRow>> {
        let selector = selector.map(str::trim).filter(|s| !s.is_empty()).map(str::to_ascii_lowercase);
        if selector.as_deref() == Some("team") && team.is_none() {
            return Err(AppError::validation("selector=team needs teamId"));
        }
        let p = p.clone();
        self.db()
            .read(move |c| {
                let org = Self::org_for(c, &p, org, Perm::RolesRead)?;
                let sel = match selector.as_deref() {
                    None => Selector::All,
                    Some("provider") => Selector::Provider,
                    Some("organization") => Selector::Organization,
                    Some("team") => {
                        let id = team.unwrap_or_default();
                        let t = teams::in_org(c, org.id, id)?.ok_or(AppError::NotFound)?;
                        Selector::Team(t.id)
                    }
                    Some(s) => {
                        return Err(AppError::validation(format!(
                            "selector '{s}' is not provider, organization or team"
                        )));
                    }
                };
                roles::list(c, org.id, &sel, &req)
            })
            .await
    }

    /// Creates a role, or with `id` changes one of the org's own roles.
    pub async fn upsert_role(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        id: Option<uuid::Uuid>,
        name: &str,
        description: &str,
    ) -> AppResult<RoleRow> {
        p.require(org, Perm::RolesManage)?;
        let name = validate::name("role_name", name, 100)?;
        let description = validate::text("description", description, 5000)?;
        let p = p.clone();
        let changed = self
            .db()
            .write(move |c| {
                let org = Self::org_for(c, &p, org, Perm::RolesManage)?;
                let existing = id.map(|id| role_in_org(c, &org, id).and_then(custom)).transpose()?;
                same_name_free(c, &org, &name, existing.as_ref())?;
                let (role, action) = match existing {
                    Some(role) => {
                        roles::update(c, role.id, &name, &description)?;
                        (role.id, EventKind::RoleUpdate)
                    }
                    None => (roles::insert(c, org.id, &name, &description)?, EventKind::RoleCreate),
                };
                let row = roles::get(c, role)?;
                audit::record(
                    c,
                    Event::new(action, Some(p.user))
                        .org(org.id)
                        .on(row.uuid)
                        .describe(format!("role {name} {}d", action.action())),
                )?;
                Ok(row)
            })
            .await?;
        Ok(changed)
    }

    /// `DELETE /api/identity/roles/{id}`: deletes one of an org's own roles.
    pub async fn delete_role(&self, p: &Principal, id: uuid::Uuid) -> AppResult<()> {
        let p = p.clone();
        self.commit(move |c| {
            let role = roles::by_uuid(c, id)?.ok_or(AppError::NotFound)?;
            let Some(org_id) = role.org else {
                return Err(AppError::validation(format!("built-in role '{}' cannot be deleted", role.role_name)));
            };
            let org = orgs::get(c, org_id)?;
            p.require(org.uuid, Perm::RolesManage)?;
            // Deleting a role takes it from everyone holding it.
            Taker::new(c, &p, org.id)?.take(c, &roles::holder_ids(c, role.id)?, roles::perms(c, role.id)?)?;
            roles::delete(c, role.id)?;
            audit::record(
                c,
                Event::new(EventKind::RoleDelete, Some(p.user))
                    .org(org.id)
                    .on(role.uuid)
                    .describe(format!("role {} deleted", role.role_name)),
            )?;
            Ok(((), Affected::Everyone))
        })
        .await
    }

    /// Sets the complete direct role set of each holder, all or nothing.
    pub async fn set_role_holders(&self, p: &Principal, org: uuid::Uuid, items: Vec<HolderRoles>) -> AppResult<()> {
        p.require(org, Perm::RolesAssign)?;
        self.assign(p, org, items, true).await
    }

    /// `POST /api/identity/roles`: adds roles in the org in context.
    pub async fn add_role_holder(&self, p: &Principal, header: Option<&str>, item: HolderRoles) -> AppResult<()> {
        if item.role_names.is_empty() {
            return Err(AppError::validation("roleNames must name at least one role"));
        }
        let org = self.context_org(p, header, Perm::RolesAssign).await?;
        self.assign(p, org.uuid, vec![item], false).await
    }

    async fn assign(&self, p: &Principal, org: uuid::Uuid, items: Vec<HolderRoles>, replace: bool) -> AppResult<()> {
        if items.len() > 1000 {
            return Err(AppError::validation("at most 1000 role holders per request"));
        }
        let p = p.clone();
        self.commit(move |c| {
            let org = Self::org_for(c, &p, org, Perm::RolesAssign)?;
            let guard = crate::core::grants::AdminGuard::start(c, org.id)?;
            let taker = Taker::new(c, &p, org.id)?;
            let mut affected = Vec::new();
            for h in &items {
                affected.extend(apply(c, &taker, &org, h, replace)?);
            }
            guard.finish(c)?;
            Ok(((), Affected::InOrg { org: org.id, users: affected }))
        })
        .await
    }

    pub async fn role_keychains(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        role: uuid::Uuid,
        req: PageRequest,
    ) -> AppResult<Page<KeychainRow>> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                let org = Self::org_for(c, &p, org, Perm::RolesRead)?;
                let role = role_in_org(c, &org, role)?;
                keys::list_keychains(c, Some(org.id), Some(role.id), &req)
            })
            .await
    }

    pub async fn set_role_keychain(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        role: uuid::Uuid,
        keychain: uuid::Uuid,
        assign: bool,
    ) -> AppResult<()> {
        p.require(org, Perm::RolesManage)?;
        let p = p.clone();
        self.commit(move |c| {
            let org = Self::org_for(c, &p, org, Perm::RolesManage)?;
            let role = custom(role_in_org(c, &org, role)?)?;
            let kc = keys::keychain_by_uuid(c, keychain)?
                .filter(|k| k.org.is_none_or(|o| o == org.id))
                .ok_or(AppError::NotFound)?;
            if assign {
                must_hold(&p, org.uuid, keys::keychain_perms(c, kc.id)?)?;
                roles::add_keychain(c, role.id, kc.id)?;
            } else if !crate::core::grants::guarded(c, org.id, || {
                // Its holders lose the keychain's keys.
                Taker::new(c, &p, org.id)?.take(c, &roles::holder_ids(c, role.id)?, keys::keychain_perms(c, kc.id)?)?;
                roles::remove_keychain(c, role.id, kc.id)
            })? {
                return Err(AppError::NotFound);
            }
            audit::record(
                c,
                Event::new(
                    if assign { EventKind::RoleAssignKeychain } else { EventKind::RoleUnassignKeychain },
                    Some(p.user),
                )
                .org(org.id)
                .on(role.uuid)
                .describe(format!(
                    "keychain {} {} role {}",
                    kc.name,
                    if assign { "added to" } else { "removed from" },
                    role.role_name
                )),
            )?;
            Ok(((), Affected::Everyone))
        })
        .await
    }
}
