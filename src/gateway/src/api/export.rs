//! meshcloud: a control plane as an Apache APISIX standalone configuration.

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::http::api7::path_id;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::PlainText;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use crate::Gateway;
use crate::service::export::ApisixConfig;

pub struct ExportApi {
    pub gateway: Gateway,
}

#[derive(ApiResponse)]
pub enum ApisixYaml {
    /// The configuration (`conf/apisix.yaml`); the ETag names its version.
    #[oai(status = 200, content_type = "application/yaml")]
    Ok(PlainText<String>, #[oai(header = "ETag")] String),
    /// The `If-None-Match` names the current version.
    #[oai(status = 304)]
    NotModified(#[oai(header = "ETag")] String),
}

#[OpenApi(tag = "Tag::GatewayConfig")]
impl ExportApi {
    /// Get the control plane as an APISIX standalone configuration
    ///
    /// meshcloud extension: the control plane's published applications and
    /// APIs, consumers (with their credentials' secrets), certificates (with
    /// their private keys), policies and settings as Apache APISIX 3.x
    /// `conf/apisix.yaml` for a data plane in standalone mode, ending with
    /// the `#END` line APISIX waits for. `ETag` is
    /// `"<control_plane_id>-<config_version>"`; a poll sending it back in
    /// `If-None-Match` gets 304 until something under the control plane
    /// changes. Errors are API7 envelopes. Needs
    /// `gateway.controlplanes.export` (administrators; a gateway's poller
    /// gets it through a role): reading a control plane is not enough.
    #[oai(path = "/api/v1/controlplanes/:control_plane_id/config/apisix.yaml", method = "get")]
    async fn apisix_yaml(
        &self,
        auth: Auth,
        control_plane_id: Path<String>,
        #[oai(name = "If-None-Match")] if_none_match: Header<Option<String>>,
    ) -> Result<ApisixYaml, AppError> {
        let cp = path_id("control_plane_id", &control_plane_id)?;
        Ok(match self.gateway.apisix_config(auth.principal(), cp, if_none_match.0).await? {
            ApisixConfig::NotModified { etag } => ApisixYaml::NotModified(etag),
            ApisixConfig::Config { etag, yaml } => ApisixYaml::Ok(PlainText(yaml), etag),
        })
    }
}
