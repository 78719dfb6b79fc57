//! Models from what people register: a file (a Meshery model package, CRD
//! YAML or one model definition), CSV sheets, or a model written out
//! (Model Create). Pure functions: bytes or JSON in, checked [`Model`]s (or a
//! [`SourceError`] naming the problem) out; nothing is stored here.
//!
//! Every model goes through [`check`], which fills in the schema's defaults
//! and refuses what the registry could not use (see its comment).

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde_json::{Map, Value, json};

use super::{BUILTIN_MODEL, ComponentDefinition, Model, Registry, crd, package};
use crate::import::yaml;

/// The schema version model objects are written with.
pub const MODEL_SCHEMA_VERSION: &str = "models.meshery.io/v1beta1";
/// The version a model gets when it names none (Meshery's default).
pub const DEFAULT_VERSION: &str = "v1.0.0";
const NAME_MAX: usize = 100;
/// Fields a model object is answered with that are computed, never kept.
const COMPUTED: &[&str] = &[
    "id",
    "schemaVersion",
    "components_count",
    "relationships_count",
    "componentsCount",
    "relationshipsCount",
    "created_at",
    "updated_at",
    "connection_id",
    "builtin",
];

/// Why a source gave no models; `Display` is a sentence for the sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError(pub String);

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SourceError {}

pub type Result<T> = std::result::Result<T, SourceError>;

pub(crate) fn fail<T>(msg: impl Into<String>) -> Result<T> {
    Err(SourceError(msg.into()))
}

/// What a file is, told by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A gzip-compressed tarball (`.tar.gz`, `.tgz`).
    TarGz,
    /// A tarball (`.tar`, Meshery's OCI export included).
    Tar,
    Zip,
    /// Anything else: read as YAML or JSON.
    Text,
}

pub fn file_kind(bytes: &[u8]) -> FileKind {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        FileKind::TarGz
    } else if bytes.get(257..262) == Some(b"ustar") {
        FileKind::Tar
    } else if bytes.starts_with(b"PK\x03\x04") {
        FileKind::Zip
    } else {
        FileKind::Text
    }
}

/// What File Import takes besides the file: the model's name and version
/// for CRD YAML (a package and a model definition carry their own).
#[derive(Debug, Clone, Default)]
pub struct FileOptions {
    pub name: Option<String>,
    pub version: Option<String>,
}

/// The models of a file: a Meshery model package (`.tar`, `.tar.gz`), one or
/// more `CustomResourceDefinition`s (one model), or one model definition
/// (JSON or YAML, its components and relationships inside).
pub fn file(bytes: &[u8], opts: &FileOptions) -> Result<Vec<Model>> {
    let models = match file_kind(bytes) {
        FileKind::TarGz => package::read(bytes, true)?,
        FileKind::Tar => package::read(bytes, false)?,
        FileKind::Zip => return fail("a zip archive is not a model package: send a .tar, .tar.gz or .tgz"),
        FileKind::Text => {
            let docs = yaml::documents(bytes).map_err(|e| SourceError(e.to_string()))?;
            if docs.iter().any(|(_, d)| d.get("kind").and_then(Value::as_str) == Some("CustomResourceDefinition")) {
                vec![crd::model(docs, opts.name.as_deref(), opts.version.as_deref())?]
            } else {
                match docs.as_slice() {
                    [(_, doc @ Value::Object(m))] if m.contains_key("name") && !m.contains_key("apiVersion") => {
                        vec![model(doc.clone(), "the model definition")?]
                    }
                    [] => return fail("the file is empty"),
                    _ => {
                        return fail(
                            "not a Meshery model package (.tar, .tar.gz, .tgz), CustomResourceDefinition YAML \
                             or a model definition",
                        );
                    }
                }
            }
        }
    };
    models.into_iter().map(check).collect()
}

