//! Billing (docs/billing.md): plans and features, entitlements, subscriptions,
//! payments, webhooks, invoices and the billing job.

mod jobs;
mod plans;
mod rows;
mod webhooks;
