//! All SQL of the Identity face (on the core tables it renders).

pub mod acl;
pub mod allocations;
pub mod groups;
pub mod orgs;
pub mod project_access;
pub mod projects;
pub mod providers;
pub mod provisioning;
pub mod quotas;
pub mod service_accounts;
pub mod signup;
pub mod users;
