//! `/api/v1/organizations/{organizationID}/roles` (Identity face).

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use poem_openapi::OpenApi;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;

use super::Tag;
use super::orgs::path_id;
use crate::Directory;
use crate::model::access::RoleRead;

pub struct RolesApi {
    pub directory: Directory,
}

#[OpenApi(prefix_path = "/api/v1/organizations", tag = "Tag::IdentityAccess")]
impl RolesApi {
    /// Returns roles that can be used by the organization.
    ///
    /// Protected roles and roles granting what the caller does not hold are left out.
    #[oai(path = "/:organizationID/roles", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
    ) -> Result<Json<Vec<RoleRead>>, AppError> {
        Ok(Json(self.directory.list_roles(auth.principal(), path_id(&org)?).await?))
    }
}
