//! `POST /controlplanes/{id}/apps/import`: an OpenAPI 3 document becomes
//! one application (its servers give the hosts, the path prefix and the
//! upstream) and one API per operation. The document is read and checked
//! whole before anything is stored; a refusal stores nothing.

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult};
use serde_json::{Map, Value, json};

use super::Gateway;
use super::app_spec::{self, ApiSpec, AppSpec};
use super::scope;
use super::{apis, applications};
use crate::model::applications::Application;
use crate::store::applications as store;

/// The body as it came: JSON (the document itself, or `{"openapi": "<YAML
/// or JSON text>"}` as the reference shows, or a JSON string holding the
/// text), or YAML text.
pub enum ImportBody {
    Json(Value),
    Text(String),
}

fn bad(msg: impl Into<String>) -> AppError {
    AppError::validation(msg)
}

/// At most this many operations per document.
const MAX_OPERATIONS: usize = 1000;
const OPERATIONS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

fn parse_text(text: &str) -> AppResult<Value> {
    serde_saphyr::from_str::<Value>(text).map_err(|e| bad(format!("the document is neither JSON nor YAML: {e}")))
}

/// The document, and the `hosts` a wrapper body gives.
fn document(body: ImportBody) -> AppResult<(Value, Vec<String>)> {
    match body {
        ImportBody::Text(t) => Ok((parse_text(&t)?, vec![])),
        ImportBody::Json(Value::String(t)) => Ok((parse_text(&t)?, vec![])),
        ImportBody::Json(Value::Object(m)) => match m.get("openapi") {
            // The reference's body: the document as text in `openapi` (a
            // document's own `openapi` is a short version number).
            Some(Value::String(t)) if !is_version(t) => {
                let hosts = m.get("hosts").map(host_list).transpose()?.unwrap_or_default();
                Ok((parse_text(t)?, hosts))
            }
            _ => Ok((Value::Object(m), vec![])),
        },
        ImportBody::Json(_) => Err(bad("the body must be an OpenAPI 3 document (a JSON object or YAML text)")),
    }
}

fn is_version(s: &str) -> bool {
    !s.is_empty() && s.len() <= 16 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

fn host_list(v: &Value) -> AppResult<Vec<String>> {
    v.as_array()
        .map(|a| a.iter().filter_map(|h| h.as_str().map(String::from)).collect())
        .ok_or_else(|| bad("hosts must be an array of host names"))
}

fn truncate(s: &str, n: usize) -> String {
    s.trim().chars().take(n).collect()
}

/// A server URL with its `{variables}` set to their defaults, split into
/// (scheme, host, port, path); `None` for a relative URL.
fn server(s: &Map<String, Value>) -> AppResult<Option<(String, String, u16, String)>> {
    let mut url =
        s.get("url").and_then(Value::as_str).ok_or_else(|| bad("servers: each server needs a url"))?.to_string();
    if let Some(Value::Object(vars)) = s.get("variables") {
        for (name, var) in vars {
            let default = var.get("default").and_then(Value::as_str).unwrap_or_default();
            url = url.replace(&format!("{{{name}}}"), default);
        }
    }
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
        None => return Ok(None),
    };
    let port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return Err(bad(format!("servers: {url:?} is not an http or https URL"))),
    };
    let (authority, path) = rest.find('/').map_or((rest, ""), |i| (&rest[..i], &rest[i..]));
    let authority = authority.rsplit('@').next().unwrap_or_default();
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => (
            h,
            p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| bad(format!("servers: {url:?} has a bad port")))?,
        ),
        _ => (authority, port),
    };
    if host.is_empty() {
        return Err(bad(format!("servers: {url:?} has no host")));
    }
    let path = path.split(['?', '#']).next().unwrap_or_default().trim_end_matches('/');
    Ok(Some((scheme, host.to_ascii_lowercase(), port, if path.is_empty() { "/".into() } else { path.into() })))
}

/// An OpenAPI path as an API path: without templates, an exact match;
/// with one (`/pets/{id}`), a prefix match on what comes before the
/// segment holding the first template (`/pets/`), since APISIX's default
/// router matches exact paths and prefixes only.
fn api_path(path: &str) -> Value {
    match path.find('{') {
        None => json!({ "path": path, "path_type": "Exact" }),
        Some(i) => {
            let cut = path[..i].rfind('/').map_or("/", |j| &path[..=j]);
            json!({ "path": cut, "path_type": "Prefix" })
        }
    }
}

