//! `/api/v1/organizations` (Identity face).

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use crate::Directory;
use crate::model::orgs::{OrganizationRead, OrganizationWrite};

/// An organization id from a path: text that is not a UUID names nothing.
pub(crate) fn path_id(raw: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(raw.trim()).map_err(|_| AppError::NotFound)
}

pub struct OrgsApi {
    pub directory: Directory,
}

#[derive(ApiResponse)]
pub enum Accepted {
    /// Organization accepted; it is provisioning.
    #[oai(status = 202)]
    Accepted(Json<OrganizationRead>),
}

#[derive(ApiResponse)]
pub enum Updated {
    /// Organization successfully updated.
    #[oai(status = 200)]
    Ok,
}

#[derive(ApiResponse)]
pub enum Deleting {
    /// Organization is being removed.
    #[oai(status = 202)]
    Accepted,
}

#[OpenApi(prefix_path = "/api/v1/organizations", tag = "Tag::IdentityOrganizations")]
impl OrgsApi {
    /// Returns a list of organizations that the user is a member of.
    ///
    /// Provider admins see every organization, and with `email` those of
    /// the user with that address.
    #[oai(path = "/", method = "get")]
    async fn list(&self, auth: Auth, email: Query<Option<String>>) -> Result<Json<Vec<OrganizationRead>>, AppError> {
        Ok(Json(self.directory.list_organizations(auth.principal(), email.as_deref()).await?))
    }

    /// Allows creation of a new organization.
    #[oai(path = "/", method = "post")]
    async fn create(&self, auth: Auth, body: Json<OrganizationWrite>) -> Result<Accepted, AppError> {
        Ok(Accepted::Accepted(Json(self.directory.create_organization(auth.principal(), body.0).await?)))
    }

    /// Get an organization.
    #[oai(path = "/:organizationID", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
    ) -> Result<Json<OrganizationRead>, AppError> {
        Ok(Json(self.directory.get_organization(auth.principal(), path_id(&org)?).await?))
    }

    /// Update an organization.
    #[oai(path = "/:organizationID", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        body: Json<OrganizationWrite>,
    ) -> Result<Updated, AppError> {
        self.directory.update_organization(auth.principal(), path_id(&org)?, body.0).await?;
        Ok(Updated::Ok)
    }

    /// Delete an organization, all of its users, groups, projects, and infrastructure.
    #[oai(path = "/:organizationID", method = "delete")]
    async fn delete(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
    ) -> Result<Deleting, AppError> {
        self.directory.delete_organization(auth.principal(), path_id(&org)?).await?;
        Ok(Deleting::Accepted)
    }
}
