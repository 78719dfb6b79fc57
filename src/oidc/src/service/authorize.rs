//! The authorization endpoint: checking a request, deciding between a silent
//! answer, the sign-in page and an error, and issuing authorization codes.

use meshcloud_identity::service::auth::issue;
use meshcloud_identity::service::oauth::API_SCOPE;
use meshcloud_kernel::ids::{TokenId, UserId};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use serde::{Deserialize, Serialize};

use super::Oidc;
use crate::store::clients::{self, ClientRow};
use crate::store::grants::{self, NewCode};

/// How long the sign-in page may stay open before its state expires.
const LOGIN_STATE_SECS: i64 = 30 * 60;
pub(crate) const AUTHORIZE_PURPOSE: &str = "oidc-authorize";

/// The parameters of `GET|POST /oauth2/v2/authorization`, as sent.
#[derive(Debug, Default, Clone)]
pub struct AuthParams {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub response_mode: Option<String>,
    pub prompt: Option<String>,
    pub max_age: Option<String>,
    pub login_hint: Option<String>,
    pub request: Option<String>,
    pub request_uri: Option<String>,
    pub registration: Option<String>,
}

/// A checked authorization request, carried sealed through the sign-in page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub challenge_method: Option<String>,
    pub max_age: Option<i64>,
    pub prompt: Option<String>,
    pub login_hint: Option<String>,
}

/// What the endpoint answers.
#[derive(Debug)]
pub enum Outcome {
    /// 302 to this URL (a code, or an error for the client).
    Redirect(String),
    /// The sign-in page for this request (sealed state, hint, message).
    Login { request: Box<AuthRequest>, sealed: String, message: Option<String> },
    /// 400 page: the client or redirect URI cannot be trusted with a redirect.
    BadRequest(String),
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// `redirect_uri` with `pairs` added to its query.
pub fn with_query(redirect_uri: &str, pairs: &[(&str, &str)]) -> String {
    match url::Url::parse(redirect_uri) {
        Ok(mut u) => {
            {
                let mut q = u.query_pairs_mut();
                for (k, v) in pairs {
                    q.append_pair(k, v);
                }
            }
            u.to_string()
        }
        Err(_) => redirect_uri.to_string(),
    }
}

impl AuthRequest {
    /// The client's redirect URI with an OAuth error (and the client's state).
    pub fn error(&self, code: &str, description: &str) -> Outcome {
        let mut pairs = vec![("error", code), ("error_description", description)];
        if let Some(s) = &self.state {
            pairs.push(("state", s));
        }
        Outcome::Redirect(with_query(&self.redirect_uri, &pairs))
    }

    pub fn wants(&self, scope: &str) -> bool {
        self.scope.split_whitespace().any(|s| s == scope)
    }
}

impl Oidc {
    /// Checks a request in the reference's order: first whether the client
    /// and redirect URI can be trusted (else a 400 page, never a redirect),
    /// then everything else (errors go back to the client).
    pub async fn check_request(&self, p: &AuthParams) -> AppResult<Result<(ClientRow, AuthRequest), Outcome>> {
        let Some(client_id) = nonempty(&p.client_id) else {
            return Ok(Err(Outcome::BadRequest("The request names no client (client_id is missing).".into())));
        };
        let lookup = client_id.clone();
        let Some(client) = self.db().read(move |c| clients::by_client_id(c, &lookup)).await? else {
            return Ok(Err(Outcome::BadRequest("The client is not registered with this provider.".into())));
        };
        // Compared exactly as sent (RFC 6749 §3.1.2.3): not trimmed.
        let Some(redirect_uri) = p.redirect_uri.clone().filter(|r| !r.is_empty()) else {
            return Ok(Err(Outcome::BadRequest("The request has no redirect_uri.".into())));
        };
        if !client.redirect_uris.contains(&redirect_uri) {
            return Ok(Err(Outcome::BadRequest(
                "The redirect_uri does not match any redirect URI registered for the client.".into(),
            )));
        }
        let max_age = match nonempty(&p.max_age) {
            None => Ok(None),
            Some(v) => v.parse::<i64>().ok().filter(|n| *n >= 0).map(Some).ok_or(()),
        };
        let req = AuthRequest {
            client_id,
            redirect_uri,
            scope: nonempty(&p.scope).unwrap_or_default(),
            state: p.state.clone().filter(|s| !s.is_empty()),
            nonce: nonempty(&p.nonce),
            code_challenge: nonempty(&p.code_challenge),
            challenge_method: nonempty(&p.code_challenge_method),
            max_age: max_age.unwrap_or(None),
            prompt: nonempty(&p.prompt),
            login_hint: nonempty(&p.login_hint),
        };
        if p.request.is_some() {
            return Ok(Err(req.error("request_not_supported", "request objects are not supported")));
        }
        if p.request_uri.is_some() {
            return Ok(Err(req.error("request_uri_not_supported", "request_uri is not supported")));
        }
        if p.registration.is_some() {
            return Ok(Err(req.error("registration_not_supported", "registration is not supported")));
        }
        match nonempty(&p.response_type).as_deref() {
            Some("code") => {}
            None => return Ok(Err(req.error("invalid_request", "response_type is required"))),
            Some(_) => return Ok(Err(req.error("unsupported_response_type", "only response_type=code is supported"))),
        }
        if nonempty(&p.response_mode).is_some_and(|m| m != "query") {
            return Ok(Err(req.error("invalid_request", "only response_mode=query is supported")));
        }
        if max_age.is_err() {
            return Ok(Err(req.error("invalid_request", "max_age must be a non-negative integer")));
        }
        if req.wants(API_SCOPE) && !client.trusted {
            return Ok(Err(req.error("invalid_scope", "the client is not trusted with the meshcloud:api scope")));
        }
        let mut req = req;
        match (&req.code_challenge, req.challenge_method.as_deref()) {
            (None, Some(_)) => {
                return Ok(Err(req.error("invalid_request", "code_challenge_method without code_challenge")));
            }
            (Some(_), None) => req.challenge_method = Some("plain".into()),
            (Some(ch), Some("S256")) if ch.len() != 43 => {
                return Ok(Err(req.error("invalid_request", "an S256 code_challenge is 43 base64url characters")));
            }
            (Some(ch), Some("plain")) if !(43..=128).contains(&ch.len()) => {
                return Ok(Err(req.error("invalid_request", "a plain code_challenge is 43 to 128 characters")));
            }
            (_, Some("S256" | "plain")) | (None, None) => {}
            (_, Some(_)) => {
                return Ok(Err(req.error("invalid_request", "code_challenge_method must be S256 or plain")));
            }
        }
        for prompt in req.prompt.iter().flat_map(|p| p.split_whitespace()) {
            if !matches!(prompt, "none" | "login" | "consent" | "select_account") {
                return Ok(Err(req.error("invalid_request", "prompt must be none, login, consent or select_account")));
            }
        }
        Ok(Ok((client, req)))
    }

