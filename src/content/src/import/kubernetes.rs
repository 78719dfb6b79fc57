//! Kubernetes manifests (multi-document YAML or JSON, `List` kinds
//! expanded) into a design: one `kubernetes` component per object.

use super::{ImportError, MAX_OBJECTS, design_of, kubernetes_component, yaml};
use crate::model::{Component, Design};
use crate::registry::Registry;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Fields the API server fills in: meaningless in a design, and they would
/// make `kubectl apply` of the exported manifests fail or conflict.
const SERVER_METADATA: &[&str] = &[
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
];
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Imports a set of manifests as the design `name`. Objects must have
/// `kind`, `apiVersion` and `metadata.name`; an error names the document
/// (1-based, empty documents not counted) and the line it starts on.
/// `registry` maps custom resources of registered CRDs to their model.
pub fn kubernetes(bytes: &[u8], name: &str, registry: &Registry) -> Result<Design, ImportError> {
    let mut objects = Vec::new();
    for (index, (line, doc)) in yaml::documents(bytes)?.into_iter().enumerate() {
        let Value::Object(object) = doc else {
            return Err(ImportError::NotMapping { document: index + 1, line });
        };
        let at = format!("document {} (line {line})", index + 1);
        expand(object, &at, None, &mut objects)?;
    }
    let components = components(objects, registry)?;
    Ok(design_of(bytes, name, components))
}

/// Components for objects already expanded and labelled with where they
/// came from; refuses an object given twice (same kind, namespace, name).
pub(crate) fn components(
    objects: Vec<(String, Map<String, Value>)>,
    registry: &Registry,
) -> Result<Vec<Component>, ImportError> {
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut components = Vec::with_capacity(objects.len());
    for (at, object) in objects {
        let component = component(object, &at, registry)?;
        let meta = component.configuration.get("metadata").and_then(Value::as_object);
        let namespace = meta.and_then(|m| m.get("namespace")).and_then(Value::as_str).unwrap_or_default();
        let key = match namespace {
            "" => format!("{} {}", component.component.kind, component.display_name),
            ns => format!("{} {ns}/{}", component.component.kind, component.display_name),
        };
        if let Some(first) = seen.insert(component.id.clone(), at.clone()) {
            return Err(ImportError::Invalid(format!("{at}: {key} is declared twice (first in {first})")));
        }
        components.push(component);
    }
    Ok(components)
}

/// Pushes `object`, or the items of a `List`/`*List`, onto `out`. Items of a
/// typed list (`DeploymentList`) may leave out `kind`/`apiVersion`: they
/// take the list's.
pub(crate) fn expand(
    mut object: Map<String, Value>,
    at: &str,
    defaults: Option<(&str, &str)>,
    out: &mut Vec<(String, Map<String, Value>)>,
) -> Result<(), ImportError> {
    if let Some((kind, api_version)) = defaults {
        object.entry("kind").or_insert_with(|| kind.into());
        object.entry("apiVersion").or_insert_with(|| api_version.into());
    }
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or_default().to_string();
    if !(kind.ends_with("List") && object.get("items").is_some_and(Value::is_array)) {
        if out.len() >= MAX_OBJECTS {
            return Err(ImportError::TooMany { limit: MAX_OBJECTS });
        }
        out.push((at.to_string(), object));
        return Ok(());
    }
    let api_version = object.get("apiVersion").and_then(Value::as_str).unwrap_or("v1").to_string();
    let item_kind = kind.trim_end_matches("List");
    let typed = (!item_kind.is_empty()).then_some((item_kind, api_version.as_str()));
    let Some(Value::Array(items)) = object.remove("items") else { return Ok(()) };
    for (i, item) in items.into_iter().enumerate() {
        let item_at = format!("{at}, items[{i}]");
        let Value::Object(item) = item else {
            return Err(ImportError::Invalid(format!("{item_at} is not an object")));
        };
        expand(item, &item_at, typed, out)?;
    }
    Ok(())
}

