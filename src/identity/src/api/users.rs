//! `/api/identity/users`: profiles and preferences (Layer5 face).

use meshcloud_kernel::AppError;
use poem_openapi::OpenApi;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;

use super::Tag;
use super::auth::Auth;
use crate::Identity;
use crate::model::User;

pub struct UsersApi {
    pub identity: Identity,
}

#[OpenApi(prefix_path = "/api/identity/users", tag = "Tag::Users")]
impl UsersApi {
    /// Get current user profile
    #[oai(path = "/profile", method = "get")]
    async fn profile(&self, auth: Auth) -> Result<Json<User>, AppError> {
        Ok(Json(self.identity.profile(auth.principal()).await?.into()))
    }

    /// Get user profile by ID
    ///
    /// Visible to the user, to provider admins and to users who share an organization.
    #[oai(path = "/profile/:id", method = "get")]
    async fn profile_by_id(&self, auth: Auth, id: Path<uuid::Uuid>) -> Result<Json<User>, AppError> {
        Ok(Json(self.identity.profile_of(auth.principal(), id.0).await?.into()))
    }

    /// Update user preferences
    ///
    /// Merges the given keys into the caller's preferences (`null` removes a key).
    /// `selectedOrganization` and `selectedWorkspace` set the default context of
    /// later requests that send no `layer5-current-orgid` header. Returns the profile.
    #[oai(path = "/preferences", method = "put")]
    async fn preferences(&self, auth: Auth, body: Json<serde_json::Value>) -> Result<Json<User>, AppError> {
        Ok(Json(self.identity.update_preferences(auth.principal(), body.0).await?.into()))
    }
}
