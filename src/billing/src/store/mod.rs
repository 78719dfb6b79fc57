//! All SQL of the billing family (the only module that touches rusqlite).

pub mod invoices;
pub mod payments;
pub mod plans;
pub mod subscriptions;
pub mod webhooks;
