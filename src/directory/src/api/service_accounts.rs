//! `/api/v1/organizations/{organizationID}/serviceaccounts` (Identity face).

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::http::responses::Done;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use crate::Directory;
use crate::model::service_accounts::*;
use crate::model::{HealthStatus, ProvisioningStatus, ReadMetadata, description_from_db, tags_from_db};
use crate::service::lookup::path_id;
use crate::service::service_accounts::ServiceAccount;

pub struct ServiceAccountsApi {
    pub directory: Directory,
}

#[derive(ApiResponse)]
pub enum Created {
    /// The new service account, with its token (shown this once).
    #[oai(status = 201)]
    Created(Json<ServiceAccountRead>),
}

fn read(sa: ServiceAccount) -> ServiceAccountRead {
    let r = sa.row;
    ServiceAccountRead {
        metadata: ReadMetadata {
            name: crate::model::label(&r.name),
            description: description_from_db(r.description),
            tags: tags_from_db(&r.tags),
            id: r.uuid.to_string(),
            creation_time: r.created_at,
            created_by: r.created_by,
            modified_time: Some(r.updated_at),
            modified_by: r.updated_by,
            deletion_time: None,
            provisioning_status: ProvisioningStatus::Provisioned,
            health_status: HealthStatus::Healthy,
            organization_id: Some(r.org_uuid.to_string()),
            project_id: None,
        },
        spec: ServiceAccountSpec { group_ids: sa.groups.iter().map(|g| g.to_string()).collect() },
        // An account always has a token; a missing one reads as already expired.
        status: ServiceAccountStatus { expiry: r.expiry.unwrap_or(r.created_at), access_token: sa.token },
    }
}

#[OpenApi(prefix_path = "/api/v1/organizations", tag = "Tag::IdentityUsers")]
impl ServiceAccountsApi {
    /// Lists all service accounts.
    ///
    /// A service account without `identity:serviceaccounts` read sees itself only.
    #[oai(path = "/:organizationID/serviceaccounts", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
    ) -> Result<Json<Vec<ServiceAccountRead>>, AppError> {
        let org = path_id(&org)?;
        let all = self.directory.list_service_accounts(auth.principal(), org).await?;
        Ok(Json(all.into_iter().map(read).collect()))
    }

    /// Creates a new service account and returns an access token, The returned access token can only be read once.
    #[oai(path = "/:organizationID/serviceaccounts", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        body: Json<ServiceAccountWrite>,
    ) -> Result<Created, AppError> {
        let org = path_id(&org)?;
        let sa = self.directory.create_service_account(auth.principal(), org, body.0).await?;
        Ok(Created::Created(Json(read(sa))))
    }

    /// Updates a service account.
    ///
    /// Name, description, tags and groups; the token and its expiry stay.
    #[oai(path = "/:organizationID/serviceaccounts/:serviceAccountID", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        #[oai(name = "serviceAccountID")] id: Path<String>,
        body: Json<ServiceAccountWrite>,
    ) -> Result<Json<ServiceAccountRead>, AppError> {
        let (org, id) = (path_id(&org)?, path_id(&id)?);
        Ok(Json(read(self.directory.update_service_account(auth.principal(), org, id, body.0).await?)))
    }

    /// Removes a service account and revokes an access token.
    #[oai(path = "/:organizationID/serviceaccounts/:serviceAccountID", method = "delete")]
    async fn delete(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        #[oai(name = "serviceAccountID")] id: Path<String>,
    ) -> Result<Done, AppError> {
        let (org, id) = (path_id(&org)?, path_id(&id)?);
        self.directory.delete_service_account(auth.principal(), org, id).await?;
        Ok(Done::Ok)
    }

    /// Rotates a service account's access token.
    ///
    /// The new token is shown this once; the old one stops working at once.
    /// A service account may rotate itself.
    #[oai(path = "/:organizationID/serviceaccounts/:serviceAccountID/rotate", method = "post")]
    async fn rotate(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        #[oai(name = "serviceAccountID")] id: Path<String>,
    ) -> Result<Json<ServiceAccountRead>, AppError> {
        let (org, id) = (path_id(&org)?, path_id(&id)?);
        Ok(Json(read(self.directory.rotate_service_account(auth.principal(), org, id).await?)))
    }
}
