//! Grant resolution and the rules around it: what roles, teams and members
//! hold in an organization, that nobody grants what they do not hold, and
//! that an organization keeps an active admin.

use meshcloud_kernel::access::PermSet;
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::{OrgId, TeamId, UserId};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult};

use crate::store::roles::{self, RoleRow};
use crate::store::{orgs, teams};

/// Everything these roles grant together.
pub fn of_roles<'a>(c: &Conn, rs: impl IntoIterator<Item = &'a RoleRow>) -> AppResult<PermSet> {
    let mut set = PermSet::default();
    for r in rs {
        set |= roles::perms(c, r.id)?;
    }
    Ok(set)
}

/// Everything a team would grant its members.
pub fn of_team(c: &Conn, team: TeamId) -> AppResult<PermSet> {
    of_roles(c, &roles::team_roles(c, team)?)
}

/// Everything these teams would grant a member of all of them.
pub fn of_teams(c: &Conn, ts: &[TeamId]) -> AppResult<PermSet> {
    let mut set = PermSet::default();
    for t in ts {
        set |= of_team(c, *t)?;
    }
    Ok(set)
}

/// What the roles bound to a member directly (not through a team) grant.
pub fn direct(c: &Conn, org: OrgId, user: UserId) -> AppResult<PermSet> {
    of_roles(c, &roles::user_roles(c, org, user)?)
}

/// Everything a member (person or service account) holds in the org: the
/// roles of its live teams and the roles bound to it directly. A pending or
/// suspended membership holds nothing, as when a credential is resolved.
pub fn held_by(c: &Conn, org: OrgId, user: UserId) -> AppResult<PermSet> {
    if orgs::member_state(c, org, user)?.as_deref() != Some("active") {
        return Ok(PermSet::default());
    }
    bound_to(c, org, user)
}

/// Everything bound to a member in the org (its live teams' roles and its
/// own), whatever the membership's state: what removing it takes away.
pub fn bound_to(c: &Conn, org: OrgId, user: UserId) -> AppResult<PermSet> {
    let ids: Vec<TeamId> = teams::of_user(c, org, user)?.into_iter().map(|(id, _, _)| id).collect();
    let mut set = of_teams(c, &ids)?;
    set |= direct(c, org, user)?;
    Ok(set)
}

/// Refuses to grant permissions the caller does not hold in the org.
pub fn must_hold(p: &Principal, org: uuid::Uuid, granted: PermSet) -> AppResult<()> {
    if p.grants.in_org(org).contains_all(granted) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// Taking away needs the power to give: whoever removes a role, a
/// role-holding team (or a member from one) or a member from the org must
/// hold every permission the removed grant carries, as for granting it; and
/// only an organization admin (or a provider admin) takes anything from an
/// admin. Made once per operation, before its first change, so that what the
/// caller and the people touched were is judged on the state the request
/// found.
pub struct Taker<'a> {
    p: &'a Principal,
    org: OrgId,
    org_uuid: uuid::Uuid,
    admin: bool,
}

impl<'a> Taker<'a> {
    pub fn new(c: &Conn, p: &'a Principal, org: OrgId) -> AppResult<Taker<'a>> {
        let org_uuid = orgs::get(c, org)?.uuid;
        let admin = p.provider_admin || roles::is_active_admin(c, org, p.user)?;
        Ok(Taker { p, org, org_uuid, admin })
    }

    pub fn principal(&self) -> &'a Principal {
        self.p
    }

    /// Refuses (403 on the Identity face, the Layer5 denial there) unless the
    /// caller may take `removed` from each of `from`.
    /// Taking nothing (a team without roles, say) needs nothing.
    pub fn take(&self, c: &Conn, from: &[UserId], removed: PermSet) -> AppResult<()> {
        if removed.is_empty() {
            return Ok(());
        }
        must_hold(self.p, self.org_uuid, removed)?;
        if !self.admin {
            for u in from {
                if is_admin(c, self.org, *u)? {
                    return Err(AppError::Forbidden);
                }
            }
        }
        Ok(())
    }

    /// Taking a whole membership: everything bound to the member in the org,
    /// suspended or not (reinstated, they would hold it again).
    pub fn take_member(&self, c: &Conn, user: UserId) -> AppResult<()> {
        self.take(c, &[user], bound_to(c, self.org, user)?)
    }

    /// Taking a team from its members (deleting it, or taking it out of the
    /// org). A team already out of the org or tombstoned grants nothing.
    pub fn take_team(&self, c: &Conn, team: TeamId) -> AppResult<()> {
        let t = teams::get(c, team)?;
        if t.deleted_at.is_some() || t.unmapped_at.is_some() {
            return Ok(());
        }
        self.take(c, &teams::member_ids(c, team)?, of_team(c, team)?)
    }
}

