//! Plans and features as the Layer5 entitlement API renders them.

use meshcloud_kernel::time::Timestamp;
use poem_openapi::Object;

use crate::money;
use crate::service::plans::PlanWithFeatures;
use crate::store::plans::{FeatureRow, PlanRow};

/// A plan. `price_per_unit` is a number in the currency's unit (dollars),
/// exact to its smallest unit.
#[derive(Debug, Clone, Object)]
pub struct Plan {
    pub id: uuid::Uuid,
    pub name: String,
    /// `monthly` or `yearly`.
    pub cadence: String,
    pub currency: String,
    /// `user` (priced per member) or `free`.
    pub unit: String,
    pub minimum_units: i64,
    pub price_per_unit: f64,
    /// meshcloud: days of trial before the first payment (0: none).
    pub trial_days: i64,
    /// meshcloud: the plan of organizations without a subscription.
    pub default: bool,
    /// meshcloud: archived plans take no new subscriptions.
    #[oai(skip_serializing_if_is_none)]
    pub archived_at: Option<Timestamp>,
    /// meshcloud: the Stripe price this plan is sold as.
    #[oai(skip_serializing_if_is_none)]
    pub stripe_price_id: Option<String>,
}

impl From<PlanRow> for Plan {
    fn from(p: PlanRow) -> Self {
        Plan {
            id: p.uuid,
            price_per_unit: money::to_number(p.price_minor, &p.currency),
            name: p.name,
            cadence: p.cadence,
            currency: p.currency,
            unit: p.unit,
            minimum_units: p.minimum_units,
            trial_days: p.trial_days,
            default: p.is_default,
            archived_at: p.archived_at,
            stripe_price_id: p.stripe_price_id,
        }
    }
}

/// A feature: the quantity of one feature type a plan grants (9999999999 is unlimited).
#[derive(Debug, Clone, Object)]
pub struct Feature {
    pub id: uuid::Uuid,
    pub plan_id: uuid::Uuid,
    pub name: String,
    pub quantity: i64,
    #[oai(skip_serializing_if_is_none)]
    pub plan: Option<Plan>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Feature {
    pub fn new(f: FeatureRow, plan: &PlanRow) -> Self {
        Feature {
            id: f.uuid,
            plan_id: plan.uuid,
            name: f.name,
            quantity: f.quantity,
            plan: Some(plan.clone().into()),
            created_at: f.created_at,
            updated_at: f.updated_at,
        }
    }

    pub fn all(plans: Vec<PlanWithFeatures>) -> Vec<Feature> {
        plans
            .into_iter()
            .flat_map(|p| p.features.into_iter().map(move |f| (f, p.plan.clone())))
            .map(|(f, p)| Feature::new(f, &p))
            .collect()
    }
}
