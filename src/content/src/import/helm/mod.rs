//! Helm charts (`.tgz`): unpacked in memory within limits ([`archive`]),
//! their templates rendered as `helm template` would ([`render`], with the
//! functions of [`funcs`]), and the manifests that come out imported as
//! Kubernetes objects.
//!
//! Rendering: the chart's `values.yaml` deep-merged with the `values`
//! override; the built-in objects `.Values`, `.Chart` (Chart.yaml, keys as
//! Helm spells them: `.Chart.Name`, `.Chart.AppVersion`…), `.Release`
//! (named after the chart, namespace `default`, an install), `.Capabilities`
//! (the Kubernetes release of the built-in model, its API versions) and
//! `.Template`. Files under `templates/` whose names start with `_` only
//! define helpers, `NOTES.txt` is skipped. Subcharts under `charts/`
//! (directories or `.tgz`) are rendered with their values scope (their
//! `values.yaml`, the parent's `.Values.<name>` over it, `global` shared),
//! unless a dependency `condition` in Chart.yaml turns them off. Nothing
//! touches a cluster: `lookup` finds nothing, and `.Files` is empty.

pub mod archive;
pub mod funcs;
pub mod render;
pub mod strings;
pub mod values;

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json, json};

use super::{ImportError, KUBERNETES_MODEL_VERSION, design_of, kubernetes, yaml};
use crate::model::Design;
use crate::registry::Registry;

pub use archive::is_gzip;

/// Subcharts nest at most this deep.
const MAX_CHART_DEPTH: usize = 5;

/// The API versions `.Capabilities.APIVersions` lists: those of the
/// built-in model's kinds.
const API_VERSIONS: &[&str] = &[
    "v1",
    "apps/v1",
    "batch/v1",
    "autoscaling/v1",
    "autoscaling/v2",
    "networking.k8s.io/v1",
    "policy/v1",
    "rbac.authorization.k8s.io/v1",
    "storage.k8s.io/v1",
    "apiextensions.k8s.io/v1",
    "admissionregistration.k8s.io/v1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "scheduling.k8s.io/v1",
];

fn invalid(msg: impl Into<String>) -> ImportError {
    ImportError::Invalid(msg.into())
}

/// A chart as read from its files.
struct Chart {
    name: String,
    /// Chart.yaml with Helm's field names (`Name`, `AppVersion`…).
    meta: Json,
    /// Chart.yaml's `dependencies` (name, alias, condition).
    dependencies: Vec<Json>,
    values: Json,
    /// `templates/…` path and text.
    templates: Vec<(String, String)>,
    subcharts: Vec<Chart>,
}

/// The `values` override: one YAML (or JSON) mapping.
pub fn parse_values(text: &str) -> Result<Json, String> {
    if text.trim().is_empty() {
        return Ok(Json::Object(Map::new()));
    }
    match yaml::documents(text.as_bytes()) {
        Ok(docs) => match docs.into_iter().next() {
            Some((_, v @ Json::Object(_))) => Ok(v),
            None => Ok(Json::Object(Map::new())),
            Some(_) => Err("must be a mapping of values (YAML or JSON)".into()),
        },
        Err(e) => Err(format!("not YAML or JSON: {e}")),
    }
}

