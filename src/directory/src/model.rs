//! Wire types shared by every Identity resource: metadata, tags, statuses.

pub mod access;
pub mod groups;
pub mod orgs;
pub mod users;

pub mod projects;
pub mod providers;
pub mod quotas;
pub mod service_accounts;

use meshcloud_kernel::time::Timestamp;
use meshcloud_kernel::{AppError, AppResult};
use poem_openapi::{Enum, Object};

/// `{name, value}` — names unique within one resource.
#[derive(Debug, Clone, PartialEq, Eq, Object, serde::Serialize, serde::Deserialize)]
pub struct Tag {
    pub name: String,
    pub value: String,
}

/// `resourceWriteMetadata`.
#[derive(Debug, Clone, Object)]
pub struct WriteMetadata {
    /// Kubernetes label value: 1–63 of `[0-9A-Za-z-_.]`, alphanumeric at both ends.
    pub name: String,
    pub description: Option<String>,
    pub tags: Option<Vec<Tag>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum ProvisioningStatus {
    Unknown,
    Provisioning,
    Provisioned,
    Deprovisioning,
    Error,
}

impl ProvisioningStatus {
    pub fn from_db(s: &str) -> Self {
        match s {
            "provisioning" => Self::Provisioning,
            "provisioned" => Self::Provisioned,
            "deprovisioning" => Self::Deprovisioning,
            "error" => Self::Error,
            _ => Self::Unknown,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum HealthStatus {
    Unknown,
    Healthy,
    Degraded,
    Error,
}

impl HealthStatus {
    pub fn from_db(s: &str) -> Self {
        match s {
            "healthy" => Self::Healthy,
            "degraded" => Self::Degraded,
            "error" => Self::Error,
            _ => Self::Unknown,
        }
    }
}

/// `resourceReadMetadata`, with the organization and project ids that the
/// org- and project-scoped variants add (absent where they do not apply).
#[derive(Debug, Clone, Object)]
pub struct ReadMetadata {
    pub name: String,
    #[oai(skip_serializing_if_is_none)]
    pub description: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub tags: Option<Vec<Tag>>,
    pub id: String,
    #[oai(rename = "creationTime")]
    pub creation_time: Timestamp,
    #[oai(rename = "createdBy", skip_serializing_if_is_none)]
    pub created_by: Option<String>,
    #[oai(rename = "modifiedTime", skip_serializing_if_is_none)]
    pub modified_time: Option<Timestamp>,
    #[oai(rename = "modifiedBy", skip_serializing_if_is_none)]
    pub modified_by: Option<String>,
    #[oai(rename = "deletionTime", skip_serializing_if_is_none)]
    pub deletion_time: Option<Timestamp>,
    #[oai(rename = "provisioningStatus")]
    pub provisioning_status: ProvisioningStatus,
    #[oai(rename = "healthStatus")]
    pub health_status: HealthStatus,
    #[oai(rename = "organizationId", skip_serializing_if_is_none)]
    pub organization_id: Option<String>,
    #[oai(rename = "projectId", skip_serializing_if_is_none)]
    pub project_id: Option<String>,
}

/// Validated write metadata, ready to store.
#[derive(Debug, Clone)]
pub struct CheckedMetadata {
    pub name: String,
    pub description: String,
    /// JSON array of tags.
    pub tags: String,
}

/// The reference's resource-name rule: a Kubernetes label value.
pub fn resource_name(value: &str) -> AppResult<String> {
    let b = value.as_bytes();
    let inner_ok = |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.');
    let ok = !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(inner_ok);
    if ok {
        Ok(value.to_string())
    } else {
        Err(AppError::validation(
            "metadata.name must be 1-63 characters of [0-9A-Za-z-_.], starting and ending with a letter or digit",
        ))
    }
}

impl WriteMetadata {
    pub fn check(&self) -> AppResult<CheckedMetadata> {
        resource_name(&self.name)?;
        self.check_keeping_name()
    }

    /// As `check`, without the name rule: for an update that sends back a
    /// name the resource already has (one made on the Layer5 face, whose
    /// names may hold spaces). The caller compares it with the stored name.
    pub fn check_keeping_name(&self) -> AppResult<CheckedMetadata> {
        let name = meshcloud_kernel::validate::name("metadata.name", &self.name, 255)?;
        let description =
            meshcloud_kernel::validate::text("metadata.description", self.description.as_deref().unwrap_or(""), 5000)?;
        let tags = self.tags.clone().unwrap_or_default();
        let mut names: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
        names.sort_unstable();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return Err(AppError::validation("metadata.tags names must be unique"));
        }
        if tags.iter().any(|t| t.name.is_empty() || t.name.len() > 253 || t.value.len() > 1024) {
            return Err(AppError::validation("metadata.tags need a name (at most 253 characters) and a value"));
        }
        Ok(CheckedMetadata { name, description, tags: serde_json::to_string(&tags)? })
    }
}

/// Tags as stored (a JSON array), for reading back; absent when empty.
pub fn tags_from_db(raw: &str) -> Option<Vec<Tag>> {
    serde_json::from_str::<Vec<Tag>>(raw).ok().filter(|t| !t.is_empty())
}

/// A description for reading back; absent when empty.
pub fn description_from_db(raw: String) -> Option<String> {
    (!raw.is_empty()).then_some(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_label_rule() {
        for ok in ["a", "A9", "my-org.v2_x", &"a".repeat(63)] {
            assert!(resource_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-a", "a-", "a b", "ä", &"a".repeat(64), ".a"] {
            assert!(resource_name(bad).is_err(), "{bad}");
        }
    }
}
