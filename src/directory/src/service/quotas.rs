//! Quotas: per organization and kind of resource, a limit on what the
//! allocations of all its projects may commit and reserve together.

use std::collections::HashMap;

use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::{AllocationId, OrgId};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult};

use super::Directory;
use super::acl::{self, Endpoint, Op};
use super::lookup::org_row;
use crate::model::quotas::{QuotaRead, QuotaWrite};
use crate::store::allocations::Item;
use crate::store::quotas as store;

/// A kind of resource the system limits.
pub struct QuotaKind {
    pub kind: &'static str,
    pub display_name: &'static str,
    pub description: &'static str,
    pub default: i64,
}

/// The catalogue of limited kinds, sorted by kind (the reference's defaults).
/// Allocations may name other kinds: those are not limited.
pub const CATALOGUE: [QuotaKind; 3] = [
    QuotaKind {
        kind: "clusters",
        display_name: "Clusters",
        description: "All cluster types e.g. Kubernetes, compute, etc.",
        default: 5,
    },
    QuotaKind {
        kind: "gpus",
        display_name: "GPUs",
        description: "General purpose GPUs for AI workloads.",
        default: 40,
    },
    QuotaKind {
        kind: "servers",
        display_name: "Servers",
        description: "All physical and virtual machines.",
        default: 10,
    },
];

/// The largest quantity, commitment or reservation accepted: far above any
/// real installation, far below where sums over many allocations overflow.
pub const MAX_AMOUNT: i64 = 1_000_000_000;

fn limits(c: &Conn, org: OrgId) -> AppResult<HashMap<String, i64>> {
    let set = store::quantities(c, org)?;
    Ok(CATALOGUE.iter().map(|k| (k.kind.to_string(), set.get(k.kind).copied().unwrap_or(k.default))).collect())
}

/// The rule behind every write: for each limited kind, what all allocations
/// commit and reserve, with allocation `replacing` swapped for `items`,
/// stays within the limit.
pub fn ensure_within(
    c: &Conn,
    org: OrgId,
    limits: &HashMap<String, i64>,
    replacing: Option<AllocationId>,
    items: &[Item],
) -> AppResult<()> {
    let mut totals = store::totals(c, org, replacing)?;
    for i in items {
        let t = totals.entry(i.kind.clone()).or_default();
        t.0 = t.0.saturating_add(i.committed);
        t.1 = t.1.saturating_add(i.reserved);
    }
    // The reference's words first, then which kinds and by how much, so a
    // person knows what to lower (or which quota to raise).
    let mut over: Vec<String> = limits
        .iter()
        .filter_map(|(kind, limit)| {
            let (c, r) = totals.get(kind).copied()?;
            let used = c.saturating_add(r);
            (used > *limit)
                .then(|| format!("{kind} would use {used} ({c} committed + {r} reserved), over the quota of {limit}"))
        })
        .collect();
    if over.is_empty() {
        return Ok(());
    }
    over.sort();
    Err(AppError::oauth("invalid_request", format!("allocation exceeded quota: {}", over.join("; "))))
}

/// The limits of the org as they stand, for an allocation write.
pub fn current_limits(c: &Conn, org: OrgId) -> AppResult<HashMap<String, i64>> {
    limits(c, org)
}

fn read(c: &Conn, org: OrgId) -> AppResult<Vec<QuotaRead>> {
    let limits = limits(c, org)?;
    let totals = store::totals(c, org, None)?;
    Ok(CATALOGUE
        .iter()
        .map(|k| {
            let quantity = limits.get(k.kind).copied().unwrap_or(k.default);
            let (committed, reserved) = totals.get(k.kind).copied().unwrap_or_default();
            let used = committed.saturating_add(reserved);
            QuotaRead {
                kind: k.kind.to_string(),
                quantity,
                used,
                free: quantity.saturating_sub(used),
                committed,
                reserved,
                display_name: k.display_name.to_string(),
                description: k.description.to_string(),
                default: k.default,
            }
        })
        .collect())
}

/// A PUT body checked: known kinds, once each, non-negative.
fn check_body(quotas: &[QuotaWrite]) -> AppResult<Vec<(String, i64)>> {
    let mut out: Vec<(String, i64)> = Vec::with_capacity(quotas.len());
    for q in quotas {
        if !CATALOGUE.iter().any(|k| k.kind == q.kind) {
            let known: Vec<&str> = CATALOGUE.iter().map(|k| k.kind).collect();
            return Err(AppError::validation(format!(
                "quotas: unknown kind {:?} (known kinds: {})",
                q.kind,
                known.join(", ")
            )));
        }
        if !(0..=MAX_AMOUNT).contains(&q.quantity) {
            return Err(AppError::validation(format!(
                "quotas: the quantity of {} must be between 0 and {MAX_AMOUNT}",
                q.kind
            )));
        }
        if out.iter().any(|(k, _)| *k == q.kind) {
            return Err(AppError::validation(format!("quotas: {} is listed twice", q.kind)));
        }
        out.push((q.kind.clone(), q.quantity));
    }
    Ok(out)
}

impl Directory {
    pub async fn quotas(&self, p: &Principal, org: uuid::Uuid) -> AppResult<Vec<QuotaRead>> {
        let known = acl::org_scope(p, org, Endpoint::Quotas, Op::Read)?;
        self.db().read(move |c| read(c, org_row(c, org, known)?)).await
    }

    /// Sets the listed kinds (others keep their value); refused, with
    /// nothing changed, if the allocations already made would not fit.
    pub async fn set_quotas(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        quotas: Vec<QuotaWrite>,
    ) -> AppResult<Vec<QuotaRead>> {
        let known = acl::org_scope(p, org, Endpoint::Quotas, Op::Update)?;
        let wanted = check_body(&quotas)?;
        let actor = p.user;
        self.db()
            .write(move |c| {
                let org_id = org_row(c, org, known)?;
                let mut limits = limits(c, org_id)?;
                for (kind, quantity) in &wanted {
                    limits.insert(kind.clone(), *quantity);
                }
                ensure_within(c, org_id, &limits, None, &[])?;
                for (kind, quantity) in &wanted {
                    store::set_quantity(c, org_id, kind, *quantity)?;
                }
                let set: serde_json::Map<String, serde_json::Value> =
                    wanted.iter().map(|(k, q)| (k.clone(), (*q).into())).collect();
                audit::record(
                    c,
                    Event::new(EventKind::QuotaUpdate, Some(actor))
                        .org(org_id)
                        .on(org)
                        .describe("organization quotas set")
                        .meta(serde_json::Value::Object(set)),
                )?;
                read(c, org_id)
            })
            .await
    }
}
