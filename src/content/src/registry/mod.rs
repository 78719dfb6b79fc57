//! The registry of models: their component kinds and relationship
//! definitions. The `kubernetes` model ships in the binary
//! (`models/kubernetes.json`); more are registered at run time.
//!
//! A relationship definition keeps the schema's shape (`kind`, `type`,
//! `subType`, `selectors` with `allow.from` / `allow.to`). How this family
//! reads a selector item's `match`:
//! - `match.from` (on a `from` item) and `match.to` (on a `to` item) list
//!   alternatives; each names paths (`mutatedRef` / `mutatorRef`) into the
//!   component: `configuration…`, `component.kind`, `displayName`, `id`.
//!   A `_` step stands for every element of an array or map; paths under the
//!   same `_` walk the same element together.
//! - The `i`-th `from` path is compared with the `i`-th `to` path by the
//!   `from` item's `match_strategy_matrix[i][0]`: `equal` (the default) or
//!   `subset` (the `from` map is non-empty and contained in the `to` map).
//! - A namespaced component without `metadata.namespace` is in `default`.
//!
//! Definitions are compiled once, when the model is registered, so an
//! evaluation only walks components.

mod compile;
pub mod crd;
pub mod package;
pub mod sheet;
pub mod source;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::Relationship;

pub use compile::{Alternative, CompiledDefinition, CompiledSelector, Side, Strategy};

const KUBERNETES: &str = include_str!("../../models/kubernetes.json");

/// The name of the built-in model, which no registration may replace.
pub const BUILTIN_MODEL: &str = "kubernetes";

/// The built-in models, parsed and compiled once.
static BUILTIN: LazyLock<Registry> = LazyLock::new(|| {
    let mut registry = Registry { models: BTreeMap::new() };
    if let Ok(kubernetes) = serde_json::from_str::<Model>(KUBERNETES) {
        let _ = registry.register(kubernetes);
    }
    registry
});

/// A model as registered: what it is, its component kinds and its
/// relationship definitions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Model {
    pub name: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub components: Vec<ComponentDefinition>,
    #[serde(default)]
    pub relationships: Vec<Relationship>,
    /// `model.version`, `registrant`, `category`… as the schema has them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One component kind of a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentDefinition {
    pub kind: String,
    /// The API version (`apps/v1`).
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub is_namespaced: bool,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The registered models, by name.
#[derive(Debug, Clone)]
pub struct Registry {
    models: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    model: Model,
    kinds: BTreeMap<String, usize>,
    compiled: Vec<CompiledDefinition>,
}

impl Registry {
    /// A registry holding only the built-in models (a copy of the ones
    /// compiled once). They are data checked by this module's tests, so one
    /// that did not load would fail them.
    pub fn builtin() -> Self {
        BUILTIN.clone()
    }

