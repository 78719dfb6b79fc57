//! Who is calling: resolved once per request from a token or a session cookie.

use crate::AppError;
use crate::ids::{TokenId, UserId};

#[derive(Debug, Clone)]
pub struct Principal {
    pub user: UserId,
    pub user_uuid: uuid::Uuid,
    pub email: String,
    /// Operator of this meshcloud installation: sees and manages every org.
    pub provider_admin: bool,
    /// The credential used, so that a caller can be told which of its tokens is current.
    pub token: TokenId,
    pub via_session: bool,
}

impl Principal {
    /// For operations reserved to the installation's operators.
    pub fn require_provider_admin(&self) -> Result<(), AppError> {
        if self.provider_admin { Ok(()) } else { Err(AppError::Forbidden) }
    }
}
