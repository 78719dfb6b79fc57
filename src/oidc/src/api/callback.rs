//! `/oidc/callback`: where upstream providers send the browser back.

use meshcloud_identity::api::session::{client_ip, cookie};
use meshcloud_kernel::AppError;
use poem::Request;
use poem_openapi::OpenApi;
use poem_openapi::param::Query;
use poem_openapi::payload::Html;

use super::authorize::PageResponse;
use super::{Tag, pages};
use crate::Oidc;

pub struct CallbackApi {
    pub oidc: Oidc,
}

#[OpenApi(tag = "Tag::Oidc")]
impl CallbackApi {
    /// Upstream sign-in callback
    ///
    /// Exchanges the upstream provider's code, checks its ID token, signs the
    /// account with that e-mail address in (the same session the UI uses)
    /// and answers the original client with a code. Upstream errors are
    /// relayed to the client.
    #[oai(path = "/oidc/callback", method = "get")]
    async fn callback(
        &self,
        req: &Request,
        code: Query<Option<String>>,
        state: Query<Option<String>>,
        error: Query<Option<String>>,
        error_description: Query<Option<String>>,
    ) -> Result<PageResponse, AppError> {
        let binding = req.cookie().get(crate::service::upstream::BINDING_COOKIE).map(|c| c.value_str().to_string());
        let Some(st) = state.0.as_deref().and_then(|s| self.oidc.upstream_state(s, binding.as_deref())) else {
            return Ok(PageResponse::BadRequest(Html(pages::error(
                "The sign-in has expired or did not start here. Start again from the application.",
            ))));
        };
        let back = |code: &str, text: &str| st.pending.error(code, text);
        if let Some(err) = error.0 {
            let text = error_description.0.unwrap_or_else(|| "the upstream provider refused the sign-in".into());
            return Ok(redirect(back(&err, &text), None));
        }
        let Some(upstream_code) = code.0.filter(|c| !c.is_empty()) else {
            return Ok(redirect(back("server_error", "the upstream provider sent no code"), None));
        };
        let pending = st.pending.clone();
        let proven = match self.oidc.upstream_finish(st, &upstream_code).await {
            Ok(p) => p,
            Err(AppError::OAuth(code, text)) => {
                tracing::warn!(%text, "upstream sign-in failed");
                return Ok(redirect(pending.error(code, &text), None));
            }
            Err(e) => return Err(e),
        };
        let client = match self.oidc.client(&proven.pending.client_id).await {
            Ok(c) => c,
            Err(AppError::NotFound) => {
                return Ok(PageResponse::BadRequest(Html(pages::error("The client is no longer registered."))));
            }
            Err(e) => return Err(e),
        };
        let Some(account) = self.oidc.account(&proven.email).await? else {
            let next = self.oidc.onboarding(&client, proven);
            return Ok(redirect(next, None));
        };
        if !account.active {
            return Ok(redirect(proven.pending.error("server_error", "user is not active"), None));
        }
        if proven.org_scoped && account.provider_admin {
            let text = "a provider admin cannot sign in through an organization's provider";
            return Ok(redirect(proven.pending.error("access_denied", text), None));
        }
        let user = account.id;
        let identity = self.oidc.identity();
        let ip = client_ip(req, identity.settings().trust_forwarded_for);
        let web = identity.start_session(user, &ip, &proven.provider_name).await?;
        let set = cookie(req, &web.issued.plaintext, identity.settings().session_ttl.as_secs());
        let now = meshcloud_kernel::time::now();
        let outcome = self.oidc.grant_code(&client, &proven.pending, user, now, Some(web.id)).await?;
        Ok(redirect(outcome, Some(set)))
    }

