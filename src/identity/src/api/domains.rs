//! `/api/meshcloud/orgs/{orgId}/domain-claims` and `/api/meshcloud/domain-claims`:
//! claiming a domain for an organization and proving it (meshcloud's own face).

use meshcloud_kernel::AppError;
use meshcloud_kernel::http::responses::NoContent;
use meshcloud_kernel::time::Timestamp;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::Tag;
use super::auth::Auth;
use crate::Identity;
use crate::service::domains::{record_name, record_value};
use crate::store::domains::ClaimRow;

pub struct DomainsApi {
    pub identity: Identity,
}

#[derive(Debug, Object)]
#[oai(rename = "DomainClaimWrite")]
pub struct ClaimWrite {
    /// The DNS name to claim, e.g. `example.com`.
    pub domain: String,
}

/// The TXT record whose presence proves the claim.
#[derive(Debug, Object)]
pub struct DnsRecord {
    #[oai(rename = "type")]
    pub kind: String,
    pub name: String,
    pub value: String,
}

#[derive(Debug, Object)]
pub struct DomainClaim {
    pub id: String,
    #[oai(rename = "organizationId")]
    pub organization_id: String,
    pub domain: String,
    /// `pending` (binds nothing yet), `verified` (proved by DNS) or
    /// `approved` (by a provider admin); the last two bound the domain.
    pub status: String,
    #[oai(rename = "dnsRecord")]
    pub dns_record: DnsRecord,
    /// When DNS was last asked, and what was wrong then (empty once proved).
    #[oai(rename = "checkedAt")]
    pub checked_at: Option<Timestamp>,
    #[oai(rename = "lastError")]
    pub last_error: String,
    #[oai(rename = "createdAt")]
    pub created_at: Timestamp,
    #[oai(rename = "updatedAt")]
    pub updated_at: Timestamp,
}

impl From<ClaimRow> for DomainClaim {
    fn from(r: ClaimRow) -> Self {
        DomainClaim {
            id: r.uuid.to_string(),
            organization_id: r.org_uuid.to_string(),
            dns_record: DnsRecord { kind: "TXT".into(), name: record_name(&r.domain), value: record_value(&r.token) },
            domain: r.domain,
            status: r.status,
            checked_at: r.checked_at,
            last_error: r.last_error,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(ApiResponse)]
pub enum Created {
    /// Claimed; publish `dnsRecord`, or ask a provider admin to approve.
    #[oai(status = 201)]
    Created(Json<DomainClaim>),
}

fn list(rows: Vec<ClaimRow>) -> Json<Vec<DomainClaim>> {
    Json(rows.into_iter().map(DomainClaim::from).collect())
}

#[OpenApi(prefix_path = "/api/meshcloud", tag = "Tag::Domains")]
impl DomainsApi {
    /// List an organization's domain claims
    ///
    /// Needs `identity.organization.update` in the organization.
    #[oai(path = "/orgs/:orgId/domain-claims", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org_id: Path<uuid::Uuid>,
    ) -> Result<Json<Vec<DomainClaim>>, AppError> {
        Ok(list(self.identity.domain_claims(auth.principal(), org_id.0).await?))
    }

    /// Claim a domain for an organization
    ///
    /// The claim binds nothing until it is proved: publish the answer's
    /// `dnsRecord` (a TXT record, checked by the `domain_check` job) or have
    /// a provider admin approve it. Until then it blocks nobody. Needs
    /// `identity.organization.update`; at most 10 pending claims per
    /// organization.
    #[oai(path = "/orgs/:orgId/domain-claims", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org_id: Path<uuid::Uuid>,
        body: Json<ClaimWrite>,
    ) -> Result<Created, AppError> {
        let row = self.identity.claim_domain(auth.principal(), org_id.0, &body.0.domain).await?;
        Ok(Created::Created(Json(row.into())))
    }

    /// Get a domain claim
    #[oai(path = "/orgs/:orgId/domain-claims/:claimId", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org_id: Path<uuid::Uuid>,
        #[oai(name = "claimId")] claim_id: Path<uuid::Uuid>,
    ) -> Result<Json<DomainClaim>, AppError> {
        Ok(Json(self.identity.domain_claim(auth.principal(), org_id.0, claim_id.0).await?.into()))
    }

    /// Withdraw a domain claim
    ///
    /// A domain already bound stays bound (drop it by updating the
    /// organization with `domain: null`).
    #[oai(path = "/orgs/:orgId/domain-claims/:claimId", method = "delete")]
    async fn delete(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org_id: Path<uuid::Uuid>,
        #[oai(name = "claimId")] claim_id: Path<uuid::Uuid>,
    ) -> Result<NoContent, AppError> {
        self.identity.withdraw_domain_claim(auth.principal(), org_id.0, claim_id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// List every domain claim (provider admins)
    ///
    /// `status` limits the list to `pending`, `verified` or `approved` claims.
    #[oai(path = "/domain-claims", method = "get")]
    async fn all(&self, auth: Auth, status: Query<Option<String>>) -> Result<Json<Vec<DomainClaim>>, AppError> {
        Ok(list(self.identity.all_domain_claims(auth.principal(), status.0).await?))
    }

    /// Approve a domain claim (provider admins)
    ///
    /// Binds the domain to the claiming organization, as a DNS proof would;
    /// 409 if another organization holds it.
    #[oai(path = "/domain-claims/:claimId/approve", method = "post")]
    async fn approve(
        &self,
        auth: Auth,
        #[oai(name = "claimId")] claim_id: Path<uuid::Uuid>,
    ) -> Result<Json<DomainClaim>, AppError> {
        Ok(Json(self.identity.approve_domain_claim(auth.principal(), claim_id.0).await?.into()))
    }
}
