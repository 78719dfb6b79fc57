//! All SQL of the Identity face (on the core tables it renders).

pub mod project_access;
