//! API7: applications of a control plane, and their import from OpenAPI.

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::http::api7::{Done200, List, ListParams, Ok200, list_query, path_id};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Json, ParsePayload, Payload, PlainText};
use poem_openapi::registry::MetaSchemaRef;
use poem_openapi::types::Type;
use poem_openapi::{ApiRequest, OpenApi};
use serde_json::Value;

use super::Tag;
use crate::Gateway;
use crate::model::applications::Application;
use crate::service::openapi_import::ImportBody;

pub struct ApplicationsApi {
    pub gateway: Gateway,
}

/// The orders the application and API lists know.
pub(crate) const ORDERS: [&str; 2] = ["created_at", "updated_at"];

/// YAML text: `application/yaml`, `application/x-yaml`, `text/yaml` or
/// `text/x-yaml`, with or without parameters (`; charset=utf-8`).
pub struct YamlText(pub String);

impl Payload for YamlText {
    const CONTENT_TYPE: &'static str = "application/yaml";

    fn check_content_type(content_type: &str) -> bool {
        let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        matches!(essence.as_str(), "application/yaml" | "application/x-yaml" | "text/yaml" | "text/x-yaml")
    }

    fn schema_ref() -> MetaSchemaRef {
        String::schema_ref()
    }
}

impl ParsePayload for YamlText {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &poem::Request, body: &mut poem::RequestBody) -> poem::Result<Self> {
        Ok(YamlText(<String as poem::FromRequest>::from_request(request, body).await?))
    }
}

/// An OpenAPI 3 document to import.
#[derive(ApiRequest)]
pub enum ImportRequest {
    /// The document as a JSON object; or `{"openapi": "<the document's YAML
    /// or JSON text>", "hosts": [...]}` (the reference's form); or a JSON
    /// string holding the text.
    Json(Json<Value>),
    /// The document as YAML.
    Yaml(YamlText),
    /// The document as YAML or JSON text.
    Text(PlainText<String>),
}

#[OpenApi(prefix_path = "/api/v1/controlplanes", tag = "Tag::Api7Applications")]
impl ApplicationsApi {
    /// List Applications
    ///
    /// `order_by` created_at or updated_at (default updated_at), `direction`
    /// ASC or DESC (default DESC), `search` over name and description,
    /// `labels` (repeated or comma-separated): the applications holding all.
    #[oai(path = "/:control_plane_id/apps", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        control_plane_id: Path<String>,
        page: Query<Option<String>>,
        page_size: Query<Option<String>>,
        order_by: Query<Option<String>>,
        direction: Query<Option<String>>,
        search: Query<Option<String>>,
        labels: Query<Vec<String>>,
    ) -> Result<Ok200<List<Application>>, AppError> {
        let cp = path_id("control_plane_id", &control_plane_id)?;
        let params = ListParams {
            page: page.as_deref(),
            page_size: page_size.as_deref(),
            order_by: order_by.as_deref(),
            direction: direction.as_deref(),
            search: search.as_deref(),
            labels: &labels,
        };
        let q = list_query(&params, &ORDERS, "updated_at")?;
        Ok(Ok200::new(self.gateway.list_applications(auth.principal(), cp, q).await?))
    }

    /// Create Application
    ///
    /// Required: `name`, `hosts`, `path_prefix`, `upstreams`. No other
    /// application of the control plane may claim one of the hosts with the
    /// same path prefix (409).
    #[oai(path = "/:control_plane_id/apps", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        control_plane_id: Path<String>,
        body: Json<Value>,
    ) -> Result<Ok200<Application>, AppError> {
        let cp = path_id("control_plane_id", &control_plane_id)?;
        Ok(Ok200::new(self.gateway.create_application(auth.principal(), cp, body.0).await?))
    }

    /// Create Application (import from OpenAPI)
    ///
    /// One application from the document (name from `info.title`, hosts,
    /// path prefix and upstream from the servers; `hosts` replaces the
    /// servers' hosts) and one API per operation. Swagger 2.0 is refused.
    #[oai(path = "/:control_plane_id/apps/import", method = "post")]
    async fn import(
        &self,
        auth: Auth,
        control_plane_id: Path<String>,
        hosts: Query<Vec<String>>,
        body: ImportRequest,
    ) -> Result<Ok200<Application>, AppError> {
        let cp = path_id("control_plane_id", &control_plane_id)?;
        let body = match body {
            ImportRequest::Json(v) => ImportBody::Json(v.0),
            ImportRequest::Yaml(t) => ImportBody::Text(t.0),
            ImportRequest::Text(t) => ImportBody::Text(t.0),
        };
        let hosts: Vec<String> = hosts
            .iter()
            .flat_map(|h| h.split(','))
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(String::from)
            .collect();
        Ok(Ok200::new(self.gateway.import_application(auth.principal(), cp, body, hosts).await?))
    }

    /// Get Application Details
    #[oai(path = "/:control_plane_id/apps/:app_id", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        control_plane_id: Path<String>,
        app_id: Path<String>,
    ) -> Result<Ok200<Application>, AppError> {
        let cp = path_id("control_plane_id", &control_plane_id)?;
        let app = path_id("app_id", &app_id)?;
        Ok(Ok200::new(self.gateway.get_application(auth.principal(), cp, app).await?))
    }

    /// Update Application
    ///
    /// Full replacement: the required fields again, absent optional ones
    /// back to their defaults.
    #[oai(path = "/:control_plane_id/apps/:app_id", method = "put")]
    async fn replace(
        &self,
        auth: Auth,
        control_plane_id: Path<String>,
        app_id: Path<String>,
        body: Json<Value>,
    ) -> Result<Ok200<Application>, AppError> {
        let cp = path_id("control_plane_id", &control_plane_id)?;
        let app = path_id("app_id", &app_id)?;
        Ok(Ok200::new(self.gateway.replace_application(auth.principal(), cp, app, body.0).await?))
    }

    /// Patch Application
    ///
    /// A JSON Merge Patch of the application (or its base64 as a JSON
    /// string); `{"active":0}` publishes, `{"active":1}` unpublishes.
    #[oai(path = "/:control_plane_id/apps/:app_id", method = "patch")]
    async fn patch(
        &self,
        auth: Auth,
        control_plane_id: Path<String>,
        app_id: Path<String>,
        body: Json<Value>,
    ) -> Result<Ok200<Application>, AppError> {
        let cp = path_id("control_plane_id", &control_plane_id)?;
        let app = path_id("app_id", &app_id)?;
        Ok(Ok200::new(self.gateway.patch_application(auth.principal(), cp, app, body.0).await?))
    }

    /// Delete Application
    ///
    /// Its APIs go with it.
    #[oai(path = "/:control_plane_id/apps/:app_id", method = "delete")]
    async fn delete(
        &self,
        auth: Auth,
        control_plane_id: Path<String>,
        app_id: Path<String>,
    ) -> Result<Done200, AppError> {
        let cp = path_id("control_plane_id", &control_plane_id)?;
        let app = path_id("app_id", &app_id)?;
        self.gateway.delete_application(auth.principal(), cp, app).await?;
        Ok(Done200::new())
    }
}
