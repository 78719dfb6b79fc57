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

/// The stable label form of a core name, for `metadata.name`: names made
/// on the Layer5 face (spaces allowed), role names and e-mail addresses are
/// no label values, but every name this face shows is one. A name that is a
/// label stays as it is; otherwise accents are dropped (NFD without
/// combining marks), every run of other characters becomes one `-`, the ends
/// are trimmed to a letter or digit and the whole to 63 characters: "Default
/// Organization" is `Default-Organization`, `carol@a.example` is
/// `carol-a.example`. A name with no letter or digit to keep gets `n-` and a
/// hash of the name. The same name always gives the same label.
pub fn label(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    if resource_name(name).is_ok() {
        return name.to_string();
    }
    let mut out = String::with_capacity(name.len());
    for c in name.nfd().filter(|c| !is_combining_mark(*c)) {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let edge = |c: char| !c.is_ascii_alphanumeric();
    let trimmed = out.trim_matches(edge);
    // ASCII only by now, so any byte index is a character boundary.
    let trimmed = trimmed.get(..63).unwrap_or(trimmed).trim_end_matches(edge);
    if trimmed.is_empty() {
        // FNV-1a: stable across builds and platforms.
        let hash =
            name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        return format!("n-{hash:016x}");
    }
    trimmed.to_string()
}

/// A write's `metadata.name` against the stored core name: the name it has,
/// or the label form this face shows it by (a read written back unchanged),
/// keeps the stored name; any other is a new name, which must have passed
/// `renamed` (the rule for new names).
pub fn keep_or_rename<T>(sent: &mut String, stored: &str, renamed: AppResult<T>) -> AppResult<()> {
    if *sent == stored || *sent == label(stored) {
        *sent = stored.to_string();
        Ok(())
    } else {
        renamed.map(|_| ())
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

    #[test]
    fn every_name_has_a_stable_label() {
        for (name, want) in [
            ("devs", "devs"),
            ("Default Organization", "Default-Organization"),
            ("organization admin", "organization-admin"),
            ("carol@a.example", "carol-a.example"),
            ("  Équipe  d'été ", "Equipe-d-ete"),
            ("-x-", "x"),
        ] {
            assert_eq!(label(name), want, "{name}");
            assert!(resource_name(&label(name)).is_ok());
        }
        let long = format!("{} tail", "a".repeat(70));
        assert_eq!(label(&long), "a".repeat(63));
        let symbols = label("開発 チーム");
        assert!(resource_name(&symbols).is_ok() && symbols.starts_with("n-"), "{symbols}");
        assert_eq!(symbols, label("開発 チーム"), "stable");
        assert_ne!(symbols, label("運用"));
        let keep = |sent: &str| {
            let mut s = sent.to_string();
            keep_or_rename(&mut s, "My Team", Err::<(), _>(AppError::validation("a new name"))).map(|()| s)
        };
        assert_eq!(keep("My-Team").ok().as_deref(), Some("My Team"));
        assert_eq!(keep("My Team").ok().as_deref(), Some("My Team"));
        assert!(keep("Other").is_err());
    }
}
