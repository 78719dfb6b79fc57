//! Groups (core teams) as the Identity face shows them.

use poem_openapi::Object;

use super::{ReadMetadata, WriteMetadata};

/// `groupSpec`: members by kind, and the roles the group carries.
#[derive(Debug, Clone, Object)]
pub struct GroupSpec {
    #[oai(rename = "userIDs")]
    pub user_ids: Vec<String>,
    #[oai(rename = "serviceAccountIDs")]
    pub service_account_ids: Vec<String>,
    #[oai(rename = "roleIDs")]
    pub role_ids: Vec<String>,
}

/// `groupRead`.
#[derive(Debug, Clone, Object)]
pub struct GroupRead {
    pub metadata: ReadMetadata,
    pub spec: GroupSpec,
}

/// `groupWrite`.
#[derive(Debug, Clone, Object)]
pub struct GroupWrite {
    pub metadata: WriteMetadata,
    pub spec: GroupSpec,
}

impl GroupRead {
    pub fn render(g: crate::store::groups::GroupRow, spec: GroupSpec) -> Self {
        let metadata = super::orgs::settled_metadata(
            g.name,
            g.description,
            &g.tags,
            g.uuid,
            g.created_at,
            g.created_by,
            g.updated_at,
            Some(g.org_uuid),
        );
        GroupRead { metadata, spec }
    }
}
