//! `/api/meshcloud/oauth/clients`: OAuth clients, for provider admins.

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::http::responses::NoContent;
use meshcloud_kernel::time::Timestamp;
use meshcloud_kernel::{AppError, validate};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::Tag;
use crate::Oidc;
use crate::service::clients::ClientSpec;
use crate::store::clients::ClientRow;

pub struct ClientsApi {
    pub oidc: Oidc,
}

#[derive(Debug, Object)]
#[oai(rename = "OAuthClientWrite")]
pub struct ClientWrite {
    pub name: String,
    /// Where the provider may send the browser back to (exact match).
    #[oai(rename = "redirectUris")]
    pub redirect_uris: Vec<String>,
    /// Where users unknown to meshcloud are sent to create their organization.
    /// A change without it keeps the current value; `null` or `""` clears it.
    #[oai(rename = "onboardingUri")]
    pub onboarding_uri: MaybeUndefined<String>,
    /// The service account the `client_credentials` grant acts as (kept and
    /// cleared as `onboardingUri`).
    #[oai(rename = "serviceAccountId")]
    pub service_account_id: MaybeUndefined<String>,
    /// May the client be granted the `meshcloud:api` scope, with which its
    /// access tokens call meshcloud's APIs as the user? Default `false`; a
    /// change without it keeps the current value.
    pub trusted: Option<bool>,
}

#[derive(Debug, Object)]
#[oai(rename = "OAuthClient")]
pub struct Client {
    pub id: String,
    #[oai(rename = "clientId")]
    pub client_id: String,
    /// Only in the answers of create and secret rotation.
    #[oai(rename = "clientSecret", skip_serializing_if_is_none)]
    pub client_secret: Option<String>,
    pub name: String,
    #[oai(rename = "redirectUris")]
    pub redirect_uris: Vec<String>,
    #[oai(rename = "onboardingUri")]
    pub onboarding_uri: Option<String>,
    #[oai(rename = "serviceAccountId")]
    pub service_account_id: Option<String>,
    /// May be granted the `meshcloud:api` scope.
    pub trusted: bool,
    #[oai(rename = "createdAt")]
    pub created_at: Timestamp,
    #[oai(rename = "updatedAt")]
    pub updated_at: Timestamp,
}

impl Client {
    pub fn from_row(r: ClientRow, secret: Option<String>) -> Self {
        Client {
            id: r.uuid.to_string(),
            client_id: r.client_id,
            client_secret: secret,
            name: r.name,
            redirect_uris: r.redirect_uris,
            onboarding_uri: r.onboarding_uri,
            service_account_id: r.service_user.map(|(_, u)| u.to_string()),
            trusted: r.trusted,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Absent: `None` (keep); `null` or blank: `Some(None)` (clear).
fn given(v: MaybeUndefined<String>) -> Option<Option<String>> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(s) => Some(Some(s).filter(|s| !s.trim().is_empty())),
    }
}

impl TryFrom<ClientWrite> for ClientSpec {
    type Error = AppError;

    fn try_from(w: ClientWrite) -> Result<Self, AppError> {
        Ok(ClientSpec {
            name: w.name,
            redirect_uris: w.redirect_uris,
            onboarding_uri: given(w.onboarding_uri),
            service_account: given(w.service_account_id)
                .map(|sa| sa.map(|s| validate::uuid("serviceAccountId", &s)).transpose())
                .transpose()?,
            trusted: w.trusted,
        })
    }
}

#[derive(ApiResponse)]
pub enum Created {
    #[oai(status = 201)]
    Created(Json<Client>),
}

fn id(raw: &str) -> Result<uuid::Uuid, AppError> {
    validate::uuid("id", raw)
}

#[OpenApi(prefix_path = "/api/meshcloud/oauth/clients", tag = "Tag::OidcClients")]
impl ClientsApi {
    /// List OAuth clients
    #[oai(path = "/", method = "get")]
    async fn list(&self, auth: Auth) -> Result<Json<Vec<Client>>, AppError> {
        let rows = self.oidc.list_clients(auth.principal()).await?;
        Ok(Json(rows.into_iter().map(|r| Client::from_row(r, None)).collect()))
    }

    /// Register an OAuth client
    ///
    /// The answer is the only time the client secret is shown.
    #[oai(path = "/", method = "post")]
    async fn create(&self, auth: Auth, body: Json<ClientWrite>) -> Result<Created, AppError> {
        let spec = body.0.try_into()?;
        let (row, secret) = self.oidc.create_client(Some(auth.principal()), spec).await?;
        Ok(Created::Created(Json(Client::from_row(row, Some(secret)))))
    }

    /// Get an OAuth client
    #[oai(path = "/:id", method = "get")]
    async fn get(&self, auth: Auth, #[oai(name = "id")] id_: Path<String>) -> Result<Json<Client>, AppError> {
        let row = self.oidc.get_client(auth.principal(), id(&id_)?).await?;
        Ok(Json(Client::from_row(row, None)))
    }

    /// Change an OAuth client
    #[oai(path = "/:id", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        #[oai(name = "id")] id_: Path<String>,
        body: Json<ClientWrite>,
    ) -> Result<Json<Client>, AppError> {
        let row = self.oidc.update_client(auth.principal(), id(&id_)?, body.0.try_into()?).await?;
        Ok(Json(Client::from_row(row, None)))
    }

    /// Give an OAuth client a new secret
    ///
    /// The old secret stops working at once; the answer shows the new one.
    #[oai(path = "/:id/secret", method = "post")]
    async fn rotate(&self, auth: Auth, #[oai(name = "id")] id_: Path<String>) -> Result<Json<Client>, AppError> {
        let (row, secret) = self.oidc.rotate_client_secret(auth.principal(), id(&id_)?).await?;
        Ok(Json(Client::from_row(row, Some(secret))))
    }

    /// Delete an OAuth client
    ///
    /// Ends every session of the client and revokes its tokens.
    #[oai(path = "/:id", method = "delete")]
    async fn delete(&self, auth: Auth, #[oai(name = "id")] id_: Path<String>) -> Result<NoContent, AppError> {
        self.oidc.delete_client(auth.principal(), id(&id_)?).await?;
        Ok(NoContent::NoContent)
    }
}
