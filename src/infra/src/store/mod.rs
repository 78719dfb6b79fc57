//! All SQL of the infrastructure family.

pub mod connections;
pub mod credentials;
pub mod environments;
pub mod workspaces;
