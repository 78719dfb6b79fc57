//! The back channel: the token endpoint and userinfo.

use base64::Engine;
use meshcloud_kernel::AppError;
use poem::Request;
use poem::http::header;
use poem_openapi::payload::{Form, Json};
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::Tag;
use super::form::OptionalForm;
use crate::Oidc;
use crate::service::token::{BasicCredentials, TokenParams};

pub struct TokenApi {
    pub oidc: Oidc,
}

/// `tokenRequestOptions`.
#[derive(Debug, Default, Object, serde::Deserialize)]
pub struct TokenForm {
    /// `authorization_code`, `refresh_token` or `client_credentials`.
    pub grant_type: Option<String>,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    pub refresh_token: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub scope: Option<String>,
}

/// `token`.
#[derive(Debug, Object)]
#[oai(rename = "OAuthToken")]
pub struct Token {
    pub token_type: String,
    pub access_token: String,
    #[oai(skip_serializing_if_is_none)]
    pub refresh_token: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub id_token: Option<String>,
    pub expires_in: i64,
    #[oai(skip_serializing_if_is_none)]
    pub scope: Option<String>,
}

#[derive(ApiResponse)]
pub enum TokenResponse {
    #[oai(status = 200)]
    Ok(Json<Token>, #[oai(header = "Cache-Control")] String, #[oai(header = "Pragma")] String),
}

/// `userinfoRequestOptions`.
#[derive(Debug, Default, Object, serde::Deserialize)]
pub struct UserinfoForm {
    pub access_token: Option<String>,
}

#[derive(ApiResponse)]
pub enum UserinfoResponse {
    #[oai(status = 200)]
    Ok(Json<serde_json::Value>, #[oai(header = "Cache-Control")] String),
}

/// `client_secret_basic`: both parts are form-urlencoded (RFC 6749 §2.3.1).
fn basic(req: &Request) -> Result<Option<BasicCredentials>, AppError> {
    let Some(value) = req.header(header::AUTHORIZATION) else { return Ok(None) };
    let bad = || AppError::oauth("invalid_client", "the Authorization header is not valid client_secret_basic");
    let encoded = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic ")).ok_or_else(bad)?;
    let raw = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (id, secret) = text.split_once(':').ok_or_else(bad)?;
    let decode = |s: &str| url::form_urlencoded::parse(format!("v={s}").as_bytes()).next().map(|(_, v)| v.into_owned());
    Ok(Some(BasicCredentials {
        client_id: decode(id).ok_or_else(bad)?,
        client_secret: decode(secret).ok_or_else(bad)?,
    }))
}

fn bearer(req: &Request) -> Option<String> {
    let v = req.header(header::AUTHORIZATION)?;
    v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")).map(|t| t.trim().to_string())
}

impl TokenApi {
    async fn userinfo(&self, raw: Option<String>) -> Result<UserinfoResponse, AppError> {
        let raw = raw.filter(|t| !t.is_empty()).ok_or(AppError::Unauthenticated)?;
        let p = self.oidc.identity().authenticate_oauth(&raw).await?;
        Ok(UserinfoResponse::Ok(Json(self.oidc.userinfo(&p).await?), "no-store".into()))
    }
}

#[OpenApi(tag = "Tag::Oidc")]
impl TokenApi {
    /// Token
    ///
    /// `authorization_code` (PKCE checked when the request had a challenge),
    /// `refresh_token` (rotated; a reused one ends the session) and
    /// `client_credentials` (clients bound to a service account). Clients
    /// authenticate with `client_secret_basic` or `client_secret_post`.
    #[oai(path = "/oauth2/v2/token", method = "post")]
    async fn token(&self, req: &Request, form: Form<TokenForm>) -> Result<TokenResponse, AppError> {
        let f = form.0;
        let params = TokenParams {
            grant_type: f.grant_type,
            code: f.code,
            redirect_uri: f.redirect_uri,
            code_verifier: f.code_verifier,
            refresh_token: f.refresh_token,
            client_id: f.client_id,
            client_secret: f.client_secret,
            scope: f.scope,
        };
        let answer = self.oidc.token(params, basic(req)?).await?;
        Ok(TokenResponse::Ok(
            Json(Token {
                token_type: "Bearer".into(),
                access_token: answer.access_token,
                refresh_token: answer.refresh_token,
                id_token: answer.id_token,
                expires_in: answer.expires_in,
                scope: Some(answer.scope).filter(|s| !s.is_empty()),
            }),
            "no-store".into(),
            "no-cache".into(),
        ))
    }

    /// Userinfo
    ///
    /// `sub` (the e-mail address), plus `email` and `email_verified` when the
    /// token's scope had `email`, and the name claims with `profile`.
    #[oai(path = "/oauth2/v2/userinfo", method = "get")]
    async fn userinfo_get(&self, req: &Request) -> Result<UserinfoResponse, AppError> {
        self.userinfo(bearer(req)).await
    }

    /// Userinfo (form post)
    ///
    /// The token as `Authorization: Bearer` or the form's `access_token`.
    /// With the header the body may be empty, without a Content-Type.
    #[oai(path = "/oauth2/v2/userinfo", method = "post")]
    async fn userinfo_post(
        &self,
        req: &Request,
        form: OptionalForm<UserinfoForm>,
    ) -> Result<UserinfoResponse, AppError> {
        let fields = form.0.map_err(AppError::Validation)?;
        let from_form = OptionalForm::<UserinfoForm>::field(&fields, "access_token");
        self.userinfo(bearer(req).or(from_form)).await
    }
}
