//! All SQL of the gateway family (the only module that touches rusqlite).

pub mod apis;
pub mod applications;
pub mod control_planes;
pub mod export;
pub mod labels;
