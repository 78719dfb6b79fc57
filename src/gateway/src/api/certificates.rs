//! API7: TLS certificates of a control plane.

use poem_openapi::OpenApi;

use super::Tag;
use crate::Gateway;

pub struct CertificatesApi {
    pub gateway: Gateway,
}

#[OpenApi(tag = "Tag::Api7Certificates")]
impl CertificatesApi {}