/// Imports a chart archive as the design `name`; `overrides` (a mapping)
/// is merged over the chart's `values.yaml`; objects are mapped to
/// `registry`'s models.
pub fn helm(bytes: &[u8], name: &str, overrides: Option<&Json>, registry: &Registry) -> Result<Design, ImportError> {
    let mut budget = archive::Budget::default();
    let files = archive::chart_root(archive::unpack(bytes, &mut budget)?)?;
    let chart = load(files, &mut budget, 0)?;
    let mut values = chart.values.clone();
    if let Some(over) = overrides {
        values::deep_merge(&mut values, over.clone());
    }
    let (mut sources, mut targets) = (Vec::new(), Vec::new());
    let release = json!({
        "Name": chart.name, "Namespace": "default", "Service": "Helm",
        "IsInstall": true, "IsUpgrade": false, "Revision": 1
    });
    collect(&chart, values, &chart.name, &release, &mut sources, &mut targets);
    let rendered = render::render(sources, targets)?;
    let mut objects = Vec::new();
    for (file, text) in rendered {
        let docs = yaml::documents(text.as_bytes())
            .map_err(|e| invalid(format!("the chart's template {file} renders to text that is not valid YAML: {e}")))?;
        for (index, (line, doc)) in docs.into_iter().enumerate() {
            let at = format!("{file}, document {} (line {line})", index + 1);
            let Json::Object(object) = doc else {
                return Err(invalid(format!("{at} is not a mapping of fields")));
            };
            kubernetes::expand(object, &at, None, &mut objects)?;
        }
    }
    if objects.is_empty() {
        return Err(invalid("the chart renders no Kubernetes objects with these values"));
    }
    Ok(design_of(bytes, name, kubernetes::components(objects, registry)?))
}

/// Reads a chart (its files relative to its directory) and its subcharts.
fn load(files: BTreeMap<String, Vec<u8>>, budget: &mut archive::Budget, depth: usize) -> Result<Chart, ImportError> {
    let text = |path: &str, bytes: &[u8]| {
        String::from_utf8(bytes.to_vec()).map_err(|_| invalid(format!("{path} is not UTF-8 text")))
    };
    let chart_yaml = files.get("Chart.yaml").ok_or_else(|| invalid("the chart holds no Chart.yaml"))?;
    let meta = match yaml::documents(chart_yaml).map_err(|e| invalid(format!("Chart.yaml: {e}")))?.pop() {
        Some((_, Json::Object(m))) => m,
        _ => return Err(invalid("Chart.yaml must be a mapping with the chart's name and version")),
    };
    let Some(name) = meta.get("name").and_then(Json::as_str).filter(|n| !n.is_empty()).map(String::from) else {
        return Err(invalid("Chart.yaml has no name"));
    };
    let values = match files.get("values.yaml") {
        Some(bytes) => match yaml::documents(bytes).map_err(|e| invalid(format!("{name}/values.yaml: {e}")))?.pop() {
            Some((_, v @ Json::Object(_))) | Some((_, v @ Json::Null)) => v,
            None => Json::Null,
            Some(_) => return Err(invalid(format!("{name}/values.yaml must be a mapping"))),
        },
        None => Json::Null,
    };
    let values = if values.is_null() { Json::Object(Map::new()) } else { values };
    let mut templates = Vec::new();
    let mut packed = Vec::new();
    let mut unpacked: BTreeMap<String, BTreeMap<String, Vec<u8>>> = BTreeMap::new();
    for (path, bytes) in &files {
        if path.starts_with("templates/") {
            templates.push((path.clone(), text(&format!("{name}/{path}"), bytes)?));
        } else if let Some(rest) = path.strip_prefix("charts/") {
            match rest.split_once('/') {
                Some((dir, inner)) => {
                    unpacked.entry(dir.to_string()).or_default().insert(inner.to_string(), bytes.clone());
                }
                None if rest.ends_with(".tgz") || rest.ends_with(".tar.gz") => packed.push(bytes),
                None => {}
            }
        }
    }
    if (!packed.is_empty() || !unpacked.is_empty()) && depth >= MAX_CHART_DEPTH {
        return Err(invalid(format!("subcharts nest deeper than {MAX_CHART_DEPTH} levels")));
    }
    let mut subcharts = Vec::new();
    for bytes in packed {
        let inner = archive::chart_root(archive::unpack(bytes, budget)?)?;
        subcharts.push(load(inner, budget, depth + 1)?);
    }
    for (_, inner) in unpacked {
        if inner.contains_key("Chart.yaml") {
            subcharts.push(load(inner, budget, depth + 1)?);
        }
    }
    let dependencies = meta.get("dependencies").and_then(Json::as_array).cloned().unwrap_or_default();
    Ok(Chart { name, meta: helm_names(&meta), dependencies, values, templates, subcharts })
}

