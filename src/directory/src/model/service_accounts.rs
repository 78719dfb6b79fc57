//! Wire types of service accounts.

use meshcloud_kernel::time::Timestamp;
use poem_openapi::Object;

use super::{ReadMetadata, WriteMetadata};

/// `serviceAccountSpec`.
#[derive(Debug, Clone, Object)]
pub struct ServiceAccountSpec {
    /// Groups the service account belongs to; their roles are what it may do.
    #[oai(rename = "groupIDs")]
    pub group_ids: Vec<String>,
}

/// `serviceAccountWrite`.
#[derive(Debug, Clone, Object)]
pub struct ServiceAccountWrite {
    pub metadata: WriteMetadata,
    pub spec: ServiceAccountSpec,
}

/// `serviceAccountStatus`.
#[derive(Debug, Clone, Object)]
pub struct ServiceAccountStatus {
    /// When the current token expires.
    pub expiry: Timestamp,
    /// The token itself: only in the answers to create and rotate.
    #[oai(rename = "accessToken", skip_serializing_if_is_none)]
    pub access_token: Option<String>,
}

/// `serviceAccountRead`, and `serviceAccountCreate` when the status carries the token.
#[derive(Debug, Clone, Object)]
pub struct ServiceAccountRead {
    pub metadata: ReadMetadata,
    pub spec: ServiceAccountSpec,
    pub status: ServiceAccountStatus,
}
