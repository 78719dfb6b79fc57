//! What the application registers with `kernel::entitle`: the limits the
//! organizations' plans set.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::entitle::{Feature, Limit};
use meshcloud_kernel::ids::OrgId;
use rusqlite::Connection;

use crate::store::plans;

/// The limit of `feature` for `org`: the quantity its effective plan grants
/// (a feature the plan does not name is not limited). Members on a per-user
/// plan are also limited to the seats subscribed.
pub fn limit(c: &Connection, org: OrgId, feature: Feature) -> AppResult<Option<Limit>> {
    let Some((plan, seats)) = plans::effective(c, org)? else { return Ok(None) };
    let granted = plans::quantity(c, plan.id, feature.wire())?;
    let quantity = match (feature, plan.unit.as_str(), seats) {
        (Feature::MembersInOrganization, "user", Some(seats)) => Some(granted.map_or(seats, |g| g.min(seats))),
        _ => granted,
    };
    Ok(quantity.map(|quantity| Limit { quantity, plan: plan.name }))
}
