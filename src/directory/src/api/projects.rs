//! `/api/v1/organizations/{organizationID}/projects` (Identity face).

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use crate::Directory;
use crate::model::projects::*;
use crate::model::{HealthStatus, ProvisioningStatus, ReadMetadata, description_from_db, tags_from_db};
use crate::service::lookup::path_id;
use crate::service::projects::Project;

pub struct ProjectsApi {
    pub directory: Directory,
}

#[derive(ApiResponse)]
pub enum Accepted {
    /// The project, being provisioned.
    #[oai(status = 202)]
    Accepted(Json<ProjectRead>),
}

#[derive(ApiResponse)]
pub enum Updated {
    /// Project updated.
    #[oai(status = 200)]
    Ok,
}

#[derive(ApiResponse)]
pub enum Deleting {
    /// The project is being deleted; poll it to see when it is gone.
    #[oai(status = 202)]
    Accepted,
}

pub(crate) fn read(p: Project) -> ProjectRead {
    let r = p.row;
    // As for organizations: deletion is requested by a deprovisioning project's last change.
    let deleting = r.provisioning_status == "deprovisioning";
    ProjectRead {
        metadata: ReadMetadata {
            name: crate::model::label(&r.name),
            description: description_from_db(r.description),
            tags: tags_from_db(&r.tags),
            id: r.uuid.to_string(),
            creation_time: r.created_at,
            created_by: r.owner,
            modified_time: Some(r.updated_at),
            modified_by: None,
            deletion_time: deleting.then_some(r.updated_at),
            provisioning_status: ProvisioningStatus::from_db(&r.provisioning_status),
            health_status: HealthStatus::from_db(&r.health_status),
            organization_id: Some(r.org_uuid.to_string()),
            project_id: None,
        },
        spec: ProjectSpec { group_ids: p.groups.iter().map(|g| g.to_string()).collect() },
    }
}

#[OpenApi(prefix_path = "/api/v1/organizations", tag = "Tag::IdentityProjects")]
impl ProjectsApi {
    /// List all projects for the organization.
    ///
    /// Every project with `identity:projects` read in the organization, else
    /// the projects whose groups give the caller that right.
    #[oai(path = "/:organizationID/projects", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
    ) -> Result<Json<Vec<ProjectRead>>, AppError> {
        let org = path_id(&org)?;
        Ok(Json(self.directory.list_projects(auth.principal(), org).await?.into_iter().map(read).collect()))
    }

    /// Creates a new project resource for the user's organization.
    ///
    /// The project is a workspace of the organization; its `groupIDs` are the
    /// groups (teams) linked to it.
    #[oai(path = "/:organizationID/projects", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        body: Json<ProjectWrite>,
    ) -> Result<Accepted, AppError> {
        let org = path_id(&org)?;
        let project = self.directory.create_project(auth.principal(), org, body.0).await?;
        Ok(Accepted::Accepted(Json(read(project))))
    }

    /// Gets a project.
    #[oai(path = "/:organizationID/projects/:projectID", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        #[oai(name = "projectID")] id: Path<String>,
    ) -> Result<Json<ProjectRead>, AppError> {
        let (org, id) = (path_id(&org)?, path_id(&id)?);
        Ok(Json(read(self.directory.get_project(auth.principal(), org, id).await?)))
    }

    /// Updates a project.
    #[oai(path = "/:organizationID/projects/:projectID", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        #[oai(name = "projectID")] id: Path<String>,
        body: Json<ProjectWrite>,
    ) -> Result<Updated, AppError> {
        let (org, id) = (path_id(&org)?, path_id(&id)?);
        self.directory.update_project(auth.principal(), org, id, body.0).await?;
        Ok(Updated::Ok)
    }

    /// Deletes the project associated with the authenticated user's scoped authorization token.
    #[oai(path = "/:organizationID/projects/:projectID", method = "delete")]
    async fn delete(
        &self,
        auth: Auth,
        #[oai(name = "organizationID")] org: Path<String>,
        #[oai(name = "projectID")] id: Path<String>,
    ) -> Result<Deleting, AppError> {
        let (org, id) = (path_id(&org)?, path_id(&id)?);
        self.directory.delete_project(auth.principal(), org, id).await?;
        Ok(Deleting::Accepted)
    }
}
