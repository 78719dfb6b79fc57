//! Turning real sources into a design, and a design back into manifests.
//! Pure functions: bytes in, a [`Design`] (or an [`ImportError`]) out;
//! nothing is stored here.
//!
//! What each converter keeps and drops:
//!
//! - [`kubernetes`] (multi-document YAML or JSON; `List` and `*List` kinds
//!   expanded): one component per object. `component.kind`/`component.version`
//!   are the object's `kind`/`apiVersion`, `displayName` is `metadata.name`,
//!   the model is the built-in `kubernetes` one ([`kubernetes_model`]) and
//!   `configuration` is the object without `apiVersion` and `kind`. Kept: all
//!   of `metadata` a person writes (name, namespace, labels, annotations,
//!   owner references, finalizers…), `spec`, `data`, `stringData`, `rules`
//!   and every other field. Dropped: `status`, the fields the API server
//!   fills in (`metadata.uid`, `resourceVersion`, `generation`,
//!   `creationTimestamp`, `managedFields`, `selfLink`, `deletionTimestamp`,
//!   `deletionGracePeriodSeconds`) and the
//!   `kubectl.kubernetes.io/last-applied-configuration` annotation.
//!   Component ids derive from kind/namespace/name, so importing the same
//!   objects again gives the same ids.
//! - [`compose`] (Compose v2, v3 and the versionless Compose Spec): the
//!   Kubernetes objects kompose would write, as components of the same
//!   shape; see that module for the kompose behaviours kept and left out.
//! - [`meshery`]: a Meshery design (YAML or JSON) as it is, after checking
//!   the schema's required fields; nothing is dropped.
//! - [`export::kubernetes`]: every deployable component (not an annotation)
//!   back to a manifest: `apiVersion`/`kind` from the component, the rest
//!   from its configuration.
//!
//! - [`helm`] (a chart archive, `.tgz`): the chart rendered as `helm
//!   template` would, its manifests then converted as [`kubernetes`] does;
//!   see that module for the built-in objects, functions and limits.

pub mod compose;
pub mod export;
pub mod helm;
pub mod kubernetes;
pub mod meshery;
pub(crate) mod yaml;

pub use compose::compose;
pub use helm::helm;
pub use kubernetes::kubernetes;
pub use meshery::meshery;

use crate::model::design::{COMPONENT_SCHEMA_VERSION, DESIGN_SCHEMA_VERSION};
use crate::model::{Component, ComponentKind, Design};
use crate::registry::{Registry, component_model_reference};
use serde_json::{Map, Value, json};
use std::fmt;
use std::sync::LazyLock;

/// The most objects (and YAML documents) one import may hold.
pub const MAX_OBJECTS: usize = 5_000;

/// The version of the built-in `kubernetes` model components refer to, and
/// the Kubernetes release its definitions follow.
pub const KUBERNETES_MODEL_VERSION: &str = "v1.31.0";

/// Why a source could not be turned into a design; `Display` is a sentence
/// for the person who sent the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// Not UTF-8 or not well-formed YAML; `line` is 1-based when known.
    NotYaml { line: Option<u64>, detail: String },
    /// A document (1-based, empty ones not counted) that is not a mapping;
    /// `line` is where it starts.
    NotMapping { document: usize, line: u64 },
    /// More than [`MAX_OBJECTS`] documents or objects.
    TooMany { limit: usize },
    /// A Compose file whose `version` is neither 2.x, 3.x nor absent.
    UnknownComposeVersion(String),
    /// The source parsed but says something that cannot be converted; the
    /// message names where (document index, service, or field path).
    Invalid(String),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotYaml { line: Some(line), detail } => write!(f, "not valid YAML (line {line}): {detail}"),
            Self::NotYaml { line: None, detail } => write!(f, "not valid YAML: {detail}"),
            Self::NotMapping { document, line } => write!(
                f,
                "document {document} (line {line}) is not a mapping of fields (an object such as `kind: Deployment`)"
            ),
            Self::TooMany { limit } => write!(f, "the file holds more than {limit} documents or objects"),
            Self::UnknownComposeVersion(v) => write!(
                f,
                "unknown Compose file version \"{v}\": supported are 2.x, 3.x and the versionless Compose Specification"
            ),
            Self::Invalid(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for ImportError {}

/// What kind of source a file is, as [`detect`] judges it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Kubernetes,
    Compose,
    Meshery,
    /// A gzip tarball: a Helm chart.
    Helm,
}

