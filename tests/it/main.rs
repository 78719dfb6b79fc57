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
mod infra_edges;
mod infra_matrix;
mod invitations;
mod keys;
mod ops;
mod org_users;
mod orgs;
mod permissions;
mod profile;
mod roles;
mod schedules;
mod session;
mod signup;
mod store;
mod teams;
mod tokens;
mod workspaces;
