//! Sign-up requests (`/api/identity/users/request`) and badge lists and
//! awards (`/api/identity/badges`, `/api/identity/users/badges`) (Layer5 face).

use meshcloud_kernel::AppError;
use meshcloud_kernel::http::layer5::paging;
use poem_openapi::param::{Header, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use super::auth::Auth;
use super::session::client_ip;
use crate::Identity;
use crate::model::{
    AssignBadges, AssignedBadges, AvailableBadges, DecidePayload, SignupAccepted, SignupNotification, SignupPage,
    SignupPayload, SignupRequest,
};
use crate::service::signup::{RequestRef, SignupInput};
use crate::store::signup::ORDER_FIELDS;

pub struct SignupApi {
    pub identity: Identity,
}

#[derive(ApiResponse)]
pub enum Filed {
    /// Signup request created.
    #[oai(status = 201)]
    Created(Json<SignupAccepted>),
}

#[derive(ApiResponse)]
pub enum Notification {
    /// Pending sign-up requests the caller can decide.
    #[oai(status = 200)]
    Ok(Json<SignupNotification>),
    /// No pending signup request notifications.
    #[oai(status = 204)]
    NoContent,
}

/// The request to decide: named by the `id` or `email` query parameter (the
/// vendor's client posts without a body), else by the same keys in a JSON body.
fn request_ref(
    id: Option<uuid::Uuid>,
    email: Option<String>,
    body: Option<DecidePayload>,
) -> Result<RequestRef, AppError> {
    let body = body.unwrap_or(DecidePayload { id: None, email: None });
    match (id.or(body.id), email.or(body.email)) {
        (Some(id), _) => Ok(RequestRef::Id(id)),
        (None, Some(e)) => Ok(RequestRef::Email(e)),
        (None, None) => {
            Err(AppError::validation("name the request by id (or email), as a query parameter or in the body"))
        }
    }
}

impl SignupApi {
    async fn decide(&self, auth: Auth, target: RequestRef, approve: bool) -> Result<Json<SignupRequest>, AppError> {
        Ok(Json(self.identity.decide_signup(auth.principal(), target, approve).await?.into()))
    }
}

#[OpenApi(prefix_path = "/api/identity", tag = "Tag::Invitations")]
impl SignupApi {
    /// Get signup requests
    ///
    /// Provider admins see every request, organization admins those naming
    /// their organizations. `filter` is a status (`pending`, `approved`,
    /// `denied`) or `{"status": ...}`.
    #[oai(path = "/users/request", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
        filter: Query<Option<String>>,
    ) -> Result<Json<SignupPage>, AppError> {
        let paging = paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &ORDER_FIELDS);
        let result = self.identity.list_signups(auth.principal(), filter.as_deref(), paging.request.clone()).await?;
        Ok(Json(SignupPage::new(&paging, result.map(SignupRequest::from))))
    }

    /// Create a signup request
    ///
    /// No authentication required. The answer is the same whether or not the
    /// address already has an account or a pending request. Limited per
    /// client address (429 with `Retry-After`), and refused with 429 while
    /// `max_pending_signups` requests are pending.
    #[oai(path = "/users/request", method = "post")]
    async fn create(&self, req: &poem::Request, body: Json<SignupPayload>) -> Result<Filed, AppError> {
        self.identity.anonymous_write(&client_ip(req, self.identity.settings().trust_forwarded_for))?;
        let b = body.0;
        let input = SignupInput {
            email: b.email.0,
            first_name: b.first_name.map(|t| t.0).unwrap_or_default(),
            last_name: b.last_name.map(|t| t.0).unwrap_or_default(),
            password: b.password.map(|t| t.0),
            org: b.org_id,
            message: b.message.map(|t| t.0).unwrap_or_default(),
        };
        let email = self.identity.request_signup(input).await?;
        Ok(Filed::Created(Json(SignupAccepted {
            email,
            status: "pending".into(),
            message: "request received; an administrator will review it".into(),
        })))
    }

    /// Approve a signup request
    ///
    /// The request is named by the query parameter `id` (or `email`: the
    /// pending request of that address); a JSON body `{"id": ...}` or
    /// `{"email": ...}` is accepted too. Creates the account and, if the
    /// request named an organization, adds it with the `user` role.
    #[oai(path = "/users/request/approve", method = "post")]
    async fn approve(
        &self,
        auth: Auth,
        id: Query<Option<uuid::Uuid>>,
        email: Query<Option<String>>,
        body: Json<Option<DecidePayload>>,
    ) -> Result<Json<SignupRequest>, AppError> {
        self.decide(auth, request_ref(id.0, email.0, body.0)?, true).await
    }

    /// Deny a signup request
    ///
    /// Names the request as approval does.
    #[oai(path = "/users/request/deny", method = "post")]
    async fn deny(
        &self,
        auth: Auth,
        id: Query<Option<uuid::Uuid>>,
        email: Query<Option<String>>,
        body: Json<Option<DecidePayload>>,
    ) -> Result<Json<SignupRequest>, AppError> {
        self.decide(auth, request_ref(id.0, email.0, body.0)?, false).await
    }

    /// Get signup request notification summary
    #[oai(path = "/users/request/notification", method = "get")]
    async fn notification(&self, auth: Auth) -> Result<Notification, AppError> {
        let (pending, latest) = self.identity.signup_notification(auth.principal()).await?;
        if pending == 0 {
            return Ok(Notification::NoContent);
        }
        Ok(Notification::Ok(Json(SignupNotification { pending, latest: latest.into_iter().map(Into::into).collect() })))
    }

    /// Get available badges
    ///
    /// The badges of the organization in context, keyed by label.
    #[oai(path = "/badges", method = "get", tag = "Tag::Badges")]
    async fn badges(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] org: Header<Option<String>>,
    ) -> Result<Json<AvailableBadges>, AppError> {
        let list = self.identity.list_badges(auth.principal(), org.as_deref()).await?;
        Ok(Json(AvailableBadges { badges: list.into_iter().map(|b| (b.label.clone(), b.into())).collect() }))
    }

    /// Assign badges to a user
    ///
    /// Sets the user's badges in the organization in context (labels or ids).
    #[oai(path = "/users/badges", method = "put", tag = "Tag::Badges")]
    async fn assign_badges(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] org: Header<Option<String>>,
        body: Json<AssignBadges>,
    ) -> Result<Json<AssignedBadges>, AppError> {
        let b = body.0;
        let (user_id, badges) = self
            .identity
            .assign_badges(auth.principal(), org.as_deref(), b.user_id, b.badges.unwrap_or_default())
            .await
            // The reference documents no 404 here: an unknown member, badge or org is a bad request.
            .map_err(|e| e.unresolved("user_id, badges: no such member or badge in the organization"))?;
        Ok(Json(AssignedBadges { user_id, badges }))
    }
}
