//! `/api/meshcloud/login|logout|session`: web sign-in for the UI (meshcloud's own face).

use meshcloud_kernel::AppError;
use meshcloud_kernel::http::types::Text;
use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::Tag;
use super::auth::{Auth, SESSION_COOKIE};
use crate::Identity;
use crate::model::{Organization, User};
use crate::service::auth::csrf_token;

pub struct SessionApi {
    pub identity: Identity,
}

#[derive(Debug, Object)]
pub struct LoginRequest {
    pub email: Text,
    pub password: Text,
}

/// The signed-in user and the context their requests act in.
#[derive(Debug, Object)]
pub struct SessionInfo {
    pub user: User,
    /// Send as `X-CSRF-Token` on every state-changing request made with the
    /// session cookie. Absent when the request was authenticated by a token.
    pub csrf_token: Option<String>,
    /// The organization Layer5 requests act in (header, preference, or first membership).
    pub current_organization: Option<Organization>,
}

#[derive(ApiResponse)]
pub enum LoginResponse {
    /// Signed in; the session cookie is set.
    #[oai(status = 200)]
    Ok(Json<SessionInfo>, #[oai(header = "Set-Cookie")] String),
}

#[derive(ApiResponse)]
pub enum LogoutResponse {
    /// Signed out; the session cookie is cleared.
    #[oai(status = 204)]
    NoContent(#[oai(header = "Set-Cookie")] String),
}

/// The client's address for throttling and audit.
pub fn client_ip(req: &Request, trust_forwarded_for: bool) -> String {
    let forwarded = trust_forwarded_for
        .then(|| req.header("x-forwarded-for"))
        .flatten()
        .and_then(|v| v.rsplit(',').next())
        .map(|ip| ip.trim().to_string())
        .filter(|ip| !ip.is_empty());
    forwarded.unwrap_or_else(|| req.remote_addr().as_socket_addr().map(|a| a.ip().to_string()).unwrap_or_default())
}

fn secure(req: &Request) -> bool {
    req.header("x-forwarded-proto").is_some_and(|p| p.eq_ignore_ascii_case("https"))
        || req.uri().scheme_str() == Some("https")
}

/// The session cookie. `SameSite=Lax`, not `Strict`: the same session signs
/// users in to OIDC clients, whose sign-in starts with a top-level navigation
/// from the client's site. State changes still need the CSRF header.
pub fn cookie(req: &Request, value: &str, max_age: u64) -> String {
    let secure = if secure(req) { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

#[OpenApi(prefix_path = "/api/meshcloud", tag = "Tag::Session")]
impl SessionApi {
    /// Sign in with e-mail and password
    ///
    /// Sets an HttpOnly session cookie. Failed attempts are throttled per
    /// account and per client address (429 with `Retry-After`); attempts past
    /// those being checked wait their turn (503 with `Retry-After` after 10 s).
    #[oai(path = "/login", method = "post")]
    async fn login(&self, req: &Request, body: Json<LoginRequest>) -> Result<LoginResponse, AppError> {
        let ip = client_ip(req, self.identity.settings().trust_forwarded_for);
        let LoginRequest { email, password } = body.0;
        let (_, web) = self.identity.login(&email, password.0, &ip).await?;
        let issued = web.issued;
        let principal = self.identity.authenticate(&issued.plaintext, true).await?;
        let user = self.identity.profile(&principal).await?.into();
        let current = self.identity.org_context(&principal, None).await?.map(Organization::from);
        let max_age = self.identity.settings().session_ttl.as_secs();
        Ok(LoginResponse::Ok(
            Json(SessionInfo { user, csrf_token: Some(csrf_token(&issued.plaintext)), current_organization: current }),
            cookie(req, &issued.plaintext, max_age),
        ))
    }

    /// Sign out
    ///
    /// Revokes the session the request came with, and the OIDC sessions
    /// (access and refresh tokens) of the clients signed in to through it.
    #[oai(path = "/logout", method = "post")]
    async fn logout(&self, req: &Request, auth: Auth) -> Result<LogoutResponse, AppError> {
        let p = auth.principal();
        if let Some(c) = req.cookie().get(SESSION_COOKIE).filter(|_| p.via_session) {
            self.identity.logout(p, c.value_str()).await?;
        }
        Ok(LogoutResponse::NoContent(cookie(req, "", 0)))
    }

    /// The current session
    ///
    /// Who is signed in, the CSRF token for the session, and the organization
    /// context (`layer5-current-orgid` header, else the `selectedOrganization`
    /// preference, else the first organization).
    #[oai(path = "/session", method = "get")]
    async fn session(&self, req: &Request, auth: Auth) -> Result<Json<SessionInfo>, AppError> {
        let p = auth.principal();
        let user = self.identity.profile(p).await?.into();
        let current = self.identity.org_context(p, req.header("layer5-current-orgid")).await?.map(Organization::from);
        let csrf = req.cookie().get(SESSION_COOKIE).filter(|_| p.via_session).map(|c| csrf_token(c.value_str()));
        Ok(Json(SessionInfo { user, csrf_token: csrf, current_organization: current }))
    }
}
