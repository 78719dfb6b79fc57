//! All SQL of the identity family. Services call these functions inside
//! `Db::read` / `Db::write`; nothing else in the family writes SQL.

pub mod badges;
pub mod domains;
pub mod invitations;
pub mod keys;
pub mod orgs;
pub mod roles;
pub mod signin;
pub mod signup;
pub mod teams;
pub mod tokens;
pub mod users;

#[cfg(test)]
mod plans;
