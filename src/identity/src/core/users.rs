//! Accounts (people and service accounts).

pub use crate::store::users::{
    NewUser, UserRow, by_email, by_uuid, get, insert, insert_service, is_service, retire, set_first_name,
};
