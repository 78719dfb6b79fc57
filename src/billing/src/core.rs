//! What the application registers with `kernel::entitle`: the limits the
//! organizations' plans set.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::entitle::{Feature, Limit};
use meshcloud_kernel::ids::OrgId;
use rusqlite::Connection;

pub use crate::store::plans::PlanRow;
pub use crate::store::subscriptions::SubscriptionRow;
use crate::store::{plans, subscriptions};

/// The limit of `feature` for `org`: the quantity its effective plan grants
/// (a feature the plan does not name is not limited). Members on a per-user
/// plan are also limited to the seats subscribed.
pub fn limit(c: &Connection, org: OrgId, feature: Feature) -> AppResult<Option<Limit>> {
    let Some((plan, seats)) = plans::effective(c, org)? else { return Ok(None) };
    let quantity = granted(c, &plan, seats, feature)?;
    Ok(quantity.map(|quantity| Limit { quantity, plan: plan.name }))
}

/// The quantity `plan` grants of `feature`; on a per-user plan, members are
/// also limited to the `seats` subscribed.
fn granted(c: &Connection, plan: &plans::PlanRow, seats: Option<i64>, feature: Feature) -> AppResult<Option<i64>> {
    let granted = plans::quantity(c, plan.id, feature.wire())?;
    Ok(match (feature, plan.unit.as_str(), seats) {
        (Feature::MembersInOrganization, "user", Some(seats)) => Some(granted.map_or(seats, |g| g.min(seats))),
        _ => granted,
    })
}

/// One feature of a plan against what the organization has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage {
    pub feature: Feature,
    /// What the plan allows (`None`: not limited).
    pub limit: Option<i64>,
    /// What the organization has (`None`: not counted per organization).
    pub used: Option<i64>,
}

/// Every feature type under `plan` with `seats` (the subscription's quantity
/// on a per-user plan), against the organization's current usage.
pub fn usage_under(c: &Connection, org: OrgId, plan: &plans::PlanRow, seats: Option<i64>) -> AppResult<Vec<Usage>> {
    let mut out = Vec::with_capacity(Feature::ALL.len());
    for &feature in Feature::ALL {
        let limit = granted(c, plan, seats, feature)?.filter(|q| *q < meshcloud_kernel::entitle::UNLIMITED);
        let used = if feature.counted() { meshcloud_kernel::entitle::usage(c, org, feature)? } else { None };
        out.push(Usage { feature, limit, used });
    }
    Ok(out)
}

/// What the organization has more of than `plan` with `seats` allows, as
/// `Feature: used of limit` texts (empty: the change fits).
pub fn over_limits(c: &Connection, org: OrgId, plan: &plans::PlanRow, seats: Option<i64>) -> AppResult<Vec<String>> {
    Ok(usage_under(c, org, plan, seats)?
        .into_iter()
        .filter_map(|u| match (u.limit, u.used) {
            (Some(limit), Some(used)) if used > limit => Some(format!("{}: {used} of {limit}", u.feature.wire())),
            _ => None,
        })
        .collect())
}

/// The plan an organization has now and the subscription that gives it: its
/// live subscription's (trialing, active, or past due while dunning runs),
/// else the default plan without one (`None` when there is no default).
pub fn current_plan(c: &Connection, org: OrgId) -> AppResult<Option<(PlanRow, Option<SubscriptionRow>)>> {
    let live = subscriptions::live(c, org)?.filter(|s| matches!(s.status.as_str(), "trialing" | "active" | "past_due"));
    Ok(match live {
        Some(s) => Some((s.plan.clone(), Some(s))),
        None => plans::default_plan(c)?.map(|p| (p, None)),
    })
}
