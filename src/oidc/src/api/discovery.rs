//! Discovery and the signing keys.

use meshcloud_kernel::AppError;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::Tag;
use crate::Oidc;
use crate::service::keys::Jwk;

pub struct DiscoveryApi {
    pub oidc: Oidc,
}

/// `openidConfiguration`.
#[derive(Debug, Object)]
pub struct OpenidConfiguration {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub userinfo_endpoint: String,
    pub jwks_uri: String,
    pub scopes_supported: Vec<String>,
    pub claims_supported: Vec<String>,
    pub response_types_supported: Vec<String>,
    pub response_modes_supported: Vec<String>,
    pub grant_types_supported: Vec<String>,
    pub subject_types_supported: Vec<String>,
    pub token_endpoint_auth_methods_supported: Vec<String>,
    pub id_token_signing_alg_values_supported: Vec<String>,
    pub code_challenge_methods_supported: Vec<String>,
    pub claims_parameter_supported: bool,
    pub request_parameter_supported: bool,
    pub request_uri_parameter_supported: bool,
}

/// `jsonWebKeySet`.
#[derive(Debug, Object)]
pub struct JsonWebKeySet {
    pub keys: Vec<Jwk>,
}

#[derive(ApiResponse)]
pub enum JwksResponse {
    #[oai(status = 200)]
    Ok(Json<JsonWebKeySet>, #[oai(header = "Cache-Control")] String),
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[OpenApi(tag = "Tag::Oidc")]
impl DiscoveryApi {
    /// OIDC discovery
    ///
    /// The endpoints and algorithms of this provider. `issuer` is the
    /// configured public URL.
    #[oai(path = "/.well-known/openid-configuration", method = "get")]
    async fn configuration(&self) -> Json<OpenidConfiguration> {
        let iss = self.oidc.issuer();
        Json(OpenidConfiguration {
            issuer: iss.to_string(),
            authorization_endpoint: format!("{iss}/oauth2/v2/authorization"),
            token_endpoint: format!("{iss}/oauth2/v2/token"),
            userinfo_endpoint: format!("{iss}/oauth2/v2/userinfo"),
            jwks_uri: format!("{iss}/oauth2/v2/jwks"),
            scopes_supported: strings(&["email", "meshcloud:api", "openid", "profile"]),
            claims_supported: strings(&[
                "aud",
                "email",
                "email_verified",
                "exp",
                "family_name",
                "given_name",
                "iat",
                "iss",
                "locale",
                "name",
                "picture",
                "sub",
            ]),
            response_types_supported: strings(&["code"]),
            response_modes_supported: strings(&["query"]),
            grant_types_supported: strings(&["authorization_code", "client_credentials", "refresh_token"]),
            subject_types_supported: strings(&["public"]),
            token_endpoint_auth_methods_supported: strings(&["client_secret_basic", "client_secret_post"]),
            id_token_signing_alg_values_supported: strings(&["ES512"]),
            code_challenge_methods_supported: strings(&["plain", "S256"]),
            claims_parameter_supported: false,
            request_parameter_supported: false,
            request_uri_parameter_supported: false,
        })
    }

    /// ID-token signing keys
    ///
    /// The current ES512 (P-521) key and retired keys whose ID tokens may
    /// still be valid.
    #[oai(path = "/oauth2/v2/jwks", method = "get")]
    async fn jwks(&self) -> Result<JwksResponse, AppError> {
        Ok(JwksResponse::Ok(Json(JsonWebKeySet { keys: self.oidc.jwks()? }), "no-cache, no-store".into()))
    }
}
