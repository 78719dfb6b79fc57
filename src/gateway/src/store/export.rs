//! What the APISIX export reads of a control plane: its published
//! applications and APIs, its consumers and its certificates, each in id
//! order so that the same `config_version` renders the same file.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::{Conn, cols};

/// A published application (`active` 0): `spec` holds the wire fields
/// (`hosts`, `protocols`, `upstreams`, `default_upstream_version`, `policies`…).
#[derive(Debug, Clone, Default)]
pub struct App {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub path_prefix: String,
    pub spec: serde_json::Value,
}

/// A published API of a published application: `spec` holds `methods`,
/// `paths`, `strip_path_prefix`, `type`, `policies`.
#[derive(Debug, Clone, Default)]
pub struct Api {
    pub id: i64,
    pub app_id: i64,
    pub name: String,
    pub description: String,
    pub spec: serde_json::Value,
}

/// A consumer. `credentials` is read blanked (secrets ""); the service puts
/// the opened `sealed` credentials in its place before rendering.
#[derive(Debug, Clone, Default)]
pub struct Consumer {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub name: String,
    pub description: String,
    pub credentials: serde_json::Value,
    pub sealed: Option<Vec<u8>>,
}

/// A certificate. `private_key` is empty as read; the service opens
/// `private_key_sealed` into it before rendering.
#[derive(Debug, Clone, Default)]
pub struct Certificate {
    pub id: i64,
    pub uuid: uuid::Uuid,
    /// `server` or `client`.
    pub kind: String,
    pub certificate: String,
    pub private_key: String,
    pub private_key_sealed: Vec<u8>,
    pub client_ca_certificate: Option<String>,
    pub snis: Vec<String>,
}

/// The control plane's published applications.
pub fn published_apps(c: &Conn, cp_id: i64) -> AppResult<Vec<App>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, name, description, path_prefix, spec FROM gateway_applications
          WHERE control_plane_id = ?1 AND active = 0 ORDER BY id",
    )?;
    let rows = stmt.query_map([cp_id], |r| {
        Ok(App {
            id: r.get(0)?,
            name: r.get(1)?,
            description: r.get(2)?,
            path_prefix: r.get(3)?,
            spec: cols::json(r, 4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The published APIs of the control plane's published applications
/// (through the applications: APIs are indexed by application).
pub fn published_apis(c: &Conn, cp_id: i64) -> AppResult<Vec<Api>> {
    let mut stmt = c.prepare_cached(
        "SELECT api.id, api.app_id, api.name, api.description, api.spec
           FROM gateway_applications app JOIN gateway_apis api ON api.app_id = app.id
          WHERE app.control_plane_id = ?1 AND app.active = 0 AND api.active = 0 ORDER BY api.id",
    )?;
    let rows = stmt.query_map([cp_id], |r| {
        Ok(Api { id: r.get(0)?, app_id: r.get(1)?, name: r.get(2)?, description: r.get(3)?, spec: cols::json(r, 4)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The control plane's consumers, credentials still sealed.
pub fn consumers(c: &Conn, cp_id: i64) -> AppResult<Vec<Consumer>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, uuid, name, description, credentials, credentials_sealed FROM gateway_consumers
          WHERE control_plane_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([cp_id], |r| {
        Ok(Consumer {
            id: r.get(0)?,
            uuid: cols::uuid(r, 1)?,
            name: r.get(2)?,
            description: r.get(3)?,
            credentials: cols::json_opt(r, 4)?.unwrap_or(serde_json::Value::Null),
            sealed: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The control plane's certificates, private keys still sealed.
pub fn certificates(c: &Conn, cp_id: i64) -> AppResult<Vec<Certificate>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, uuid, type, certificate, private_key_sealed, client_ca_certificate, snis
           FROM gateway_certificates WHERE control_plane_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([cp_id], |r| {
        let snis = cols::json(r, 6)?;
        Ok(Certificate {
            id: r.get(0)?,
            uuid: cols::uuid(r, 1)?,
            kind: r.get(2)?,
            certificate: r.get(3)?,
            private_key: String::new(),
            private_key_sealed: r.get(4)?,
            client_ca_certificate: r.get(5)?,
            snis: snis
                .as_array()
                .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
                .unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
