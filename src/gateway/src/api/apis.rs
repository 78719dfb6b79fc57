//! API7: APIs of an application.

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::http::api7::{Done200, List, ListParams, Ok200, list_query, path_id};
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use serde_json::Value;

use super::Tag;
use super::apps::ORDERS;
use crate::Gateway;
use crate::model::apis::Api;

pub struct ApisApi {
    pub gateway: Gateway,
}

#[OpenApi(prefix_path = "/api/v1/apps", tag = "Tag::Api7Apis")]
impl ApisApi {
    /// List APIs
    ///
    /// `order_by` created_at or updated_at (default updated_at), `direction`
    /// ASC or DESC (default DESC), `search` over name and description,
    /// `labels` (repeated or comma-separated): the APIs holding all.
    #[oai(path = "/:app_id/apis", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        app_id: Path<String>,
        page: Query<Option<String>>,
        page_size: Query<Option<String>>,
        order_by: Query<Option<String>>,
        direction: Query<Option<String>>,
        search: Query<Option<String>>,
        labels: Query<Vec<String>>,
    ) -> Result<Ok200<List<Api>>, AppError> {
        let app = path_id("app_id", &app_id)?;
        let params = ListParams {
            page: page.as_deref(),
            page_size: page_size.as_deref(),
            order_by: order_by.as_deref(),
            direction: direction.as_deref(),
            search: search.as_deref(),
            labels: &labels,
        };
        let q = list_query(&params, &ORDERS, "updated_at")?;
        Ok(Ok200::new(self.gateway.list_apis(auth.principal(), app, q).await?))
    }

    /// Create API
    ///
    /// Required: `name`, `paths`.
    #[oai(path = "/:app_id/apis", method = "post")]
    async fn create(&self, auth: Auth, app_id: Path<String>, body: Json<Value>) -> Result<Ok200<Api>, AppError> {
        let app = path_id("app_id", &app_id)?;
        Ok(Ok200::new(self.gateway.create_api(auth.principal(), app, body.0).await?))
    }

    /// Delete All APIs
    ///
    /// Every API of the application.
    #[oai(path = "/:app_id/apis", method = "delete")]
    async fn delete_all(&self, auth: Auth, app_id: Path<String>) -> Result<Done200, AppError> {
        let app = path_id("app_id", &app_id)?;
        self.gateway.delete_all_apis(auth.principal(), app).await?;
        Ok(Done200::new())
    }

    /// Get API Details
    #[oai(path = "/:app_id/apis/:api_id", method = "get")]
    async fn get(&self, auth: Auth, app_id: Path<String>, api_id: Path<String>) -> Result<Ok200<Api>, AppError> {
        let app = path_id("app_id", &app_id)?;
        let api = path_id("api_id", &api_id)?;
        Ok(Ok200::new(self.gateway.get_api(auth.principal(), app, api).await?))
    }

    /// Update API
    ///
    /// Full replacement: the required fields again, absent optional ones
    /// back to their defaults.
    #[oai(path = "/:app_id/apis/:api_id", method = "put")]
    async fn replace(
        &self,
        auth: Auth,
        app_id: Path<String>,
        api_id: Path<String>,
        body: Json<Value>,
    ) -> Result<Ok200<Api>, AppError> {
        let app = path_id("app_id", &app_id)?;
        let api = path_id("api_id", &api_id)?;
        Ok(Ok200::new(self.gateway.update_api(auth.principal(), app, api, body.0, false).await?))
    }

    /// Patch API
    ///
    /// A JSON Merge Patch of the API (or its base64 as a JSON string);
    /// `{"active":0}` publishes, `{"active":1}` unpublishes.
    #[oai(path = "/:app_id/apis/:api_id", method = "patch")]
    async fn patch(
        &self,
        auth: Auth,
        app_id: Path<String>,
        api_id: Path<String>,
        body: Json<Value>,
    ) -> Result<Ok200<Api>, AppError> {
        let app = path_id("app_id", &app_id)?;
        let api = path_id("api_id", &api_id)?;
        Ok(Ok200::new(self.gateway.update_api(auth.principal(), app, api, body.0, true).await?))
    }

    /// Delete API
    #[oai(path = "/:app_id/apis/:api_id", method = "delete")]
    async fn delete(&self, auth: Auth, app_id: Path<String>, api_id: Path<String>) -> Result<Done200, AppError> {
        let app = path_id("app_id", &app_id)?;
        let api = path_id("api_id", &api_id)?;
        self.gateway.delete_api(auth.principal(), app, api).await?;
        Ok(Done200::new())
    }
}