    /// The built-in models, shared: no copy.
    pub fn builtin_ref() -> &'static Registry {
        &BUILTIN
    }

    /// Adds a model, or replaces the one of the same name. Definition ids
    /// left empty are derived from the model and the definition, so they
    /// stay the same across restarts.
    pub fn register(&mut self, mut model: Model) -> Result<(), String> {
        if model.name.trim().is_empty() {
            return Err("a model needs a name".into());
        }
        let mut compiled = Vec::with_capacity(model.relationships.len());
        let reference = model_reference(&model);
        for (index, def) in model.relationships.iter_mut().enumerate() {
            if def.id.is_empty() {
                let seed = format!("{}\0{}\0{}\0{}\0{}", model.name, def.kind, def.rel_type, def.sub_type, index);
                def.id = crate::evaluate::uuid_from(seed.as_bytes());
            }
            if def.model.is_empty() {
                def.model = reference.clone();
            }
            compiled.push(compile::definition(&model.name, def)?);
        }
        let kinds = model.components.iter().enumerate().map(|(i, c)| (c.kind.clone(), i)).collect();
        self.models.insert(model.name.clone(), Entry { model, kinds, compiled });
        Ok(())
    }

    pub fn models(&self) -> impl Iterator<Item = &Model> {
        self.models.values().map(|e| &e.model)
    }

    pub fn model(&self, name: &str) -> Option<&Model> {
        self.models.get(name).map(|e| &e.model)
    }

    /// The definition of `kind` in model `model`.
    pub fn component(&self, model: &str, kind: &str) -> Option<&ComponentDefinition> {
        let entry = self.models.get(model)?;
        entry.kinds.get(kind).map(|&i| &entry.model.components[i])
    }

    /// The model a component belongs to: the one it names, else the first
    /// (by name) that defines its kind.
    pub fn model_of(&self, named: &str, kind: &str) -> Option<&str> {
        if !named.is_empty() {
            return self.models.get(named).map(|e| e.model.name.as_str());
        }
        self.models.values().find(|e| e.kinds.contains_key(kind)).map(|e| e.model.name.as_str())
    }

    /// The registered model (not the built-in one) and its component
    /// definition for an object of `kind` in API group of `api_version`
    /// (`cert-manager.io/v1` → `cert-manager.io`): a custom resource of a
    /// registered CRD. The definition of the same API version is preferred
    /// to another version of the same group and kind.
    pub fn resource_model(&self, api_version: &str, kind: &str) -> Option<(&Model, &ComponentDefinition)> {
        let group = api_group(api_version);
        let mut found = None;
        for entry in self.models.values().filter(|e| e.model.name != BUILTIN_MODEL && e.kinds.contains_key(kind)) {
            for c in entry.model.components.iter().filter(|c| c.kind == kind && api_group(&c.version) == group) {
                if c.version == api_version {
                    return Some((&entry.model, c));
                }
                found = found.or(Some((&entry.model, c)));
            }
        }
        found
    }

    /// The relationship definitions of a model, in the order it lists them.
    pub fn relationships(&self, model: &str) -> &[Relationship] {
        self.models.get(model).map(|e| e.model.relationships.as_slice()).unwrap_or_default()
    }

    /// The definitions of a model whose selectors name `kind` on either side.
    pub fn relationships_for_kind<'a>(
        &'a self,
        model: &str,
        kind: &'a str,
    ) -> impl Iterator<Item = &'a Relationship> + 'a {
        let entry = self.models.get(model);
        entry.into_iter().flat_map(move |e| {
            e.compiled.iter().zip(&e.model.relationships).filter(move |(c, _)| c.names_kind(kind)).map(|(_, r)| r)
        })
    }

    /// Every compiled definition with its source, models by name.
    pub(crate) fn compiled(&self) -> impl Iterator<Item = (&Relationship, &CompiledDefinition)> {
        self.models.values().flat_map(|e| e.model.relationships.iter().zip(&e.compiled))
    }

    /// Whether `kind` of `model` is namespaced (unknown kinds are not).
    pub(crate) fn is_namespaced(&self, model: &str, kind: &str) -> bool {
        self.component(model, kind).is_some_and(|c| c.is_namespaced)
    }
}

impl Default for Registry {
    fn default() -> Self {
        Registry::builtin()
    }
}

/// The API group of an `apiVersion` (empty for the core group's `v1`).
pub fn api_group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(group, _)| group)
}

