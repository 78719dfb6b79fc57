//! All SQL of the content family (private to it).

pub mod catalog;
pub mod designs;
pub mod filters;
pub mod models;
pub mod resources;
pub mod shares;
pub mod views;
