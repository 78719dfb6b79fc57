//! API7: applications of a control plane, and their import from OpenAPI.

use poem_openapi::OpenApi;

use super::Tag;
use crate::Gateway;

pub struct ApplicationsApi {
    pub gateway: Gateway,
}

#[OpenApi(tag = "Tag::Api7Applications")]
impl ApplicationsApi {}
