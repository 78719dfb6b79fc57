//! The meshcloud binary as a library: the CLI, configuration, and the server
//! assembly that the integration tests start in-process.

pub mod banner;
pub mod cli;
pub mod clock;
pub mod config;
pub mod connections;
pub mod dns;
pub mod edge;
pub mod lazy;
pub mod mail;
pub mod metrics;
pub mod ops;
pub mod overview;
pub mod scheduler;
pub mod server;
pub mod ui;
