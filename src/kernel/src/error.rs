//! The one application error. Every face renders it in its own wire format
//! (see `http::face`); the mapping from kind to status lives here, once.

use std::fmt;

use poem::http::StatusCode;

/// What went wrong, in terms a client can act on.
#[derive(Debug)]
pub enum AppError {
    /// The entity does not exist, or the caller may not know that it does.
    NotFound,
    /// As `NotFound`, where the face documents its own wording for it
    /// (Layer5's "Organization not found").
    NotFoundAs(&'static str),
    /// Input is malformed or breaks a rule; the message says which.
    Validation(String),
    /// The change collides with existing state (a taken name, an existing
    /// membership, a stale reference, a rule). 409 where the face documents
    /// it; the Layer5 face documents only 400 for it.
    Conflict(String),
    /// A create the organization's plan does not allow (the message names the
    /// feature, its limit and the plan). A 400 on every face, with its own code.
    Entitlement(String),
    /// No credential, or one that is unknown, expired or revoked.
    Unauthenticated,
    /// A valid credential without the privilege for this operation.
    Forbidden,
    /// An OAuth access token without the scope this API needs (RFC 6750
    /// §3.1): `Forbidden` to every face, plus the scope in `WWW-Authenticate`.
    InsufficientScope(&'static str),
    /// Too many attempts; try again after the given number of seconds.
    RateLimited { retry_after_secs: u64 },
    /// The store is busy or a wait timed out; safe to retry.
    Unavailable { retry_after_secs: u64 },
    /// An OAuth 2.0 protocol error with its registered code (`invalid_grant`,
    /// `invalid_client`, ...) and a description for the client.
    OAuth(&'static str, String),
    /// A bug or an environment failure. Logged; never echoed to the client.
    Internal(String),
}

/// Stable machine codes, shared by every face that has a place for one.
impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound | AppError::NotFoundAs(_) => "not_found",
            AppError::Validation(_) => "invalid_request",
            AppError::Conflict(_) => "conflict",
            AppError::Entitlement(_) => "entitlement_exceeded",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden | AppError::InsufficientScope(_) => "forbidden",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Unavailable { .. } => "unavailable",
            AppError::OAuth(code, _) => code,
            AppError::Internal(_) => "internal",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound | AppError::NotFoundAs(_) => StatusCode::NOT_FOUND,
            AppError::Validation(_) | AppError::Entitlement(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::InsufficientScope(_) => StatusCode::FORBIDDEN,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::OAuth("access_denied" | "invalid_scope", _) => StatusCode::UNAUTHORIZED,
            AppError::OAuth(..) => StatusCode::BAD_REQUEST,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The detail a client may see (internal errors have none).
    pub fn detail(&self) -> Option<&str> {
        match self {
            AppError::Validation(m) | AppError::Conflict(m) | AppError::Entitlement(m) | AppError::OAuth(_, m) => {
                Some(m)
            }
            AppError::NotFoundAs(m) => Some(m),
            _ => None,
        }
    }

    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::RateLimited { retry_after_secs } | AppError::Unavailable { retry_after_secs } => {
                Some(*retry_after_secs)
            }
            _ => None,
        }
    }

    pub fn validation(msg: impl Into<String>) -> Self {
        AppError::Validation(msg.into())
    }

    pub fn conflict(msg: impl Into<String>) -> Self {
        AppError::Conflict(msg.into())
    }

    pub fn internal(msg: impl fmt::Display) -> Self {
        AppError::Internal(msg.to_string())
    }

    pub fn oauth(code: &'static str, description: impl Into<String>) -> Self {
        AppError::OAuth(code, description.into())
    }

    pub fn busy() -> Self {
        AppError::Unavailable { retry_after_secs: 1 }
    }

    /// For operations whose reference documents no 404: an id the request
    /// names (in its body or query) that does not resolve, or that the caller
    /// may not see, is bad input. The answer is the same either way, so it
    /// still reveals nothing.
    pub fn unresolved(self, message: &str) -> Self {
        match self {
            AppError::NotFound | AppError::NotFoundAs(_) => AppError::Validation(message.into()),
            e => e,
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::NotFound => f.write_str("not found"),
            AppError::NotFoundAs(m) => f.write_str(m),
            AppError::Validation(m) => write!(f, "invalid request: {m}"),
            AppError::Conflict(m) => write!(f, "conflict: {m}"),
            AppError::Entitlement(m) => write!(f, "not entitled: {m}"),
            AppError::Unauthenticated => f.write_str("unauthenticated"),
            AppError::Forbidden => f.write_str("insufficient privilege"),
            AppError::InsufficientScope(s) => write!(f, "the access token lacks the scope {s}"),
            AppError::RateLimited { .. } => f.write_str("too many requests"),
            AppError::Unavailable { .. } => f.write_str("service unavailable"),
            AppError::OAuth(code, m) => write!(f, "{code}: {m}"),
            AppError::Internal(m) => write!(f, "internal error: {m}"),
        }
    }
}

impl std::error::Error for AppError {}

/// Lets handlers return `Result<_, AppError>`; the face middleware renders it.
impl poem::error::ResponseError for AppError {
    fn status(&self) -> StatusCode {
        AppError::status(self)
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match &e {
            rusqlite::Error::QueryReturnedNoRows => AppError::NotFound,
            rusqlite::Error::SqliteFailure(f, msg) => match f.code {
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => AppError::busy(),
                ErrorCode::ConstraintViolation => {
                    let m = msg.as_deref().unwrap_or("constraint violation");
                    if m.contains("UNIQUE") {
                        AppError::Conflict("an entity with these unique fields already exists".into())
                    } else if m.contains("FOREIGN KEY") {
                        AppError::Conflict("a referenced entity does not exist or is still referenced".into())
                    } else {
                        AppError::Validation(m.to_string())
                    }
                }
                _ => AppError::Internal(e.to_string()),
            },
            _ => AppError::Internal(e.to_string()),
        }
    }
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> Self {
        AppError::Internal(format!("json: {e}"))
    }
}

pub type AppResult<T> = Result<T, AppError>;
