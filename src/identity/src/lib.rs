//! Identity: users, organizations, memberships, security tokens, web sessions,
//! and the resolution of a credential into a `Principal`.

pub mod api;
pub mod core;
pub mod limiter;
pub mod model;
pub mod password;
pub mod service;
mod store;
pub mod throttle;

pub use service::{Identity, IdentitySettings};