/// Which converter a file is for: gzip data is a Helm chart, a mapping with
/// `services` at the top a Compose file, one with `schemaVersion` and
/// `components` a Meshery design, anything else Kubernetes manifests. A file that does not parse is judged
/// by its name (`compose.yaml`, `docker-compose.yml`…) so the error comes
/// from the converter the person meant.
pub fn detect(bytes: &[u8], file_name: &str) -> Source {
    if helm::is_gzip(bytes) {
        return Source::Helm;
    }
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or_default().to_ascii_lowercase();
    let named_compose =
        base.starts_with("docker-compose") || base.starts_with("compose.") || base.starts_with("compose-");
    let Ok(docs) = yaml::documents(bytes) else {
        return if named_compose { Source::Compose } else { Source::Kubernetes };
    };
    match docs.as_slice() {
        [(_, Value::Object(top))] if top.get("services").is_some_and(Value::is_object) => Source::Compose,
        [(_, Value::Object(top))] if top.contains_key("schemaVersion") && top.contains_key("components") => {
            Source::Meshery
        }
        _ => Source::Kubernetes,
    }
}

/// Imports with the converter [`detect`] picks; `name` names the design
/// (a Meshery design keeps its own). `registry` holds the models objects
/// are mapped to (see [`kubernetes_component`]).
pub fn any(bytes: &[u8], file_name: &str, name: &str, registry: &Registry) -> Result<Design, ImportError> {
    any_with(bytes, file_name, name, None, registry)
}

/// [`any`], with the `values` that override a Helm chart's own (other
/// sources ignore them).
pub fn any_with(
    bytes: &[u8],
    file_name: &str,
    name: &str,
    values: Option<&Value>,
    registry: &Registry,
) -> Result<Design, ImportError> {
    match detect(bytes, file_name) {
        Source::Kubernetes => kubernetes(bytes, name, registry),
        Source::Compose => compose(bytes, name),
        Source::Meshery => meshery(bytes),
        Source::Helm => helm(bytes, name, values, registry),
    }
}

/// The reference to the built-in `kubernetes` model every converted object
/// carries, in the schema's model shape (registrant: Meshery's GitHub).
pub fn kubernetes_model() -> Map<String, Value> {
    static MODEL: LazyLock<Map<String, Value>> = LazyLock::new(model_reference);
    MODEL.clone()
}

