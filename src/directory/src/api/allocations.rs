//! `/api/v1/organizations/{organizationID}/allocations` and a project's
//! allocations (Identity face).

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::http::responses::Accepted;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use crate::Directory;
use crate::model::projects::*;
use crate::model::{HealthStatus, ProvisioningStatus, ReadMetadata, description_from_db, tags_from_db};
use crate::service::lookup::path_id;
use crate::store::allocations::AllocationRow;

pub struct AllocationsApi {
    pub directory: Directory,
}

#[derive(ApiResponse)]
pub enum Created {
    /// The new allocation.
    #[oai(status = 201)]
    Created(Json<AllocationRead>),
}

fn read(a: AllocationRow) -> AllocationRead {
    AllocationRead {
        metadata: ReadMetadata {
            name: crate::model::label(&a.name),
            description: description_from_db(a.description),
            tags: tags_from_db(&a.tags),
            id: a.uuid.to_string(),
            creation_time: a.created_at,
            created_by: a.created_by,
            modified_time: Some(a.updated_at),
            modified_by: a.updated_by,
            deletion_time: None,
            provisioning_status: ProvisioningStatus::Provisioned,
            health_status: HealthStatus::Healthy,
            organization_id: Some(a.org_uuid.to_string()),
            project_id: Some(a.project_uuid.to_string()),
        },
        spec: AllocationSpec {
            kind: a.resource_kind,
            id: a.resource_id,
            allocations: a
                .items
                .into_iter()
                .map(|i| ResourceAllocation { kind: i.kind, committed: i.committed, reserved: i.reserved })
                .collect(),
        },
    }
}

#[OpenApi(prefix_path = "/api/v1/organizations", tag = "Tag::IdentityProjects")]
impl AllocationsApi {
    /// Lists all allocation.
    ///
    /// The allocations of every project of the organization the caller may read them in.
    #[oai(path = "/:organizationID/allocations", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
    ) -> Result<Json<Vec<AllocationRead>>, AppError> {
        let org = path_id(&org)?;
        Ok(Json(self.directory.list_allocations(auth.principal(), org).await?.into_iter().map(read).collect()))
    }

    /// Creates an allocation.
    ///
    /// Refused (400 `invalid_request`, "allocation exceeded quota") when the
    /// organization's allocations would commit and reserve more of a kind
    /// than its quota.
    #[oai(path = "/:organizationID/projects/:projectID/allocations", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        #[oai(name = "projectID")] project: Path<String>,
        body: Json<AllocationWrite>,
    ) -> Result<Created, AppError> {
        let (org, project) = (path_id(&org)?, path_id(&project)?);
        let a = self.directory.create_allocation(auth.principal(), org, project, body.0).await?;
        Ok(Created::Created(Json(read(a))))
    }

    /// Gets an allocation.
    #[oai(path = "/:organizationID/projects/:projectID/allocations/:allocationID", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        #[oai(name = "projectID")] project: Path<String>,
        #[oai(name = "allocationID")] id: Path<String>,
    ) -> Result<Json<AllocationRead>, AppError> {
        let (org, project, id) = (path_id(&org)?, path_id(&project)?, path_id(&id)?);
        Ok(Json(read(self.directory.get_allocation(auth.principal(), org, project, id).await?)))
    }

    /// Updates an allocation.
    #[oai(path = "/:organizationID/projects/:projectID/allocations/:allocationID", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        #[oai(name = "projectID")] project: Path<String>,
        #[oai(name = "allocationID")] id: Path<String>,
        body: Json<AllocationWrite>,
    ) -> Result<Json<AllocationRead>, AppError> {
        let (org, project, id) = (path_id(&org)?, path_id(&project)?, path_id(&id)?);
        Ok(Json(read(self.directory.update_allocation(auth.principal(), org, project, id, body.0).await?)))
    }

    /// Deletes an allocation.
    #[oai(path = "/:organizationID/projects/:projectID/allocations/:allocationID", method = "delete")]
    async fn delete(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        #[oai(name = "projectID")] project: Path<String>,
        #[oai(name = "allocationID")] id: Path<String>,
    ) -> Result<Accepted, AppError> {
        let (org, project, id) = (path_id(&org)?, path_id(&project)?, path_id(&id)?);
        self.directory.delete_allocation(auth.principal(), org, project, id).await?;
        Ok(Accepted::Accepted)
    }
}
