//! The infra family's core operations that other families and faces call
//! (the Identity face's projects are workspaces). The family's `store` stays
//! private; these are its contract.

pub mod usage;
pub mod workspaces;
