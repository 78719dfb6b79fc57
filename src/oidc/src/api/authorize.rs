//! The browser side of the provider: the authorization endpoint and the
//! sign-in form. Errors the client can be trusted with go back to its
//! redirect URI; the rest are 400 pages.

use meshcloud_identity::api::auth::SESSION_COOKIE;
use meshcloud_identity::api::session::{client_ip, cookie};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult};
use poem::Request;
use poem_openapi::param::Query;
use poem_openapi::payload::{Form, Html};
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::form::OptionalForm;
use super::{Tag, pages};
use crate::Oidc;
use crate::service::authorize::{AuthParams, AuthRequest, Outcome};

pub struct AuthorizeApi {
    pub oidc: Oidc,
}

/// `authorizationRequestOptions` (form of `POST /oauth2/v2/authorization`).
#[derive(Debug, Default, Object, serde::Deserialize)]
pub struct AuthorizationForm {
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

/// The authorization request from a posted form's fields (the first of a
/// repeated field, as the query variant reads it).
fn params_of(fields: &[(String, String)]) -> AuthParams {
    let f = |name: &str| OptionalForm::<AuthorizationForm>::field(fields, name);
    AuthParams {
        response_type: f("response_type"),
        client_id: f("client_id"),
        redirect_uri: f("redirect_uri"),
        scope: f("scope"),
        state: f("state"),
        nonce: f("nonce"),
        code_challenge: f("code_challenge"),
        code_challenge_method: f("code_challenge_method"),
        response_mode: f("response_mode"),
        prompt: f("prompt"),
        max_age: f("max_age"),
        login_hint: f("login_hint"),
        request: f("request"),
        request_uri: f("request_uri"),
        registration: f("registration"),
    }
}

/// `loginRequestOptions`: the sign-in form.
#[derive(Debug, Object, serde::Deserialize)]
pub struct LoginForm {
    /// The sealed authorization request the sign-in page carries.
    pub state: Option<String>,
    pub email: Option<String>,
    /// meshcloud's built-in sign-in; leave out to use the organization's provider.
    pub password: Option<String>,
    /// An upstream provider chosen on the page.
    pub provider: Option<String>,
}

#[derive(ApiResponse)]
pub enum PageResponse {
    /// The sign-in page.
    #[oai(status = 200)]
    Page(Html<String>, #[oai(header = "Cache-Control")] String),
    /// Back to the client (with a code or an error), or on to a provider.
    #[oai(status = 302)]
    Found(#[oai(header = "Location")] String, #[oai(header = "Set-Cookie")] Option<String>),
    /// The request cannot be answered with a redirect.
    #[oai(status = 400)]
    BadRequest(Html<String>),
    /// Wrong e-mail or password: the sign-in page again.
    #[oai(status = 401)]
    Unauthorized(Html<String>, #[oai(header = "Cache-Control")] String),
}

/// The browser's session, if it has a live one.
pub(crate) async fn browser_session(oidc: &Oidc, req: &Request) -> Option<Principal> {
    let raw = req.cookie().get(SESSION_COOKIE)?.value_str().to_string();
    oidc.identity().authenticate(&raw, true).await.ok()
}

async fn render(oidc: &Oidc, outcome: Outcome, set_cookie: Option<String>, failed: bool) -> AppResult<PageResponse> {
    Ok(match outcome {
        Outcome::Redirect(url) => PageResponse::Found(url, set_cookie),
        Outcome::BadRequest(msg) => PageResponse::BadRequest(Html(pages::error(&msg))),
        Outcome::Login { request, sealed, message } => {
            let action = format!("{}/oauth2/v2/login", oidc.issuer());
            let providers: Vec<pages::ProviderChoice> = oidc
                .global_providers()
                .await?
                .into_iter()
                .map(|(id, name)| pages::ProviderChoice { id: id.to_string(), name })
                .collect();
            let html = pages::login(
                &action,
                &sealed,
                &request.client_id,
                request.login_hint.as_deref(),
                message.as_deref(),
                &providers,
            );
            if failed {
                PageResponse::Unauthorized(Html(html), "no-store".into())
            } else {
                PageResponse::Page(Html(html), "no-store".into())
            }
        }
    })
}

/// Did a browser send this from a page of another origin? Browsers name the
/// page's origin on every form post; it must be the issuer's or the host the
/// request was sent to. Tools that send no Origin are not browsers.
fn cross_site(req: &Request, issuer: &str) -> bool {
    if req.headers().get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return true;
    }
    let Some(origin) = req.headers().get("origin").and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let issuer_origin = url::Url::parse(issuer).ok().map(|u| u.origin().ascii_serialization());
    if issuer_origin.as_deref() == Some(origin) {
        return false;
    }
    let host = req.headers().get("host").and_then(|v| v.to_str().ok());
    let origin_host = url::Url::parse(origin).ok().and_then(|u| {
        let h = u.host_str()?.to_string();
        Some(match u.port() {
            Some(p) => format!("{h}:{p}"),
            None => h,
        })
    });
    !(origin_host.is_some() && origin_host.as_deref() == host)
}

impl AuthorizeApi {
    async fn start(&self, req: &Request, params: AuthParams) -> AppResult<PageResponse> {
        let (client, request) = match self.oidc.check_request(&params).await? {
            Ok(ok) => ok,
            Err(outcome) => return render(&self.oidc, outcome, None, false).await,
        };
        let session = browser_session(&self.oidc, req).await;
        let outcome = self.oidc.authorize(&client, request, session.as_ref()).await?;
        render(&self.oidc, outcome, None, false).await
    }

    /// Password sign-in on the page: a web session (the same one the UI
    /// uses) and a code for the client.
    async fn with_password(
        &self,
        req: &Request,
        pending: AuthRequest,
        email: &str,
        password: String,
    ) -> AppResult<PageResponse> {
        let client = match self.oidc.client(&pending.client_id).await {
            Ok(c) => c,
            Err(AppError::NotFound) => {
                return Ok(PageResponse::BadRequest(Html(pages::error("The client is no longer registered."))));
            }
            Err(e) => return Err(e),
        };
        let identity = self.oidc.identity();
        let ip = client_ip(req, identity.settings().trust_forwarded_for);
        let mut retry = pending.clone();
        retry.login_hint = Some(email.to_string());
        match identity.login(email, password, &ip).await {
            Ok((user, web)) => {
                let set = cookie(req, &web.issued.plaintext, identity.settings().session_ttl.as_secs());
                let now = meshcloud_kernel::time::now();
                let outcome = self.oidc.grant_code(&client, &pending, user, now, Some(web.id)).await?;
                render(&self.oidc, outcome, Some(set), false).await
            }
            Err(AppError::Unauthenticated) => {
                let page = self.oidc.login_page(retry, Some("The e-mail address or password is wrong.".into()));
                render(&self.oidc, page, None, true).await
            }
            Err(AppError::RateLimited { .. }) => {
                let page =
                    self.oidc.login_page(retry, Some("Too many attempts. Wait a few minutes and try again.".into()));
                render(&self.oidc, page, None, true).await
            }
            Err(e) => Err(e),
        }
    }
}

#[OpenApi(tag = "Tag::Oidc")]
impl AuthorizeApi {
    /// Authorization (code flow)
    ///
    /// Checks the request; a browser with a live meshcloud session (the UI's)
    /// gets a code at once, otherwise the sign-in page. `prompt=none` never
    /// shows the page; `max_age` asks for a recent sign-in.
    #[oai(path = "/oauth2/v2/authorization", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn authorization_get(
        &self,
        req: &Request,
        response_type: Query<Option<String>>,
        client_id: Query<Option<String>>,
        redirect_uri: Query<Option<String>>,
        scope: Query<Option<String>>,
        state: Query<Option<String>>,
        nonce: Query<Option<String>>,
        code_challenge: Query<Option<String>>,
        code_challenge_method: Query<Option<String>>,
        response_mode: Query<Option<String>>,
        prompt: Query<Option<String>>,
        max_age: Query<Option<String>>,
        login_hint: Query<Option<String>>,
        request: Query<Option<String>>,
        request_uri: Query<Option<String>>,
        registration: Query<Option<String>>,
    ) -> Result<PageResponse, AppError> {
        let params = AuthParams {
            response_type: response_type.0,
            client_id: client_id.0,
            redirect_uri: redirect_uri.0,
            scope: scope.0,
            state: state.0,
            nonce: nonce.0,
            code_challenge: code_challenge.0,
            code_challenge_method: code_challenge_method.0,
            response_mode: response_mode.0,
            prompt: prompt.0,
            max_age: max_age.0,
            login_hint: login_hint.0,
            request: request.0,
            request_uri: request_uri.0,
            registration: registration.0,
        };
        self.start(req, params).await
    }

    /// Authorization (code flow, form post)
    ///
    /// As the GET variant; a body that is not a form is a 400 page, like
    /// every other request that cannot go back to the client.
    #[oai(path = "/oauth2/v2/authorization", method = "post")]
    async fn authorization_post(
        &self,
        req: &Request,
        form: OptionalForm<AuthorizationForm>,
    ) -> Result<PageResponse, AppError> {
        match form.0 {
            Ok(fields) => self.start(req, params_of(&fields)).await,
            Err(why) => Ok(PageResponse::BadRequest(Html(pages::error(&format!(
                "The authorization request is not a form: {why}."
            ))))),
        }
    }

    /// Sign in
    ///
    /// The sign-in page posts here: e-mail and password (meshcloud's own
    /// accounts), or an e-mail whose domain belongs to an organization with
    /// its own provider, or a provider chosen on the page.
    #[oai(path = "/oauth2/v2/login", method = "post")]
    async fn login(&self, req: &Request, form: Form<LoginForm>) -> Result<PageResponse, AppError> {
        let form = form.0;
        if cross_site(req, self.oidc.issuer()) {
            // Login CSRF: another site posting its own credentials would sign
            // this browser in as someone else.
            return Ok(PageResponse::BadRequest(Html(pages::error(
                "The sign-in form was sent from another site. Start again from the application.",
            ))));
        }
        let Some(pending) = form.state.as_deref().and_then(|s| self.oidc.pending(s)) else {
            return Ok(PageResponse::BadRequest(Html(pages::error(
                "The sign-in request has expired or is not valid. Start again from the application.",
            ))));
        };
        let email = form.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
        let password = form.password.filter(|p| !p.is_empty());
        match (email, password) {
            (Some(email), Some(password)) => self.with_password(req, pending, email, password).await,
            (email, None) => {
                if let Some((outcome, binding)) =
                    self.oidc.upstream_start(&pending, email, form.provider.as_deref()).await?
                {
                    let secure = if self.oidc.issuer().starts_with("https://") { "; Secure" } else { "" };
                    // The browser sees the public URL, which may carry a path prefix.
                    let prefix = url::Url::parse(self.oidc.issuer())
                        .map(|u| u.path().trim_end_matches('/').to_string())
                        .unwrap_or_default();
                    let set = format!(
                        "{}={binding}; Path={prefix}/oidc/callback; HttpOnly; SameSite=Lax; Max-Age=600{secure}",
                        crate::service::upstream::BINDING_COOKIE
                    );
                    return render(&self.oidc, outcome, Some(set).filter(|_| !binding.is_empty()), false).await;
                }
                let mut retry = pending;
                retry.login_hint = email.map(str::to_string);
                let page = self.oidc.login_page(retry, Some("Enter your password.".into()));
                render(&self.oidc, page, None, true).await
            }
            (None, Some(_)) => {
                let page = self.oidc.login_page(pending, Some("Enter your e-mail address.".into()));
                render(&self.oidc, page, None, true).await
            }
        }
    }
}
