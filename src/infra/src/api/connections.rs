//! `/api/integrations/connections` (Layer5 face).

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::access::Perm;
use meshcloud_kernel::http::layer5::paging;
use meshcloud_kernel::http::responses::NoContent;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use crate::Infra;
use crate::model::{Connection, ConnectionPayload, ConnectionsPage};
use crate::service::connections::{ConnectionInput, context_org};
use crate::store::connections::{Filter, ORDER_FIELDS};

pub struct ConnectionsApi {
    pub infra: Infra,
}

#[derive(ApiResponse)]
pub enum Created {
    /// Connection registered.
    #[oai(status = 201)]
    Created(Json<Connection>),
}

/// Repeated query values, or one value holding a JSON array or a comma list.
pub fn list_values(raw: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for v in raw {
        let v = v.trim();
        // Not an array of strings: one value, which matches nothing (the
        // reference documents no 400 for the list).
        match v.starts_with('[').then(|| serde_json::from_str::<Vec<String>>(v)) {
            Some(Ok(items)) => out.extend(items),
            Some(Err(_)) => out.push(v.to_string()),
            None => out.extend(v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from)),
        }
    }
    out.into_iter().map(|s| s.to_ascii_lowercase()).collect()
}

#[derive(Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FilterText {
    #[serde(default)]
    kind: Vec<String>,
    #[serde(default)]
    status: Vec<String>,
    #[serde(default, rename = "type")]
    kind_type: Vec<String>,
    name: Option<String>,
}

/// The general `filter`: a JSON object with `kind`, `status`, `type` (arrays)
/// and `name`. The reference documents no 400 for its lists: a filter that is
/// not such an object is ignored, as every parameter a list cannot understand.
pub fn filter_from_text(raw: Option<&str>) -> Filter {
    let parsed = raw.map(str::trim).filter(|s| !s.is_empty()).and_then(|s| serde_json::from_str::<FilterText>(s).ok());
    let Some(f) = parsed else { return Filter::default() };
    let lower = |v: Vec<String>| v.into_iter().map(|s| s.to_ascii_lowercase()).collect();
    Filter {
        kinds: lower(f.kind),
        statuses: lower(f.status),
        types: lower(f.kind_type),
        name: f.name.filter(|n| !n.trim().is_empty()),
        environment: None,
    }
}

fn input(b: ConnectionPayload) -> ConnectionInput {
    ConnectionInput {
        id: b.id,
        name: b.name.0,
        kind_type: b.kind_type.0,
        sub_type: b.sub_type.or(b.sub_type_meshery).map(|t| t.0).unwrap_or_default(),
        kind: b.kind.0,
        status: b.status.0,
        metadata: b.metadata,
        credential: b.credential_id.or(b.credential_id_meshery),
        credential_secret: b.credential_secret,
    }
}

#[OpenApi(prefix_path = "/api/integrations/connections", tag = "Tag::Connections")]
impl ConnectionsApi {
    /// Get all connections
    ///
    /// Connections of the organization in context. `kind`, `status` and `type`
    /// take several values (repeated, comma-separated or a JSON array); `name`
    /// matches part of the name; `filter` is a JSON object with the same keys.
    /// `statusSummary` counts every matching connection by status.
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
        kind: Query<Vec<String>>,
        status: Query<Vec<String>>,
        #[oai(name = "type")] kind_type: Query<Vec<String>>,
        name: Query<Option<String>>,
    ) -> Result<Json<ConnectionsPage>, AppError> {
        let paging = paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &ORDER_FIELDS);
        let mut f = filter_from_text(filter.as_deref());
        f.kinds.extend(list_values(&kind));
        f.statuses.extend(list_values(&status));
        f.types.extend(list_values(&kind_type));
        if let Some(n) = name.0.filter(|n| !n.trim().is_empty()) {
            f.name = Some(n);
        }
        let scope = self.infra.scope(auth.principal(), header.as_deref(), None, Perm::ConnectionsRead).await?;
        let (result, summary) = self.infra.list_connections(scope, f, paging.request.clone()).await?;
        // The plain page computes page and page_size as every list does; this one adds the summary.
        let body = crate::model::EnvironmentConnectionsPage::new(&paging, result.map(Connection::from));
        Ok(Json(ConnectionsPage {
            connections: body.items,
            total_count: body.total_count,
            page: body.page,
            page_size: body.page_size,
            status_summary: summary,
        }))
    }

    /// Register a new connection
    ///
    /// In the organization in context. `status` must be one a connection can
    /// start in (`discovered`, `registered`, `connected`, `ignored`,
    /// `maintenance`).
    #[oai(path = "/", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        body: Json<ConnectionPayload>,
    ) -> Result<Created, AppError> {
        let scope = self.infra.scope(auth.principal(), header.as_deref(), None, Perm::ConnectionsCreate).await?;
        let c = self.infra.create_connection(auth.principal(), scope, input(body.0)).await?;
        Ok(Created::Created(Json(c.into())))
    }

    /// Get Kubernetes context
    ///
    /// The kubeconfig context stored with a Kubernetes connection
    /// (`metadata.context`, else the context fields of `metadata`).
    #[oai(path = "/kubernetes/:connectionId/context", method = "get")]
    async fn kubernetes_context(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        #[oai(name = "connectionId")] id: Path<uuid::Uuid>,
    ) -> Result<Json<serde_json::Value>, AppError> {
        Ok(Json(self.infra.kubernetes_context(auth.principal(), id.0, context_org(header.as_deref())).await?))
    }

    /// Delete Meshery instance connection
    ///
    /// Deletes the Meshery server's own connection and every connection whose
    /// metadata names it (`server_id` or `meshery_server_id`), in the
    /// organization in context.
    #[oai(path = "/meshery/:mesheryServerId", method = "delete")]
    async fn delete_meshery(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        #[oai(name = "mesheryServerId")] server: Path<String>,
    ) -> Result<NoContent, AppError> {
        let scope = self.infra.scope(auth.principal(), header.as_deref(), None, Perm::ConnectionsDelete).await?;
        self.infra.delete_meshery_server(auth.principal(), scope, &server.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Get connection by ID
    #[oai(path = "/:connectionId", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        #[oai(name = "connectionId")] id: Path<uuid::Uuid>,
    ) -> Result<Json<Connection>, AppError> {
        Ok(Json(self.infra.get_connection(auth.principal(), id.0, context_org(header.as_deref())).await?.into()))
    }

    /// Update a connection
    ///
    /// A status change must follow the life cycle in the README; anything else is a 400.
    #[oai(path = "/:connectionId", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        #[oai(name = "connectionId")] id: Path<uuid::Uuid>,
        body: Json<ConnectionPayload>,
    ) -> Result<Json<Connection>, AppError> {
        Ok(Json(
            self.infra
                .update_connection(auth.principal(), id.0, context_org(header.as_deref()), input(body.0))
                .await?
                .into(),
        ))
    }

    /// Delete a connection
    #[oai(path = "/:connectionId", method = "delete")]
    async fn delete(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        #[oai(name = "connectionId")] id: Path<uuid::Uuid>,
    ) -> Result<NoContent, AppError> {
        self.infra.delete_connection(auth.principal(), id.0, context_org(header.as_deref())).await?;
        Ok(NoContent::NoContent)
    }
}
