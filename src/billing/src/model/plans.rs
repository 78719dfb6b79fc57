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

/// A plan as a provider admin sends it (create, or replace with PUT).
#[derive(Debug, Clone, Object)]
pub struct PlanWrite {
    pub name: Option<String>,
    /// `monthly` or `yearly`.
    pub cadence: Option<String>,
    /// ISO 4217 (default `usd`).
    pub currency: Option<String>,
    /// `user` (default) or `free`.
    pub unit: Option<String>,
    /// Default 1.
    pub minimum_units: Option<i64>,
    /// In the currency's unit, exact to its smallest one.
    pub price_per_unit: Option<f64>,
    pub trial_days: Option<i64>,
    pub stripe_price_id: Option<String>,
    /// `true` makes this the plan of organizations without a subscription.
    pub default: Option<bool>,
    /// The plan's features: exactly these (a type not named is not limited).
    #[oai(default)]
    pub features: Vec<FeatureWrite>,
}

#[derive(Debug, Clone, Object)]
pub struct FeatureWrite {
    /// A feature type's name (`WorkspacesInOrganization`…).
    pub name: String,
    /// 0 to 9999999999 (unlimited).
    pub quantity: i64,
}

impl From<PlanWrite> for crate::service::plans::PlanInput {
    fn from(w: PlanWrite) -> Self {
        crate::service::plans::PlanInput {
            name: w.name,
            cadence: w.cadence,
            currency: w.currency,
            unit: w.unit,
            minimum_units: w.minimum_units,
            price_per_unit: w.price_per_unit,
            trial_days: w.trial_days,
            stripe_price_id: w.stripe_price_id,
            default: w.default,
            archived: None,
            features: w.features.into_iter().map(|f| (f.name, f.quantity)).collect(),
        }
    }
}

/// One feature of a plan in a plan's detail.
#[derive(Debug, Clone, Object)]
pub struct PlanFeature {
    pub name: String,
    /// 9999999999: unlimited.
    pub quantity: i64,
}

/// meshcloud: a plan with what the reference's shape leaves out, for the
/// catalogue's editors and the billing page.
#[derive(Debug, Clone, Object)]
pub struct PlanDetail {
    pub id: uuid::Uuid,
    pub name: String,
    pub cadence: String,
    pub currency: String,
    pub unit: String,
    pub minimum_units: i64,
    pub price_per_unit: f64,
    /// The price per unit in the currency's minor units (cents).
    pub price_per_unit_minor: i64,
    /// Days of trial before the first payment (0: none).
    pub trial_days: i64,
    /// The plan of organizations without a subscription.
    pub default: bool,
    /// Archived plans take no new subscriptions.
    #[oai(skip_serializing_if_is_none)]
    pub archived_at: Option<Timestamp>,
    /// The Stripe price this plan is sold as.
    #[oai(skip_serializing_if_is_none)]
    pub stripe_price_id: Option<String>,
    pub features: Vec<PlanFeature>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<PlanWithFeatures> for PlanDetail {
    fn from(p: PlanWithFeatures) -> Self {
        let PlanWithFeatures { plan, features } = p;
        PlanDetail {
            id: plan.uuid,
            price_per_unit: money::to_number(plan.price_minor, &plan.currency),
            price_per_unit_minor: plan.price_minor,
            name: plan.name,
            cadence: plan.cadence,
            currency: plan.currency,
            unit: plan.unit,
            minimum_units: plan.minimum_units,
            trial_days: plan.trial_days,
            default: plan.is_default,
            archived_at: plan.archived_at,
            stripe_price_id: plan.stripe_price_id,
            features: features.into_iter().map(|f| PlanFeature { name: f.name, quantity: f.quantity }).collect(),
            created_at: plan.created_at,
            updated_at: plan.updated_at,
        }
    }
}

/// One feature type under an organization's plan, against its usage.
#[derive(Debug, Clone, Object)]
pub struct FeatureUsage {
    pub name: String,
    pub description: String,
    /// The limit (9999999999: unlimited).
    pub quantity: i64,
    /// What the organization has (null: not counted per organization).
    pub used: Option<i64>,
}

/// An organization's plan and its usage of every feature type.
#[derive(Debug, Clone, Object)]
pub struct UsageReport {
    pub plan: Plan,
    pub features: Vec<FeatureUsage>,
}

impl From<crate::service::plans::OrgUsage> for UsageReport {
    fn from(u: crate::service::plans::OrgUsage) -> Self {
        UsageReport {
            plan: u.plan.into(),
            features: u
                .usage
                .into_iter()
                .map(|x| FeatureUsage {
                    name: x.feature.wire().into(),
                    description: x.feature.description().into(),
                    quantity: x.limit.unwrap_or(meshcloud_kernel::entitle::UNLIMITED),
                    used: x.used,
                })
                .collect(),
        }
    }
}
