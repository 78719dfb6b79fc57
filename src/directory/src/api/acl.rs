//! `/api/v1/acl` and `/api/v1/organizations/{organizationID}/acl` (Identity face).

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use poem_openapi::OpenApi;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;

use super::Tag;
use crate::Directory;
use crate::model::access::Acl;

pub struct AclApi {
    pub directory: Directory,
}

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::IdentityAccess")]
impl AclApi {
    /// Returns access control properties for the user.
    ///
    /// Without an organization only the global scope applies (provider admins).
    #[oai(path = "/acl", method = "get")]
    async fn global(&self, auth: Auth) -> Json<Acl> {
        Json(self.directory.global_acl(auth.principal()))
    }

    /// Returns access control properties for the user, scoped to the organization.
    #[oai(path = "/organizations/:organizationID/acl", method = "get")]
    async fn organization(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
    ) -> Result<Json<Acl>, AppError> {
        // An id that names no organization the caller is in grants nothing there.
        let org = uuid::Uuid::parse_str(org.trim()).unwrap_or(uuid::Uuid::nil());
        Ok(Json(self.directory.org_acl(auth.principal(), org).await?))
    }
}
