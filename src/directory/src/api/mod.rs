//! The Identity face's HTTP operations (one `#[OpenApi]` struct per sub-resource).

pub mod acl;
pub mod allocations;
pub mod groups;
pub mod orgs;
pub mod projects;
pub mod providers;
pub mod quotas;
pub mod roles;
pub mod service_accounts;
pub mod signup;
pub mod users;

use poem_openapi::Tags;

use crate::Directory;

#[derive(Tags)]
pub enum Tag {
    /// Identity: organizations.
    IdentityOrganizations,
    /// Identity: groups of users and service accounts, and their roles.
    IdentityGroups,
    /// Identity: projects, allocations and quotas.
    IdentityProjects,
    /// Identity: users and service accounts.
    IdentityUsers,
    /// Identity: roles and the caller's access control list.
    IdentityAccess,
    /// Identity: upstream sign-in providers.
    IdentityProviders,
}

/// Every API of the family, for the app's `OpenApiService`.
pub fn apis(directory: &Directory) -> (CoreApis, ResourceApis) {
    (core_apis(directory), resource_apis(directory))
}

/// Organizations, groups, users, roles, the ACL and sign-up links.
pub type CoreApis =
    (orgs::OrgsApi, groups::GroupsApi, users::UsersApi, roles::RolesApi, acl::AclApi, signup::SignupApi);

fn core_apis(directory: &Directory) -> CoreApis {
    let d = || directory.clone();
    (
        orgs::OrgsApi { directory: d() },
        groups::GroupsApi { directory: d() },
        users::UsersApi { directory: d() },
        roles::RolesApi { directory: d() },
        acl::AclApi { directory: d() },
        signup::SignupApi { directory: d() },
    )
}

/// Service accounts, projects, allocations, quotas and sign-in providers.
pub type ResourceApis = (
    service_accounts::ServiceAccountsApi,
    projects::ProjectsApi,
    allocations::AllocationsApi,
    quotas::QuotasApi,
    providers::ProvidersApi,
    providers::ProviderAdminApi,
);

fn resource_apis(directory: &Directory) -> ResourceApis {
    let d = || directory.clone();
    (
        service_accounts::ServiceAccountsApi { directory: d() },
        projects::ProjectsApi { directory: d() },
        allocations::AllocationsApi { directory: d() },
        quotas::QuotasApi { directory: d() },
        providers::ProvidersApi { directory: d() },
        providers::ProviderAdminApi { directory: d() },
    )
}
