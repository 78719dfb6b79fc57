//! The design document (Meshery's `PatternFile`, schema v1beta1): components,
//! the relationships between them, metadata and a SemVer revision.
//!
//! The fields the family reads and writes are typed; everything else a
//! document carries (styles, capabilities, model details, preferences…) is
//! kept as it came in `extra`, so a document read and written back loses
//! nothing.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The schema version designs are written with.
pub const DESIGN_SCHEMA_VERSION: &str = "designs.meshery.io/v1beta1";
pub const COMPONENT_SCHEMA_VERSION: &str = "components.meshery.io/v1beta1";
pub const RELATIONSHIP_SCHEMA_VERSION: &str = "relationships.meshery.io/v1alpha3";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Design {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default = "design_schema_version")]
    pub schema_version: String,
    /// The revision, `MAJOR.MINOR.PATCH`; a saved change bumps it.
    #[serde(default = "first_version")]
    pub version: String,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub metadata: Map<String, Value>,
    #[serde(default)]
    pub components: Vec<Component>,
    #[serde(default)]
    pub relationships: Vec<Relationship>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One declared component: an instance of a model's component definition
/// (`component.kind` of `model.name`), configured by `configuration`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Component {
    #[serde(default)]
    pub id: String,
    #[serde(default = "component_schema_version")]
    pub schema_version: String,
    #[serde(default = "first_version")]
    pub version: String,
    /// The instance's name (for Kubernetes objects, `metadata.name`).
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub component: ComponentKind,
    /// The model reference as the schema has it (`name`, `version`,
    /// `displayName`, `registrant`, `model.version`…).
    #[serde(default)]
    pub model: Map<String, Value>,
    /// The object itself without its type, which `component` holds (for
    /// Kubernetes: metadata, spec, data… but not apiVersion and kind).
    #[serde(default)]
    pub configuration: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub metadata: Map<String, Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What the component is in its registrant's terms: a Kubernetes kind and
/// its API version, with the JSON schema of its configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentKind {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub version: String,
    /// As sent: absent stays absent, an empty one stays (the schema
    /// requires the field, so an empty value must not vanish).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A relationship between components (or a definition of one in a model):
/// `kind` hierarchical / edge / sibling, refined by `type` and `subType`;
/// `selectors` say which components it joins (kept as the schema has them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Relationship {
    #[serde(default)]
    pub id: String,
    #[serde(default = "relationship_schema_version")]
    pub schema_version: String,
    #[serde(default = "first_version")]
    pub version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(rename = "type", default)]
    pub rel_type: String,
    #[serde(default)]
    pub sub_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default)]
    pub selectors: Vec<Value>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub model: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub metadata: Map<String, Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn design_schema_version() -> String {
    DESIGN_SCHEMA_VERSION.into()
}
fn component_schema_version() -> String {
    COMPONENT_SCHEMA_VERSION.into()
}
fn relationship_schema_version() -> String {
    RELATIONSHIP_SCHEMA_VERSION.into()
}
fn first_version() -> String {
    "0.0.1".into()
}

/// The next patch revision of a SemVer `version` ("0.0.9" → "0.0.10");
/// anything that is not three numbers starts again at "0.0.1".
pub fn bump_patch(version: &str) -> String {
    let parts: Vec<u64> = version.trim_start_matches('v').split('.').filter_map(|p| p.parse().ok()).collect();
    match parts.as_slice() {
        [major, minor, patch] if version.trim_start_matches('v').split('.').count() == 3 => {
            format!("{major}.{minor}.{}", patch + 1)
        }
        _ => first_version(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_round_trips_without_losing_fields() {
        let doc = serde_json::json!({
            "id": "8a6b1b0e-0f0e-4a5e-9c3b-1b2c3d4e5f60", "name": "web", "schemaVersion": DESIGN_SCHEMA_VERSION,
            "version": "0.0.3", "preferences": {"layers": {}},
            "components": [{"id": "c1", "schemaVersion": COMPONENT_SCHEMA_VERSION, "version": "0.0.1",
                            "displayName": "nginx", "description": "", "component": {"kind": "Deployment", "version": "apps/v1"},
                            "model": {"name": "kubernetes"}, "configuration": {"spec": {"replicas": 2}},
                            "styles": {"primaryColor": "#00B39F"}}],
            "relationships": [{"id": "r1", "schemaVersion": RELATIONSHIP_SCHEMA_VERSION, "version": "0.0.1",
                               "kind": "hierarchical", "type": "parent", "subType": "inventory",
                               "selectors": [{"allow": {"from": [], "to": []}}], "evaluationQuery": "x"}]
        });
        let design: Design = serde_json::from_value(doc.clone()).expect("parses");
        assert_eq!(design.components[0].component.kind, "Deployment");
        assert_eq!(design.relationships[0].rel_type, "parent");
        assert_eq!(serde_json::to_value(&design).expect("serializes"), doc);
    }

    #[test]
    fn missing_required_fields_get_their_defaults() {
        let design: Design = serde_json::from_value(serde_json::json!({"name": "bare"})).expect("parses");
        assert_eq!((design.schema_version.as_str(), design.version.as_str()), (DESIGN_SCHEMA_VERSION, "0.0.1"));
        assert!(design.components.is_empty() && design.relationships.is_empty());
    }

    #[test]
    fn versions_bump_their_patch() {
        assert_eq!(bump_patch("0.0.9"), "0.0.10");
        assert_eq!(bump_patch("v1.2.3"), "1.2.4");
        assert_eq!(bump_patch("nonsense"), "0.0.1");
        assert_eq!(bump_patch("1.2"), "0.0.1");
    }
}
