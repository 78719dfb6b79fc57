//! All SQL of the gateway family (the only module that touches rusqlite).

pub mod apis;
pub mod applications;
pub mod certificates;
pub mod consumers;
pub mod control_planes;
pub mod export;
pub mod labels;
pub mod listing;
