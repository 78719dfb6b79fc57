//! Wire shape of an API of an application (field names exactly the
//! reference's).

use meshcloud_kernel::http::api7::Id;
use meshcloud_kernel::http::types::Time;
use poem_openapi::Object;
use serde_json::Value;

/// An API: the paths and methods of an application that a route serves.
#[derive(Debug, Clone, Object)]
pub struct Api {
    pub id: Id,
    pub app_id: Id,
    /// 50 (normal) for every live API.
    pub status: i64,
    pub created_at: Time,
    pub updated_at: Time,
    pub name: String,
    pub description: String,
    pub labels: Vec<String>,
    /// Upper-case HTTP methods; `null` (or empty) means every method.
    pub methods: Option<Vec<String>>,
    /// `[{path, path_type: Prefix|Exact}]`, after the application's
    /// `path_prefix`.
    pub paths: Value,
    pub strip_path_prefix: bool,
    /// Plugin name → plugin configuration; overrides the application's
    /// plugin of the same name (the SDK's `plugins`).
    pub policies: Value,
    /// 0 published, 1 unpublished (the reference's inversion).
    pub active: i64,
    /// `Rest` or `WebSocket`.
    #[oai(rename = "type")]
    pub kind: String,
}
