//! Credential extraction: a bearer security token, or the web session cookie
//! (which must carry the `X-CSRF-Token` header on state-changing requests).
//!
//! The credential presented decides the scheme, and its error is the answer:
//! a busy store is a 503 and a missing CSRF header is "forbidden", not a
//! generic 401 from whichever scheme happened to be tried last.

use meshcloud_kernel::AppError;
use meshcloud_kernel::principal::Principal;
use poem::http::header;
use poem::{Request, RequestBody};
use poem_openapi::auth::{ApiKey, Bearer};
use poem_openapi::registry::Registry;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions, SecurityScheme};

use crate::Identity;
use crate::service::auth::csrf_token;

pub const SESSION_COOKIE: &str = "meshcloud_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// `Authorization: Bearer <security token>` (documentation of the scheme).
#[derive(SecurityScheme)]
#[oai(rename = "bearer", ty = "bearer")]
struct BearerScheme(#[allow(dead_code)] Bearer);

/// The web UI's session cookie (documentation of the scheme).
#[derive(SecurityScheme)]
#[oai(rename = "session", ty = "api_key", key_name = "meshcloud_session", key_in = "cookie")]
struct SessionScheme(#[allow(dead_code)] ApiKey);

/// The authenticated caller; every authenticated operation takes this.
pub struct Auth(Principal);

impl Auth {
    pub fn principal(&self) -> &Principal {
        &self.0
    }
}

async fn resolve(req: &Request) -> Result<Principal, AppError> {
    let identity = req.data::<Identity>().ok_or_else(|| AppError::internal("identity service not installed"))?;
    if let Some(value) = req.header(header::AUTHORIZATION) {
        let token =
            value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")).ok_or(AppError::Unauthenticated)?;
        return identity.authenticate(token, false).await;
    }
    let Some(cookie) = req.cookie().get(SESSION_COOKIE) else {
        return Err(AppError::Unauthenticated);
    };
    let session = cookie.value_str().to_string();
    let principal = identity.authenticate(&session, true).await?;
    // `GET .../tokens/infinite` issues a token: a GET that changes state.
    if !req.method().is_safe() || req.uri().path().ends_with("/infinite") {
        let sent = req.header(CSRF_HEADER).unwrap_or_default();
        if !meshcloud_kernel::crypto::ct_eq(sent.as_bytes(), csrf_token(&session).as_bytes()) {
            return Err(AppError::Forbidden);
        }
    }
    Ok(principal)
}

/// A caller who may be anonymous: no credential at all is `None`; a
/// credential that does not resolve is still a 401.
pub struct MaybeAuth(pub Option<Principal>);

impl<'a> ApiExtractor<'a> for MaybeAuth {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Auth as ApiExtractor>::register(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        <Auth as ApiExtractor>::security_schemes()
    }

    fn has_security_fallback() -> bool {
        true
    }

    async fn from_request(
        req: &'a Request,
        _body: &mut RequestBody,
        _opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        if req.header(header::AUTHORIZATION).is_none() && req.cookie().get(SESSION_COOKIE).is_none() {
            return Ok(MaybeAuth(None));
        }
        Ok(MaybeAuth(Some(resolve(req).await?)))
    }
}

impl<'a> ApiExtractor<'a> for Auth {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <BearerScheme as ApiExtractor>::register(registry);
        <SessionScheme as ApiExtractor>::register(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        let mut names = <BearerScheme as ApiExtractor>::security_schemes();
        names.extend(<SessionScheme as ApiExtractor>::security_schemes());
        names
    }

    async fn from_request(
        req: &'a Request,
        _body: &mut RequestBody,
        _opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        Ok(Auth(resolve(req).await?))
    }
}