/// An admin of the org: one holding the organization admin role there (a
/// suspended one too), or a provider admin.
fn is_admin(c: &Conn, org: OrgId, user: UserId) -> AppResult<bool> {
    Ok(roles::is_bound_admin(c, org, user)? || crate::store::users::get(c, user)?.is_provider_admin)
}

/// The last-admin rule over one operation, checked inside the transaction
/// that might break it: an organization that had an active member holding
/// the organization admin role (directly or through a live team) keeps one.
/// A pending or suspended admin administers nothing, so they do not count.
///
/// Started before the operation's first change and finished after its last,
/// so that one request may move the role from one holder to another. An
/// organization that had no active admin to begin with (possible in data
/// written before the rule covered every face) is not held to it by
/// unrelated changes. The building blocks that take grants away ask for a
/// guard, so no operation can use them without the check.
#[must_use = "finish() checks the rule"]
pub struct AdminGuard {
    org: OrgId,
    had_admin: bool,
}

impl AdminGuard {
    pub fn start(c: &Conn, org: OrgId) -> AppResult<AdminGuard> {
        Ok(AdminGuard { org, had_admin: roles::active_admin_count(c, org)? > 0 })
    }

    pub fn org(&self) -> OrgId {
        self.org
    }

    /// A conflict if the organization lost its last active admin.
    pub fn finish(self, c: &Conn) -> AppResult<()> {
        if self.had_admin && roles::active_admin_count(c, self.org)? == 0 {
            return Err(AppError::conflict("an organization needs at least one active organization admin"));
        }
        Ok(())
    }
}

/// One whole operation under the last-admin rule.
pub(crate) fn guarded<T>(c: &Conn, org: OrgId, f: impl FnOnce() -> AppResult<T>) -> AppResult<T> {
    let guard = AdminGuard::start(c, org)?;
    let out = f()?;
    guard.finish(c)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{keys, users};
    use meshcloud_kernel::ids::new_uuid;

    fn user(c: &Conn, email: &str) -> UserId {
        users::insert_plain(c, email)
    }

    /// `held_by` (what rules compare against) and the grants a credential
    /// resolves to (what requests are checked against) are two readings of
    /// the same bindings: they agree for direct roles, live, removed and
    /// tombstoned teams, and inactive memberships.
    #[test]
    fn held_by_agrees_with_resolved_grants() {
        let path = std::env::temp_dir().join(format!("meshcloud-grants-{}.db", new_uuid()));
        meshcloud_kernel::db::migrate(&path).expect("migrates");
        let c = Conn::open(&path).expect("opens");
        let owner = user(&c, "owner@example.com");
        let meta = serde_json::json!({});
        let fields =
            orgs::OrgFields { name: "o", description: "", country: "", region: "", domain: None, metadata: &meta };
        let org = orgs::insert(&c, owner, &fields).expect("org");
        let org_uuid = orgs::get(&c, org).expect("row").uuid;
        let agree = |who: UserId, what: &str| {
            let resolved = keys::grants(&c, who, false).expect("grants").in_org(org_uuid);
            assert_eq!(held_by(&c, org, who).expect("held"), resolved, "{what}");
            resolved
        };
        let role = |name: &str| roles::by_name(&c, org, name).expect("role").expect("built in");

        let u = user(&c, "u@example.com");
        orgs::join(&c, org, u, "active").expect("join");
        roles::bind_user(&c, org, role(roles::MEMBER).id, u).expect("bind");
        assert!(!agree(u, "a direct role").is_empty());
        let live = teams::insert(&c, org, owner, "live", "").expect("team");
        roles::bind_team(&c, org, role("workspace admin").id, live).expect("bind");
        teams::add_member(&c, live, u).expect("member");
        let with_team = agree(u, "a live team");
        let out = teams::insert(&c, org, owner, "out", "").expect("team");
        roles::bind_team(&c, org, role(roles::ORG_ADMIN).id, out).expect("bind");
        teams::add_member(&c, out, u).expect("member");
        assert_ne!(agree(u, "a second team"), with_team);
        teams::set_mapped(&c, out, false).expect("unmap");
        assert_eq!(agree(u, "a team taken out"), with_team);
        teams::set_mapped(&c, out, true).expect("map");
        teams::tombstone(&c, out).expect("tombstone");
        assert_eq!(agree(u, "a tombstoned team"), with_team);
        orgs::set_member_state(&c, org, u, "suspended").expect("suspend");
        assert!(agree(u, "a suspended membership").is_empty());
        assert_eq!(agree(owner, "the owner"), roles::perms(&c, role(roles::ORG_ADMIN).id).expect("perms"));
        drop(c);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
