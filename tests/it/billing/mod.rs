//! Billing (docs/billing.md): plans and features, entitlements, subscriptions,
//! payments, webhooks, invoices and the billing job.

mod entitlements;
mod plans;
mod plans_admin;
