//! Upstream sign-in providers: `/api/v1/oauth2providers` (global, Identity
//! face), `/api/v1/organizations/{organizationID}/oauth2providers`, and the
//! provider admins' `/api/meshcloud/oauth2providers` for global ones.

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::http::responses::{Done, NoContent};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use crate::Directory;
use crate::model::providers::*;
use crate::model::{HealthStatus, ProvisioningStatus, ReadMetadata, description_from_db, tags_from_db};
use crate::service::lookup::path_id;
use crate::store::providers::ProviderRow;

pub struct ProvidersApi {
    pub directory: Directory,
}

pub struct ProviderAdminApi {
    pub directory: Directory,
}

#[derive(ApiResponse)]
pub enum Created {
    /// The new provider (its secret is never shown).
    #[oai(status = 201)]
    Created(Json<ProviderRead>),
}

/// A provider as read: the secret never leaves the server.
fn read(p: ProviderRow) -> ProviderRead {
    ProviderRead {
        metadata: ReadMetadata {
            name: crate::model::label(&p.name),
            description: description_from_db(p.description),
            tags: tags_from_db(&p.tags),
            id: p.uuid.to_string(),
            creation_time: p.created_at,
            created_by: None,
            modified_time: Some(p.updated_at),
            modified_by: None,
            deletion_time: None,
            provisioning_status: ProvisioningStatus::Provisioned,
            health_status: HealthStatus::Healthy,
            organization_id: p.org_uuid.map(|o| o.to_string()),
            project_id: None,
        },
        spec: ProviderSpec {
            kind: p.kind.as_deref().and_then(ProviderType::from_db),
            issuer: p.issuer,
            client_id: p.client_id,
            client_secret: None,
        },
    }
}

#[OpenApi(tag = "Tag::IdentityProviders")]
impl ProvidersApi {
    /// Lists system identity providers.
    ///
    /// The global providers, for any signed-in caller.
    #[oai(path = "/api/v1/oauth2providers", method = "get")]
    async fn global(&self, _auth: Auth) -> Result<Json<Vec<ProviderRead>>, AppError> {
        Ok(Json(self.directory.global_providers().await?.into_iter().map(read).collect()))
    }

    /// Lists an organization's identity providers.
    #[oai(path = "/api/v1/organizations/:organizationID/oauth2providers", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
    ) -> Result<Json<Vec<ProviderRead>>, AppError> {
        let org = path_id(&org)?;
        Ok(Json(self.directory.org_providers(auth.principal(), org).await?.into_iter().map(read).collect()))
    }

    /// Create an organization's identity provider.
    ///
    /// `clientSecret` is write-only: stored encrypted, never returned.
    #[oai(path = "/api/v1/organizations/:organizationID/oauth2providers", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        body: Json<ProviderWrite>,
    ) -> Result<Created, AppError> {
        let org = path_id(&org)?;
        let row = self.directory.create_provider(auth.principal(), Some(org), body.0).await?;
        Ok(Created::Created(Json(read(row))))
    }

    /// Update an organization's identity provider.
    ///
    /// Without `clientSecret` the stored secret is kept; an empty one removes it.
    #[oai(path = "/api/v1/organizations/:organizationID/oauth2providers/:providerID", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        #[oai(name = "providerID")] id: Path<String>,
        body: Json<ProviderWrite>,
    ) -> Result<Done, AppError> {
        let (org, id) = (path_id(&org)?, path_id(&id)?);
        self.directory.update_provider(auth.principal(), org, id, body.0).await?;
        Ok(Done::Ok)
    }

    /// Delete an organization's identity provider.
    #[oai(path = "/api/v1/organizations/:organizationID/oauth2providers/:providerID", method = "delete")]
    async fn delete(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        #[oai(name = "providerID")] id: Path<String>,
    ) -> Result<Done, AppError> {
        let (org, id) = (path_id(&org)?, path_id(&id)?);
        self.directory.delete_provider(auth.principal(), Some(org), id).await?;
        Ok(Done::Ok)
    }
}

#[OpenApi(prefix_path = "/api/meshcloud/oauth2providers", tag = "Tag::IdentityProviders")]
impl ProviderAdminApi {
    /// Global sign-in providers (provider admins)
    #[oai(path = "/", method = "get")]
    async fn list(&self, auth: Auth) -> Result<Json<Vec<ProviderRead>>, AppError> {
        auth.principal().require_provider_admin()?;
        Ok(Json(self.directory.global_providers().await?.into_iter().map(read).collect()))
    }

    /// Add a global sign-in provider (provider admins)
    ///
    /// Every organization may sign in through it (`providerScope: global`).
    #[oai(path = "/", method = "post")]
    async fn create(&self, auth: Auth, body: Json<ProviderWrite>) -> Result<Created, AppError> {
        let row = self.directory.create_provider(auth.principal(), None, body.0).await?;
        Ok(Created::Created(Json(read(row))))
    }

    /// Delete a global sign-in provider (provider admins)
    #[oai(path = "/:id", method = "delete")]
    async fn delete(&self, auth: Auth, id: Path<String>) -> Result<NoContent, AppError> {
        let id = path_id(&id)?;
        self.directory.delete_provider(auth.principal(), None, id).await?;
        Ok(NoContent::NoContent)
    }
}
