//! `/api/entitlement/plans` and `/api/entitlement/features` (Layer5 face).

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::http::responses::NoContent;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use crate::Billing;
use crate::model::plans::{Feature, Plan, PlanDetail, PlanWrite, UsageReport};

#[derive(ApiResponse)]
pub enum PlanCreated {
    /// The plan, with its features.
    #[oai(status = 201)]
    Created(Json<PlanDetail>),
}

pub struct PlansApi {
    pub billing: Billing,
}

#[OpenApi(prefix_path = "/api/entitlement", tag = "Tag::Plans")]
impl PlansApi {
    /// Get all plans supported by the system
    ///
    /// A top-level array, cheapest first; `page` and `pagesize` are accepted
    /// and ignored (the catalogue is small), as the reference does.
    /// meshcloud: `archived=true` adds the archived plans, for those who
    /// manage the catalogue (`billing.plans.manage`).
    #[oai(path = "/plans", method = "get")]
    async fn plans(
        &self,
        auth: Auth,
        #[oai(name = "page")] _page: Query<Option<String>>,
        #[oai(name = "pagesize")] _pagesize: Query<Option<String>>,
        archived: Query<Option<bool>>,
    ) -> Result<Json<Vec<Plan>>, AppError> {
        let plans = match archived.0 {
            Some(true) => self.billing.all_plans(auth.principal()).await?,
            _ => self.billing.plans(false).await?,
        };
        Ok(Json(plans.into_iter().map(Plan::from).collect()))
    }

    /// Create a plan (meshcloud)
    ///
    /// With its features; `default: true` makes it the plan of organizations
    /// without a subscription. Needs `billing.plans.manage`.
    #[oai(path = "/plans", method = "post")]
    async fn create_plan(&self, auth: Auth, body: Json<PlanWrite>) -> Result<PlanCreated, AppError> {
        let plan = self.billing.create_plan(auth.principal(), body.0.into()).await?;
        Ok(PlanCreated::Created(Json(plan.into())))
    }

    /// Replace a plan (meshcloud)
    ///
    /// Every field and exactly the features sent. Existing subscriptions keep
    /// their periods; new limits apply to new creates at once.
    #[oai(path = "/plans/:planId", method = "put")]
    async fn update_plan(
        &self,
        auth: Auth,
        #[oai(name = "planId")] id: Path<uuid::Uuid>,
        body: Json<PlanWrite>,
    ) -> Result<Json<PlanDetail>, AppError> {
        Ok(Json(self.billing.update_plan(auth.principal(), id.0, body.0.into()).await?.into()))
    }

    /// Delete a plan (meshcloud)
    ///
    /// A plan with subscriptions is archived instead: they keep it, nobody
    /// new subscribes. The default plan stays (400).
    #[oai(path = "/plans/:planId", method = "delete")]
    async fn delete_plan(
        &self,
        auth: Auth,
        #[oai(name = "planId")] id: Path<uuid::Uuid>,
    ) -> Result<NoContent, AppError> {
        self.billing.delete_plan(auth.principal(), id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// An organization's usage (meshcloud)
    ///
    /// Its plan and, for every feature type, the limit (`quantity`) and what
    /// it has (`used`, null where not counted per organization). Needs
    /// `billing.subscriptions.read` there.
    #[oai(path = "/organizations/:organizationId/usage", method = "get")]
    async fn usage(
        &self,
        auth: Auth,
        #[oai(name = "organizationId")] org: Path<uuid::Uuid>,
    ) -> Result<Json<UsageReport>, AppError> {
        Ok(Json(self.billing.org_usage(auth.principal(), org.0).await?.into()))
    }

    /// Get all features associated with plans
    ///
    /// Every feature of every plan on offer, each with its plan.
    #[oai(path = "/features", method = "get")]
    async fn features(&self, auth: Auth) -> Result<Json<Vec<Feature>>, AppError> {
        let _ = auth.principal();
        Ok(Json(Feature::all(self.billing.catalogue().await?)))
    }

    /// Get all features associated with plans
    ///
    /// The features the organization has now: those of its live
    /// subscription's plan, else the default (Free) plan's. Needs
    /// `billing.subscriptions.read` in the organization.
    #[oai(path = "/subscriptions/organizations/:organizationId/features", method = "get")]
    async fn org_features(
        &self,
        auth: Auth,
        #[oai(name = "organizationId")] org: Path<uuid::Uuid>,
    ) -> Result<Json<Vec<Feature>>, AppError> {
        let plan = self.billing.org_plan(auth.principal(), org.0).await?;
        Ok(Json(plan.map(|p| Feature::all(vec![p])).unwrap_or_default()))
    }
}
