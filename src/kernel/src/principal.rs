//! Who is calling: resolved once per request from a token or a session cookie,
//! together with every permission the caller holds (so checks need no database).

use std::sync::Arc;

use crate::AppError;
use crate::access::{Allowed, Grants, Perm};
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
    pub grants: Arc<Grants>,
}

impl Principal {
    /// For operations reserved to the installation's operators.
    pub fn require_provider_admin(&self) -> Result<(), AppError> {
        if self.provider_admin { Ok(()) } else { Err(AppError::Forbidden) }
    }

    /// The permission check every org-scoped handler starts with.
    pub fn require(&self, org: uuid::Uuid, perm: Perm) -> Result<Allowed, AppError> {
        self.grants.check(org, perm)
    }

    pub fn may(&self, org: uuid::Uuid, perm: Perm) -> bool {
        self.grants.check(org, perm).is_ok()
    }
}
