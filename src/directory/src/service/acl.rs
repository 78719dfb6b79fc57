//! The Identity ACL is a rendering of the caller's core grants: every
//! `(endpoint, operation)` the Identity API checks is guarded by one core
//! permission key, and the ACL lists exactly the pairs whose key is held.
//!
//! Scopes: global = what a provider admin holds; organization = the grants
//! in that org; project = what the teams linked to a workspace (the
//! project's `groupIDs`) grant their members there.

use meshcloud_kernel::access::{Perm, PermSet};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::OrgId;
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult};

use crate::store::project_access::project_perms;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Create,
    Read,
    Update,
    Delete,
}

impl Op {
    pub const ALL: [Op; 4] = [Op::Create, Op::Read, Op::Update, Op::Delete];

    pub fn as_str(self) -> &'static str {
        match self {
            Op::Create => "create",
            Op::Read => "read",
            Op::Update => "update",
            Op::Delete => "delete",
        }
    }
}

/// The Identity API's endpoints, as its ACL names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Organizations,
    OAuth2Providers,
    Roles,
    ServiceAccounts,
    Users,
    Groups,
    Projects,
    Quotas,
    Allocations,
}

impl Endpoint {
    pub const ALL: [Endpoint; 9] = [
        Endpoint::Organizations,
        Endpoint::OAuth2Providers,
        Endpoint::Roles,
        Endpoint::ServiceAccounts,
        Endpoint::Users,
        Endpoint::Groups,
        Endpoint::Projects,
        Endpoint::Quotas,
        Endpoint::Allocations,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Organizations => "identity:organizations",
            Endpoint::OAuth2Providers => "identity:oauth2providers",
            Endpoint::Roles => "identity:roles",
            Endpoint::ServiceAccounts => "identity:serviceaccounts",
            Endpoint::Users => "identity:users",
            Endpoint::Groups => "identity:groups",
            Endpoint::Projects => "identity:projects",
            Endpoint::Quotas => "identity:quotas",
            Endpoint::Allocations => "identity:allocations",
        }
    }

    /// Endpoints that a project scope can grant (the rest are org-wide).
    pub fn project_scoped(self) -> bool {
        matches!(self, Endpoint::Projects | Endpoint::Allocations)
    }
}

/// The core key guarding `op` on `ep`; `None`: nobody but a provider admin
/// (creating organizations is a global operation).
pub fn guard(ep: Endpoint, op: Op) -> Option<Perm> {
    use Endpoint as E;
    use Op::*;
    Some(match (ep, op) {
        (E::Organizations, Create) => return None,
        (E::Organizations, Read) => Perm::OrgRead,
        (E::Organizations, Update) => Perm::OrgUpdate,
        (E::Organizations, Delete) => Perm::OrgDelete,
        (E::OAuth2Providers, Read) => Perm::ProvidersRead,
        (E::OAuth2Providers, _) => Perm::ProvidersManage,
        (E::Roles, Read) => Perm::RolesRead,
        (E::Roles, _) => Perm::RolesManage,
        (E::ServiceAccounts, Read) => Perm::ServiceAccountsRead,
        (E::ServiceAccounts, _) => Perm::ServiceAccountsManage,
        (E::Users, Read) => Perm::MembersRead,
        // A new account joins by invitation; an existing account is added
        // without its consent, which is the stronger key (see docs/identity.md).
        (E::Users, Create) => Perm::MembersInvite,
        (E::Users, Update) => Perm::TeamsMembers,
        (E::Users, Delete) => Perm::MembersRemove,
        (E::Groups, Read) => Perm::TeamsRead,
        (E::Groups, Create) => Perm::TeamsCreate,
        (E::Groups, Update) => Perm::TeamsUpdate,
        (E::Groups, Delete) => Perm::TeamsDelete,
        (E::Projects, Read) => Perm::WorkspacesRead,
        (E::Projects, Create) => Perm::WorkspacesCreate,
        (E::Projects, Update) => Perm::WorkspacesUpdate,
        (E::Projects, Delete) => Perm::WorkspacesDelete,
        (E::Quotas, Read) => Perm::QuotasRead,
        (E::Quotas, _) => Perm::QuotasUpdate,
        (E::Allocations, Read) => Perm::AllocationsRead,
        (E::Allocations, _) => Perm::AllocationsManage,
    })
}

