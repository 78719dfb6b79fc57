//! `/api/environments` (Layer5 face).

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::access::Perm;
use meshcloud_kernel::http::layer5::paging;
use meshcloud_kernel::http::responses::NoContent;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use super::connections::filter_from_text;
use crate::Infra;
use crate::model::{Connection, Environment, EnvironmentConnectionsPage, EnvironmentPayload, EnvironmentsPage};
use crate::store::{connections, environments};

pub struct EnvironmentsApi {
    pub infra: Infra,
}

#[derive(ApiResponse)]
pub enum Created {
    /// Created environment.
    #[oai(status = 201)]
    Created(Json<Environment>),
}

#[derive(ApiResponse)]
pub enum Attached {
    /// Connection added to environment.
    #[oai(status = 201)]
    Created,
}

#[OpenApi(prefix_path = "/api/environments", tag = "Tag::Environments")]
impl EnvironmentsApi {
    /// Get all environments
    ///
    /// The organization's environments: the `layer5-current-orgid` header,
    /// else `orgId`, else the caller's selected organization.
    #[oai(path = "/", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        #[oai(name = "orgId")] org: Query<Option<String>>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
    ) -> Result<Json<EnvironmentsPage>, AppError> {
        let paging = paging(
            page.as_deref(),
            pagesize.as_deref(),
            search.as_deref(),
            order.as_deref(),
            &environments::ORDER_FIELDS,
        );
        let scope =
            self.infra.scope(auth.principal(), header.as_deref(), org.as_deref(), Perm::EnvironmentsRead).await?;
        let result = self.infra.list_environments(scope, paging.request.clone()).await?;
        Ok(Json(EnvironmentsPage::new(&paging, result.map(Environment::from))))
    }

    /// Create an environment
    #[oai(path = "/", method = "post")]
    async fn create(&self, auth: Auth, body: Json<EnvironmentPayload>) -> Result<Created, AppError> {
        let b = body.0;
        let desc = b.description.map(|d| d.0);
        let env =
            self.infra.create_environment(auth.principal(), b.organization_id, &b.name.0, desc.as_deref()).await?;
        Ok(Created::Created(Json(env.into())))
    }

    /// Get environment by ID
    ///
    /// Answers the single-item page envelope, as the reference does. `orgId`
    /// is accepted and, when given, must be the environment's organization.
    #[oai(path = "/:environmentId", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        #[oai(name = "environmentId")] id: Path<uuid::Uuid>,
        #[oai(name = "orgId")] org: Query<Option<String>>,
    ) -> Result<Json<EnvironmentsPage>, AppError> {
        let named = org.as_deref().map(str::trim).filter(|o| !o.is_empty());
        let named = named.map(|o| meshcloud_kernel::validate::uuid("orgId", o)).transpose()?;
        let env = self.infra.get_environment(auth.principal(), id.0).await?;
        if named.is_some_and(|o| o != env.org_uuid) {
            return Err(AppError::NotFound);
        }
        Ok(Json(EnvironmentsPage::single(env.into())))
    }

    /// Update an environment
    ///
    /// Answers the single-item page envelope, as the reference does.
    #[oai(path = "/:environmentId", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        #[oai(name = "environmentId")] id: Path<uuid::Uuid>,
        body: Json<EnvironmentPayload>,
    ) -> Result<Json<EnvironmentsPage>, AppError> {
        let b = body.0;
        let desc = b.description.map(|d| d.0);
        let env = self
            .infra
            .update_environment(auth.principal(), id.0, b.organization_id, &b.name.0, desc.as_deref())
            .await?;
        Ok(Json(EnvironmentsPage::single(env.into())))
    }

    /// Delete an environment
    ///
    /// The environment leaves every workspace and lets go of its connections.
    #[oai(path = "/:environmentId", method = "delete")]
    async fn delete(
        &self,
        auth: Auth,
        #[oai(name = "environmentId")] id: Path<uuid::Uuid>,
    ) -> Result<NoContent, AppError> {
        self.infra.delete_environment(auth.principal(), id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Get environment connections
    ///
    /// `filter` narrows like the connection list: a JSON object with `kind`,
    /// `status`, `type` (arrays) and `name`.
    #[oai(path = "/:environmentId/connections", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn connections(
        &self,
        auth: Auth,
        #[oai(name = "environmentId")] id: Path<uuid::Uuid>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
        filter: Query<Option<String>>,
    ) -> Result<Json<EnvironmentConnectionsPage>, AppError> {
        let paging = paging(
            page.as_deref(),
            pagesize.as_deref(),
            search.as_deref(),
            order.as_deref(),
            &connections::ORDER_FIELDS,
        );
        let f = filter_from_text(filter.as_deref());
        let result = self.infra.environment_connections(auth.principal(), id.0, f, paging.request.clone()).await?;
        Ok(Json(EnvironmentConnectionsPage::new(&paging, result.map(Connection::from))))
    }

    /// Add connection to environment
    #[oai(path = "/:environmentId/connections/:connectionId", method = "post", tag = "Tag::Connections")]
    async fn attach(
        &self,
        auth: Auth,
        #[oai(name = "environmentId")] id: Path<uuid::Uuid>,
        #[oai(name = "connectionId")] connection: Path<uuid::Uuid>,
    ) -> Result<Attached, AppError> {
        self.infra.set_environment_connection(auth.principal(), id.0, connection.0, true).await?;
        Ok(Attached::Created)
    }

    /// Remove connection from environment
    #[oai(path = "/:environmentId/connections/:connectionId", method = "delete", tag = "Tag::Connections")]
    async fn detach(
        &self,
        auth: Auth,
        #[oai(name = "environmentId")] id: Path<uuid::Uuid>,
        #[oai(name = "connectionId")] connection: Path<uuid::Uuid>,
    ) -> Result<NoContent, AppError> {
        self.infra.set_environment_connection(auth.principal(), id.0, connection.0, false).await?;
        Ok(NoContent::NoContent)
    }
}
