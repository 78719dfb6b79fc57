//! Credential extraction: a bearer security token, or the web session cookie
//! (which must carry the `X-CSRF-Token` header on state-changing requests).

use meshcloud_kernel::AppError;
use meshcloud_kernel::principal::Principal;
use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::{ApiKey, Bearer};

use crate::Identity;
use crate::service::auth::csrf_token;

pub const SESSION_COOKIE: &str = "meshcloud_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

fn identity(req: &Request) -> poem::Result<&Identity> {
    req.data::<Identity>().ok_or_else(|| AppError::internal("identity service not installed").into())
}

/// `Authorization: Bearer <security token>`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "check_bearer")]
pub struct BearerAuth(Principal);

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<Principal> {
    Ok(identity(req)?.authenticate(&bearer.token, false).await?)
}

/// The web UI's session cookie.
#[derive(SecurityScheme)]
#[oai(ty = "api_key", key_name = "meshcloud_session", key_in = "cookie", checker = "check_session")]
pub struct SessionAuth(Principal);

async fn check_session(req: &Request, key: ApiKey) -> poem::Result<Principal> {
    let principal = identity(req)?.authenticate(&key.key, true).await?;
    if !req.method().is_safe() {
        let sent = req.header(CSRF_HEADER).unwrap_or_default();
        let expected = csrf_token(&key.key);
        if !meshcloud_kernel::crypto::ct_eq(sent.as_bytes(), expected.as_bytes()) {
            return Err(AppError::Forbidden.into());
        }
    }
    Ok(principal)
}

/// Either credential; every authenticated operation takes this.
#[derive(SecurityScheme)]
pub enum Auth {
    Session(SessionAuth),
    Bearer(BearerAuth),
}

impl Auth {
    pub fn principal(&self) -> &Principal {
        match self {
            Auth::Session(SessionAuth(p)) | Auth::Bearer(BearerAuth(p)) => p,
        }
    }
}
