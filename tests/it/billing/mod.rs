//! Billing (docs/billing.md): plans and features, entitlements, subscriptions,
//! payments, webhooks, invoices and the billing job.

mod after_payment;
mod jobs;
mod plans;
mod rows;
mod subscriptions;
mod webhooks;
