//! Wire types of an organization's quotas.

use poem_openapi::Object;

/// `quotaRead`.
#[derive(Debug, Clone, Object)]
pub struct QuotaRead {
    pub kind: String,
    /// The limit.
    pub quantity: i64,
    /// `committed + reserved`.
    pub used: i64,
    /// `quantity - used`.
    pub free: i64,
    pub committed: i64,
    pub reserved: i64,
    #[oai(rename = "displayName")]
    pub display_name: String,
    pub description: String,
    pub default: i64,
}

/// `quotasRead`.
#[derive(Debug, Clone, Object)]
pub struct QuotasRead {
    pub quotas: Vec<QuotaRead>,
}

/// `quotaWrite`.
#[derive(Debug, Clone, Object)]
pub struct QuotaWrite {
    pub kind: String,
    pub quantity: i64,
}

/// `quotasWrite`.
#[derive(Debug, Clone, Object)]
pub struct QuotasWrite {
    pub quotas: Vec<QuotaWrite>,
}
