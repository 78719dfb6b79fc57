//! The meshcloud kernel: what every family and every face shares.
//!
//! Families depend on the kernel and never on each other's internals; the
//! binary crate assembles them.

pub mod access;
pub mod audit;
pub mod cron;
pub mod crypto;
pub mod db;
pub mod entitle;
pub mod error;
pub mod http;
pub mod ids;
pub mod page;
pub mod principal;
pub mod secrets;
pub mod time;
pub mod validate;

pub use error::{AppError, AppResult};
