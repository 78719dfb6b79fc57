//! meshcloud: a control plane as an Apache APISIX standalone configuration.

use poem_openapi::OpenApi;

use super::Tag;
use crate::Gateway;

pub struct ExportApi {
    pub gateway: Gateway,
}

#[OpenApi(tag = "Tag::GatewayConfig")]
impl ExportApi {}