/// What the import stores: the application and its APIs, checked.
pub struct Plan {
    pub app: AppSpec,
    pub apis: Vec<ApiSpec>,
}

/// Reads the document and checks everything it would store. `hosts` (the
/// query's, else the wrapper's) replace the hosts of the servers.
pub fn plan(body: ImportBody, hosts: Vec<String>) -> AppResult<Plan> {
    let (doc, wrapper_hosts) = document(body)?;
    let Value::Object(doc) = doc else {
        return Err(bad("the document must be an OpenAPI 3 object (openapi, info, servers, paths)"));
    };
    if doc.contains_key("swagger") {
        return Err(bad("Swagger 2.0 documents are not supported: convert the document to OpenAPI 3"));
    }
    let version = match doc.get("openapi") {
        Some(Value::String(v)) => v.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(bad("the document is not OpenAPI 3: openapi: \"3.x.y\" is missing")),
    };
    if !version.starts_with("3.") {
        return Err(bad(format!("the document is OpenAPI {version}: only OpenAPI 3 is supported")));
    }
    let info = doc.get("info").and_then(Value::as_object);
    let title = info.and_then(|i| i.get("title")).and_then(Value::as_str).map(|t| truncate(t, 64));
    let name =
        title.filter(|t| !t.is_empty()).ok_or_else(|| bad("info.title is required (it names the application)"))?;
    let description = info.and_then(|i| i.get("description")).and_then(Value::as_str).map(|d| truncate(d, 256));

    let servers: Vec<_> = match doc.get("servers") {
        None => vec![],
        Some(Value::Array(list)) => list
            .iter()
            .map(|s| s.as_object().ok_or_else(|| bad("servers: each server must be an object")).and_then(server))
            .collect::<AppResult<Vec<_>>>()?,
        Some(_) => return Err(bad("servers must be an array")),
    };
    let Some(Some((scheme, upstream_host, port, path_prefix))) = servers.first().cloned() else {
        return Err(bad(
            "servers: the first server must have an absolute URL (http(s)://host[:port][/path]): it gives the upstream",
        ));
    };
    let hosts = if !hosts.is_empty() {
        hosts
    } else if !wrapper_hosts.is_empty() {
        wrapper_hosts
    } else {
        let mut hs: Vec<String> = vec![];
        for (_, h, _, _) in servers.iter().flatten() {
            if !hs.contains(h) {
                hs.push(h.clone());
            }
        }
        hs
    };

    let app = json!({
        "name": name,
        "description": description.unwrap_or_default(),
        "path_prefix": path_prefix,
        "hosts": hosts,
        "protocols": [if scheme == "https" { "HTTPS" } else { "HTTP" }],
        "upstreams": [{
            "version": "default",
            "upstream": { "scheme": scheme, "targets": [{ "host": upstream_host, "port": port, "weight": 100 }] },
        }],
        "default_upstream_version": "default",
        "active": 0,
    });
    let app = app_spec::application(app.as_object().ok_or_else(|| AppError::internal("not an object"))?).map_err(
        |e| match e {
            AppError::Validation(m) => bad(format!("the application the document gives is not valid: {m}")),
            e => e,
        },
    )?;

    let paths = match doc.get("paths") {
        Some(Value::Object(p)) if !p.is_empty() => p,
        _ => return Err(bad("the document has no paths to import")),
    };
    let mut apis = vec![];
    for (path, item) in paths {
        let Value::Object(item) = item else { return Err(bad(format!("paths.{path} must be an object"))) };
        for method in OPERATIONS {
            let Some(op) = item.get(method) else { continue };
            let op = op.as_object().ok_or_else(|| bad(format!("paths.{path}.{method} must be an object")))?;
            let upper = method.to_ascii_uppercase();
            let text = |k: &str| op.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
            let name = text("operationId").map_or_else(|| format!("{upper} {path}"), String::from);
            let description = text("summary").or_else(|| text("description")).unwrap_or_default();
            // Tags that are valid labels become labels.
            let mut labels: Vec<String> = vec![];
            for tag in op.get("tags").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
                if meshcloud_kernel::http::api7::check_label("tags", tag).is_ok()
                    && !labels.iter().any(|l| l == tag)
                    && labels.len() < 32
                {
                    labels.push(tag.to_string());
                }
            }
            let api = json!({
                "name": truncate(&name, 64),
                "description": truncate(description, 256),
                "methods": [upper],
                "paths": [api_path(path)],
                "labels": labels,
                "active": 0,
            });
            let api = app_spec::api(api.as_object().ok_or_else(|| AppError::internal("not an object"))?).map_err(
                |e| match e {
                    AppError::Validation(m) => bad(format!("paths.{path}.{method}: {m}")),
                    e => e,
                },
            )?;
            apis.push(api);
            if apis.len() > MAX_OPERATIONS {
                return Err(bad(format!("the document has more than {MAX_OPERATIONS} operations")));
            }
        }
    }
    if apis.is_empty() {
        return Err(bad("the document has no operations (get, put, post, delete, options, head, patch, trace)"));
    }
    Ok(Plan { app, apis })
}

