//! API7: organizations, their subscription and upcoming invoice.

use poem_openapi::OpenApi;

use super::Tag;
use crate::Gateway;

pub struct OrgsApi {
    pub gateway: Gateway,
}

#[OpenApi(tag = "Tag::Api7Organizations")]
impl OrgsApi {}
