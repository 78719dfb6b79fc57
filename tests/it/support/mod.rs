//! What the tests share: the server fixture (in-process, or a child process
//! for crash and CLI tests), the HTTP client, the fixtures most tests start
//! from, `poll`, the permission-matrix harness, the manual scheduler clock,
//! and the browser and mail server some tests talk to.

mod api;
mod api7;
mod db;
pub mod fake_dns;
mod lists;
pub mod matrix;
pub mod oidc;
mod plans;
mod poll;
mod process;
pub mod scheduler;
mod server;
pub mod smtp_sink;
mod world;

pub use api::*;
pub use db::sql;
pub use lists::*;
pub use plans::unlimited_plans_file;
pub use poll::poll;
pub use process::*;
pub use server::*;
pub use world::*;