/// One object as a component, after the checks an API server would make
/// first (a kind, an API version, a name) and without server-set fields.
fn component(mut object: Map<String, Value>, at: &str, registry: &Registry) -> Result<Component, ImportError> {
    let mut take = |field: &str| match object.remove(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s),
        _ => Err(ImportError::Invalid(format!("{at}: the object has no `{field}`"))),
    };
    let kind = take("kind")?;
    let api_version = take("apiVersion")?;
    object.remove("status");
    let Some(Value::Object(meta)) = object.get_mut("metadata") else {
        return Err(ImportError::Invalid(format!("{at}: the {kind} has no `metadata.name`")));
    };
    if meta.get("name").and_then(Value::as_str).is_none_or(|n| n.trim().is_empty()) {
        return Err(ImportError::Invalid(format!("{at}: the {kind} has no `metadata.name`")));
    }
    for field in SERVER_METADATA {
        meta.remove(*field);
    }
    if let Some(Value::Object(annotations)) = meta.get_mut("annotations") {
        annotations.remove(LAST_APPLIED);
        if annotations.is_empty() {
            meta.remove("annotations");
        }
    }
    Ok(kubernetes_component(&kind, &api_version, object, registry))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const MANIFESTS: &str = include_str!("../../tests/data/manifests.yaml");
    const LIST: &str = include_str!("../../tests/data/list.yaml");

    fn by_kind<'a>(design: &'a Design, kind: &str) -> &'a Component {
        design.components.iter().find(|c| c.component.kind == kind).unwrap_or_else(|| panic!("no {kind}"))
    }

    #[test]
    fn a_manifest_set_becomes_one_component_per_object() {
        let design = kubernetes(MANIFESTS.as_bytes(), "shop", Registry::builtin_ref()).expect("imports");
        assert_eq!(design.name, "shop");
        let kinds: Vec<(&str, &str, &str)> = design
            .components
            .iter()
            .map(|c| (c.component.kind.as_str(), c.component.version.as_str(), c.display_name.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("Namespace", "v1", "shop"),
                ("ServiceAccount", "v1", "web"),
                ("ConfigMap", "v1", "web-config"),
                ("Secret", "v1", "web-secrets"),
                ("PersistentVolumeClaim", "v1", "web-data"),
                ("Deployment", "apps/v1", "web"),
                ("Service", "v1", "web"),
                ("Ingress", "networking.k8s.io/v1", "web"),
            ]
        );
        for c in &design.components {
            assert_eq!(c.model.get("name"), Some(&json!("kubernetes")), "{}", c.display_name);
            assert!(!c.configuration.contains_key("apiVersion") && !c.configuration.contains_key("kind"));
        }

        let ns = by_kind(&design, "Namespace");
        assert_eq!(ns.metadata.get("isNamespaced"), Some(&json!(false)));
        assert_eq!(
            ns.configuration,
            json!({"metadata": {"name": "shop", "labels": {"team": "web"}}}).as_object().cloned().unwrap()
        );

        let deploy = by_kind(&design, "Deployment");
        assert_eq!(deploy.metadata.get("isNamespaced"), Some(&json!(true)));
        let meta = &deploy.configuration["metadata"];
        assert_eq!(meta["namespace"], "shop");
        assert_eq!(meta["labels"]["app"], "web");
        // The server's fields and kubectl's bookkeeping are gone, the person's annotation stays.
        assert_eq!(meta["annotations"], json!({"shop.example.com/owner": "web-team"}));
        assert!(meta.get("uid").is_none() && meta.get("resourceVersion").is_none());
        assert!(deploy.configuration.get("status").is_none());
        assert_eq!(deploy.configuration["spec"]["replicas"], 2);
        assert_eq!(deploy.configuration["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.27");

        let cm = by_kind(&design, "ConfigMap");
        assert_eq!(cm.configuration["data"]["LOG_LEVEL"], "info");
        let secret = by_kind(&design, "Secret");
        assert_eq!(secret.configuration["type"], "Opaque");
        assert_eq!(secret.configuration["stringData"]["DB_PASSWORD"], "change-me");
        let svc = by_kind(&design, "Service");
        assert_eq!(svc.configuration["spec"]["selector"], json!({"app": "web"}));
        let ingress = by_kind(&design, "Ingress");
        assert_eq!(ingress.configuration["spec"]["rules"][0]["host"], "shop.example.com");
        let pvc = by_kind(&design, "PersistentVolumeClaim");
        assert_eq!(pvc.configuration["spec"]["resources"]["requests"]["storage"], "1Gi");
        let sa = by_kind(&design, "ServiceAccount");
        assert_eq!(sa.configuration["metadata"]["namespace"], "shop");
    }

    #[test]
    fn ids_are_stable_across_imports_and_distinct_within_one() {
        let a = kubernetes(MANIFESTS.as_bytes(), "shop", Registry::builtin_ref()).expect("imports");
        let b = kubernetes(MANIFESTS.as_bytes(), "other name", Registry::builtin_ref()).expect("imports");
        let ids = |d: &Design| d.components.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&a), ids(&b));
        let mut unique = ids(&a);
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), a.components.len());
        // Deployment web and Service web share a name, not an id.
        assert_ne!(by_kind(&a, "Deployment").id, by_kind(&a, "Service").id);
    }

    #[test]
    fn lists_are_expanded_and_typed_lists_lend_their_kind() {
        let design = kubernetes(LIST.as_bytes(), "listed", Registry::builtin_ref()).expect("imports");
        let kinds: Vec<(&str, &str, &str)> = design
            .components
            .iter()
            .map(|c| (c.component.kind.as_str(), c.component.version.as_str(), c.display_name.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("ConfigMap", "v1", "cache-config"),
                ("Service", "v1", "cache"),
                ("Deployment", "apps/v1", "cache"),
                ("Deployment", "apps/v1", "worker"),
            ]
        );
        assert_eq!(by_kind(&design, "Service").configuration["spec"]["ports"][0]["port"], 6379);
    }

    #[test]
    fn json_manifests_import_too() {
        let json = br#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "x"}, "data": {"k": "v"}}"#;
        let design = kubernetes(json, "j", Registry::builtin_ref()).expect("imports");
        assert_eq!(design.components[0].configuration["data"], json!({"k": "v"}));
    }

    #[test]
    fn objects_missing_what_kubectl_needs_are_refused_by_document() {
        let no_kind =
            b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n\n---\napiVersion: v1\nmetadata: {name: b}\n";
        let err = kubernetes(no_kind, "x", Registry::builtin_ref()).expect_err("no kind").to_string();
        assert!(err.starts_with("document 2 (line "), "{err}");
        assert!(err.contains("`kind`"), "{err}");
        let no_name = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {labels: {a: b}}\n";
        let err = kubernetes(no_name, "x", Registry::builtin_ref()).expect_err("no name").to_string();
        assert!(err.contains("document 1") && err.contains("metadata.name"), "{err}");
        let no_version = b"kind: ConfigMap\nmetadata: {name: a}\n";
        assert!(
            kubernetes(no_version, "x", Registry::builtin_ref())
                .expect_err("no apiVersion")
                .to_string()
                .contains("`apiVersion`")
        );
        let in_list = b"apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Secret, metadata: {}}\n";
        let err = kubernetes(in_list, "x", Registry::builtin_ref()).expect_err("item without name").to_string();
        assert!(err.contains("items[0]"), "{err}");
    }

    #[test]
    fn bad_sources_are_refused_with_a_reason() {
        assert!(matches!(
            kubernetes(b"- a\n- b\n", "x", Registry::builtin_ref()),
            Err(ImportError::NotMapping { document: 1, .. })
        ));
        assert!(matches!(kubernetes(b"kind: [\n", "x", Registry::builtin_ref()), Err(ImportError::NotYaml { .. })));
        let twice = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
        let err = kubernetes(twice, "x", Registry::builtin_ref()).expect_err("duplicate").to_string();
        assert!(err.contains("ConfigMap a is declared twice"), "{err}");
        let many: String = (0..=MAX_OBJECTS)
            .map(|i| format!("  - {{apiVersion: v1, kind: ConfigMap, metadata: {{name: c{i}}}}}\n"))
            .collect();
        let list = format!("apiVersion: v1\nkind: List\nitems:\n{many}");
        assert_eq!(
            kubernetes(list.as_bytes(), "x", Registry::builtin_ref()),
            Err(ImportError::TooMany { limit: MAX_OBJECTS })
        );
    }

    #[test]
    fn an_empty_file_is_an_empty_design() {
        let design = kubernetes(b"---\n# nothing yet\n", "empty", Registry::builtin_ref()).expect("imports");
        assert!(design.components.is_empty());
    }
}
