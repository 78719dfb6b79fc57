//! API7: control planes, their settings and policies.

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::http::api7::{Done200, Id, List, ListParams, Ok200, list_query, path_id};
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;

use super::Tag;
use crate::Gateway;
use crate::model::control_planes::ControlPlane;
use crate::service::control_plane_settings as cfg;
use crate::store::control_planes::ControlPlaneRow;

pub struct ControlPlanesApi {
    pub gateway: Gateway,
}

const ORDERS: [&str; 2] = ["created_at", "updated_at"];

#[OpenApi(prefix_path = "/api/v1/orgs", tag = "Tag::Api7ControlPlanes")]
impl ControlPlanesApi {
    /// List Control Planes
    ///
    /// The organization's control planes, `updated_at` descending unless
    /// `order_by` (`created_at`, `updated_at`) and `direction` say otherwise.
    #[oai(path = "/:id/controlplanes", method = "get", operation_id = "listControlPlanes")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        id: Path<String>,
        order_by: Query<Option<String>>,
        direction: Query<Option<String>>,
        page_size: Query<Option<String>>,
        page: Query<Option<String>>,
    ) -> Result<Ok200<List<ControlPlane>>, AppError> {
        let org = path_id("id", &id)?;
        let params = ListParams {
            page: page.0.as_deref(),
            page_size: page_size.0.as_deref(),
            order_by: order_by.0.as_deref(),
            direction: direction.0.as_deref(),
            ..Default::default()
        };
        let q = list_query(&params, &ORDERS, "updated_at")?;
        let found = self.gateway.list_control_planes(auth.principal(), org, q.request).await?;
        Ok(Ok200::new(List { list: found.items.into_iter().map(wire).collect(), count: found.total }))
    }

    /// Create Control Plane
    ///
    /// Body: `name` (required, 1 to 64 characters, unique in the
    /// organization), `region_id` (`"1"`, the default), `settings` (the
    /// settings objects, as `PATCH …/config` takes them; defaults for what is
    /// left out) and `policies` (plugin name → configuration). The control
    /// plane starts pending (status 1) and is normal (3) within seconds. The
    /// organization's plan bounds how many it may have (400, code 11).
    #[oai(path = "/:id/controlplanes", method = "post", operation_id = "createControlPlane")]
    async fn create(
        &self,
        auth: Auth,
        id: Path<String>,
        body: Json<serde_json::Value>,
    ) -> Result<Ok200<ControlPlane>, AppError> {
        let org = path_id("id", &id)?;
        let cp = self.gateway.create_control_plane(auth.principal(), org, body.0).await?;
        Ok(Ok200::new(wire(cp)))
    }

    /// Get Control Plane Details
    #[oai(path = "/:id/controlplanes/:control_plane_id", method = "get", operation_id = "getControlPlane")]
    async fn get(
        &self,
        auth: Auth,
        id: Path<String>,
        control_plane_id: Path<String>,
    ) -> Result<Ok200<ControlPlane>, AppError> {
        let (org, cp) = (path_id("id", &id)?, path_id("control_plane_id", &control_plane_id)?);
        Ok(Ok200::new(wire(self.gateway.control_plane(auth.principal(), org, cp).await?)))
    }

    /// Update Control Plane
    ///
    /// Body: any of `client_settings`, `observability_settings`,
    /// `api_proxy_settings`, `service_discovery_settings` and `policies`.
    /// Each one given replaces the stored one whole (fields left out take
    /// their defaults; `null` resets it); the others stay. The body may also
    /// be a JSON string holding the base64 of that object. A change bumps
    /// `config_version`.
    #[oai(path = "/:id/controlplanes/:control_plane_id/config", method = "patch", operation_id = "updateControlPlane")]
    async fn configure(
        &self,
        auth: Auth,
        id: Path<String>,
        control_plane_id: Path<String>,
        body: Json<serde_json::Value>,
    ) -> Result<Done200, AppError> {
        let (org, cp) = (path_id("id", &id)?, path_id("control_plane_id", &control_plane_id)?);
        self.gateway.configure_control_plane(auth.principal(), org, cp, body.0, false).await?;
        Ok(Done200::new())
    }

    /// Replace Control Plane Configuration
    ///
    /// `PATCH …/config` replacing everything: the settings objects and
    /// `policies` not given go back to their defaults (no policies, no
    /// service discovery settings). Answers the control plane.
    #[oai(path = "/:id/controlplanes/:control_plane_id", method = "put", operation_id = "replaceControlPlaneConfig")]
    async fn replace(
        &self,
        auth: Auth,
        id: Path<String>,
        control_plane_id: Path<String>,
        body: Json<serde_json::Value>,
    ) -> Result<Ok200<ControlPlane>, AppError> {
        let (org, cp) = (path_id("id", &id)?, path_id("control_plane_id", &control_plane_id)?);
        let cp = self.gateway.configure_control_plane(auth.principal(), org, cp, body.0, true).await?;
        Ok(Ok200::new(wire(cp)))
    }
}

fn wire(cp: ControlPlaneRow) -> ControlPlane {
    ControlPlane {
        id: Id(cp.id),
        name: cp.name,
        created_at: cp.created_at.into(),
        updated_at: cp.updated_at.into(),
        org_id: Id(cp.org.0),
        region_id: Id(cp.region_id),
        status: cp.status,
        domain: cp.domain,
        settings: cfg::render(&cp.settings),
        policies: cp.policies,
        config_version: cp.config_version,
    }
}
