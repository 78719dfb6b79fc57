//! Infrastructure: environments, connections, credentials and workspaces of
//! an organization, and the links between them (Layer5 face).

pub mod api;
pub mod core;
pub mod model;
pub mod service;
mod store;

pub use service::Infra;
