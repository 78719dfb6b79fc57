//! Control planes on the wire (`ControlPlane` of the reference).

use meshcloud_kernel::http::api7::Id;
use meshcloud_kernel::http::types::Time;
use poem_openapi::Object;

/// A control plane: where a fleet of gateways takes its configuration from.
#[derive(Debug, Clone, Object)]
pub struct ControlPlane {
    pub id: Id,
    pub name: String,
    pub created_at: Time,
    pub updated_at: Time,
    pub org_id: Id,
    /// Always 1: this installation is the one region.
    pub region_id: Id,
    /// 1 pending, 2 creating, 3 normal, 4 create failed, 5 deleting, 6 deleted.
    pub status: i64,
    /// Where the gateways reach meshcloud: the host (and port, if it names
    /// one) of the server's public URL.
    pub domain: String,
    /// `client_settings`, `observability_settings`, `api_proxy_settings`,
    /// and `service_discovery_settings` when set; every field present.
    pub settings: serde_json::Value,
    /// Plugins applied to every route of the control plane: name → configuration.
    pub policies: serde_json::Value,
    /// Counts every change to the control plane or anything under it.
    pub config_version: i64,
}
