//! API7: an organization's members (core memberships).

use poem_openapi::OpenApi;

use super::Tag;
use crate::Gateway;

pub struct MembersApi {
    pub gateway: Gateway,
}

#[OpenApi(tag = "Tag::Api7Members")]
impl MembersApi {}