impl Gateway {
    /// Imports an OpenAPI 3 document as an application and its APIs.
    pub async fn import_application(
        &self,
        p: &Principal,
        cp_id: i64,
        body: ImportBody,
        hosts: Vec<String>,
    ) -> AppResult<Application> {
        // Read off the writer; its verdict is given after the permission check.
        let planned = plan(body, hosts);
        let (p, now) = (p.clone(), self.now());
        self.db()
            .write(move |c| {
                let cp = scope::control_plane(c, &p, cp_id, Perm::ApplicationsManage)?;
                let Plan { app, apis: api_specs } = planned?;
                let n = api_specs.len();
                let id = applications::insert_checked(
                    c,
                    p.user,
                    &cp,
                    app,
                    &now,
                    &format!("imported from an OpenAPI document with {n} APIs"),
                )?;
                let row = store::get(c, id)?.ok_or(AppError::NotFound)?;
                // The application's insert bumped `config_version` once for all.
                for s in &api_specs {
                    apis::insert_checked(c, p.user, &cp, &row, s, &now)?;
                }
                applications::to_wire(c, row)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_and_paths() {
        let s = |u: &str| server(json!({"url": u}).as_object().unwrap()).unwrap();
        assert_eq!(
            s("https://api.example.com/v1/"),
            Some(("https".into(), "api.example.com".into(), 443, "/v1".into()))
        );
        assert_eq!(s("http://Example.com:8080"), Some(("http".into(), "example.com".into(), 8080, "/".into())));
        assert_eq!(s("/api/v3"), None);
        let v = json!({"url": "https://{env}.example.com/{base}", "variables": {"env": {"default": "prod"}, "base": {"default": "v2"}}});
        assert_eq!(
            server(v.as_object().unwrap()).unwrap(),
            Some(("https".into(), "prod.example.com".into(), 443, "/v2".into()))
        );
        assert!(server(json!({"url": "ftp://x"}).as_object().unwrap()).is_err());
        assert_eq!(api_path("/pets"), json!({"path": "/pets", "path_type": "Exact"}));
        assert_eq!(api_path("/pets/{id}"), json!({"path": "/pets/", "path_type": "Prefix"}));
        assert_eq!(api_path("/pets/{id}/photos"), json!({"path": "/pets/", "path_type": "Prefix"}));
        assert_eq!(api_path("/files/x{name}.json"), json!({"path": "/files/", "path_type": "Prefix"}));
    }

    #[test]
    fn yaml_with_integer_keys() {
        let doc = "openapi: 3.0.3\ninfo: {title: T}\nservers: [{url: 'http://a.example.com/v1'}]\npaths:\n  /x:\n    get:\n      responses:\n        200: {description: ok}\n";
        let plan = plan(ImportBody::Text(doc.into()), vec![]).unwrap();
        assert_eq!(plan.app.hosts, ["a.example.com"]);
        assert_eq!(plan.app.path_prefix, "/v1");
        assert_eq!(plan.apis.len(), 1);
        assert_eq!(plan.apis[0].name, "GET /x");
    }
}
