//! API7: an organization's members (core memberships).

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::http::api7::{List, ListParams, Ok200, list_query, path_id};
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;

use super::Tag;
use crate::Gateway;
use crate::model::members::{Member, MemberBody};
use crate::service::members::ORDERS;

pub struct MembersApi {
    pub gateway: Gateway,
}

#[OpenApi(tag = "Tag::Api7Members")]
impl MembersApi {
    /// List Members
    ///
    /// People who are members of the organization in any state (service
    /// accounts are not listed). `order_by`: id, org_id, role, user_id,
    /// created_at, updated_at (default), `direction` ASC or DESC (default).
    #[oai(path = "/api/v1/orgs/:id/members", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        id: Path<String>,
        page: Query<Option<String>>,
        page_size: Query<Option<String>>,
        order_by: Query<Option<String>>,
        direction: Query<Option<String>>,
    ) -> Result<Ok200<List<Member>>, AppError> {
        let id = path_id("id", &id)?;
        let params = ListParams {
            page: page.as_deref(),
            page_size: page_size.as_deref(),
            order_by: order_by.as_deref(),
            direction: direction.as_deref(),
            ..ListParams::default()
        };
        let q = list_query(&params, &ORDERS, "updated_at")?;
        let page = self.gateway.list_members(auth.principal(), id, q.request).await?;
        Ok(Ok200::new(List { list: page.items, count: page.total }))
    }

    /// Create Member
    ///
    /// Invites `email` with the role `role_id` (a role usable in the
    /// organization, none granting more than the caller holds): the
    /// invitee is a pending member at once and becomes active by accepting
    /// the invitation made for them.
    #[oai(path = "/api/v1/orgs/:id/members", method = "post")]
    async fn create(&self, auth: Auth, id: Path<String>, body: Json<MemberBody>) -> Result<Ok200<Member>, AppError> {
        let id = path_id("id", &id)?;
        let m = self.gateway.invite_member(auth.principal(), id, &body.email, body.role_id.0).await?;
        Ok(Ok200::new(m))
    }

    /// Get Member Details
    ///
    /// One member (by the user's row id) of the organization.
    #[oai(path = "/api/v1/orgs/:id/members/:member_id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<String>, member_id: Path<String>) -> Result<Ok200<Member>, AppError> {
        let id = path_id("id", &id)?;
        let member = path_id("member_id", &member_id)?;
        Ok(Ok200::new(self.gateway.get_member(auth.principal(), id, member).await?))
    }
}
