//! A design back to Kubernetes manifests that `kubectl apply -f` accepts.

use crate::model::{Component, Design};
use serde::Serialize;
use serde_json::{Map, Value};

/// One manifest: the type fields first, as people write them.
#[derive(Serialize)]
struct Manifest<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'a str,
    kind: &'a str,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

/// The design's deployable components as multi-document YAML, in design
/// order: `apiVersion`/`kind` from the component, the rest from its
/// configuration (a configuration without `metadata.name` takes the
/// component's display name). Annotations (`metadata.isAnnotation`) and
/// components without a kind or version have no manifest and are left out.
pub fn kubernetes(design: &Design) -> String {
    let manifests: Vec<Manifest<'_>> = design.components.iter().filter(|c| deployable(c)).map(manifest).collect();
    // Serializing JSON values to YAML has no failure case (no non-string
    // keys, no non-finite numbers); an empty string would still be honest.
    serde_saphyr::to_string_multiple(&manifests).unwrap_or_default()
}

fn deployable(c: &Component) -> bool {
    let annotation = c.metadata.get("isAnnotation").and_then(Value::as_bool).unwrap_or(false);
    !annotation && !c.component.kind.is_empty() && !c.component.version.is_empty()
}

fn manifest(c: &Component) -> Manifest<'_> {
    let mut rest = c.configuration.clone();
    // Type fields are the component's; a stray copy in the configuration
    // must not appear twice.
    rest.remove("apiVersion");
    rest.remove("kind");
    let metadata = rest.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(meta) = metadata
        && meta.get("name").and_then(Value::as_str).is_none_or(str::is_empty)
    {
        meta.insert("name".into(), Value::String(c.display_name.clone()));
    }
    Manifest { api_version: &c.component.version, kind: &c.component.kind, rest }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import;
    use serde_json::json;

    const MANIFESTS: &str = include_str!("../../tests/data/manifests.yaml");
    const LIST: &str = include_str!("../../tests/data/list.yaml");

    fn objects(design: &Design) -> Vec<(String, String, Map<String, Value>)> {
        let mut objs: Vec<_> = design
            .components
            .iter()
            .map(|c| (c.id.clone(), format!("{} {}", c.component.version, c.component.kind), c.configuration.clone()))
            .collect();
        objs.sort_by(|a, b| a.0.cmp(&b.0));
        objs
    }

    #[test]
    fn manifests_survive_import_export_import() {
        for source in [MANIFESTS, LIST] {
            let first = import::kubernetes(source.as_bytes(), "shop", crate::registry::Registry::builtin_ref())
                .expect("imports");
            let yaml = kubernetes(&first);
            let second = import::kubernetes(yaml.as_bytes(), "shop", crate::registry::Registry::builtin_ref())
                .expect("the export imports again");
            assert_eq!(objects(&first), objects(&second));
            assert_eq!(kubernetes(&second), yaml, "a second export is the same text");
        }
    }

    #[test]
    fn each_manifest_starts_with_its_type_fields() {
        let design = import::kubernetes(MANIFESTS.as_bytes(), "shop", crate::registry::Registry::builtin_ref())
            .expect("imports");
        let yaml = kubernetes(&design);
        let docs: Vec<&str> = yaml.split("\n---\n").collect();
        assert_eq!(docs.len(), design.components.len());
        assert!(docs[0].starts_with("apiVersion: v1\nkind: Namespace\n"), "{}", docs[0]);
        assert!(docs[5].starts_with("apiVersion: apps/v1\nkind: Deployment\n"), "{}", docs[5]);
        // Multi-line strings stay strings kubectl reads back the same.
        let back: Vec<Value> = serde_saphyr::from_multiple(&yaml).expect("valid YAML");
        assert_eq!(back[2]["data"]["nginx.conf"], design.components[2].configuration["data"]["nginx.conf"]);
        assert_eq!(back[3]["stringData"]["DB_PASSWORD"], "change-me");
    }

    #[test]
    fn annotations_are_left_out_and_names_filled_in() {
        let mut design = import::kubernetes(
            b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
            "d",
            crate::registry::Registry::builtin_ref(),
        )
        .expect("imports");
        let mut note = design.components[0].clone();
        note.metadata.insert("isAnnotation".into(), json!(true));
        design.components.push(note);
        let mut drawn = design.components[0].clone();
        drawn.configuration = Map::new();
        drawn.display_name = "drawn-in-the-ui".into();
        design.components.push(drawn);
        let back: Vec<Value> = serde_saphyr::from_multiple(&kubernetes(&design)).expect("valid YAML");
        assert_eq!(back.len(), 2);
        assert_eq!(back[1], json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "drawn-in-the-ui"}}));
    }
}
