//! An organization's users, invitations to it, the caller's keys there, and
//! the public user directory (Layer5 face).

use meshcloud_kernel::AppError;
use meshcloud_kernel::access::Perm;
use meshcloud_kernel::http::layer5::paging;
use meshcloud_kernel::http::responses::NoContent;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use super::auth::{Auth, MaybeAuth};
use crate::Identity;
use crate::model::{InviteResult, InviteUsers, Key, KeysPage, PublicUser, PublicUsersPage, User, UsersPage};
use crate::service::invitations::InvitationInput;
use crate::store::{keys, users};

pub struct MembersApi {
    pub identity: Identity,
}

#[derive(ApiResponse)]
pub enum AddedUser {
    /// User added to organization: the user as the org's user list shows them.
    #[oai(status = 201)]
    Created(Json<User>),
}

#[OpenApi(tag = "Tag::Users")]
impl MembersApi {
    /// Get organization users
    ///
    /// Users of the organization; `role_names`, `organizations` and `teams` of
    /// each describe this organization. `teamId` limits the list to a team's
    /// members; `filter` is a JSON object with optional `role` and `status`.
    #[oai(path = "/api/identity/orgs/:orgId/users", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org: Path<uuid::Uuid>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
        filter: Query<Option<String>>,
        #[oai(name = "teamId")] team: Query<Option<uuid::Uuid>>,
    ) -> Result<Json<UsersPage>, AppError> {
        let paging =
            paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &users::ORDER_FIELDS);
        let result =
            self.identity.org_users(auth.principal(), org.0, team.0, filter.as_deref(), paging.request.clone()).await?;
        Ok(Json(UsersPage::new(&paging, result.map(User::in_org))))
    }

    /// Invite users to an organization
    ///
    /// Creates an invitation for `emails` (with optional `roles` and `teams`)
    /// and returns it; its id is the code to share. No e-mail is sent.
    #[oai(path = "/api/identity/orgs/:orgId/users/invite", method = "post")]
    async fn invite(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org: Path<uuid::Uuid>,
        body: Json<InviteUsers>,
    ) -> Result<Json<InviteResult>, AppError> {
        let b = body.0;
        if b.emails.is_empty() {
            return Err(AppError::validation("emails must list at least one address"));
        }
        let input = InvitationInput {
            org: org.0,
            name: b.name.map(|n| n.0).unwrap_or_else(|| format!("Invitation for {}", b.emails.join(", "))),
            description: b.description.map(|d| d.0).unwrap_or_default(),
            emails: b.emails,
            roles: b.roles.unwrap_or_default(),
            teams: b.teams.unwrap_or_default(),
            status: "enabled".into(),
            expires_at: b.expires_at.map(|t| t.0),
            quota: None,
            is_default: false,
            absent: Default::default(),
        };
        let inv = self.identity.create_invitation(auth.principal(), input, Perm::MembersInvite).await?;
        Ok(Json(InviteResult { message: "invitation created".into(), invitation: inv.into() }))
    }

    /// Get User Keys
    ///
    /// The caller's effective keys in the organization: every key of every
    /// keychain of every role they hold there, directly or through teams.
    #[oai(path = "/api/identity/orgs/:orgId/users/keys", method = "get")]
    async fn keys(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org: Path<uuid::Uuid>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
    ) -> Result<Json<KeysPage>, AppError> {
        let paging =
            paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &keys::KEY_ORDER_FIELDS);
        let result = self.identity.my_keys(auth.principal(), org.0, paging.request.clone()).await?;
        Ok(Json(KeysPage::new(&paging, result.map(Key::from))))
    }

    /// Add user to organization
    ///
    /// `userId` is an existing user's id or e-mail address; they join with the
    /// `member` role.
    #[oai(path = "/api/identity/orgs/:orgId/users/:userId", method = "post")]
    async fn add(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org: Path<uuid::Uuid>,
        #[oai(name = "userId")] user: Path<String>,
    ) -> Result<AddedUser, AppError> {
        let profile = self.identity.add_org_user(auth.principal(), org.0, &user.0).await?;
        Ok(AddedUser::Created(Json(User::in_org(profile))))
    }

    /// Remove user from organization
    ///
    /// Their roles and team memberships in the organization go too. The last
    /// organization admin cannot be removed.
    #[oai(path = "/api/identity/orgs/:orgId/users/:userId", method = "delete")]
    async fn remove(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org: Path<uuid::Uuid>,
        #[oai(name = "userId")] user: Path<String>,
    ) -> Result<NoContent, AppError> {
        self.identity.remove_org_user(auth.principal(), org.0, &user.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Get public users
    ///
    /// No authentication required. Anonymous callers see users who opted in
    /// with the preference `publicProfile: true`, without e-mail addresses. A
    /// signed-in caller also sees the users they share an organization with
    /// (with e-mail); a provider admin sees everyone.
    #[oai(path = "/api/users", method = "get")]
    async fn public(
        &self,
        auth: MaybeAuth,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
        filter: Query<Option<String>>,
    ) -> Result<Json<PublicUsersPage>, AppError> {
        let paging =
            paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &users::ORDER_FIELDS);
        let result = self.identity.public_users(auth.0.as_ref(), filter.as_deref(), paging.request.clone()).await?;
        Ok(Json(PublicUsersPage::new(&paging, result.map(|(u, known)| PublicUser::new(u, known)))))
    }
}
