//! Billing: the plan catalogue and the entitlements it grants, subscriptions
//! with proration, the offline payment processor and Stripe's webhooks,
//! invoices and the scheduler jobs that renew, end and dun subscriptions.
//! One engine behind the Layer5 entitlement API (and the API7 face's
//! subscriptions and invoices).

pub mod api;
pub mod core;
pub mod model;
pub mod money;
pub mod period;
pub mod service;
mod store;

pub use service::{Billing, BillingSettings};
