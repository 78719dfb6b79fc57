//! The OIDC provider and the Identity face. Its organizations, groups,
//! projects and users are the core organizations, teams, workspaces and users.

pub mod api;
pub mod service;
mod store;

pub use service::{Oidc, OidcSettings};
