//! Rules, permission checks and transactions of the billing family.

pub mod cancel;
pub mod charges;
pub mod invoices;
pub mod jobs;
pub mod lifecycle;
pub mod payments;
pub mod plans;
pub mod plans_file;
pub mod subscriptions;
pub mod upgrade;
pub mod webhooks;

use std::sync::Arc;

use meshcloud_identity::Identity;
use meshcloud_kernel::db::Db;
use meshcloud_kernel::time::{self, Timestamp};

/// Where billing reads "now": the scheduler's clock, so that period ends,
/// trials and dunning move with it (a manual clock in the integration tests).
pub type Now = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// Stripe: the webhook signing secret (`whsec_…`) and the API key.
#[derive(Clone, Default)]
pub struct StripeSettings {
    pub secret_key: String,
    pub webhook_secret: String,
}

impl std::fmt::Debug for StripeSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StripeSettings { .. }")
    }
}

#[derive(Debug, Clone)]
pub struct BillingSettings {
    /// Prefix of invoice numbers (`INV-000001`).
    pub invoice_prefix: String,
    /// Days an offline invoice is payable before it is overdue.
    pub payment_terms_days: u32,
    /// Days a subscription waits for its first payment before it expires.
    pub incomplete_expiry_days: u32,
    /// Reminders for an overdue invoice before the subscription is `unpaid`.
    pub dunning_retries: u32,
    /// Days between reminders.
    pub dunning_interval_days: u32,
    /// Set: Stripe's webhooks are accepted and `stripe` subscriptions allowed.
    pub stripe: Option<StripeSettings>,
}

impl Default for BillingSettings {
    fn default() -> Self {
        BillingSettings {
            invoice_prefix: "INV-".into(),
            payment_terms_days: 14,
            incomplete_expiry_days: 30,
            dunning_retries: 3,
            dunning_interval_days: 7,
            stripe: None,
        }
    }
}

#[derive(Clone)]
pub struct Billing {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    identity: Identity,
    settings: BillingSettings,
    now: Now,
}

impl Billing {
    pub fn new(db: Db, identity: Identity, settings: BillingSettings) -> Self {
        Billing { inner: Arc::new(Inner { db, identity, settings, now: Arc::new(time::now) }) }
    }

    /// Reads the time from `now` instead of the system clock. Set while the
    /// family is built, before it is shared.
    pub fn with_clock(mut self, now: Now) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.now = now;
        }
        self
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn identity(&self) -> &Identity {
        &self.inner.identity
    }

    pub fn settings(&self) -> &BillingSettings {
        &self.inner.settings
    }

    pub fn now(&self) -> Timestamp {
        (self.inner.now)()
    }
}
