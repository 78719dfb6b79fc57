//! The APISIX export: a control plane rendered as an Apache APISIX
//! standalone configuration that a gateway polls, with an ETag on the
//! control plane's `config_version` so that an unchanged configuration
//! costs one row read.

pub mod apisix;
#[cfg(test)]
mod tests;

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult};

use super::{Gateway, scope};
use crate::store::export;

/// The answer to a poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApisixConfig {
    /// The caller's `If-None-Match` names the current version.
    NotModified {
        etag: String,
    },
    Config {
        etag: String,
        yaml: String,
    },
}

/// `"<control plane id>-<config_version>"`.
pub fn etag(cp_id: i64, config_version: i64) -> String {
    format!("\"{cp_id}-{config_version}\"")
}

/// Whether an `If-None-Match` value (a list of tags, weak ones too, or `*`)
/// names `etag`.
pub fn none_match(header: &str, etag: &str) -> bool {
    header.split(',').map(str::trim).any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag)
}

impl Gateway {
    /// The control plane as `conf/apisix.yaml` (perm: read control planes),
    /// or "not modified" when the caller already holds this version.
    pub async fn apisix_config(
        &self,
        p: &Principal,
        cp_id: i64,
        if_none_match: Option<String>,
    ) -> AppResult<ApisixConfig> {
        let p = p.clone();
        let sealer = self.sealer().clone();
        self.db()
            .read(move |c| {
                let cp = scope::control_plane(c, &p, cp_id, Perm::ConfigExport)?;
                let etag = etag(cp.id, cp.config_version);
                if if_none_match.as_deref().is_some_and(|h| none_match(h, &etag)) {
                    return Ok(ApisixConfig::NotModified { etag });
                }
                let mut consumers = export::consumers(c, cp.id)?;
                for k in &mut consumers {
                    if let Some(sealed) = k.sealed.take() {
                        let open = sealer.open(&sealed, k.uuid.to_string().as_bytes())?;
                        k.credentials = serde_json::from_slice(&open).map_err(AppError::internal)?;
                    }
                }
                let mut certificates = export::certificates(c, cp.id)?;
                for cert in &mut certificates {
                    let open = sealer.open(&cert.private_key_sealed, cert.uuid.to_string().as_bytes())?;
                    cert.private_key = String::from_utf8(open).map_err(AppError::internal)?;
                }
                let apps = export::published_apps(c, cp.id)?;
                let apis = export::published_apis(c, &apps.iter().map(|a| a.id).collect::<Vec<_>>())?;
                let snapshot = apisix::Snapshot {
                    control_plane_id: cp.id,
                    config_version: cp.config_version,
                    settings: cp.settings,
                    policies: cp.policies,
                    apps,
                    apis,
                    consumers,
                    certificates,
                };
                Ok(ApisixConfig::Config { etag, yaml: apisix::render(&snapshot)? })
            })
            .await
    }
}
