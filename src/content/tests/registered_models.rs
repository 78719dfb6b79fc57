//! Registered models take part: a package's relationship definitions are
//! evaluated, and custom resources of registered CRDs import as components
//! of their model.

use std::path::Path;

use meshcloud_content::evaluate::evaluate;
use meshcloud_content::import;
use meshcloud_content::registry::Registry;
use meshcloud_content::registry::source::{self, FileOptions};
use serde_json::json;

/// The committed package directory as a `.tar.gz`, as Meshery exports one.
#[allow(clippy::expect_used)]
fn package() -> Vec<u8> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/models/package");
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    tar.append_dir_all(".", &dir).expect("packs");
    tar.into_inner().expect("tar").finish().expect("gzip")
}

#[test]
fn a_package_registers_and_its_relationships_are_evaluated() {
    let models = source::file(&package(), &FileOptions::default()).expect("reads the package");
    assert_eq!(models.len(), 1);
    let gizmo = &models[0];
    assert_eq!((gizmo.name.as_str(), gizmo.version.as_str()), ("gizmo", "v1.0.0"));
    let mut kinds: Vec<&str> = gizmo.components.iter().map(|c| c.kind.as_str()).collect();
    kinds.sort();
    assert_eq!(kinds, ["Gizmo", "GizmoClass"]);
    assert_eq!(gizmo.relationships.len(), 1);
    assert_eq!(gizmo.extra["model"], json!({"version": "v2.4.1"}));

    let mut registry = Registry::builtin();
    registry.register(gizmo.clone()).expect("registers");
    let design = serde_json::from_value(json!({"name": "g", "components": [
        {"id": "a", "displayName": "g1", "component": {"kind": "Gizmo", "version": "gizmos.example.com/v1"},
         "model": {"name": "gizmo"}, "configuration": {"metadata": {"name": "g1"}, "spec": {"className": "fast"}}},
        {"id": "b", "displayName": "fast", "component": {"kind": "GizmoClass", "version": "gizmos.example.com/v1"},
         "model": {"name": "gizmo"}, "configuration": {"metadata": {"name": "fast"}}}
    ]}))
    .expect("a design");
    let res = evaluate(&design, &registry, meshcloud_kernel::time::now());
    let rels = &res.design.relationships;
    assert_eq!(rels.len(), 1, "{rels:#?}");
    assert_eq!((rels[0].kind.as_str(), rels[0].sub_type.as_str()), ("edge", "reference"));
    assert_eq!(rels[0].selectors[0]["allow"]["from"][0]["id"], "a");
    assert_eq!(rels[0].selectors[0]["allow"]["to"][0]["id"], "b");
    // Without the model, nothing relates them.
    assert!(evaluate(&design, &Registry::builtin(), meshcloud_kernel::time::now()).design.relationships.is_empty());
}

#[test]
fn custom_resources_of_a_registered_crd_take_its_model() {
    let crds = include_bytes!("data/models/widgets-crd.yaml");
    let model = source::file(crds, &FileOptions::default()).expect("converts").remove(0);
    let mut registry = Registry::builtin();
    registry.register(model).expect("registers");
    let manifests = include_bytes!("data/models/widget-manifests.yaml");
    let design = import::kubernetes(manifests, "shop", &registry).expect("imports");
    let by_kind = |k: &str| design.components.iter().find(|c| c.component.kind == k).expect("component");
    let widget = by_kind("Widget");
    assert_eq!(widget.model["name"], "widgets.example.com");
    assert_eq!(widget.model["version"], "v1.0.0");
    assert_eq!(widget.metadata["isNamespaced"], true);
    assert_eq!(by_kind("Gadget").metadata["isNamespaced"], false);
    assert_eq!(by_kind("ConfigMap").model["name"], "kubernetes");
    // Without the registration the same objects are the built-in model's.
    let plain = import::kubernetes(manifests, "shop", Registry::builtin_ref()).expect("imports");
    assert!(plain.components.iter().all(|c| c.model["name"] == "kubernetes"));
}