    /// Decides the answer for a checked request, given the browser's session.
    pub async fn authorize(
        &self,
        client: &ClientRow,
        req: AuthRequest,
        session: Option<&Principal>,
    ) -> AppResult<Outcome> {
        let prompts: Vec<&str> = req.prompt.as_deref().unwrap_or("").split_whitespace().collect();
        let silent_only = prompts.contains(&"none");
        let force_login = prompts.contains(&"login");
        if silent_only && force_login {
            return Ok(req.error("invalid_request", "prompt=none cannot be combined with other values"));
        }
        if let Some(p) = session.filter(|_| !force_login) {
            let auth_time = self.identity().session_started(p).await?;
            let recent = req.max_age.is_none_or(|max| (time::now() - auth_time).num_seconds() <= max);
            if recent {
                return self.grant_code(client, &req, p.user, auth_time, Some(p.token)).await;
            }
        }
        if silent_only {
            let why = if session.is_some() { "the sign-in is older than max_age" } else { "the user is not signed in" };
            return Ok(req.error("interaction_required", why));
        }
        Ok(self.login_page(req, None))
    }

    /// The sign-in page; the request is checked, so a failure to seal its
    /// state goes back to the client as `server_error`, never as a page whose
    /// form could not be answered.
    pub fn login_page(&self, request: AuthRequest, message: Option<String>) -> Outcome {
        match self.seal_state(AUTHORIZE_PURPOSE, &request, LOGIN_STATE_SECS) {
            Ok(sealed) => Outcome::Login { request: Box::new(request), sealed, message },
            Err(e) => {
                tracing::error!(error = %e, "cannot seal the sign-in state");
                request.error("server_error", "the sign-in cannot be started")
            }
        }
    }

    /// The pending request from a sign-in page's sealed state.
    pub fn pending(&self, sealed: &str) -> Option<AuthRequest> {
        self.open_state(AUTHORIZE_PURPOSE, sealed)
    }

    /// Issues an authorization code and redirects back to the client.
    /// `browser` is the web session the user signed in with: signing out of
    /// it ends what the code gives.
    pub async fn grant_code(
        &self,
        client: &ClientRow,
        req: &AuthRequest,
        user: UserId,
        auth_time: Timestamp,
        browser: Option<TokenId>,
    ) -> AppResult<Outcome> {
        let code = issue();
        let expires = time::after(self.settings().code_ttl)?;
        let (client_row, r) = (client.id, req.clone());
        self.db()
            .write(move |c| {
                grants::insert_code(
                    c,
                    &NewCode {
                        uuid: code.uuid,
                        secret_hash: &code.hash,
                        client: client_row,
                        user,
                        redirect_uri: &r.redirect_uri,
                        scope: &r.scope,
                        nonce: r.nonce.as_deref(),
                        code_challenge: r.code_challenge.as_deref(),
                        challenge_method: r.challenge_method.as_deref(),
                        auth_time,
                        expires_at: expires,
                        browser_session: browser,
                    },
                )
            })
            .await?;
        let mut pairs = vec![("code", code.plaintext.as_str())];
        if let Some(s) = &req.state {
            pairs.push(("state", s));
        }
        Ok(Outcome::Redirect(with_query(&req.redirect_uri, &pairs)))
    }

    /// The client a pending request names (it may have been deleted since).
    pub async fn client(&self, client_id: &str) -> AppResult<ClientRow> {
        let id = client_id.to_string();
        self.db().read(move |c| clients::by_client_id(c, &id)).await?.ok_or(AppError::NotFound)
    }
}
