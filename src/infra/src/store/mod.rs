//! All SQL of the infrastructure family.

pub mod connections;
pub mod counts;
pub mod credentials;
pub mod environments;
pub mod workspaces;
