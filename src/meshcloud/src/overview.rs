//! `GET /api/meshcloud/orgs/{orgId}/overview`: an organization at a glance,
//! for the dashboard. Each number comes from the family that owns it; this
//! face only checks the caller may read the org and puts them together.

use std::collections::BTreeMap;

use meshcloud_directory::Directory;
use meshcloud_identity::Identity;
use meshcloud_identity::api::auth::Auth;
use meshcloud_infra::Infra;
use meshcloud_kernel::AppError;
use meshcloud_kernel::access::Perm;
use meshcloud_ops::Ops;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Tags};

#[derive(Tags)]
enum Tag {
    /// meshcloud: an organization at a glance.
    Overview,
}

pub struct OverviewApi {
    pub identity: Identity,
    pub infra: Infra,
    pub ops: Ops,
    pub directory: Directory,
}

/// Live events of one UTC day.
#[derive(Debug, Object)]
pub struct DayCount {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub count: u64,
}

/// One quota of the organization and how much of it is used.
#[derive(Debug, Object)]
pub struct QuotaUsage {
    pub kind: String,
    #[oai(rename = "displayName")]
    pub display_name: String,
    /// The limit.
    pub quantity: i64,
    /// Committed plus reserved by the organization's projects.
    pub used: i64,
}

#[derive(Debug, Object)]
pub struct OrgOverview {
    #[oai(rename = "organizationId")]
    pub organization_id: String,
    /// People (not service accounts) who are members.
    pub members: u64,
    pub teams: u64,
    pub workspaces: u64,
    pub environments: u64,
    /// Live connections per status; statuses with none are absent.
    pub connections: BTreeMap<String, u64>,
    /// The window `events` covers, in days (7 or 30).
    pub days: u32,
    /// Live events per UTC day, oldest first, one entry per day of the
    /// window (today included), days without events as 0.
    pub events: Vec<DayCount>,
    /// The organization's quotas (Identity face), absent when the caller may
    /// not read them.
    #[oai(skip_serializing_if_is_none)]
    pub quotas: Option<Vec<QuotaUsage>>,
}

/// `days`: 7 (the default) or 30.
fn window(days: Option<&str>) -> Result<u32, AppError> {
    match days.map(str::trim) {
        None | Some("") | Some("7") => Ok(7),
        Some("30") => Ok(30),
        Some(other) => Err(AppError::validation(format!("days must be 7 or 30, not {other:?}"))),
    }
}

#[OpenApi(prefix_path = "/api/meshcloud", tag = "Tag::Overview")]
impl OverviewApi {
    /// An organization at a glance
    ///
    /// Counts of members, teams, workspaces and environments, connections
    /// per status, live events per UTC day over the last `days` (7 or 30)
    /// days, and quota usage when the caller may read quotas. Needs
    /// `identity.organization.read` in the organization; others get 404.
    #[oai(path = "/orgs/:orgId/overview", method = "get")]
    async fn overview(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org_id: Path<uuid::Uuid>,
        days: Query<Option<String>>,
    ) -> Result<Json<OrgOverview>, AppError> {
        let p = auth.principal();
        let days = window(days.0.as_deref())?;
        let org = self.identity.org_id_for(p, org_id.0, Perm::OrgRead).await?;
        let (members, teams) = self.identity.org_headcount(org).await?;
        let infra = self.infra.org_counts(org).await?;
        let events = self.ops.events_per_day(org, days).await?;
        let quotas = match self.directory.quotas(p, org_id.0).await {
            Ok(q) => Some(
                q.into_iter()
                    .map(|q| QuotaUsage {
                        kind: q.kind,
                        display_name: q.display_name,
                        quantity: q.quantity,
                        used: q.used,
                    })
                    .collect(),
            ),
            // Quotas have their own permission; without it the rest still answers.
            Err(AppError::Forbidden | AppError::NotFound) => None,
            Err(e) => return Err(e),
        };
        Ok(Json(OrgOverview {
            organization_id: org_id.0.to_string(),
            members,
            teams,
            workspaces: infra.workspaces,
            environments: infra.environments,
            connections: infra.connections,
            days,
            events: events.into_iter().map(|(day, count)| DayCount { day, count }).collect(),
            quotas,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::window;

    #[test]
    fn window_is_seven_or_thirty() {
        assert_eq!(window(None).unwrap(), 7);
        assert_eq!(window(Some("30")).unwrap(), 30);
        for bad in ["0", "8", "-7", "abc", "7.0"] {
            assert!(window(Some(bad)).is_err(), "{bad}");
        }
    }
}