/// The reference a component carries to a registered model, in the
/// schema's model shape (as `import::kubernetes_model` for the built-in).
pub fn component_model_reference(model: &Model) -> Map<String, Value> {
    let mut out = model_reference(model);
    for key in ["id", "status", "category", "subCategory"] {
        if let Some(v) = model.extra.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    out.insert("schemaVersion".into(), Value::String(source::MODEL_SCHEMA_VERSION.into()));
    out
}

/// The reference a relationship carries to its model (`name`, `version`,
/// `displayName`, `model.version`, `registrant`).
fn model_reference(model: &Model) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("name".into(), Value::String(model.name.clone()));
    out.insert("version".into(), Value::String(model.version.clone()));
    out.insert("displayName".into(), Value::String(model.display_name.clone()));
    for key in ["model", "registrant"] {
        if let Some(v) = model.extra.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_data_parses_and_compiles() {
        let model: Model = serde_json::from_str(KUBERNETES).expect("models/kubernetes.json parses");
        Registry { models: BTreeMap::new() }.register(model).expect("models/kubernetes.json compiles");
    }

    #[test]
    fn the_kubernetes_model_is_built_in() {
        let registry = Registry::builtin();
        let k8s = registry.model("kubernetes").expect("kubernetes is registered");
        for kind in [
            "Namespace",
            "Pod",
            "Deployment",
            "StatefulSet",
            "DaemonSet",
            "ReplicaSet",
            "Job",
            "CronJob",
            "Service",
            "Ingress",
            "ConfigMap",
            "Secret",
            "PersistentVolumeClaim",
            "PersistentVolume",
            "ServiceAccount",
            "Role",
            "RoleBinding",
            "ClusterRole",
            "ClusterRoleBinding",
            "StorageClass",
            "NetworkPolicy",
            "HorizontalPodAutoscaler",
        ] {
            assert!(registry.component("kubernetes", kind).is_some(), "{kind} is defined");
        }
        assert!(
            registry.component("kubernetes", "Deployment").is_some_and(|c| c.is_namespaced && c.version == "apps/v1")
        );
        assert!(registry.component("kubernetes", "Namespace").is_some_and(|c| !c.is_namespaced));
        assert!(registry.component("kubernetes", "ClusterRole").is_some_and(|c| !c.is_namespaced));
        let kinds: Vec<(&str, &str, &str)> =
            k8s.relationships.iter().map(|r| (r.kind.as_str(), r.rel_type.as_str(), r.sub_type.as_str())).collect();
        assert_eq!(
            kinds,
            [
                ("hierarchical", "parent", "inventory"),
                ("edge", "non-binding", "network"),
                ("edge", "binding", "mount"),
                ("edge", "binding", "reference"),
                ("edge", "binding", "permission"),
                ("sibling", "sibling", "matchLabels"),
            ]
        );
        assert!(
            k8s.relationships.iter().all(|r| uuid::Uuid::parse_str(&r.id).is_ok() && r.model["name"] == "kubernetes")
        );
    }

    #[test]
    fn definitions_are_answered_by_kind() {
        let registry = Registry::builtin();
        let subtypes: Vec<&str> =
            registry.relationships_for_kind("kubernetes", "ConfigMap").map(|r| r.sub_type.as_str()).collect();
        assert_eq!(subtypes, ["inventory", "mount", "reference", "matchLabels"]);
        assert_eq!(registry.relationships_for_kind("kubernetes", "Nothing").count(), 0);
        assert_eq!(registry.relationships_for_kind("nope", "Pod").count(), 0);
        assert_eq!(registry.model_of("", "Deployment"), Some("kubernetes"));
        assert_eq!(registry.model_of("other", "Deployment"), None);
    }

    #[test]
    fn a_registered_model_replaces_its_namesake_and_bad_selectors_are_refused() {
        let mut registry = Registry::builtin();
        let model: Model = serde_json::from_value(serde_json::json!({
            "name": "demo", "version": "v0.1.0",
            "components": [{"kind": "Widget", "version": "demo/v1"}],
            "relationships": [{"kind": "edge", "type": "binding", "subType": "reference",
                "selectors": [{"allow": {"from": [{"kind": "Widget", "match": {"from": [{"kind": "Widget", "mutatedRef": [["configuration", "ref"]]}]}}],
                                          "to": [{"kind": "Widget", "match": {"to": [{"kind": "Widget", "mutatorRef": [["displayName"]]}]}}]}}]}]
        }))
        .expect("parses");
        registry.register(model.clone()).expect("registers");
        assert_eq!(registry.models().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["demo", "kubernetes"]);
        assert_eq!(registry.relationships("demo").len(), 1);

        let mut bad = model;
        bad.relationships[0].selectors = vec![serde_json::json!({"allow": {"from": [{"kind": "Widget",
            "match": {"from": [{"kind": "Widget", "mutatedRef": [["configuration", "a"], ["configuration", "b"]]}]}}],
            "to": [{"kind": "Widget", "match": {"to": [{"kind": "Widget", "mutatorRef": [["displayName"]]}]}}]}})];
        assert!(registry.register(bad).is_err());
        assert_eq!(registry.relationships("demo").len(), 1, "the refused model left the registered one alone");
    }
}
