//! Billing (docs/billing.md): plans and features, entitlements, subscriptions,
//! payments, webhooks, invoices and the billing job.

mod invoices;
mod payments;
mod plans;
mod seed;
