//! `/api/v1/organizations/{organizationID}/groups` (Identity face).

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::http::responses::Done;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use super::orgs::path_id;
use crate::Directory;
use crate::model::groups::{GroupRead, GroupWrite};

pub struct GroupsApi {
    pub directory: Directory,
}

#[derive(ApiResponse)]
pub enum Created {
    /// The new group.
    #[oai(status = 201)]
    Created(Json<GroupRead>),
}

#[OpenApi(prefix_path = "/api/v1/organizations", tag = "Tag::IdentityGroups")]
impl GroupsApi {
    /// Returns a list of groups that are defined for the organization.
    #[oai(path = "/:organizationID/groups", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
    ) -> Result<Json<Vec<GroupRead>>, AppError> {
        Ok(Json(self.directory.list_groups(auth.principal(), path_id(&org)?).await?))
    }

    /// Allows creation of a new group.
    #[oai(path = "/:organizationID/groups", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        body: Json<GroupWrite>,
    ) -> Result<Created, AppError> {
        Ok(Created::Created(Json(self.directory.create_group(auth.principal(), path_id(&org)?, body.0).await?)))
    }

    /// Allows a single group to be polled.
    #[oai(path = "/:organizationID/groups/:groupid", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        #[oai(name = "groupid")] group: Path<String>,
    ) -> Result<Json<GroupRead>, AppError> {
        let org = path_id(&org)?;
        Ok(Json(self.directory.get_group(auth.principal(), org, path_or_none(&group)).await?))
    }

    /// Allows a group to be updated.
    #[oai(path = "/:organizationID/groups/:groupid", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        #[oai(name = "groupid")] group: Path<String>,
        body: Json<GroupWrite>,
    ) -> Result<Done, AppError> {
        let org = path_id(&org)?;
        self.directory.update_group(auth.principal(), org, path_or_none(&group), body.0).await?;
        Ok(Done::Ok)
    }

    /// Allows the deletion of an existing group.
    #[oai(path = "/:organizationID/groups/:groupid", method = "delete")]
    async fn delete(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        #[oai(name = "groupid")] group: Path<String>,
    ) -> Result<Done, AppError> {
        let org = path_id(&org)?;
        self.directory.delete_group(auth.principal(), org, path_or_none(&group)).await?;
        Ok(Done::Ok)
    }
}

/// A sub-resource id that is not a UUID names nothing; the permission check
/// still comes first, so it is looked up as an id no row has.
pub(crate) fn path_or_none(raw: &str) -> uuid::Uuid {
    uuid::Uuid::parse_str(raw.trim()).unwrap_or(uuid::Uuid::nil())
}
