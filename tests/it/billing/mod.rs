//! Billing (docs/billing.md): plans and features, entitlements, subscriptions,
//! payments, webhooks, invoices and the billing job.

mod after_payment;
mod plans;
mod subscriptions;