/// A Model Create body: the model's fields (`name`, `displayName`,
/// `version`, `category`, `subCategory`, `registrant`, `metadata`…), at the
/// top or under `model` (where Meshery's spellings `model` and
/// `modelDisplayName` are read too), with optional `components` and
/// `relationships`. A `url` to generate components from is refused: there
/// is no generator.
pub fn create(body: Value) -> Result<Model> {
    let Value::Object(mut top) = body else { return fail("importBody: not a JSON object") };
    if top.get("url").and_then(Value::as_str).is_some_and(|u| !u.trim().is_empty()) {
        return fail(
            "importBody.url: generating a model from a repository or Artifact Hub is not available; send its components instead",
        );
    }
    top.remove("url");
    let mut fields = match top.remove("model") {
        Some(Value::Object(inner)) => inner,
        Some(Value::String(name)) => Map::from_iter([("name".to_string(), Value::String(name))]),
        Some(_) => return fail("importBody.model: not an object"),
        None => Map::new(),
    };
    for (from, to) in [("model", "name"), ("modelDisplayName", "displayName")] {
        if let Some(v) = fields.remove(from) {
            fields.entry(to).or_insert(v);
        }
    }
    for (k, v) in top {
        fields.entry(k).or_insert(v);
    }
    check(model(Value::Object(fields), "importBody")?)
}

/// A model definition in Meshery's shape (or the registry's own), its
/// components read by [`component`].
pub fn model(v: Value, at: &str) -> Result<Model> {
    let Value::Object(mut m) = v else { return fail(format!("{at}: not an object")) };
    let components = match m.remove("components") {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, c)| component(c, &format!("{at}: components[{i}]")))
            .collect::<Result<_>>()?,
        Some(_) => return fail(format!("{at}: components is not a list")),
    };
    let relationships = match m.remove("relationships") {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, r)| relationship(r, &format!("{at}: relationships[{i}]")))
            .collect::<Result<_>>()?,
        Some(_) => return fail(format!("{at}: relationships is not a list")),
    };
    let text = |m: &mut Map<String, Value>, k: &str| match m.remove(k) {
        Some(Value::String(s)) => Ok(s),
        None | Some(Value::Null) => Ok(String::new()),
        Some(_) => fail(format!("{at}: {k} is not a string")),
    };
    let name = text(&mut m, "name")?;
    let display_name = text(&mut m, "displayName")?;
    let version = text(&mut m, "version")?;
    Ok(Model { name, display_name, version, components, relationships, extra: m })
}

/// A relationship definition as the schema has it.
pub fn relationship(v: Value, at: &str) -> Result<crate::model::Relationship> {
    if !v.is_object() {
        return fail(format!("{at}: not an object"));
    }
    serde_json::from_value(v).map_err(|e| SourceError(format!("{at}: not a relationship definition: {e}")))
}

/// A component definition in Meshery's shape (`component: {kind, version,
/// schema}`, `metadata.isNamespaced`, `displayName`…) or the registry's flat
/// one (`kind`, `version`, `isNamespaced`). The flat form is kept: `schema`
/// and the other fields beside `kind`.
pub fn component(v: Value, at: &str) -> Result<ComponentDefinition> {
    let Value::Object(mut m) = v else { return fail(format!("{at}: not an object")) };
    m.remove("model"); // the model it is registered in says which
    m.remove("modelReference");
    if let Some(Value::Object(mut inner)) = m.remove("component") {
        for key in ["kind", "version"] {
            if let Some(v) = inner.remove(key) {
                m.entry(key).or_insert(v);
            }
        }
        if let Some(schema) = inner.remove("schema") {
            m.entry("schema").or_insert(schema);
        }
        m.extend(inner);
    }
    if !m.contains_key("isNamespaced") {
        let from_meta = m.get("metadata").and_then(|md| md.get("isNamespaced")).cloned();
        m.insert("isNamespaced".into(), from_meta.unwrap_or(Value::Bool(false)));
    }
    if let Some(Value::Object(schema)) = m.get("schema") {
        // Meshery keeps the schema as JSON text.
        let text = serde_json::to_string(schema).unwrap_or_default();
        m.insert("schema".into(), Value::String(text));
    }
    if m.get("kind").and_then(Value::as_str).is_none_or(|k| k.trim().is_empty()) {
        return fail(format!("{at}: the component has no kind (component.kind)"));
    }
    serde_json::from_value(Value::Object(m)).map_err(|e| SourceError(format!("{at}: not a component definition: {e}")))
}

