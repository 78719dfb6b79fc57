//! Operations: the events API over the audit log, and schedules (users' cron
//! triggers and the system's jobs) with the store side of the runner.

pub mod api;
pub mod core;
pub mod model;
pub mod service;
mod store;

pub use service::Ops;
