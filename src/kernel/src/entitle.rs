//! Entitlements: what an organization's plan lets it have.
//!
//! The billing family owns the limits (plans, features, subscriptions); the
//! family that owns a kind of row owns how many of them an organization has.
//! Neither may reach into the other's store, so both register a function
//! here when the application is assembled, and a create asks [`admit`]
//! inside its own write transaction, before it inserts: every write runs on
//! the one writer connection, so racing creates are checked one after the
//! other and never overshoot a limit.
//!
//! The functions registered are stateless (they read the connection they
//! are given), so one registration serves every server in a process.

use std::sync::OnceLock;

use rusqlite::Connection;

use crate::ids::OrgId;
use crate::{AppError, AppResult};

/// 9999999999: the wire's "unlimited" quantity.
pub const UNLIMITED: i64 = 9_999_999_999;

macro_rules! features {
    ($($name:ident = $wire:literal, $counted:literal, $desc:literal;)*) => {
        /// A feature type: a quantity a plan grants.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Feature { $($name,)* }

        impl Feature {
            pub const ALL: &'static [Feature] = &[$(Feature::$name,)*];

            /// The name on the wire (the `name` of a feature object).
            pub fn wire(self) -> &'static str {
                match self { $(Feature::$name => $wire,)* }
            }

            /// Counted per organization (members, workspaces…), as opposed to
            /// a limit on the size of one thing (components in one design).
            pub fn counted(self) -> bool {
                match self { $(Feature::$name => $counted,)* }
            }

            pub fn description(self) -> &'static str {
                match self { $(Feature::$name => $desc,)* }
            }
        }
    };
}

features! {
    MembersInOrganization = "MembersInOrganization", true, "People who are members of the organization";
    WorkspacesInOrganization = "WorkspacesInOrganization", true, "Workspaces of the organization";
    EnvironmentsInOrganization = "EnvironmentsInOrganization", true, "Environments of the organization";
    ConnectionsInOrganization = "ConnectionsInOrganization", true, "Connections registered in the organization";
    DesignsInOrganization = "DesignsInOrganization", true, "Designs owned by the organization";
    ControlPlanesInOrganization = "ControlPlanesInOrganization", true, "API gateway control planes of the organization";
    DesignsInWorkspace = "DesignsInWorkspace", false, "Designs assigned to one workspace";
    ComponentsInDesign = "ComponentsInDesign", false, "Components in one design";
    RelationshipsInDesign = "RelationshipsInDesign", false, "Relationships in one design";
    SizePerDesign = "SizePerDesign", false, "Size of one design document, in bytes";
    ImageSizeInDesign = "ImageSizeInDesign", false, "Size of images embedded in one design, in bytes";
}

impl Feature {
    pub fn from_wire(name: &str) -> Option<Feature> {
        Feature::ALL.iter().copied().find(|f| f.wire() == name)
    }
}

/// The limit of `feature` for an organization: `None` when nothing limits it.
pub type LimitFn = fn(&Connection, OrgId, Feature) -> AppResult<Option<Limit>>;
/// How many of a counted feature an organization has now.
pub type UsageFn = fn(&Connection, OrgId) -> AppResult<i64>;

/// A limit and where it comes from, for the refusal's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    pub quantity: i64,
    /// The plan granting it (`Free` for an organization without a subscription).
    pub plan: String,
}

struct Registry {
    limit: LimitFn,
    usage: Vec<(Feature, UsageFn)>,
}

static REGISTRY: OnceLock<Registry> = OnceLock::new();

/// Registers the limits and the counters. The first registration wins; the
/// application registers the same functions on every start.
pub fn install(limit: LimitFn, usage: Vec<(Feature, UsageFn)>) {
    let _ = REGISTRY.set(Registry { limit, usage });
}

/// The limit of `feature` for `org` (`None`: unlimited, or no limits installed).
pub fn limit(c: &Connection, org: OrgId, feature: Feature) -> AppResult<Option<Limit>> {
    match REGISTRY.get() {
        Some(r) => Ok((r.limit)(c, org, feature)?.filter(|l| l.quantity < UNLIMITED)),
        None => Ok(None),
    }
}

/// How many of a counted `feature` `org` has; `None` when no family counts it.
pub fn usage(c: &Connection, org: OrgId, feature: Feature) -> AppResult<Option<i64>> {
    let Some(r) = REGISTRY.get() else { return Ok(None) };
    r.usage.iter().find(|(f, _)| *f == feature).map(|(_, count)| count(c, org)).transpose()
}

/// May `org` have one more of the counted `feature`? Call inside the write
/// transaction that creates it, before the insert.
pub fn admit(c: &Connection, org: OrgId, feature: Feature) -> AppResult<()> {
    admit_n(c, org, feature, 1)
}

/// May `org` have `n` more of the counted `feature` (a bulk create)?
pub fn admit_n(c: &Connection, org: OrgId, feature: Feature, n: i64) -> AppResult<()> {
    let Some(l) = limit(c, org, feature)? else { return Ok(()) };
    let used = usage(c, org, feature)?.unwrap_or(0);
    if used + n > l.quantity {
        return Err(refusal(feature, &l, used));
    }
    Ok(())
}

/// Is `value` (the size of the one thing being saved) within `feature`'s limit?
pub fn within(c: &Connection, org: OrgId, feature: Feature, value: i64) -> AppResult<()> {
    match limit(c, org, feature)? {
        Some(l) if value > l.quantity => Err(AppError::Entitlement(format!(
            "{} is limited to {} on the {} plan; this has {value}",
            feature.wire(),
            l.quantity,
            l.plan
        ))),
        _ => Ok(()),
    }
}

fn refusal(feature: Feature, l: &Limit, used: i64) -> AppError {
    AppError::Entitlement(format!(
        "{} is limited to {} on the {} plan and the organization has {used}",
        feature.wire(),
        l.quantity,
        l.plan
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_are_unique_and_round_trip() {
        for f in Feature::ALL {
            assert_eq!(Feature::from_wire(f.wire()), Some(*f));
        }
        let mut names: Vec<_> = Feature::ALL.iter().map(|f| f.wire()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Feature::ALL.len());
    }
}
