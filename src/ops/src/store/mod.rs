//! All SQL of the operations family.

pub mod events;
pub mod outbox;
pub mod schedules;