/// Chart.yaml's keys as `.Chart` spells them: `appVersion` → `AppVersion`,
/// `apiVersion` → `APIVersion`.
fn helm_names(meta: &Map<String, Json>) -> Json {
    let out: Map<String, Json> = meta
        .iter()
        .map(|(k, v)| {
            let key = match k.as_str() {
                "apiVersion" => "APIVersion".to_string(),
                _ => k.chars().take(1).flat_map(char::to_uppercase).chain(k.chars().skip(1)).collect(),
            };
            (key, v.clone())
        })
        .collect();
    Json::Object(out)
}

/// The value at a dotted `path` of `values`.
fn at_path<'a>(values: &'a Json, path: &str) -> Option<&'a Json> {
    path.split('.').try_fold(values, |v, key| v.get(key))
}

/// Adds `chart`'s templates (as `prefix/templates/…`) to `sources`, its
/// manifests with their context to `targets`, then its enabled subcharts'.
fn collect(
    chart: &Chart,
    values: Json,
    prefix: &str,
    release: &Json,
    sources: &mut Vec<(String, String)>,
    targets: &mut Vec<(String, Json)>,
) {
    let git_version = format!("v{}", KUBERNETES_MODEL_VERSION.trim_start_matches('v'));
    let mut parts = git_version.trim_start_matches('v').split('.');
    let (major, minor) = (parts.next().unwrap_or("1").to_string(), parts.next().unwrap_or("0").to_string());
    let capabilities = json!({
        "KubeVersion": {"Version": git_version, "GitVersion": git_version, "Major": major, "Minor": minor},
        "APIVersions": API_VERSIONS,
        "HelmVersion": {"Version": "v3.16.0"}
    });
    for (path, text) in &chart.templates {
        let file = format!("{prefix}/{path}");
        let base = path.rsplit('/').next().unwrap_or_default();
        if base == "NOTES.txt" {
            continue;
        }
        let manifest =
            !base.starts_with('_') && [".yaml", ".yml", ".tpl", ".json"].iter().any(|ext| base.ends_with(ext));
        if manifest {
            let ctx = json!({
                "Values": values, "Chart": chart.meta, "Release": release, "Capabilities": capabilities,
                "Template": {"Name": file, "BasePath": format!("{prefix}/templates")}, "Files": {}
            });
            targets.push((file.clone(), ctx));
        }
        sources.push((file, text.clone()));
    }
    for sub in &chart.subcharts {
        let dep = chart.dependencies.iter().find(|d| d.get("name").and_then(Json::as_str) == Some(&sub.name));
        let scope = dep.and_then(|d| d.get("alias")).and_then(Json::as_str).unwrap_or(&sub.name).to_string();
        // The first condition path that holds a boolean decides (Helm's rule).
        let condition = dep.and_then(|d| d.get("condition")).and_then(Json::as_str).unwrap_or_default();
        let enabled = condition.split(',').find_map(|p| at_path(&values, p.trim()).and_then(Json::as_bool));
        if enabled == Some(false) {
            continue;
        }
        let mut scoped = sub.values.clone();
        if let Some(given) = values.get(&scope) {
            values::deep_merge(&mut scoped, given.clone());
        }
        if let Some(global) = values.get("global") {
            let mut merged = scoped.get("global").cloned().unwrap_or_else(|| Json::Object(Map::new()));
            values::deep_merge(&mut merged, global.clone());
            if let Json::Object(m) = &mut scoped {
                m.insert("global".into(), merged);
            }
        }
        collect(sub, scoped, &format!("{prefix}/charts/{scope}"), release, sources, targets);
    }
}

#[cfg(test)]
mod tests;
