//! All SQL of the identity family. Services call these functions inside
//! `Db::read` / `Db::write`; nothing else in the family writes SQL.

pub mod orgs;
pub mod tokens;
pub mod users;
