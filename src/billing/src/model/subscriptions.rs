//! Subscriptions as the Layer5 entitlement API renders them (snake_case, as
//! the reference's entity), and the camelCase bodies of its operations.

use meshcloud_kernel::time::Timestamp;
use poem_openapi::Object;

use super::plans::Plan;
use crate::store::subscriptions::SubscriptionRow;

/// An organization's subscription to a plan. `start_date` and `end_date`
/// are those of the current period.
#[derive(Debug, Clone, Object)]
pub struct Subscription {
    pub id: uuid::Uuid,
    pub org_id: uuid::Uuid,
    pub plan_id: uuid::Uuid,
    /// The processor's id of the subscription (Stripe's `sub_…`); offline
    /// (and before Stripe links it) the subscription's own id, meshcloud
    /// being the billing system.
    pub billing_id: String,
    /// Units subscribed (seats on a per-user plan).
    pub quantity: i64,
    /// Stripe's statuses: `incomplete`, `incomplete_expired`, `trialing`,
    /// `active`, `past_due`, `canceled`, `unpaid`.
    pub status: String,
    pub plan: Plan,
    #[oai(skip_serializing_if_is_none)]
    pub start_date: Option<Timestamp>,
    #[oai(skip_serializing_if_is_none)]
    pub end_date: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// meshcloud: the current period (the same as `start_date`/`end_date`).
    #[oai(skip_serializing_if_is_none)]
    pub current_period_start: Option<Timestamp>,
    #[oai(skip_serializing_if_is_none)]
    pub current_period_end: Option<Timestamp>,
    /// meshcloud: the subscription ends with its current period.
    pub cancel_at_period_end: bool,
    #[oai(skip_serializing_if_is_none)]
    pub trial_end: Option<Timestamp>,
    #[oai(skip_serializing_if_is_none)]
    pub canceled_at: Option<Timestamp>,
    /// meshcloud: `offline` or `stripe`.
    pub payment_processor: String,
}

impl From<SubscriptionRow> for Subscription {
    fn from(s: SubscriptionRow) -> Self {
        Subscription {
            id: s.uuid,
            org_id: s.org_uuid,
            plan_id: s.plan.uuid,
            billing_id: s.billing_id.unwrap_or_else(|| s.uuid.to_string()),
            quantity: s.quantity,
            status: s.status,
            plan: s.plan.into(),
            start_date: s.current_period_start,
            end_date: s.current_period_end,
            created_at: s.created_at,
            updated_at: s.updated_at,
            current_period_start: s.current_period_start,
            current_period_end: s.current_period_end,
            cancel_at_period_end: s.cancel_at_period_end,
            trial_end: s.trial_end,
            canceled_at: s.canceled_at,
            payment_processor: s.processor,
        }
    }
}

meshcloud_kernel::layer5_page!(SubscriptionsPage, "subscriptions", Subscription);

/// `POST /api/entitlement/subscriptions/create`; every field optional.
#[derive(Debug, Clone, Default, Object)]
#[oai(rename_all = "camelCase")]
pub struct CreateBody {
    /// The organization (else the one in context).
    pub org_id: Option<String>,
    /// A plan id, or a plan's Stripe price id.
    pub plan_id: Option<String>,
    /// Seats; the plan's `minimum_units` when absent.
    pub user_count: Option<i64>,
    /// `offline` (the default) or `stripe` (when configured).
    pub payment_processor: Option<String>,
    /// Where invoices go.
    pub email: Option<String>,
    /// Not supported: a non-empty coupon is refused.
    pub coupon_id: Option<String>,
}

#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct Created {
    /// The pending payment's secret (offline, an amount due), else empty.
    pub client_secret: String,
    pub subscription_id: uuid::Uuid,
}

/// `…/upgrade` and `…/upgrade-preview`.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct UpgradeBody {
    /// The current plan (its id or Stripe price id).
    pub old_plan_id: Option<String>,
    /// The plan to change to (its id or Stripe price id).
    pub new_plan_id: Option<String>,
    /// meshcloud: seats after the change (else the current ones, raised to
    /// the new plan's minimum).
    pub user_count: Option<i64>,
}
