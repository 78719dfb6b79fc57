//! All SQL of the operations family.

pub mod about;
pub mod events;
pub mod outbox;
pub mod schedules;
