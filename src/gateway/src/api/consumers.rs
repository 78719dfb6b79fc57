//! API7: consumers, their credentials and JSON Web Tokens.

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::http::api7::{Done200, Id, List, ListParams, Ok200, list_query, patch_object, path_id};
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;

use super::Tag;
use crate::Gateway;
use crate::model::consumers::{Consumer, ConsumerBody, JwtRequest, JwtToken};
use crate::service::consumers::{ConsumerInput, ConsumerView};

pub struct ConsumersApi {
    pub gateway: Gateway,
}

fn wire((row, labels): ConsumerView) -> Consumer {
    Consumer {
        id: Id(row.id),
        name: row.name,
        description: row.description,
        credentials: row.credentials,
        labels,
        status: row.status,
        created_at: row.created_at.into(),
        updated_at: row.updated_at.into(),
    }
}

fn input(b: ConsumerBody) -> ConsumerInput {
    ConsumerInput {
        name: b.name.map(|n| n.0),
        description: b.description.map(|d| d.0),
        credentials: b.credentials,
        labels: b.labels.unwrap_or_default().into_iter().map(|l| l.0).collect(),
    }
}

fn ids(cp: &str, consumer: &str) -> Result<(i64, i64), AppError> {
    Ok((path_id("control_plane_id", cp)?, path_id("consumer_id", consumer)?))
}

#[OpenApi(tag = "Tag::Api7Consumers")]
impl ConsumersApi {
    /// List Consumers
    ///
    /// The control plane's consumers. `order_by`: `created_at` or
    /// `updated_at` (default); `search` matches name and description;
    /// `labels`: those holding all of them. Needs `gateway.consumers.read`.
    #[oai(path = "/api/v1/controlplanes/:control_plane_id/consumers", method = "get")]
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
    ) -> Result<Ok200<List<Consumer>>, AppError> {
        let cp = path_id("control_plane_id", &control_plane_id)?;
        let params = ListParams {
            page: page.as_deref(),
            page_size: page_size.as_deref(),
            order_by: order_by.as_deref(),
            direction: direction.as_deref(),
            search: search.as_deref(),
            labels: &labels,
        };
        let q = list_query(&params, &["created_at", "updated_at"], "updated_at")?;
        let page = self.gateway.list_consumers(auth.principal(), cp, q).await?;
        Ok(Ok200::new(List { list: page.items.into_iter().map(wire).collect(), count: page.total }))
    }

    /// Create Consumer
    ///
    /// Secret credential fields are sealed and never read back (`""`). A
    /// taken name, or a credential key another consumer of the control
    /// plane has, is a 409. Needs `gateway.consumers.manage`.
    #[oai(path = "/api/v1/controlplanes/:control_plane_id/consumers", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        control_plane_id: Path<String>,
        body: Json<ConsumerBody>,
    ) -> Result<Ok200<Consumer>, AppError> {
        let cp = path_id("control_plane_id", &control_plane_id)?;
        Ok(Ok200::new(wire(self.gateway.create_consumer(auth.principal(), cp, input(body.0)).await?)))
    }

    /// Get Consumer Details
    ///
    /// Needs `gateway.consumers.read`.
    #[oai(path = "/api/v1/controlplanes/:control_plane_id/consumers/:consumer_id", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        control_plane_id: Path<String>,
        consumer_id: Path<String>,
    ) -> Result<Ok200<Consumer>, AppError> {
        let (cp, id) = ids(&control_plane_id, &consumer_id)?;
        Ok(Ok200::new(wire(self.gateway.consumer(auth.principal(), cp, id).await?)))
    }

    /// Update Consumer
    ///
    /// Replaces the consumer. A secret field sent as `""` or left out keeps
    /// the stored one of the same credential type, so a read can be sent
    /// back. Needs `gateway.consumers.manage`.
    #[oai(path = "/api/v1/controlplanes/:control_plane_id/consumers/:consumer_id", method = "put")]
    async fn put(
        &self,
        auth: Auth,
        control_plane_id: Path<String>,
        consumer_id: Path<String>,
        body: Json<ConsumerBody>,
    ) -> Result<Ok200<Consumer>, AppError> {
        let (cp, id) = ids(&control_plane_id, &consumer_id)?;
        Ok(Ok200::new(wire(self.gateway.replace_consumer(auth.principal(), cp, id, input(body.0)).await?)))
    }

    /// Patch Consumer
    ///
    /// A JSON Merge Patch over the consumer as it reads (or that object as
    /// a base64 string); secrets as for PUT. Needs `gateway.consumers.manage`.
    #[oai(path = "/api/v1/controlplanes/:control_plane_id/consumers/:consumer_id", method = "patch")]
    async fn patch(
        &self,
        auth: Auth,
        control_plane_id: Path<String>,
        consumer_id: Path<String>,
        body: Json<serde_json::Value>,
    ) -> Result<Ok200<Consumer>, AppError> {
        let (cp, id) = ids(&control_plane_id, &consumer_id)?;
        let patch = patch_object(body.0)?;
        Ok(Ok200::new(wire(self.gateway.patch_consumer(auth.principal(), cp, id, patch).await?)))
    }

    /// Delete Consumer
    ///
    /// Needs `gateway.consumers.manage`.
    #[oai(path = "/api/v1/controlplanes/:control_plane_id/consumers/:consumer_id", method = "delete")]
    async fn delete(
        &self,
        auth: Auth,
        control_plane_id: Path<String>,
        consumer_id: Path<String>,
    ) -> Result<Done200, AppError> {
        let (cp, id) = ids(&control_plane_id, &consumer_id)?;
        self.gateway.delete_consumer(auth.principal(), cp, id).await?;
        Ok(Done200::new())
    }

    /// Create an JSON Web Token
    ///
    /// Signs a token with the consumer's `jwt-auth` credential (a 400 when
    /// it has none): claims `key` and `exp` (now + `ttl`, default 86400 s)
    /// and every `custom_payload` entry (which may not set `key` or `exp`).
    /// Needs `gateway.consumers.manage`.
    #[oai(path = "/api/v1/controlplanes/:control_plane_id/consumers/:consumer_id/jwt", method = "post")]
    async fn jwt(
        &self,
        auth: Auth,
        control_plane_id: Path<String>,
        consumer_id: Path<String>,
        body: Json<JwtRequest>,
    ) -> Result<Ok200<JwtToken>, AppError> {
        let (cp, id) = ids(&control_plane_id, &consumer_id)?;
        let JwtRequest { ttl, custom_payload } = body.0;
        let token = self.gateway.issue_jwt(auth.principal(), cp, id, ttl, custom_payload).await?;
        Ok(Ok200::new(JwtToken { token }))
    }
}
