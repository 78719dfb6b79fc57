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
        let Some(st) = state.0.as_deref().and_then(|s| self.oidc.upstream_state(s)) else {
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
        let Some((user, active)) = self.oidc.account(&proven.email).await? else {
            return Ok(redirect(proven.pending.error("server_error", "user signup is not permitted"), None));
        };
        if !active {
            return Ok(redirect(proven.pending.error("server_error", "user is not active"), None));
        }
        let client = match self.oidc.client(&proven.pending.client_id).await {
            Ok(c) => c,
            Err(AppError::NotFound) => {
                return Ok(PageResponse::BadRequest(Html(pages::error("The client is no longer registered."))));
            }
            Err(e) => return Err(e),
        };
        let identity = self.oidc.identity();
        let ip = client_ip(req, identity.settings().trust_forwarded_for);
        let issued = identity.start_session(user, &ip, &proven.provider_name).await?;
        let set = cookie(req, &issued.plaintext, identity.settings().session_ttl.as_secs());
        let outcome = self.oidc.grant_code(&client, &proven.pending, user, meshcloud_kernel::time::now()).await?;
        Ok(redirect(outcome, Some(set)))
    }
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
