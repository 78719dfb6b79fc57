//! `/api/workspaces` and what a workspace holds (Layer5 face).

use meshcloud_identity::api::auth::Auth;
use meshcloud_identity::model::{Team, TeamsPage};
use meshcloud_kernel::AppError;
use meshcloud_kernel::access::Perm;
use meshcloud_kernel::http::layer5::{L5Paging, paging};
use meshcloud_kernel::http::responses::NoContent;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use crate::Infra;
use crate::model::*;
use crate::service::workspaces::{Linked, parse_filter};
use crate::store::workspaces::{LinkKind, ORDER_FIELDS};

pub struct WorkspacesApi {
    pub infra: Infra,
}

#[derive(ApiResponse)]
pub enum Created {
    /// Created workspace.
    #[oai(status = 201)]
    Created(Json<Workspace>),
}

fn page(
    page: &Query<Option<String>>,
    pagesize: &Query<Option<String>>,
    search: &Query<Option<String>>,
    order: &Query<Option<String>>,
    fields: &[&str],
) -> L5Paging {
    paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), fields)
}

const CREATED_ONLY: [&str; 1] = ["created_at"];

#[OpenApi(prefix_path = "/api/workspaces", tag = "Tag::Workspaces")]
impl WorkspacesApi {
    /// Get all workspaces
    ///
    /// Workspaces of the organization in context. `filter` is a JSON object;
    /// `{"deleted": true}` lists the soft-deleted ones.
    #[oai(path = "/", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
        filter: Query<Option<String>>,
    ) -> Result<Json<WorkspacesPage>, AppError> {
        let paging = self::page(&page, &pagesize, &search, &order, &ORDER_FIELDS);
        let f = parse_filter(filter.as_deref());
        let scope = self.infra.scope(auth.principal(), header.as_deref(), None, Perm::WorkspacesRead).await?;
        let result = self.infra.list_workspaces(scope, f.deleted, paging.request.clone()).await?;
        Ok(Json(WorkspacesPage::new(&paging, result.map(Workspace::from))))
    }

    /// Create a workspace
    #[oai(path = "/", method = "post")]
    async fn create(&self, auth: Auth, body: Json<WorkspacePayload>) -> Result<Created, AppError> {
        let b = body.0;
        let desc = b.description.map(|d| d.0);
        let ws = self.infra.create_workspace(auth.principal(), b.organization_id, &b.name.0, desc.as_deref()).await?;
        Ok(Created::Created(Json(ws.into())))
    }

    /// Get a workspace by ID
    #[oai(path = "/:workspaceId", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        #[oai(name = "workspaceId")] id: Path<uuid::Uuid>,
    ) -> Result<Json<Workspace>, AppError> {
        Ok(Json(self.infra.get_workspace(auth.principal(), id.0).await?.into()))
    }

    /// Update a workspace
    #[oai(path = "/:workspaceId", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        #[oai(name = "workspaceId")] id: Path<uuid::Uuid>,
        body: Json<WorkspaceUpdatePayload>,
    ) -> Result<Json<Workspace>, AppError> {
        let b = body.0;
        let (name, desc) = (b.name.map(|n| n.0), b.description.map(|d| d.0));
        let ws = self
            .infra
            .update_workspace(auth.principal(), id.0, b.organization_id, name.as_deref(), desc.as_deref())
            .await?;
        Ok(Json(ws.into()))
    }

    /// Delete a workspace
    ///
    /// Soft delete: the workspace and its links disappear at once.
    #[oai(path = "/:workspaceId", method = "delete")]
    async fn delete(
        &self,
        auth: Auth,
        #[oai(name = "workspaceId")] id: Path<uuid::Uuid>,
    ) -> Result<NoContent, AppError> {
        self.infra.delete_workspace(auth.principal(), id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Get environments assigned to a workspace
    ///
    /// `filter` `{"assigned": false}` lists the organization's environments
    /// that are not assigned instead.
    #[oai(path = "/:workspaceId/environments", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn environments(
        &self,
        auth: Auth,
        #[oai(name = "workspaceId")] id: Path<uuid::Uuid>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
        filter: Query<Option<String>>,
    ) -> Result<Json<EnvironmentsPage>, AppError> {
        let paging = self::page(&page, &pagesize, &search, &order, &crate::store::environments::ORDER_FIELDS);
        let assigned = parse_filter(filter.as_deref()).assigned.unwrap_or(true);
        match self.infra.linked(auth.principal(), id.0, LinkKind::Environment, assigned, paging.request.clone()).await?
        {
            Linked::Environments(p) => Ok(Json(EnvironmentsPage::new(&paging, p.map(Environment::from)))),
            _ => Err(AppError::internal("unexpected link kind")),
        }
    }

    /// Assign an environment to a workspace
    ///
    /// The environment must belong to the workspace's organization.
    #[oai(path = "/:workspaceId/environments/:environmentId", method = "post")]
    async fn assign_environment(
        &self,
        auth: Auth,
        #[oai(name = "workspaceId")] id: Path<uuid::Uuid>,
        #[oai(name = "environmentId")] target: Path<uuid::Uuid>,
    ) -> Result<Json<WorkspacesEnvironmentsMappingPage>, AppError> {
        let l = self.infra.link(auth.principal(), id.0, LinkKind::Environment, target.0).await?;
        Ok(Json(WorkspacesEnvironmentsMappingPage::single(l.into())))
    }

    /// Unassign an environment from a workspace
    #[oai(path = "/:workspaceId/environments/:environmentId", method = "delete")]
    async fn unassign_environment(
        &self,
        auth: Auth,
        #[oai(name = "workspaceId")] id: Path<uuid::Uuid>,
        #[oai(name = "environmentId")] target: Path<uuid::Uuid>,
    ) -> Result<NoContent, AppError> {
        self.infra.unlink(auth.principal(), id.0, LinkKind::Environment, target.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Get teams assigned to a workspace
    ///
    /// `filter` `{"assigned": false}` lists the organization's teams that are
    /// not assigned instead.
    #[oai(path = "/:workspaceId/teams", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn teams(
        &self,
        auth: Auth,
        #[oai(name = "workspaceId")] id: Path<uuid::Uuid>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
        filter: Query<Option<String>>,
    ) -> Result<Json<TeamsPage>, AppError> {
        let paging = self::page(&page, &pagesize, &search, &order, &meshcloud_identity::core::teams::ORDER_FIELDS);
        let assigned = parse_filter(filter.as_deref()).assigned.unwrap_or(true);
        match self.infra.linked(auth.principal(), id.0, LinkKind::Team, assigned, paging.request.clone()).await? {
            Linked::Teams(p) => Ok(Json(TeamsPage::new(&paging, p.map(Team::from)))),
            _ => Err(AppError::internal("unexpected link kind")),
        }
    }

    /// Assign a team to a workspace
    ///
    /// The team must belong to the workspace's organization.
    #[oai(path = "/:workspaceId/teams/:teamId", method = "post")]
    async fn assign_team(
        &self,
        auth: Auth,
        #[oai(name = "workspaceId")] id: Path<uuid::Uuid>,
        #[oai(name = "teamId")] target: Path<uuid::Uuid>,
    ) -> Result<Json<WorkspacesTeamsMappingPage>, AppError> {
        let l = self.infra.link(auth.principal(), id.0, LinkKind::Team, target.0).await?;
        Ok(Json(WorkspacesTeamsMappingPage::single(l.into())))
    }

    /// Unassign a team from a workspace
    #[oai(path = "/:workspaceId/teams/:teamId", method = "delete")]
    async fn unassign_team(
        &self,
        auth: Auth,
        #[oai(name = "workspaceId")] id: Path<uuid::Uuid>,
        #[oai(name = "teamId")] target: Path<uuid::Uuid>,
    ) -> Result<NoContent, AppError> {
        self.infra.unlink(auth.principal(), id.0, LinkKind::Team, target.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Get designs assigned to a workspace
    ///
    /// Designs are listed by id until the design family exists; with
    /// `{"assigned": false}` the list is empty for the same reason.
    #[oai(path = "/:workspaceId/designs", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn designs(
        &self,
        auth: Auth,
        #[oai(name = "workspaceId")] id: Path<uuid::Uuid>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
        filter: Query<Option<String>>,
    ) -> Result<Json<DesignsPage>, AppError> {
        let paging = self::page(&page, &pagesize, &search, &order, &CREATED_ONLY);
        let assigned = parse_filter(filter.as_deref()).assigned.unwrap_or(true);
        match self.infra.linked(auth.principal(), id.0, LinkKind::Design, assigned, paging.request.clone()).await? {
            Linked::Ids(p) => Ok(Json(DesignsPage::new(&paging, p.map(LinkedItem::from)))),
            _ => Err(AppError::internal("unexpected link kind")),
        }
    }

    /// Assign a design to a workspace
    #[oai(path = "/:workspaceId/designs/:designId", method = "post")]
    async fn assign_design(
        &self,
        auth: Auth,
        #[oai(name = "workspaceId")] id: Path<uuid::Uuid>,
        #[oai(name = "designId")] target: Path<uuid::Uuid>,
    ) -> Result<Json<WorkspacesDesignsMappingPage>, AppError> {
        let l = self.infra.link(auth.principal(), id.0, LinkKind::Design, target.0).await?;
        Ok(Json(WorkspacesDesignsMappingPage::single(l.into())))
    }

    /// Unassign a design from a workspace
    #[oai(path = "/:workspaceId/designs/:designId", method = "delete")]
    async fn unassign_design(
        &self,
        auth: Auth,
        #[oai(name = "workspaceId")] id: Path<uuid::Uuid>,
        #[oai(name = "designId")] target: Path<uuid::Uuid>,
    ) -> Result<NoContent, AppError> {
        self.infra.unlink(auth.principal(), id.0, LinkKind::Design, target.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Get views assigned to a workspace
    ///
    /// Views are listed by id until the view family exists.
    #[oai(path = "/:workspaceId/views", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn views(
        &self,
        auth: Auth,
        #[oai(name = "workspaceId")] id: Path<uuid::Uuid>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
        filter: Query<Option<String>>,
    ) -> Result<Json<ViewsPage>, AppError> {
        let paging = self::page(&page, &pagesize, &search, &order, &CREATED_ONLY);
        let assigned = parse_filter(filter.as_deref()).assigned.unwrap_or(true);
        match self.infra.linked(auth.principal(), id.0, LinkKind::View, assigned, paging.request.clone()).await? {
            Linked::Ids(p) => Ok(Json(ViewsPage::new(&paging, p.map(LinkedItem::from)))),
            _ => Err(AppError::internal("unexpected link kind")),
        }
    }

    /// Assign a view to a workspace
    #[oai(path = "/:workspaceId/views/:viewId", method = "post")]
    async fn assign_view(
        &self,
        auth: Auth,
        #[oai(name = "workspaceId")] id: Path<uuid::Uuid>,
        #[oai(name = "viewId")] target: Path<uuid::Uuid>,
    ) -> Result<Json<WorkspacesViewsMappingPage>, AppError> {
        let l = self.infra.link(auth.principal(), id.0, LinkKind::View, target.0).await?;
        Ok(Json(WorkspacesViewsMappingPage::single(l.into())))
    }

    /// Unassign a view from a workspace
    #[oai(path = "/:workspaceId/views/:viewId", method = "delete")]
    async fn unassign_view(
        &self,
        auth: Auth,
        #[oai(name = "workspaceId")] id: Path<uuid::Uuid>,
        #[oai(name = "viewId")] target: Path<uuid::Uuid>,
    ) -> Result<NoContent, AppError> {
        self.infra.unlink(auth.principal(), id.0, LinkKind::View, target.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Get workspace events
    ///
    /// The workspace's slice of the audit log: its creation, changes and every
    /// assignment, newest first.
    #[oai(path = "/:workspaceId/events", method = "get")]
    async fn events(
        &self,
        auth: Auth,
        #[oai(name = "workspaceId")] id: Path<uuid::Uuid>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
    ) -> Result<Json<WorkspaceEventsPage>, AppError> {
        let paging = self::page(&page, &pagesize, &search, &order, &meshcloud_ops::core::events::ORDER_FIELDS);
        let result = self.infra.workspace_events(auth.principal(), id.0, paging.request.clone()).await?;
        Ok(Json(WorkspaceEventsPage::new(&paging, result.map(WorkspaceEvent::from))))
    }
}
