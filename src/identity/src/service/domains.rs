//! Domain claims: an organization admin claims a domain; it is bound to the
//! organization once proved by a DNS TXT record (checked by the
//! `domain_check` job) or approved by a provider admin. An unproved claim
//! binds nothing, so it blocks nobody and redirects no `by-domain` lookup.

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, crypto, validate};

use super::Identity;
use crate::store::domains::{self, ClaimRow};

/// The name of the TXT record that proves a claim of `domain`.
pub fn record_name(domain: &str) -> String {
    format!("_meshcloud-challenge.{domain}")
}

/// The TXT record's value that proves the claim holding `token`.
pub fn record_value(token: &str) -> String {
    format!("meshcloud-domain-verification={token}")
}

/// Pending claims an organization may hold at once.
const MAX_PENDING: usize = 10;

impl Identity {
    /// The claims of an organization (needs `identity.organization.update`).
    pub async fn domain_claims(&self, p: &Principal, org: uuid::Uuid) -> AppResult<Vec<ClaimRow>> {
        p.require(org, Perm::OrgUpdate)?;
        let p = p.clone();
        self.db()
            .read(move |c| {
                let org = Self::org_for(c, &p, org, Perm::OrgUpdate)?;
                domains::of_org(c, org.id)
            })
            .await
    }

    /// Every claim of a live organization, or those in `status` (provider admins).
    pub async fn all_domain_claims(&self, p: &Principal, status: Option<String>) -> AppResult<Vec<ClaimRow>> {
        p.require_provider_admin()?;
        if let Some(s) = status.as_deref()
            && !["pending", "verified", "approved"].contains(&s)
        {
            return Err(AppError::validation("status is pending, verified or approved"));
        }
        self.db().read(move |c| domains::all(c, status.as_deref(), 10_000)).await
    }

    pub async fn domain_claim(&self, p: &Principal, org: uuid::Uuid, claim: uuid::Uuid) -> AppResult<ClaimRow> {
        p.require(org, Perm::OrgUpdate)?;
        let found = self.db().read(move |c| domains::by_uuid(c, claim)).await?;
        found.filter(|r| r.org_uuid == org).ok_or(AppError::NotFound)
    }

    /// Files a claim; the answer carries the TXT record that proves it.
    pub async fn claim_domain(&self, p: &Principal, org: uuid::Uuid, domain: &str) -> AppResult<ClaimRow> {
        p.require(org, Perm::OrgUpdate)?;
        let domain = validate::domain(domain)?;
        let p = p.clone();
        self.db()
            .write(move |c| {
                let o = Self::org_for(c, &p, org, Perm::OrgUpdate)?;
                if o.domain.as_deref() == Some(domain.as_str()) {
                    return Err(AppError::conflict(format!("{domain} is already this organization's domain")));
                }
                if domains::pending_count(c, o.id)? >= MAX_PENDING {
                    return Err(AppError::validation(format!(
                        "an organization may have at most {MAX_PENDING} pending domain claims"
                    )));
                }
                // A domain once bound and since let go is claimed afresh.
                domains::delete_settled(c, o.id, &domain)?;
                let token = crypto::random_secret(32);
                let uuid = domains::insert(c, o.id, &domain, &token, p.user)?;
                audit::record(
                    c,
                    Event::new(EventKind::OrganizationUpdate, Some(p.user))
                        .org(o.id)
                        .on(o.uuid)
                        .describe(format!("domain {domain} claimed")),
                )?;
                domains::by_uuid(c, uuid)?.ok_or_else(|| AppError::internal("claim vanished"))
            })
            .await
    }

    /// Withdraws a claim. A domain already bound stays bound (a PUT of the
    /// organization with `domain: null` drops it).
    pub async fn withdraw_domain_claim(&self, p: &Principal, org: uuid::Uuid, claim: uuid::Uuid) -> AppResult<()> {
        let row = self.domain_claim(p, org, claim).await?;
        self.db().write(move |c| domains::delete(c, row.id)).await
    }

    /// A provider admin's approval: binds the domain as a DNS proof would.
    pub async fn approve_domain_claim(&self, p: &Principal, claim: uuid::Uuid) -> AppResult<ClaimRow> {
        p.require_provider_admin()?;
        let me = p.user;
        self.db()
            .write(move |c| {
                let row = domains::by_uuid(c, claim)?.ok_or(AppError::NotFound)?;
                if row.status == "pending" {
                    domains::bind(c, row.org, &row.domain)?;
                    domains::settle(c, row.id, "approved", Some(me))?;
                    record_bound(c, &row, Some(me), "approved by a provider admin")?;
                }
                domains::by_uuid(c, claim)?.ok_or_else(|| AppError::internal("claim vanished"))
            })
            .await
    }

    /// Pending claims for the `domain_check` job, least recently checked first.
    pub async fn due_domain_claims(&self, limit: usize) -> AppResult<Vec<ClaimRow>> {
        self.db().read(move |c| domains::due(c, limit)).await
    }

    /// Records what DNS answered for a pending claim: the TXT values found at
    /// its record name, or why the lookup failed. Returns whether the claim
    /// is now proved (and its domain bound).
    pub async fn settle_domain_check(&self, claim: &ClaimRow, found: Result<Vec<String>, String>) -> AppResult<bool> {
        let (id, expected) = (claim.uuid, record_value(&claim.token));
        self.db()
            .write(move |c| {
                let Some(row) = domains::by_uuid(c, id)?.filter(|r| r.status == "pending") else { return Ok(false) };
                let error = match found {
                    Ok(values) if values.iter().any(|v| v.trim() == expected) => None,
                    Ok(_) => Some(format!("no TXT record {} with the expected value", record_name(&row.domain))),
                    Err(e) => Some(format!("DNS lookup failed: {e}")),
                };
                if let Some(e) = error {
                    domains::checked(c, row.id, &e)?;
                    return Ok(false);
                }
                match domains::bind(c, row.org, &row.domain) {
                    Ok(()) => {}
                    Err(AppError::Conflict(m)) => {
                        domains::checked(c, row.id, &format!("proved, but {m}: a provider admin decides"))?;
                        return Ok(false);
                    }
                    Err(e) => return Err(e),
                }
                domains::settle(c, row.id, "verified", None)?;
                record_bound(c, &row, None, "proved by its DNS TXT record")?;
                Ok(true)
            })
            .await
    }
}

fn record_bound(
    c: &meshcloud_kernel::db::Conn,
    row: &ClaimRow,
    by: Option<meshcloud_kernel::ids::UserId>,
    how: &str,
) -> AppResult<()> {
    audit::record(
        c,
        Event::new(EventKind::OrganizationUpdate, by)
            .org(row.org)
            .on(row.org_uuid)
            .describe(format!("domain {} bound to the organization, {how}", row.domain)),
    )
}
