//! `/api/entitlement/plans` and `/api/entitlement/features` (Layer5 face).

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;

use super::Tag;
use crate::Billing;
use crate::model::plans::{Feature, Plan};

pub struct PlansApi {
    pub billing: Billing,
}

#[OpenApi(prefix_path = "/api/entitlement", tag = "Tag::Plans")]
impl PlansApi {
    /// Get all plans supported by the system
    ///
    /// A top-level array, cheapest first; `page` and `pagesize` are accepted
    /// and ignored (the catalogue is small), as the reference does.
    #[oai(path = "/plans", method = "get")]
    async fn plans(
        &self,
        auth: Auth,
        #[oai(name = "page")] _page: Query<Option<String>>,
        #[oai(name = "pagesize")] _pagesize: Query<Option<String>>,
    ) -> Result<Json<Vec<Plan>>, AppError> {
        let _ = auth.principal();
        Ok(Json(self.billing.plans(false).await?.into_iter().map(Plan::from).collect()))
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
