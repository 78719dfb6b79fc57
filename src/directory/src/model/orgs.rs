//! Organizations as the Identity face shows them.

use poem_openapi::{Enum, Object};

use super::{ReadMetadata, WriteMetadata};

/// How members sign in: chosen provider (`adhoc`) or by e-mail domain (`domain`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum OrganizationType {
    Adhoc,
    Domain,
}

impl OrganizationType {
    pub fn as_db(self) -> &'static str {
        match self {
            Self::Adhoc => "adhoc",
            Self::Domain => "domain",
        }
    }

    pub fn from_db(s: &str) -> Self {
        if s == "domain" { Self::Domain } else { Self::Adhoc }
    }
}

/// Where `providerID` is looked up: the installation's providers or the org's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum ProviderScope {
    Global,
    Organization,
}

impl ProviderScope {
    pub fn as_db(self) -> &'static str {
        match self {
            Self::Global => "global",
            Self::Organization => "organization",
        }
    }

    pub fn from_db(s: &str) -> Option<Self> {
        match s {
            "global" => Some(Self::Global),
            "organization" => Some(Self::Organization),
            _ => None,
        }
    }
}

/// `organizationSpec`.
#[derive(Debug, Clone, Object)]
pub struct OrganizationSpec {
    #[oai(rename = "organizationType")]
    pub organization_type: OrganizationType,
    #[oai(skip_serializing_if_is_none)]
    pub domain: Option<String>,
    #[oai(rename = "providerScope", skip_serializing_if_is_none)]
    pub provider_scope: Option<ProviderScope>,
    #[oai(rename = "providerID", skip_serializing_if_is_none)]
    pub provider_id: Option<String>,
    /// Unused (as in the reference); accepted and not stored.
    #[oai(rename = "googleCustomerID", skip_serializing_if_is_none)]
    pub google_customer_id: Option<String>,
}

/// `organizationRead`.
#[derive(Debug, Clone, Object)]
pub struct OrganizationRead {
    pub metadata: ReadMetadata,
    pub spec: OrganizationSpec,
}

/// `organizationWrite`.
#[derive(Debug, Clone, Object)]
pub struct OrganizationWrite {
    pub metadata: WriteMetadata,
    pub spec: OrganizationSpec,
}

/// Metadata of a resource that needs no provisioning (already there, healthy).
#[allow(clippy::too_many_arguments)]
pub fn settled_metadata(
    name: String,
    description: String,
    tags: &str,
    id: uuid::Uuid,
    created: meshcloud_kernel::time::Timestamp,
    created_by: Option<String>,
    modified: meshcloud_kernel::time::Timestamp,
    org: Option<uuid::Uuid>,
) -> ReadMetadata {
    ReadMetadata {
        name: super::label(&name),
        description: super::description_from_db(description),
        tags: super::tags_from_db(tags),
        id: id.to_string(),
        creation_time: created,
        created_by,
        modified_time: Some(modified),
        modified_by: None,
        deletion_time: None,
        provisioning_status: super::ProvisioningStatus::Provisioned,
        health_status: super::HealthStatus::Healthy,
        organization_id: org.map(|o| o.to_string()),
        project_id: None,
    }
}

impl From<crate::store::orgs::IdOrgRow> for OrganizationRead {
    fn from(o: crate::store::orgs::IdOrgRow) -> Self {
        let provisioning = super::ProvisioningStatus::from_db(&o.provisioning_status);
        let mut metadata =
            settled_metadata(o.name, o.description, &o.tags, o.uuid, o.created_at, o.created_by, o.updated_at, None);
        metadata.provisioning_status = provisioning;
        metadata.health_status = super::HealthStatus::from_db(&o.health_status);
        // Deletion is requested by the last change of a deprovisioning org.
        if provisioning == super::ProvisioningStatus::Deprovisioning {
            metadata.deletion_time = Some(o.updated_at);
        }
        OrganizationRead {
            metadata,
            spec: OrganizationSpec {
                organization_type: OrganizationType::from_db(&o.organization_type),
                domain: o.domain,
                provider_scope: o.provider_scope.as_deref().and_then(ProviderScope::from_db),
                provider_id: o.provider_id,
                google_customer_id: None,
            },
        }
    }
}
