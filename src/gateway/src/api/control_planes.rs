//! API7: control planes, their settings and policies.

use poem_openapi::OpenApi;

use super::Tag;
use crate::Gateway;

pub struct ControlPlanesApi {
    pub gateway: Gateway,
}

#[OpenApi(tag = "Tag::Api7ControlPlanes")]
impl ControlPlanesApi {}