fn model_reference() -> Map<String, Value> {
    let model = json!({
        "id": derived_id(&["model", "kubernetes", KUBERNETES_MODEL_VERSION]),
        "schemaVersion": "models.meshery.io/v1beta1",
        "version": KUBERNETES_MODEL_VERSION,
        "name": "kubernetes",
        "displayName": "Kubernetes",
        "status": "enabled",
        "registrant": {
            "id": derived_id(&["registrant", "github", "meshery"]),
            "schemaVersion": "connections.meshery.io/v1beta1",
            "name": "meshery", "kind": "github", "type": "registry", "sub_type": "", "status": "discovered"
        },
        "category": {"name": "Orchestration & Management"},
        "subCategory": "Scheduling & Orchestration",
        "model": {"version": KUBERNETES_MODEL_VERSION}
    });
    match model {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// A stable UUID from sha256 of the parts (joined by `/`): the same parts
/// always give the same id, so re-importing keeps ids.
pub(crate) fn derived_id(parts: &[&str]) -> String {
    let digest = meshcloud_kernel::crypto::sha256(parts.join("/").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid().to_string()
}

/// A design holding `components`, its id derived from the source bytes.
pub(crate) fn design_of(bytes: &[u8], name: &str, components: Vec<Component>) -> Design {
    let digest = meshcloud_kernel::crypto::sha256(bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Design {
        id: derived_id(&["design", &hex]),
        name: name.to_string(),
        schema_version: DESIGN_SCHEMA_VERSION.into(),
        version: "0.0.1".into(),
        metadata: Map::new(),
        components,
        relationships: Vec::new(),
        extra: Map::new(),
    }
}

/// Kinds of the built-in model that live outside namespaces.
const CLUSTER_SCOPED: &[&str] = &[
    "APIService",
    "CertificateSigningRequest",
    "ClusterRole",
    "ClusterRoleBinding",
    "ComponentStatus",
    "CSIDriver",
    "CSINode",
    "CustomResourceDefinition",
    "FlowSchema",
    "IngressClass",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "RuntimeClass",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
];

/// One component from an object already checked to have `kind`,
/// `apiVersion` and `metadata.name`; `configuration` is the object without
/// those two type fields. Its model is the registered one with a component
/// of the object's kind in its API group (a custom resource of a registered
/// CRD: `isNamespaced` is the definition's), else the built-in `kubernetes`.
pub(crate) fn kubernetes_component(
    kind: &str,
    api_version: &str,
    configuration: Map<String, Value>,
    registry: &Registry,
) -> Component {
    let meta = configuration.get("metadata").and_then(Value::as_object);
    let field = |k: &str| meta.and_then(|m| m.get(k)).and_then(Value::as_str).unwrap_or_default().to_string();
    let (name, namespace) = (field("name"), field("namespace"));
    let (model, namespaced) = match registry.resource_model(api_version, kind) {
        Some((m, def)) => (component_model_reference(m), def.is_namespaced),
        None => (kubernetes_model(), !CLUSTER_SCOPED.contains(&kind)),
    };
    let mut metadata = Map::new();
    metadata.insert("isNamespaced".into(), Value::Bool(namespaced));
    metadata.insert("isAnnotation".into(), Value::Bool(false));
    Component {
        id: derived_id(&["component", kind, &namespace, &name]),
        schema_version: COMPONENT_SCHEMA_VERSION.into(),
        version: "0.0.1".into(),
        display_name: name,
        description: String::new(),
        component: ComponentKind { kind: kind.into(), version: api_version.into(), schema: None, extra: Map::new() },
        model,
        configuration,
        metadata,
        extra: Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_told_apart() {
        let compose = b"services:\n  web:\n    image: nginx\n";
        assert_eq!(detect(compose, "anything.yaml"), Source::Compose);
        let meshery = br#"{"id": "x", "name": "d", "schemaVersion": "designs.meshery.io/v1beta1", "components": []}"#;
        assert_eq!(detect(meshery, "design.json"), Source::Meshery);
        let manifest = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkind: Secret\n";
        assert_eq!(detect(manifest, "app.yaml"), Source::Kubernetes);
        // A manifest whose object has a `services` field somewhere deeper is still a manifest.
        assert_eq!(detect(b"kind: List\nitems: []\n", "docker-compose.yml"), Source::Kubernetes);
        // Broken YAML goes where its name points, so the error fits.
        assert_eq!(detect(b"services: [\n", "docker-compose.yml"), Source::Compose);
        assert_eq!(detect(b"services: [\n", "app.yaml"), Source::Kubernetes);
    }

    #[test]
    fn derived_ids_are_stable_uuids() {
        let a = derived_id(&["component", "Deployment", "shop", "web"]);
        assert_eq!(a, derived_id(&["component", "Deployment", "shop", "web"]));
        assert_ne!(a, derived_id(&["component", "Deployment", "", "web"]));
        assert!(uuid::Uuid::parse_str(&a).is_ok());
    }

    #[test]
    fn errors_read_as_sentences() {
        let e = ImportError::NotYaml { line: Some(3), detail: "did not find expected key".into() };
        assert_eq!(e.to_string(), "not valid YAML (line 3): did not find expected key");
        assert!(ImportError::UnknownComposeVersion("9".into()).to_string().contains("\"9\""));
        assert!(ImportError::TooMany { limit: MAX_OBJECTS }.to_string().contains("5000"));
    }
}
