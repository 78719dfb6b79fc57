//! The one integration-test binary: every test starts a real meshcloud with a
//! fresh data dir and talks to it over HTTP (and the CLI), black-box.
//! Tests are grouped by face (`layer5`, `identity`, `oidc`) and family
//! (`infra`, `ops`); `server` and `cross_face` hold what spans them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod billing;
mod browser;
mod conformance;
mod content;
mod cross_face;
mod gateway;
mod identity;
mod infra;
mod layer5;
mod oidc;
mod ops;
mod server;
