//! All SQL of the content family (private to it).

pub mod designs;
pub mod resources;
