//! Consumers and their JSON Web Tokens on the wire.

use meshcloud_kernel::http::api7::Id;
use meshcloud_kernel::http::types::{Text, Time};
use poem_openapi::Object;

/// A consumer. Secret credential fields (key-auth `key`, basic-auth
/// `password`, jwt-auth `secret` and `private_key`, hmac-auth `secret_key`)
/// always read as `""`.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Api7Consumer")]
pub struct Consumer {
    pub id: Id,
    /// Unique within the control plane.
    pub name: String,
    pub description: String,
    /// Credential type (`key-auth`, `basic-auth`, `jwt-auth`, `hmac-auth`) → its configuration.
    pub credentials: Option<serde_json::Value>,
    pub labels: Vec<String>,
    /// 50: normal.
    pub status: i64,
    pub created_at: Time,
    pub updated_at: Time,
}

/// A consumer to create, or to replace one with (PUT).
#[derive(Debug, Clone, Object)]
#[oai(rename = "Api7ConsumerBody")]
pub struct ConsumerBody {
    /// Required: 1 to 100 characters of `[a-zA-Z0-9_]`, unique within the control plane.
    pub name: Option<Text>,
    /// At most 256 characters.
    pub description: Option<Text>,
    /// Credential type → configuration, or null. A secret field sent as `""`
    /// or left out keeps the one stored for that credential type.
    pub credentials: Option<serde_json::Value>,
    /// At most 32, unique, each 1 to 32 characters of `[0-9a-zA-Z-_]`.
    pub labels: Option<Vec<Text>>,
}

/// What to put in a consumer's JSON Web Token.
#[derive(Debug, Clone, Default, Object)]
#[oai(rename = "Api7JwtRequest")]
pub struct JwtRequest {
    /// Seconds the token lives (default 86400, at least 1).
    pub ttl: Option<i64>,
    /// Claims copied into the token (not `key` nor `exp`).
    pub custom_payload: Option<serde_json::Value>,
}

/// An issued JSON Web Token.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Api7Jwt")]
pub struct JwtToken {
    pub token: String,
}
