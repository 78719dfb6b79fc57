//! Billing (docs/billing.md): plans and features, entitlements, subscriptions,
//! payments, webhooks, invoices and the billing job.

mod after_payment;
mod entitlements;
mod invoices;
mod jobs;
mod payments;
mod plans;
mod plans_admin;
mod rows;
mod seed;
mod subscriptions;
mod webhooks;
