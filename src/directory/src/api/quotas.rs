//! `/api/v1/organizations/{organizationID}/quotas` (Identity face).

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use poem_openapi::OpenApi;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;

use super::Tag;
use crate::Directory;
use crate::model::quotas::*;
use crate::service::lookup::path_id;

pub struct QuotasApi {
    pub directory: Directory,
}

#[OpenApi(prefix_path = "/api/v1/organizations", tag = "Tag::IdentityProjects")]
impl QuotasApi {
    /// Gets quotas for the organization.
    ///
    /// Every kind of the catalogue, with its limit (the default if never set)
    /// and what the organization's allocations commit and reserve of it.
    #[oai(path = "/:organizationID/quotas", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
    ) -> Result<Json<QuotasRead>, AppError> {
        let org = path_id(&org)?;
        Ok(Json(QuotasRead { quotas: self.directory.quotas(auth.principal(), org).await? }))
    }

    /// Sets quotas for the organization.
    ///
    /// Kinds not listed keep their limit. Refused (400 `invalid_request`,
    /// "allocation exceeded quota") if the allocations already made would
    /// not fit.
    #[oai(path = "/:organizationID/quotas", method = "put")]
    async fn set(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        body: Json<QuotasWrite>,
    ) -> Result<Json<QuotasRead>, AppError> {
        let org = path_id(&org)?;
        Ok(Json(QuotasRead { quotas: self.directory.set_quotas(auth.principal(), org, body.0.quotas).await? }))
    }
}
