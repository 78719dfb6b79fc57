//! Wire DTOs of the Layer5 face for pattern resources (the reference
//! documents no body; the shape is meshcloud's, see docs/content.md): ids
//! and times in the face's snake_case, `kind` and `apiVersion` as
//! Kubernetes spells them.

use meshcloud_kernel::http::types::Time;
use poem_openapi::Object;
use serde_json::Value;

use crate::service::resources::Resource;
use crate::store::resources::ResourceRow;

/// One Kubernetes resource a design describes: one component of it.
#[derive(Debug, Clone, Object)]
pub struct PatternResource {
    /// The resource's id: kept across the design's versions while the
    /// component keeps its id.
    pub id: uuid::Uuid,
    pub design_id: uuid::Uuid,
    /// The component's id in the design document.
    pub component_id: String,
    /// `metadata.name` (the component's `displayName`).
    pub name: String,
    /// `metadata.namespace`; empty when the component names none.
    pub namespace: String,
    pub kind: String,
    #[oai(rename = "apiVersion")]
    pub api_version: String,
    /// The model's name (`kubernetes`).
    pub model: String,
    /// The design's current version.
    pub version: String,
    /// The object without `apiVersion` and `kind` (get and save only).
    #[oai(skip_serializing_if_is_none)]
    pub configuration: Option<Value>,
    pub created_at: Time,
    pub updated_at: Time,
}

impl From<ResourceRow> for PatternResource {
    fn from(r: ResourceRow) -> Self {
        PatternResource {
            id: r.uuid,
            design_id: r.design_uuid,
            component_id: r.component_id,
            name: r.name,
            namespace: r.namespace,
            kind: r.kind,
            api_version: r.api_version,
            model: r.model,
            version: r.version,
            configuration: None,
            created_at: r.created_at.into(),
            updated_at: r.updated_at.into(),
        }
    }
}

impl From<Resource> for PatternResource {
    fn from(r: Resource) -> Self {
        PatternResource { configuration: r.configuration.map(Value::Object), ..r.row.into() }
    }
}

/// A page of resources, paged as the designs list is.
#[derive(Debug, Clone, Object)]
pub struct PatternResourcesPage {
    pub resources: Vec<PatternResource>,
    pub page: u64,
    pub page_size: u64,
    pub total_count: u64,
}

/// Body of a save: `id` changes that resource, else `design_id` gets a new
/// component. `configuration` is the object's body (spec, data…);
/// `name` and `namespace` win over its `metadata`.
#[derive(Debug, Clone, Object)]
pub struct SaveResourcePayload {
    pub id: Option<String>,
    pub design_id: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub kind: Option<String>,
    #[oai(rename = "apiVersion")]
    pub api_version: Option<String>,
    pub configuration: Option<Value>,
}
