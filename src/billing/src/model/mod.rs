//! Wire types of the billing family.

pub mod invoices;
pub mod payments;
pub mod plans;
pub mod subscriptions;
