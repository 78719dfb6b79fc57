//! The Identity API (`/api/v1`): organizations, projects, groups, users,
//! service accounts, quotas, identity providers, access control and sign-up.

mod acl;
pub mod groups;
pub mod orgs;
mod projects;
mod providers;
mod quotas;
mod removals;
mod serviceaccounts;
mod signup;
mod users;
