//! `CustomResourceDefinition`s (`apiextensions.k8s.io/v1`) into one model:
//! one component per served version of each CRD.
//!
//! - the component's `kind` is `spec.names.kind`, its `version` the API
//!   version `{spec.group}/{version}`, `isNamespaced` is `spec.scope ==
//!   Namespaced`; `group`, `displayName` (the kind), `description` (the
//!   schema's) and `schema` (the version's `openAPIV3Schema` as JSON text,
//!   titled with the kind) are kept beside them;
//! - the model is named `name` when given, else after the CRDs' group (all
//!   CRDs of one file must then share it); its version is `version`, else
//!   `v1.0.0`.
//!
//! A document that is not a v1 CRD, a CRD without a group, kind, scope or
//! versions, and a served version without `schema.openAPIV3Schema` are refused.

use serde_json::{Map, Value, json};

use super::source::{Result, fail};
use super::{ComponentDefinition, Model};

const CRD_API_VERSION: &str = "apiextensions.k8s.io/v1";

/// The model of the CRDs in `docs` (each with the line it starts on).
pub fn model(docs: Vec<(u64, Value)>, name: Option<&str>, version: Option<&str>) -> Result<Model> {
    let mut components = Vec::new();
    let mut groups: Vec<String> = Vec::new();
    for (index, (line, doc)) in docs.into_iter().enumerate() {
        let at = format!("document {} (line {line})", index + 1);
        let text = |v: &Value, path: &str| v.pointer(path).and_then(Value::as_str).unwrap_or_default().to_string();
        let (api_version, kind) = (text(&doc, "/apiVersion"), text(&doc, "/kind"));
        if kind != "CustomResourceDefinition" || api_version != CRD_API_VERSION {
            let what = if kind.is_empty() { "no Kubernetes object".to_string() } else { format!("a {kind}") };
            return fail(format!("{at} is {what}, not an {CRD_API_VERSION} CustomResourceDefinition"));
        }
        let crd_name = text(&doc, "/metadata/name");
        let at = format!("{at}, CustomResourceDefinition {crd_name}");
        let group = text(&doc, "/spec/group");
        let kind = text(&doc, "/spec/names/kind");
        if group.is_empty() || kind.is_empty() {
            return fail(format!("{at}: spec.group and spec.names.kind are required"));
        }
        let namespaced = match text(&doc, "/spec/scope").as_str() {
            "Namespaced" => true,
            "Cluster" => false,
            _ => return fail(format!("{at}: spec.scope must be Namespaced or Cluster")),
        };
        let versions = doc.pointer("/spec/versions").and_then(Value::as_array).filter(|v| !v.is_empty());
        let Some(versions) = versions else { return fail(format!("{at}: spec.versions is empty")) };
        for v in versions {
            if v.get("served").and_then(Value::as_bool) == Some(false) {
                continue;
            }
            let vname = text(v, "/name");
            if vname.is_empty() {
                return fail(format!("{at}: a version without a name"));
            }
            let Some(Value::Object(schema)) = v.pointer("/schema/openAPIV3Schema") else {
                return fail(format!("{at}, version {vname}: no schema.openAPIV3Schema"));
            };
            components.push(component(&group, &kind, &vname, namespaced, schema.clone()));
        }
        if !groups.contains(&group) {
            groups.push(group);
        }
    }
    if components.is_empty() {
        return fail("no CustomResourceDefinition with a served version in the file");
    }
    let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => n.to_string(),
        None if groups.len() == 1 => groups.remove(0),
        None => {
            return fail(format!(
                "name: the CustomResourceDefinitions belong to the groups {}; give the model a name",
                groups.join(", ")
            ));
        }
    };
    let mut extra = Map::new();
    extra.insert("description".into(), json!(format!("Custom resources of {name}")));
    Ok(Model {
        display_name: name.clone(),
        name,
        version: version.map(str::trim).unwrap_or_default().to_string(),
        components,
        relationships: vec![],
        extra,
    })
}

fn component(
    group: &str,
    kind: &str,
    version: &str,
    namespaced: bool,
    mut schema: Map<String, Value>,
) -> ComponentDefinition {
    schema.entry("title").or_insert_with(|| json!(kind));
    let description = schema.get("description").and_then(Value::as_str).unwrap_or_default().to_string();
    let mut extra = Map::new();
    extra.insert("group".into(), json!(group));
    extra.insert("displayName".into(), json!(kind));
    extra.insert("description".into(), json!(description));
    extra.insert("schema".into(), json!(serde_json::to_string(&schema).unwrap_or_default()));
    ComponentDefinition { kind: kind.into(), version: format!("{group}/{version}"), is_namespaced: namespaced, extra }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::yaml;

    const CRDS: &str = include_str!("../../tests/data/models/widgets-crd.yaml");

    #[test]
    fn each_served_version_is_a_component() {
        let docs = yaml::documents(CRDS.as_bytes()).expect("YAML");
        let m = model(docs, None, None).expect("converts");
        assert_eq!(m.name, "widgets.example.com");
        let rows: Vec<(&str, &str, bool)> =
            m.components.iter().map(|c| (c.kind.as_str(), c.version.as_str(), c.is_namespaced)).collect();
        assert_eq!(
            rows,
            [
                ("Widget", "widgets.example.com/v1", true),
                ("Widget", "widgets.example.com/v1beta1", true),
                ("Gadget", "widgets.example.com/v1", false)
            ]
        );
        let schema: Value =
            serde_json::from_str(m.components[0].extra["schema"].as_str().expect("text")).expect("JSON");
        assert_eq!(schema["title"], "Widget");
        assert_eq!(schema["properties"]["spec"]["properties"]["size"]["type"], "integer");
    }

    #[test]
    fn what_is_not_a_usable_crd_is_refused() {
        let err = |text: &str| {
            let docs = yaml::documents(text.as_bytes()).expect("YAML");
            model(docs, None, None).expect_err("refused").to_string()
        };
        assert!(err("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n").contains("is a ConfigMap"));
        let no_schema = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: a.x.io}\n\
                         spec: {group: x.io, scope: Namespaced, names: {kind: A}, versions: [{name: v1, served: true}]}\n";
        assert!(err(no_schema).contains("version v1: no schema.openAPIV3Schema"), "{}", err(no_schema));
        let two = format!(
            "{}---\n{}",
            no_schema.replace(
                "versions: [{name: v1, served: true}]",
                "versions: [{name: v1, schema: {openAPIV3Schema: {type: object}}}]"
            ),
            no_schema.replace("x.io", "y.io").replace(
                "versions: [{name: v1, served: true}]",
                "versions: [{name: v1, schema: {openAPIV3Schema: {type: object}}}]"
            )
        );
        assert!(err(&two).contains("groups x.io, y.io"), "{}", err(&two));
    }
}
