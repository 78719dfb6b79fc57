//! API7: consumers, their credentials and JSON Web Tokens.

use poem_openapi::OpenApi;

use super::Tag;
use crate::Gateway;

pub struct ConsumersApi {
    pub gateway: Gateway,
}

#[OpenApi(tag = "Tag::Api7Consumers")]
impl ConsumersApi {}
