//! All SQL of the OIDC provider and the Identity face.

pub mod keys;
