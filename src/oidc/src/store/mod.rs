//! All SQL of the OIDC provider and the Identity face.

pub mod clients;
pub mod grants;
pub mod keys;
pub mod upstream;
