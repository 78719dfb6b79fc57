//! The Identity face's resource API (`/api/v1/...`): organizations, groups,
//! projects, users, service accounts, roles, quotas, allocations, upstream
//! sign-in providers and the ACL. They are renderings of the core: an Identity
//! organization is a core organization, a group a team, a project a
//! workspace, a role a core role, and the ACL the caller's core grants.

pub mod api;
pub mod model;
pub mod service;
mod store;

pub use service::Directory;
