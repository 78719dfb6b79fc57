//! The plan catalogue: read by every signed-in user, changed by provider admins.

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::entitle::{Feature, UNLIMITED};
use meshcloud_kernel::ids::{UserId, new_uuid};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};

use super::Billing;
use crate::store::plans::{self, FeatureRow, PlanRow};
use crate::{money, period};

#[derive(Debug, Clone)]
pub struct PlanWithFeatures {
    pub plan: PlanRow,
    pub features: Vec<FeatureRow>,
}

fn group(all: Vec<PlanRow>, features: Vec<FeatureRow>) -> Vec<PlanWithFeatures> {
    all.into_iter()
        .map(|plan| {
            let features = features.iter().filter(|f| f.plan_id == plan.id).cloned().collect();
            PlanWithFeatures { plan, features }
        })
        .collect()
}

impl Billing {
    /// The plans on offer (archived ones too with `archived`).
    pub async fn plans(&self, archived: bool) -> AppResult<Vec<PlanRow>> {
        self.db().read(move |c| plans::list(c, archived)).await
    }

    /// Every plan on offer with its features.
    pub async fn catalogue(&self) -> AppResult<Vec<PlanWithFeatures>> {
        self.db().read(|c| Ok(group(plans::list(c, false)?, plans::features(c, None)?))).await
    }

    /// The plan an organization has now, with its features: its live
    /// subscription's, else the default plan's.
    pub async fn org_plan(&self, p: &Principal, org: uuid::Uuid) -> AppResult<Option<PlanWithFeatures>> {
        let org = self.identity().org_id_for(p, org, Perm::BillingRead).await?;
        self.db()
            .read(move |c| {
                Ok(match plans::effective(c, org)? {
                    Some((plan, _)) => {
                        let features = plans::features(c, Some(plan.id))?;
                        Some(PlanWithFeatures { plan, features })
                    }
                    None => None,
                })
            })
            .await
    }
}

/// A plan as an admin or a plans file describes it, checked: what
/// `upsert` stores.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanSpec {
    pub name: String,
    pub cadence: String,
    pub currency: String,
    pub unit: String,
    pub minimum_units: i64,
    pub price_minor: i64,
    pub trial_days: i64,
    pub stripe_price_id: Option<String>,
    pub default: bool,
    pub archived: bool,
    /// (feature wire name, quantity), one per feature type.
    pub features: Vec<(String, i64)>,
}

/// A plan as sent, before it is checked (both the API and plans files).
#[derive(Debug, Clone, Default)]
pub struct PlanInput {
    pub name: Option<String>,
    pub cadence: Option<String>,
    pub currency: Option<String>,
    pub unit: Option<String>,
    pub minimum_units: Option<i64>,
    pub price_per_unit: Option<f64>,
    pub trial_days: Option<i64>,
    pub stripe_price_id: Option<String>,
    pub default: Option<bool>,
    pub archived: Option<bool>,
    pub features: Vec<(String, i64)>,
}

fn required<T>(field: &str, v: Option<T>) -> AppResult<T> {
    v.ok_or_else(|| AppError::validation(format!("{field} is required")))
}

impl PlanInput {
    /// Checks every field; the 400 names the first one wrong.
    pub fn check(self) -> AppResult<PlanSpec> {
        let name = validate::name("name", &required("name", self.name)?, 100)?;
        let cadence = period::Cadence::parse(&required("cadence", self.cadence)?)?.as_str().to_string();
        let currency = money::currency(&self.currency.unwrap_or_else(|| "usd".into()))?;
        let unit = self.unit.unwrap_or_else(|| "user".into());
        if unit != "user" && unit != "free" {
            return Err(AppError::validation(format!("unit must be user or free, not {unit:?}")));
        }
        let minimum_units = self.minimum_units.unwrap_or(1);
        if !(0..=1_000_000).contains(&minimum_units) {
            return Err(AppError::validation("minimum_units must be between 0 and 1000000"));
        }
        let price_minor =
            money::from_number("price_per_unit", required("price_per_unit", self.price_per_unit)?, &currency)?;
        let trial_days = self.trial_days.unwrap_or(0);
        if !(0..=365).contains(&trial_days) {
            return Err(AppError::validation("trial_days must be between 0 and 365"));
        }
        let stripe_price_id = match self.stripe_price_id.map(|s| s.trim().to_string()) {
            Some(s) if s.is_empty() => None,
            Some(s) if s.len() > 255 || s.chars().any(char::is_control) => {
                return Err(AppError::validation("stripe_price_id must be at most 255 printable characters"));
            }
            other => other,
        };
        let mut features: Vec<(String, i64)> = Vec::with_capacity(self.features.len());
        for (name, quantity) in self.features {
            if Feature::from_wire(&name).is_none() {
                let known: Vec<&str> = Feature::ALL.iter().map(|f| f.wire()).collect();
                return Err(AppError::validation(format!(
                    "features: unknown feature {name:?}; known: {}",
                    known.join(", ")
                )));
            }
            if !(0..=UNLIMITED).contains(&quantity) {
                return Err(AppError::validation(format!(
                    "features: {name} quantity must be between 0 and {UNLIMITED}"
                )));
            }
            if features.iter().any(|(n, _)| *n == name) {
                return Err(AppError::validation(format!("features: {name} is named twice")));
            }
            features.push((name, quantity));
        }
        Ok(PlanSpec {
            name,
            cadence,
            currency,
            unit,
            minimum_units,
            price_minor,
            trial_days,
            stripe_price_id,
            default: self.default.unwrap_or(false),
            archived: self.archived.unwrap_or(false),
            features,
        })
    }
}

