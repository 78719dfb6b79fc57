//! Roles and the caller's access control list.

use poem_openapi::Object;

use super::ReadMetadata;

/// `roleRead`: metadata only.
#[derive(Debug, Clone, Object)]
pub struct RoleRead {
    pub metadata: ReadMetadata,
}

/// `aclEndpoint`: a resource type and the operations allowed on it.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
pub struct AclEndpoint {
    pub name: String,
    pub operations: Vec<String>,
}

/// `aclScopedEndpoints`: endpoints allowed within one organization or project.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
pub struct AclScopedEndpoints {
    pub id: String,
    pub endpoints: Vec<AclEndpoint>,
}

/// `acl`: every key is left out when it would be empty.
#[derive(Debug, Clone, Default, Object)]
pub struct Acl {
    #[oai(skip_serializing_if_is_none)]
    pub global: Option<Vec<AclEndpoint>>,
    #[oai(skip_serializing_if_is_none)]
    pub organization: Option<AclScopedEndpoints>,
    #[oai(skip_serializing_if_is_none)]
    pub projects: Option<Vec<AclScopedEndpoints>>,
}

/// `(name, operations)` pairs as the wire shows them.
pub fn endpoints(pairs: Vec<(&'static str, Vec<&'static str>)>) -> Vec<AclEndpoint> {
    pairs
        .into_iter()
        .map(|(name, ops)| AclEndpoint {
            name: name.to_string(),
            operations: ops.into_iter().map(str::to_string).collect(),
        })
        .collect()
}

impl From<meshcloud_identity::core::roles::RoleRow> for RoleRead {
    fn from(r: meshcloud_identity::core::roles::RoleRow) -> Self {
        RoleRead {
            metadata: super::orgs::settled_metadata(
                r.role_name,
                r.description,
                "[]",
                r.uuid,
                r.created_at,
                None,
                r.updated_at,
                None,
            ),
        }
    }
}
