//! The Identity face's HTTP operations (one `#[OpenApi]` struct per sub-resource).

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
pub fn apis(directory: &Directory) -> () {
    let _ = directory;
}
