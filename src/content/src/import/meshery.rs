//! A Meshery design (YAML or JSON) taken as it is, after the checks the
//! schema's required fields call for.

use super::{ImportError, MAX_OBJECTS, yaml};
use crate::model::Design;
use serde_json::{Map, Value};

/// Reads a Meshery design document. Required (as `PatternFile` says): `id`
/// (a UUID), `name`, `schemaVersion`, `version`, `components` and
/// `relationships` (arrays); per component `component.kind`,
/// `component.version` and `model.name`. An error names the path, e.g.
/// `components[2].model.name`. Every other field is kept as it came.
pub fn meshery(bytes: &[u8]) -> Result<Design, ImportError> {
    let docs = yaml::documents_as(bytes, yaml::Dialect::Yaml12)?;
    let doc = match docs.len() {
        1 => docs.into_iter().next().map(|(_, d)| d).unwrap_or_default(),
        0 => return Err(ImportError::Invalid("the file holds no design".into())),
        n => return Err(ImportError::Invalid(format!("a design is one document; the file holds {n}"))),
    };
    let Value::Object(top) = &doc else {
        return Err(ImportError::NotMapping { document: 1, line: 1 });
    };
    check(top)?;
    serde_json::from_value(doc).map_err(|e| ImportError::Invalid(format!("not a design document: {e}")))
}

fn check(top: &Map<String, Value>) -> Result<(), ImportError> {
    for field in ["id", "name", "schemaVersion", "version"] {
        text(top, field, field)?;
    }
    let id = text(top, "id", "id")?;
    if uuid::Uuid::parse_str(id).is_err() {
        return Err(ImportError::Invalid(format!("id: \"{id}\" is not a UUID")));
    }
    let components = array(top, "components")?;
    array(top, "relationships")?;
    if components.len() > MAX_OBJECTS {
        return Err(ImportError::TooMany { limit: MAX_OBJECTS });
    }
    for (i, c) in components.iter().enumerate() {
        let at = format!("components[{i}]");
        let Value::Object(c) = c else {
            return Err(ImportError::Invalid(format!("{at}: must be an object")));
        };
        let inner = object(c, "component", &at)?;
        text(inner, "kind", &format!("{at}.component.kind"))?;
        text(inner, "version", &format!("{at}.component.version"))?;
        let model = object(c, "model", &at)?;
        text(model, "name", &format!("{at}.model.name"))?;
    }
    Ok(())
}

fn text<'a>(map: &'a Map<String, Value>, field: &str, path: &str) -> Result<&'a str, ImportError> {
    match map.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s),
        Some(Value::String(_)) => Err(ImportError::Invalid(format!("{path}: must not be empty"))),
        Some(_) => Err(ImportError::Invalid(format!("{path}: must be a string"))),
        None => Err(ImportError::Invalid(format!("{path}: required"))),
    }
}

fn array<'a>(map: &'a Map<String, Value>, field: &str) -> Result<&'a Vec<Value>, ImportError> {
    match map.get(field) {
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(ImportError::Invalid(format!("{field}: must be an array"))),
        None => Err(ImportError::Invalid(format!("{field}: required"))),
    }
}

fn object<'a>(map: &'a Map<String, Value>, field: &str, at: &str) -> Result<&'a Map<String, Value>, ImportError> {
    match map.get(field) {
        Some(Value::Object(o)) => Ok(o),
        Some(_) => Err(ImportError::Invalid(format!("{at}.{field}: must be an object"))),
        None => Err(ImportError::Invalid(format!("{at}.{field}: required"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DESIGN: &str = include_str!("../../tests/data/design.json");

    #[test]
    fn a_design_is_taken_as_it_is() {
        let design = meshery(DESIGN.as_bytes()).expect("imports");
        assert_eq!(design.id, "5d4ca2c4-3d1e-4a8e-9f3b-6b0f2a6d7e11");
        assert_eq!(design.name, "guestbook");
        assert_eq!(design.version, "0.0.4");
        let kinds: Vec<(&str, &str, &str)> = design
            .components
            .iter()
            .map(|c| (c.component.kind.as_str(), c.component.version.as_str(), c.display_name.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [("Namespace", "v1", "guestbook"), ("Deployment", "apps/v1", "frontend"), ("Service", "v1", "frontend")]
        );
        assert_eq!(design.relationships.len(), 1);
        assert_eq!(design.relationships[0].rel_type, "non-binding");
        // Nothing is lost: the document written back is the one read.
        let original: Value = serde_json::from_str(DESIGN).expect("json");
        assert_eq!(serde_json::to_value(&design).expect("serializes"), original);
    }

    #[test]
    fn yaml_designs_are_read_too() {
        let original: Value = serde_json::from_str(DESIGN).expect("json");
        let yaml = serde_saphyr::to_string(&original).expect("yaml");
        assert_eq!(meshery(yaml.as_bytes()).expect("imports"), meshery(DESIGN.as_bytes()).expect("imports"));
    }

    #[test]
    fn missing_required_fields_are_named_by_path() {
        let original: Value = serde_json::from_str(DESIGN).expect("json");
        type Spoil = fn(&mut Value);
        let cases: [(&str, Spoil, &str); 8] = [
            ("no id", |d| drop(d.as_object_mut().map(|o| o.remove("id"))), "id: required"),
            ("bad id", |d| d["id"] = json!("seven"), "id: \"seven\" is not a UUID"),
            ("no name", |d| d["name"] = json!(""), "name: must not be empty"),
            ("no schema", |d| drop(d.as_object_mut().map(|o| o.remove("schemaVersion"))), "schemaVersion: required"),
            ("numeric version", |d| d["version"] = json!(4), "version: must be a string"),
            (
                "no relationships",
                |d| drop(d.as_object_mut().map(|o| o.remove("relationships"))),
                "relationships: required",
            ),
            (
                "no kind",
                |d| d["components"][1]["component"] = json!({"version": "apps/v1"}),
                "components[1].component.kind: required",
            ),
            (
                "no model name",
                |d| d["components"][2]["model"] = json!({"displayName": "Kubernetes"}),
                "components[2].model.name: required",
            ),
        ];
        for (what, spoil, message) in cases {
            let mut doc = original.clone();
            spoil(&mut doc);
            let err = meshery(doc.to_string().as_bytes()).expect_err(what);
            assert_eq!(err.to_string(), message, "{what}");
        }
        assert!(matches!(meshery(b"- 1\n"), Err(ImportError::NotMapping { .. })));
        assert!(meshery(b"{\"id\": ").is_err());
    }
}
