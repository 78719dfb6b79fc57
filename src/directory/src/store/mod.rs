//! All SQL of the Identity face (on the core tables it renders).

pub mod acl;
pub mod groups;
pub mod orgs;
pub mod project_access;
pub mod provisioning;
pub mod roles;
pub mod users;