/// What `upsert` did with a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Created,
    Updated,
    /// The plan was as the file says already: nothing written.
    Unchanged,
}

/// Is the stored plan `p` exactly `spec` (fields, archived, default, features)?
fn same(c: &Conn, p: &PlanRow, spec: &PlanSpec) -> AppResult<bool> {
    let mut have: Vec<(String, i64)> =
        plans::features(c, Some(p.id))?.into_iter().map(|f| (f.name, f.quantity)).collect();
    let mut want = spec.features.clone();
    have.sort();
    want.sort();
    Ok(p.name == spec.name
        && p.cadence == spec.cadence
        && p.currency == spec.currency
        && p.unit == spec.unit
        && p.minimum_units == spec.minimum_units
        && p.price_minor == spec.price_minor
        && p.trial_days == spec.trial_days
        && p.stripe_price_id == spec.stripe_price_id
        && p.is_default == spec.default
        && p.archived_at.is_some() == spec.archived
        && have == want)
}

/// Stores `spec` as the plan `existing` (or a new one), with exactly its
/// features; makes it the default when it says so, and writes the event.
/// A name, cadence or Stripe price another plan has is a conflict; the
/// default plan cannot be archived, nor stop being the default but by
/// another plan becoming it.
pub fn upsert(c: &Conn, existing: Option<&PlanRow>, spec: &PlanSpec, actor: Option<UserId>) -> AppResult<PlanRow> {
    let me = existing.map(|p| p.id);
    if plans::by_name(c, &spec.name, &spec.cadence)?.is_some_and(|p| Some(p.id) != me) {
        return Err(AppError::conflict(format!("a {} plan named {} already exists", spec.cadence, spec.name)));
    }
    if let Some(price) = &spec.stripe_price_id
        && plans::by_stripe_price(c, price)?.is_some_and(|p| Some(p.id) != me)
    {
        return Err(AppError::conflict(format!("stripe_price_id {price} is another plan's")));
    }
    let was_default = existing.is_some_and(|p| p.is_default);
    if was_default && !spec.default {
        return Err(AppError::validation("default: the default plan stays the default until another plan becomes it"));
    }
    if spec.archived && (spec.default || was_default) {
        return Err(AppError::validation("archived: the default plan cannot be archived"));
    }
    let fields = plans::PlanFields {
        name: &spec.name,
        cadence: &spec.cadence,
        currency: &spec.currency,
        unit: &spec.unit,
        minimum_units: spec.minimum_units,
        price_minor: spec.price_minor,
        trial_days: spec.trial_days,
        stripe_price_id: spec.stripe_price_id.as_deref(),
    };
    let (id, kind, what) = match existing {
        Some(p) => {
            plans::update(c, p.id, &fields)?;
            (p.id, EventKind::PlanUpdate, "updated")
        }
        None => (plans::insert(c, new_uuid(), &fields)?, EventKind::PlanCreate, "created"),
    };
    plans::set_features(c, id, &spec.features)?;
    plans::set_archived(c, id, spec.archived)?;
    if spec.default && !was_default {
        plans::set_default(c, id)?;
    }
    let row = plans::get(c, id)?;
    audit::record(
        c,
        Event::new(kind, actor)
            .on(row.uuid)
            .describe(format!("plan {} ({}) {what}", row.name, row.cadence))
            .meta(serde_json::json!({ "features": spec.features.iter().map(|(n, q)| (n.clone(), *q)).collect::<std::collections::BTreeMap<_, _>>() })),
    )?;
    Ok(row)
}

