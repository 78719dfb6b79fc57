//! Wire shape of an application (field names exactly the reference's).

use meshcloud_kernel::http::api7::Id;
use meshcloud_kernel::http::types::Time;
use poem_openapi::Object;
use serde_json::Value;

/// An application: hosts and a path prefix a control plane's gateways
/// listen on, the upstreams they forward to, and application-level policies.
#[derive(Debug, Clone, Object)]
pub struct Application {
    pub id: Id,
    pub control_plane_id: Id,
    /// 50 (normal) for every live application.
    pub status: i64,
    pub created_at: Time,
    pub updated_at: Time,
    pub name: String,
    pub description: String,
    pub labels: Vec<String>,
    /// `HTTP` and/or `HTTPS`.
    pub protocols: Vec<String>,
    /// Echoed only when it was given.
    #[oai(skip_serializing_if_is_none)]
    pub protocol: Option<String>,
    pub path_prefix: String,
    pub hosts: Vec<String>,
    /// Plugin name → plugin configuration (the SDK's `plugins`).
    pub policies: Value,
    /// `[{upstream: {scheme, lb_type, hash_key, service_discovery, targets,
    /// retries, timeout, upstream_host_mode, upstream_host, client_cert_id,
    /// checks}, version}]`.
    pub upstreams: Value,
    pub default_upstream_version: String,
    /// 0 published, 1 unpublished (the reference's inversion).
    pub active: i64,
    /// The control plane's server certificates whose SNIs cover a host of
    /// the application.
    pub available_cert_ids: Vec<Id>,
    /// Canary releases are not implemented: always empty.
    pub canary_release_id: Vec<Id>,
    /// Canary releases are not implemented: always empty.
    pub canary_upstream_version_list: Vec<String>,
}
