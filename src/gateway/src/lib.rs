//! The API7 Cloud face (`/api/v1/orgs…`, `/api/v1/controlplanes…`,
//! `/api/v1/apps…`): an API7 organization is the core organization and its
//! members the core memberships; control planes and what hangs off them
//! (applications with their APIs, consumers, certificates) are this
//! family's tables. A control plane renders as an Apache APISIX standalone
//! configuration that a gateway can poll.

pub mod api;
pub mod core;
pub mod model;
pub mod service;
mod store;

pub use service::{Gateway, GatewaySettings};
