//! `/api/integrations/credentials` (Layer5 face). Update and delete act on
//! the collection path, as the reference does.

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::access::Perm;
use meshcloud_kernel::http::layer5::paging;
use meshcloud_kernel::http::responses::NoContent;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use crate::Infra;
use crate::model::{Credential, CredentialPayload, CredentialsPage};
use crate::store::credentials::ORDER_FIELDS;

pub struct CredentialsApi {
    pub infra: Infra,
}

#[derive(ApiResponse)]
pub enum Saved {
    /// Credential saved.
    #[oai(status = 201)]
    Created(Json<Credential>),
}

#[OpenApi(prefix_path = "/api/integrations/credentials", tag = "Tag::Credentials")]
impl CredentialsApi {
    /// Get credentials
    ///
    /// Credentials of the organization in context, never with their secrets.
    #[oai(path = "/", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
    ) -> Result<Json<CredentialsPage>, AppError> {
        let paging = paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &ORDER_FIELDS);
        let scope = self.infra.scope(auth.principal(), header.as_deref(), None, Perm::CredentialsRead).await?;
        let result = self.infra.list_credentials(scope, paging.request.clone()).await?;
        Ok(Json(CredentialsPage::new(&paging, result.map(Credential::from))))
    }

    /// Save credential
    ///
    /// In the organization in context, owned by the caller. `secret` is sealed
    /// (AES-256-GCM) before it is stored and is not part of the answer.
    #[oai(path = "/", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        body: Json<CredentialPayload>,
    ) -> Result<Saved, AppError> {
        let b = body.0;
        let scope = self.infra.scope(auth.principal(), header.as_deref(), None, Perm::CredentialsCreate).await?;
        let row = self.infra.create_credential(auth.principal(), scope, &b.name.0, &b.kind.0, b.secret).await?;
        Ok(Saved::Created(Json(row.into())))
    }

    /// Update credential
    ///
    /// `id` in the body names the credential; without `secret` the stored one is kept.
    #[oai(path = "/", method = "put")]
    async fn update(&self, auth: Auth, body: Json<CredentialPayload>) -> Result<Json<Credential>, AppError> {
        let b = body.0;
        let id = b.id.ok_or_else(|| AppError::validation("id is required to update a credential"))?;
        let row = self.infra.update_credential(auth.principal(), id, &b.name.0, &b.kind.0, b.secret).await?;
        Ok(Json(row.into()))
    }

    /// Delete credential
    ///
    /// The sealed secret is dropped at once; connections using the credential lose it.
    #[oai(path = "/", method = "delete")]
    async fn delete(
        &self,
        auth: Auth,
        #[oai(name = "credentialId")] id: Query<uuid::Uuid>,
    ) -> Result<NoContent, AppError> {
        self.infra.delete_credential(auth.principal(), id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Get credential by ID
    ///
    /// The credential's owner also gets `secret`; anyone else allowed to read
    /// credentials gets the credential without it.
    #[oai(path = "/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<uuid::Uuid>) -> Result<Json<Credential>, AppError> {
        Ok(Json(self.infra.get_credential(auth.principal(), id.0).await?.into()))
    }
}
