//! Content: designs (Meshery's pattern documents) and what works on them —
//! import from Kubernetes manifests, Compose files and Helm charts,
//! relationship evaluation against the registered models, views, filters,
//! the catalog and sharing.

pub mod api;
pub mod core;
pub mod evaluate;
pub mod import;
pub mod model;
pub mod registry;
pub mod service;
mod store;

pub use service::Content;
