//! `/api/v1/organizations/{organizationID}/users` (Identity face).

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::http::responses::Done;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use super::groups::path_or_none;
use super::orgs::path_id;
use crate::Directory;
use crate::model::users::{UserRead, UserWrite};

pub struct UsersApi {
    pub directory: Directory,
}

#[derive(ApiResponse)]
pub enum Created {
    /// The user, now in the organization.
    #[oai(status = 201)]
    Created(Json<UserRead>),
}

#[OpenApi(prefix_path = "/api/v1/organizations", tag = "Tag::IdentityUsers")]
impl UsersApi {
    /// Lists all users.
    #[oai(path = "/:organizationID/users", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
    ) -> Result<Json<Vec<UserRead>>, AppError> {
        Ok(Json(self.directory.list_users(auth.principal(), path_id(&org)?).await?))
    }

    /// Creates a new user and associates with a set of groups.
    ///
    /// An account that already exists is added only by callers who may add
    /// existing users (`identity.members.add`).
    #[oai(path = "/:organizationID/users", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        body: Json<UserWrite>,
    ) -> Result<Created, AppError> {
        Ok(Created::Created(Json(self.directory.create_user(auth.principal(), path_id(&org)?, body.0).await?)))
    }

    /// Updates a user.
    #[oai(path = "/:organizationID/users/:userID", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        #[oai(name = "userID")] user: Path<String>,
        body: Json<UserWrite>,
    ) -> Result<Json<UserRead>, AppError> {
        let org = path_id(&org)?;
        Ok(Json(self.directory.update_user(auth.principal(), org, path_or_none(&user), body.0).await?))
    }

    /// Deletes a user and disassociates them with all groups they are a member of.
    #[oai(path = "/:organizationID/users/:userID", method = "delete")]
    async fn delete(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        #[oai(name = "userID")] user: Path<String>,
    ) -> Result<Done, AppError> {
        let org = path_id(&org)?;
        self.directory.delete_user(auth.principal(), org, path_or_none(&user)).await?;
        Ok(Done::Ok)
    }
}
