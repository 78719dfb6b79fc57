//! Wire types of the billing family.

pub mod invoices;
pub mod plans;
pub mod subscriptions;
