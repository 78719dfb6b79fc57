//! The one integration-test binary: every test starts a real meshcloud with a
//! fresh data dir and talks to it over HTTP (and the CLI), black-box.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod cli;
mod durability;
mod errors;
mod ops;
mod orgs;
mod permissions;
mod profile;
mod session;
mod store;
mod tokens;
