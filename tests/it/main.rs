//! The one integration-test binary: every test starts a real meshcloud with a
//! fresh data dir and talks to it over HTTP (and the CLI), black-box.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod access_matrix;
mod badges;
mod cli;
mod connections;
mod credentials;
mod durability;
mod environments;
mod errors;
mod escalation;
mod events;
mod identity_acl;
mod identity_groups;
mod identity_orgs;
mod identity_projects;
mod identity_providers;
mod identity_quotas;
mod identity_serviceaccounts;
mod identity_signup;
mod identity_users;
mod infra_edges;
mod infra_matrix;
mod invitations;
mod keys;
mod oidc;
mod oidc_authlib;
mod oidc_races;
mod oidc_support;
mod oidc_upstream;
mod ops;
mod org_users;
mod orgs;
mod permissions;
mod profile;
mod roles;
mod schedules;
mod session;
mod signup;
mod smtp_sink;
mod store;
mod teams;
mod tokens;
mod workspaces;