    /// Onboarding
    ///
    /// The client's onboarding page posts the organization to create for a
    /// person meshcloud did not know: the account, the organization (with
    /// them as its admin) and a first group with the requested roles are
    /// created, and the sign-in continues with a code for the client.
    #[oai(path = "/oauth2/v2/onboard", method = "post")]
    async fn onboard(&self, req: &Request, body: RawForm<OnboardRequest>) -> Result<PageResponse, AppError> {
        // Anonymous and creating rows: within the address's budget.
        let identity = self.oidc.identity();
        identity.anonymous_write(&client_ip(req, identity.settings().trust_forwarded_for))?;
        let form = onboard_form(&body.0);
        let (user, st) = match self.oidc.onboard(form).await {
            Ok(ok) => ok,
            Err(AppError::Validation(m) | AppError::Conflict(m)) => {
                return Ok(PageResponse::BadRequest(Html(pages::error(&m))));
            }
            Err(AppError::Forbidden) => {
                return Ok(PageResponse::BadRequest(Html(pages::error("Creating organizations is not allowed here."))));
            }
            Err(e) => return Err(e),
        };
        let client = self.oidc.client(&st.pending.client_id).await?;
        let identity = self.oidc.identity();
        let ip = client_ip(req, identity.settings().trust_forwarded_for);
        let web = identity.start_session(user, &ip, &st.provider_name).await?;
        let set = cookie(req, &web.issued.plaintext, identity.settings().session_ttl.as_secs());
        let now = meshcloud_kernel::time::now();
        let outcome = self.oidc.grant_code(&client, &st.pending, user, now, Some(web.id)).await?;
        Ok(redirect(outcome, Some(set)))
    }
}

/// A form body read as bytes (documented with the schema `T`), for forms
/// whose fields repeat, which serde's form decoding cannot take.
pub struct RawForm<T>(pub Vec<u8>, std::marker::PhantomData<T>);

impl<T: poem_openapi::types::Type> poem_openapi::payload::Payload for RawForm<T> {
    const CONTENT_TYPE: &'static str = "application/x-www-form-urlencoded";

    fn check_content_type(content_type: &str) -> bool {
        content_type.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case(Self::CONTENT_TYPE))
    }

    fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut poem_openapi::registry::Registry) {
        T::register(registry);
    }
}

impl<T: poem_openapi::types::Type> poem_openapi::payload::ParsePayload for RawForm<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(req: &Request, body: &mut poem::RequestBody) -> poem::Result<Self> {
        use poem::FromRequest;
        Ok(RawForm(Vec::<u8>::from_request(req, body).await?, std::marker::PhantomData))
    }
}

impl<'a, T: poem_openapi::types::Type + Send> poem_openapi::ApiExtractor<'a> for RawForm<T> {
    const TYPES: &'static [poem_openapi::ApiExtractorType] = &[poem_openapi::ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut poem_openapi::registry::Registry) {
        <Self as poem_openapi::payload::Payload>::register(registry);
    }

    fn request_meta() -> Option<poem_openapi::registry::MetaRequest> {
        Some(poem_openapi::registry::MetaRequest {
            description: None,
            content: vec![poem_openapi::registry::MetaMediaType {
                content_type: <Self as poem_openapi::payload::Payload>::CONTENT_TYPE,
                schema: <Self as poem_openapi::payload::Payload>::schema_ref(),
            }],
            required: true,
        })
    }

    async fn from_request(
        req: &'a Request,
        body: &mut poem::RequestBody,
        _opts: poem_openapi::ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        <Self as poem_openapi::payload::ParsePayload>::from_request(req, body).await
    }
}

/// The onboarding form: `roles` may repeat, so the body is read by hand.
fn onboard_form(body: &[u8]) -> crate::service::onboard::OnboardForm {
    let mut f = crate::service::onboard::OnboardForm::default();
    for (k, v) in url::form_urlencoded::parse(body) {
        let v = v.into_owned();
        match k.as_ref() {
            "state" => f.state = v,
            "organization_name" => f.organization_name = v,
            "organization_description" => f.organization_description = Some(v).filter(|s| !s.is_empty()),
            "group_name" => f.group_name = v,
            "group_description" => f.group_description = Some(v).filter(|s| !s.is_empty()),
            "roles" | "roles[]" => {
                f.roles.extend(v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from))
            }
            _ => {}
        }
    }
    f
}

/// `onboardRequestOptions`, as documented (`roles` may be repeated).
#[derive(Debug, poem_openapi::Object, serde::Deserialize)]
pub struct OnboardRequest {
    pub state: String,
    pub organization_name: String,
    pub organization_description: Option<String>,
    pub group_name: String,
    pub group_description: Option<String>,
    pub roles: Option<Vec<String>>,
}

fn redirect(outcome: crate::service::authorize::Outcome, set_cookie: Option<String>) -> PageResponse {
    match outcome {
        crate::service::authorize::Outcome::Redirect(url) => PageResponse::Found(url, set_cookie),
        crate::service::authorize::Outcome::BadRequest(msg) => PageResponse::BadRequest(Html(pages::error(&msg))),
        crate::service::authorize::Outcome::Login { .. } => {
            PageResponse::BadRequest(Html(pages::error("The sign-in cannot continue here.")))
        }
    }
}
