//! Accounts (people and service accounts).

pub use crate::store::users::{NewUser, UserRow, by_email, by_uuid, get, insert, is_service};