/// `(endpoint, operations)` pairs a permission set allows, endpoints with no
/// operation left out; `only_project` keeps the project-scoped endpoints.
pub fn endpoints(perms: PermSet, provider_admin: bool, only_project: bool) -> Vec<(&'static str, Vec<&'static str>)> {
    Endpoint::ALL
        .iter()
        .filter(|ep| !only_project || ep.project_scoped())
        .filter_map(|&ep| {
            let ops: Vec<&'static str> = Op::ALL
                .iter()
                .filter(|&&op| match guard(ep, op) {
                    Some(perm) => perms.has(perm),
                    None => provider_admin,
                })
                .map(|op| op.as_str())
                .collect();
            (!ops.is_empty()).then_some((ep.name(), ops))
        })
        .collect()
}

/// The Identity face's organization-scope check: the org row id when the
/// caller holds the key guarding `op` on `ep` there. Unlike the Layer5 face,
/// a caller outside the organization is refused (403), as the reference does.
pub fn org_scope(p: &Principal, org: uuid::Uuid, ep: Endpoint, op: Op) -> AppResult<Option<OrgId>> {
    let Some(perm) = guard(ep, op) else {
        return if p.provider_admin { Ok(p.grants.orgs.get(&org).map(|g| g.org)) } else { Err(AppError::Forbidden) };
    };
    match p.require(org, perm) {
        Ok(allowed) => Ok(allowed.0),
        Err(AppError::NotFound) => Err(AppError::Forbidden),
        Err(e) => Err(e),
    }
}

/// The reference's AllowProjectScope: the organization scope, else (for the
/// project-scoped endpoints only) the key guarding `op` among what the teams
/// linked to the project grant the caller. `workspace` must be a project of
/// `org` (callers look it up scoped by the org). The caller must still be a
/// member of the org: a suspended or removed member reaches nothing.
pub fn project_scope(
    c: &Conn,
    p: &Principal,
    org: uuid::Uuid,
    workspace: meshcloud_kernel::ids::WorkspaceId,
    ep: Endpoint,
    op: Op,
) -> AppResult<Option<OrgId>> {
    match org_scope(p, org, ep, op) {
        Err(AppError::Forbidden) => {}
        other => return other,
    }
    let (Some(perm), true) = (guard(ep, op), ep.project_scoped()) else { return Err(AppError::Forbidden) };
    let Some(grant) = p.grants.orgs.get(&org) else { return Err(AppError::Forbidden) };
    if project_perms(c, p.user, workspace)?.has(perm) { Ok(Some(grant.org)) } else { Err(AppError::Forbidden) }
}

/// A global-scope check (provider admins only, as `acl.global` shows).
pub fn global_scope(p: &Principal) -> AppResult<()> {
    if p.provider_admin { Ok(()) } else { Err(AppError::Forbidden) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pair_has_a_distinct_meaning_and_reads_are_read_keys() {
        for ep in Endpoint::ALL {
            let read = guard(ep, Op::Read).expect("reads are org-scoped");
            assert!(read.code().ends_with(".read"), "{}", read.code());
        }
        let all = endpoints(PermSet::all(), true, false);
        assert_eq!(all.len(), Endpoint::ALL.len());
        assert!(all.iter().all(|(_, ops)| ops.len() == 4));
        let mut member = PermSet::default();
        member.insert(Perm::WorkspacesRead);
        member.insert(Perm::QuotasRead);
        assert_eq!(
            endpoints(member, false, false),
            vec![("identity:projects", vec!["read"]), ("identity:quotas", vec!["read"])]
        );
        assert_eq!(endpoints(member, false, true), vec![("identity:projects", vec!["read"])]);
    }
}