/// `v?MAJOR.MINOR.PATCH`, with an optional `-pre-release` and `+build`.
pub fn is_version(v: &str) -> bool {
    let core = v.strip_prefix('v').unwrap_or(v);
    let core = core.split_once('+').map_or(core, |(c, b)| if b.is_empty() { "" } else { c });
    let core = core.split_once('-').map_or(core, |(c, p)| if p.is_empty() { "" } else { c });
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn is_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= NAME_MAX
        && n.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && n.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
}

/// A model as it will be registered, or why it cannot be:
/// - `name`: required, lowercase letters, digits, `-` and `.` (a CRD group
///   names a model), at most 100; not `kubernetes`, the built-in model.
/// - `version`: `v1.0.0` when absent, else `v?MAJOR.MINOR.PATCH[-pre][+build]`;
///   `model.version` (the registrant's version) defaults to it.
/// - `displayName`: the name when absent; at most 100 characters, no control characters.
/// - `status`: `enabled` when absent, else one of enabled, ignored, duplicate.
/// - `category`: `{name}` (a bare string is read as the name), `Uncategorized`
///   when absent; `subCategory` a string, `Uncategorized` when absent.
/// - components: each has a kind; no two have the same kind and version.
/// - relationship definitions: each compiles (`registry` module comment);
///   their ids are derived as the registry derives them.
/// - fields computed on output (`id`, counts, timestamps) are dropped.
pub fn check(mut model: Model) -> Result<Model> {
    model.name = model.name.trim().to_string();
    if model.name.is_empty() {
        return fail("name: a model needs a name");
    }
    if !is_name(&model.name) {
        return fail(format!(
            "name: {:?} is not a model name (lowercase letters, digits, '-' and '.', at most {NAME_MAX})",
            model.name
        ));
    }
    if model.name == BUILTIN_MODEL {
        return fail("name: kubernetes is the built-in model; it cannot be replaced");
    }
    model.version = model.version.trim().to_string();
    if model.version.is_empty() {
        model.version = DEFAULT_VERSION.into();
    }
    if !is_version(&model.version) {
        return fail(format!("version: {:?} is not MAJOR.MINOR.PATCH (as v1.0.0)", model.version));
    }
    model.display_name = model.display_name.trim().to_string();
    if model.display_name.is_empty() {
        model.display_name = model.name.clone();
    }
    if model.display_name.chars().count() > NAME_MAX || model.display_name.chars().any(char::is_control) {
        return fail("displayName: at most 100 characters, no control characters");
    }
    for key in COMPUTED {
        model.extra.remove(*key);
    }
    let x = &mut model.extra;
    match x.get("status") {
        None | Some(Value::Null) => {
            x.insert("status".into(), json!("enabled"));
        }
        Some(Value::String(s)) if ["enabled", "ignored", "duplicate"].contains(&s.as_str()) => {}
        Some(_) => return fail("status: one of enabled, ignored, duplicate"),
    }
    let category = match x.remove("category") {
        None | Some(Value::Null) => json!({"name": "Uncategorized"}),
        Some(Value::String(s)) if !s.trim().is_empty() => json!({"name": s.trim()}),
        Some(Value::Object(c)) if c.get("name").and_then(Value::as_str).is_some_and(|n| !n.trim().is_empty()) => {
            Value::Object(c)
        }
        Some(_) => return fail("category: an object with a name (or the name)"),
    };
    x.insert("category".into(), category);
    match x.get("subCategory") {
        None | Some(Value::Null) => {
            x.insert("subCategory".into(), json!("Uncategorized"));
        }
        Some(Value::String(_)) => {}
        Some(_) => return fail("subCategory: not a string"),
    }
    match x.get_mut("model") {
        None | Some(Value::Null) => {
            x.insert("model".into(), json!({"version": model.version}));
        }
        Some(Value::Object(m)) => {
            m.entry("version").or_insert_with(|| json!(model.version));
        }
        Some(_) => return fail("model: an object (model.version: the registrant's version)"),
    }
    if !matches!(x.get("registrant"), Some(Value::Object(_))) {
        let kind = x.get("registrant").and_then(Value::as_str).unwrap_or("meshcloud").to_string();
        x.insert(
            "registrant".into(),
            json!({"name": kind, "kind": kind, "type": "registry", "sub_type": "", "status": "registered"}),
        );
    }
    if !matches!(x.get("metadata"), None | Some(Value::Object(_))) {
        return fail("metadata: not an object");
    }
    let mut seen = HashSet::new();
    for (i, c) in model.components.iter().enumerate() {
        if !seen.insert((c.kind.as_str(), c.version.as_str())) {
            return fail(format!("components[{i}]: {} {} is defined twice", c.kind, c.version));
        }
    }
    // Compile the definitions as the registry will (and take their derived ids).
    let name = model.name.clone();
    let mut scratch = Registry { models: BTreeMap::new() };
    scratch.register(model).map_err(SourceError)?;
    scratch.models.remove(&name).map(|e| e.model).ok_or_else(|| SourceError("name: a model needs a name".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_names() {
        for ok in ["v1.0.0", "1.2.3", "v0.1.0-rc.1", "v1.0.0+build.5"] {
            assert!(is_version(ok), "{ok}");
        }
        for bad in ["", "v1", "1.0", "v1.0.x", "v1.0.0-", "latest"] {
            assert!(!is_version(bad), "{bad}");
        }
        assert!(is_name("cert-manager.io") && is_name("demo2"));
        assert!(!is_name("Demo") && !is_name("-x") && !is_name("a b") && !is_name(""));
    }

    #[test]
    fn a_created_model_gets_the_schema_defaults() {
        let m = create(json!({"model": {"model": "demo", "modelDisplayName": "Demo"}, "components": [
            {"component": {"kind": "Widget", "version": "demo.io/v1", "schema": {"type": "object"}},
             "metadata": {"isNamespaced": true}}]}))
        .expect("creates");
        assert_eq!((m.name.as_str(), m.display_name.as_str(), m.version.as_str()), ("demo", "Demo", "v1.0.0"));
        assert_eq!(m.extra["category"], json!({"name": "Uncategorized"}));
        assert_eq!(m.extra["model"], json!({"version": "v1.0.0"}));
        assert_eq!(m.extra["status"], "enabled");
        let c = &m.components[0];
        assert!(c.is_namespaced && c.version == "demo.io/v1");
        assert_eq!(c.extra["schema"], r#"{"type":"object"}"#);
    }

    #[test]
    fn what_the_registry_cannot_use_is_refused() {
        let err = |v: Value| create(v).expect_err("refused").to_string();
        assert!(err(json!({"name": "kubernetes"})).contains("built-in"));
        assert!(err(json!({"name": "Bad Name"})).starts_with("name:"));
        assert!(err(json!({"name": "a", "version": "one"})).starts_with("version:"));
        assert!(err(json!({"name": "a", "url": "git://github.com/x/y"})).contains("not available"));
        assert!(err(json!({"name": "a", "components": [{"version": "v1"}]})).contains("no kind"));
        let twice =
            json!({"name": "a", "components": [{"kind": "W", "version": "a/v1"}, {"kind": "W", "version": "a/v1"}]});
        assert!(err(twice).contains("defined twice"));
        let bad_rel =
            json!({"name": "a", "relationships": [{"kind": "nope", "type": "x", "subType": "y", "selectors": []}]});
        assert!(err(bad_rel).contains("kind must be"));
    }
}
