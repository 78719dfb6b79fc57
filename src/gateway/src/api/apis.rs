//! API7: APIs of an application.

use poem_openapi::OpenApi;

use super::Tag;
use crate::Gateway;

pub struct ApisApi {
    pub gateway: Gateway,
}

#[OpenApi(tag = "Tag::Api7Apis")]
impl ApisApi {}
