//! The Identity face's HTTP operations (one `#[OpenApi]` struct per sub-resource).

pub mod acl;
pub mod groups;
pub mod orgs;
pub mod roles;
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
pub fn apis(directory: &Directory) -> CoreApis {
    core_apis(directory)
}

/// Organizations, groups, users, roles and the ACL.
pub type CoreApis = (orgs::OrgsApi, groups::GroupsApi, users::UsersApi, roles::RolesApi, acl::AclApi);

fn core_apis(directory: &Directory) -> CoreApis {
    let d = || directory.clone();
    (
        orgs::OrgsApi { directory: d() },
        groups::GroupsApi { directory: d() },
        users::UsersApi { directory: d() },
        roles::RolesApi { directory: d() },
        acl::AclApi { directory: d() },
    )
}