/// Loads `specs` (a plans file) in one transaction: each plan is created or
/// replaced by its (name, cadence); one already as described is left alone
/// (a restart writes nothing). Answers what happened to each.
pub fn load(c: &Conn, specs: &[PlanSpec], actor: Option<UserId>) -> AppResult<Vec<(PlanRow, Upserted)>> {
    if specs.iter().filter(|s| s.default).count() > 1 {
        return Err(AppError::validation("default: only one plan can be the default"));
    }
    let mut out = Vec::with_capacity(specs.len());
    // The new default first, so that the old one may then stop being it.
    let mut order: Vec<&PlanSpec> = specs.iter().collect();
    order.sort_by_key(|s| !s.default);
    for spec in order {
        let existing = plans::by_name(c, &spec.name, &spec.cadence)?;
        let done = match &existing {
            Some(p) if same(c, p, spec)? => {
                out.push((p.clone(), Upserted::Unchanged));
                continue;
            }
            Some(_) => Upserted::Updated,
            None => Upserted::Created,
        };
        out.push((upsert(c, existing.as_ref(), spec, actor)?, done));
    }
    Ok(out)
}

/// May `p` change the catalogue? Provider admins, and whoever holds the key.
fn may_manage(p: &Principal) -> AppResult<()> {
    if p.provider_admin || p.grants.orgs.values().any(|g| g.perms.has(Perm::PlansManage)) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// A plan's usage report: the plan an organization has and every feature
/// type against what it has.
pub struct OrgUsage {
    pub plan: PlanRow,
    pub usage: Vec<crate::core::Usage>,
}

impl Billing {
    /// Every plan, archived ones too: for those who manage the catalogue.
    pub async fn all_plans(&self, p: &Principal) -> AppResult<Vec<PlanRow>> {
        may_manage(p)?;
        self.plans(true).await
    }

    pub async fn create_plan(&self, p: &Principal, input: PlanInput) -> AppResult<PlanWithFeatures> {
        may_manage(p)?;
        let spec = input.check()?;
        if spec.archived {
            return Err(AppError::validation("archived: a new plan cannot be archived"));
        }
        let actor = p.user;
        self.db()
            .write(move |c| {
                let plan = upsert(c, None, &spec, Some(actor))?;
                let features = plans::features(c, Some(plan.id))?;
                Ok(PlanWithFeatures { plan, features })
            })
            .await
    }

    /// Replaces a plan and its features (an archived plan stays archived).
    pub async fn update_plan(&self, p: &Principal, id: uuid::Uuid, input: PlanInput) -> AppResult<PlanWithFeatures> {
        may_manage(p)?;
        let mut spec = input.check()?;
        let actor = p.user;
        self.db()
            .write(move |c| {
                let old = plans::by_uuid(c, id)?.ok_or(AppError::NotFound)?;
                spec.archived = old.archived_at.is_some();
                let plan = upsert(c, Some(&old), &spec, Some(actor))?;
                let features = plans::features(c, Some(plan.id))?;
                Ok(PlanWithFeatures { plan, features })
            })
            .await
    }

    /// Deletes a plan nobody ever subscribed to; one with subscriptions is
    /// archived instead (they keep it). The default plan stays.
    pub async fn delete_plan(&self, p: &Principal, id: uuid::Uuid) -> AppResult<()> {
        may_manage(p)?;
        let actor = p.user;
        self.db()
            .write(move |c| {
                let plan = plans::by_uuid(c, id)?.ok_or(AppError::NotFound)?;
                if plan.is_default {
                    return Err(AppError::validation(
                        "the default plan cannot be deleted or archived; make another plan the default first",
                    ));
                }
                let what = if plans::subscribed(c, plan.id)? > 0 {
                    plans::set_archived(c, plan.id, true)?;
                    "archived: it has subscriptions"
                } else {
                    plans::delete(c, plan.id)?;
                    "deleted"
                };
                audit::record(
                    c,
                    Event::new(EventKind::PlanDelete, Some(actor))
                        .on(plan.uuid)
                        .describe(format!("plan {} ({}) {what}", plan.name, plan.cadence)),
                )
            })
            .await
    }

    /// The plan an organization has and each feature type against its usage.
    pub async fn org_usage(&self, p: &Principal, org: uuid::Uuid) -> AppResult<OrgUsage> {
        let org = self.identity().org_id_for(p, org, Perm::BillingRead).await?;
        self.db()
            .read(move |c| {
                let (plan, seats) = plans::effective(c, org)?.ok_or(AppError::NotFound)?;
                let usage = crate::core::usage_under(c, org, &plan, seats)?;
                Ok(OrgUsage { plan, usage })
            })
            .await
    }
}
