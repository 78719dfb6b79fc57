//! The roles an organization can hand out, and the caller's ACL.

use meshcloud_identity::core::orgs as core_orgs;
use meshcloud_identity::core::roles as core_roles;
use meshcloud_kernel::access::PermSet;
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult};

use super::Directory;
use super::acl::{self, Endpoint, Op};
use super::orgs::live_org;
use crate::model::access::{Acl, AclScopedEndpoints, RoleRead, endpoints};
use crate::store::{acl as acl_store, project_access};

impl Directory {
    /// Roles usable in the org that the caller could hand out: protected
    /// roles and roles granting what the caller does not hold are hidden.
    pub async fn list_roles(&self, p: &Principal, org: uuid::Uuid) -> AppResult<Vec<RoleRead>> {
        acl::org_scope(p, org, Endpoint::Roles, Op::Read)?;
        let held = p.grants.in_org(org);
        self.db()
            .read(move |c| {
                let org = live_org(c, org)?;
                let mut out = Vec::new();
                for r in core_roles::usable(c, org.id)? {
                    if r.scope == "provider" || !held.contains_all(core_roles::perms(c, r.id)?) {
                        continue;
                    }
                    out.push(RoleRead::from(r));
                }
                Ok(out)
            })
            .await
    }

    /// `/api/v1/acl`: with no organization in context, only the global scope.
    pub fn global_acl(&self, p: &Principal) -> Acl {
        Acl {
            global: p.provider_admin.then(|| endpoints(acl::endpoints(PermSet::all(), true, false))),
            ..Acl::default()
        }
    }

    /// The caller's ACL in one organization: the global scope (provider
    /// admins), the org's grants, and each project reached through a group.
    pub async fn org_acl(&self, p: &Principal, org: uuid::Uuid) -> AppResult<Acl> {
        let mut out = self.global_acl(p);
        // Active memberships of live orgs only: the rest grant nothing.
        let Some(grant) = p.grants.orgs.get(&org).cloned() else {
            // No grants there: a member whose membership grants nothing
            // (suspended, pending) sees an empty ACL; anyone else is refused
            // (403) as on every org-scoped endpoint, and a provider admin
            // learns whether the organization exists.
            let (me, admin) = (p.user, p.provider_admin);
            self.db()
                .read(move |c| match live_org(c, org) {
                    Ok(o) if admin || core_orgs::is_member(c, o.id, me)? => Ok(()),
                    Err(AppError::NotFound) if admin => Err(AppError::NotFound),
                    Ok(_) | Err(AppError::NotFound) => Err(AppError::Forbidden),
                    Err(e) => Err(e),
                })
                .await?;
            return Ok(out);
        };
        let eps = endpoints(acl::endpoints(grant.perms, false, false));
        if !eps.is_empty() {
            out.organization = Some(AclScopedEndpoints { id: org.to_string(), endpoints: eps });
        }
        let me = p.user;
        let projects = self
            .db()
            .read(move |c| {
                let ids = project_access::reached_projects(c, grant.org, me)?;
                let mut projects = Vec::new();
                for (id, uuid) in acl_store::workspace_uuids(c, &ids)? {
                    let perms = project_access::project_perms(c, me, id)?;
                    let eps = endpoints(acl::endpoints(perms, false, true));
                    if !eps.is_empty() {
                        projects.push(AclScopedEndpoints { id: uuid.to_string(), endpoints: eps });
                    }
                }
                Ok(projects)
            })
            .await?;
        if !projects.is_empty() {
            out.projects = Some(projects);
        }
        Ok(out)
    }
}
