//! The rules of an application's and an API's body, checked on the wire
//! object as a whole (create, PUT, and the result of a PATCH merge): every
//! refusal is a 400 naming the field. Read-only fields a client echoes back
//! (`id`, `status`, `created_at`…) are ignored; unknown fields are dropped.

use meshcloud_kernel::http::api7::check_labels;
use meshcloud_kernel::{AppError, AppResult};
use serde_json::{Map, Value, json};

fn bad(msg: impl Into<String>) -> AppError {
    AppError::validation(msg)
}

/// Null counts as absent (Go clients send `null` for empty slices and maps).
fn field<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    m.get(key).filter(|v| !v.is_null())
}

pub(crate) fn string(m: &Map<String, Value>, key: &str, min: usize, max: usize) -> AppResult<Option<String>> {
    match field(m, key) {
        None => Ok(None),
        Some(Value::String(s)) => {
            let n = s.chars().count();
            if n < min || n > max {
                let range = if min == 0 { format!("at most {max}") } else { format!("{min} to {max}") };
                return Err(bad(format!("{key} must be {range} characters long")));
            }
            if s.chars().any(char::is_control) {
                return Err(bad(format!("{key} must not hold control characters")));
            }
            Ok(Some(s.clone()))
        }
        Some(_) => Err(bad(format!("{key} must be a string"))),
    }
}

fn required(m: &Map<String, Value>, key: &str, min: usize, max: usize) -> AppResult<String> {
    string(m, key, min, max)?.ok_or_else(|| bad(format!("{key} is required")))
}

/// A name: required, 1..64 characters, not only white space.
pub(crate) fn name(m: &Map<String, Value>) -> AppResult<String> {
    let n = required(m, "name", 1, 64)?;
    if n.trim().is_empty() {
        return Err(bad("name must not be blank"));
    }
    Ok(n)
}

fn integer(v: &Value, what: &str, min: i64, max: i64) -> AppResult<i64> {
    match v.as_i64() {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(bad(format!("{what} must be an integer from {min} to {max}"))),
    }
}

/// `active`: 0 (published, the default) or 1.
pub(crate) fn active(m: &Map<String, Value>) -> AppResult<i64> {
    field(m, "active").map_or(Ok(0), |v| integer(v, "active", 0, 1))
}

pub(crate) fn labels(m: &Map<String, Value>) -> AppResult<Vec<String>> {
    match field(m, "labels") {
        None => Ok(vec![]),
        Some(Value::Array(items)) => {
            let labels = items
                .iter()
                .map(|l| l.as_str().map(String::from).ok_or_else(|| bad("labels must be strings")))
                .collect::<AppResult<Vec<_>>>()?;
            check_labels(&labels)
        }
        Some(_) => Err(bad("labels must be an array of strings")),
    }
}

/// `policies` (the reference's name) or `plugins` (the SDK's): plugin name →
/// configuration object.
pub(crate) fn policies(m: &Map<String, Value>) -> AppResult<Value> {
    let (key, v) = match (field(m, "policies"), field(m, "plugins")) {
        (Some(v), _) => ("policies", v),
        (None, Some(v)) => ("plugins", v),
        (None, None) => return Ok(json!({})),
    };
    let Value::Object(map) = v else {
        return Err(bad(format!("{key} must be an object (plugin name → configuration)")));
    };
    for (name, conf) in map {
        let ok_name =
            (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok_name {
            return Err(bad(format!("{key}: {name:?} is not a plugin name (1 to 64 characters of 0-9a-zA-Z-_)")));
        }
        if !conf.is_object() {
            return Err(bad(format!("{key}.{name} must be an object (the plugin's configuration)")));
        }
    }
    Ok(v.clone())
}

/// A host name (`api.example.com`), or a wildcard over one (`*.example.com`).
/// Lower-cased: host names compare without case.
pub(crate) fn host(raw: &str) -> Option<String> {
    let h = raw.to_ascii_lowercase();
    let rest = h.strip_prefix("*.").unwrap_or(&h);
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    (h.len() <= 253 && !rest.is_empty() && rest.split('.').all(label_ok)).then_some(h)
}

/// `path_prefix` and API paths: starting with `/`, no white space, query or
/// fragment.
fn url_path(key: &str, p: &str) -> AppResult<()> {
    if !p.starts_with('/') {
        return Err(bad(format!("{key} must start with \"/\"")));
    }
    if p.chars().any(|c| c.is_whitespace() || c.is_control() || c == '?' || c == '#') {
        return Err(bad(format!("{key} must be a URL path (no white space, \"?\" or \"#\")")));
    }
    Ok(())
}

/// A certificate id in a body: an id as a string or a number; `"0"`/`0`
/// and `""` (what a Go client sends for none) mean none.
fn cert_id(v: Option<&Value>, key: &str) -> AppResult<Option<i64>> {
    let id = match v {
        None => return Ok(None),
        Some(Value::String(s)) if s.is_empty() || s == "0" => return Ok(None),
        Some(Value::Number(n)) if n.as_i64() == Some(0) => return Ok(None),
        Some(Value::String(s)) => s.parse::<i64>().ok().filter(|n| *n > 0 && !s.starts_with('0')),
        Some(Value::Number(n)) => n.as_i64().filter(|n| *n > 0),
        Some(_) => None,
    };
    id.map(Some).ok_or_else(|| bad(format!("{key} must be a certificate id (^[1-9][0-9]*$)")))
}

/// A checked application: what goes in the columns, the `spec` JSON
/// (stored layout: see `docs/gateway.md`), and the certificates the
/// upstreams name (checked against the control plane in the transaction).
#[derive(Debug, Clone)]
pub struct AppSpec {
    pub name: String,
    pub description: String,
    pub path_prefix: String,
    pub hosts: Vec<String>,
    pub active: i64,
    pub labels: Vec<String>,
    pub spec: Value,
    pub cert_ids: Vec<i64>,
}

const PROTOCOLS: [&str; 2] = ["HTTP", "HTTPS"];
const LB_TYPES: [&str; 4] = ["roundrobin", "consistent_hash", "ewma", "least_conn"];
const HOST_MODES: [&str; 3] = ["pass", "node", "rewrite"];

/// Checks an application's wire object.
pub fn application(m: &Map<String, Value>) -> AppResult<AppSpec> {
    let name = name(m)?;
    let description = string(m, "description", 0, 256)?.unwrap_or_default();
    let path_prefix = required(m, "path_prefix", 1, 4096)?;
    url_path("path_prefix", &path_prefix)?;

    let hosts = match field(m, "hosts") {
        None => return Err(bad("hosts is required")),
        Some(Value::Array(items)) if !items.is_empty() => {
            let mut out: Vec<String> = Vec::with_capacity(items.len());
            for h in items {
                let raw = h.as_str().ok_or_else(|| bad("hosts must be strings"))?;
                let h = host(raw).ok_or_else(|| {
                    bad(format!("hosts: {raw:?} is not a host name (or a wildcard such as *.example.com)"))
                })?;
                if out.contains(&h) {
                    return Err(bad(format!("hosts: {raw:?} is given twice (hosts are unique)")));
                }
                out.push(h);
            }
            out
        }
        Some(Value::Array(_)) => return Err(bad("hosts must not be empty")),
        Some(_) => return Err(bad("hosts must be an array of host names")),
    };
    if hosts.len() > 32 {
        return Err(bad("hosts: at most 32 hosts"));
    }

    let protocol = match field(m, "protocol") {
        None => None,
        Some(Value::String(p)) if PROTOCOLS.contains(&p.as_str()) => Some(p.clone()),
        Some(_) => return Err(bad("protocol must be HTTP or HTTPS")),
    };
    let protocols = match field(m, "protocols") {
        None => vec![protocol.clone().unwrap_or_else(|| "HTTP".into())],
        Some(Value::Array(items)) if (1..=2).contains(&items.len()) => {
            let mut out: Vec<String> = vec![];
            for p in items {
                match p.as_str() {
                    Some(s) if PROTOCOLS.contains(&s) && !out.iter().any(|o| o == s) => out.push(s.into()),
                    Some(s) if PROTOCOLS.contains(&s) => {
                        return Err(bad(format!("protocols: {s} is given twice (protocols are unique)")));
                    }
                    _ => return Err(bad("protocols: each item must be HTTP or HTTPS")),
                }
            }
            out
        }
        Some(_) => return Err(bad("protocols must be an array of 1 or 2 items of HTTP, HTTPS")),
    };

    let (upstreams, cert_ids) = upstreams(field(m, "upstreams"))?;
    let default_upstream_version =
        string(m, "default_upstream_version", 0, 64)?.filter(|v| !v.is_empty()).unwrap_or_else(|| "default".into());
    let versions: Vec<&str> = upstreams.iter().filter_map(|u| u["version"].as_str()).collect();
    if !versions.contains(&default_upstream_version.as_str()) {
        return Err(bad(format!(
            "default_upstream_version {default_upstream_version:?} names no upstream (versions: {})",
            versions.join(", ")
        )));
    }
    let policies = policies(m)?;
    let active = active(m)?;
    let labels = labels(m)?;

    let mut spec = json!({
        "protocols": protocols,
        "hosts": hosts,
        "upstreams": upstreams,
        "default_upstream_version": default_upstream_version,
        "policies": policies,
        "canary_release_id": [],
        "canary_upstream_version_list": [],
        "available_cert_ids": [],
    });
    if let (Some(p), Value::Object(s)) = (protocol, &mut spec) {
        s.insert("protocol".into(), Value::String(p));
    }
    Ok(AppSpec { name, description, path_prefix, hosts, active, labels, spec, cert_ids })
}

/// `upstreams`: 1..10, versions unique; answers them rebuilt from the known
/// fields, and the certificate ids they name.
fn upstreams(v: Option<&Value>) -> AppResult<(Vec<Value>, Vec<i64>)> {
    let items = match v {
        None => return Err(bad("upstreams is required")),
        Some(Value::Array(items)) if (1..=10).contains(&items.len()) => items,
        Some(Value::Array(_)) => return Err(bad("upstreams must hold 1 to 10 upstreams")),
        Some(_) => return Err(bad("upstreams must be an array")),
    };
    let mut out = Vec::with_capacity(items.len());
    let mut certs = vec![];
    let mut versions: Vec<String> = vec![];
    for (i, item) in items.iter().enumerate() {
        let at = format!("upstreams[{i}]");
        let Value::Object(uv) = item else { return Err(bad(format!("{at} must be an object"))) };
        let version = match field(uv, "version") {
            Some(Value::String(s)) if (1..=64).contains(&s.chars().count()) => s.clone(),
            _ => return Err(bad(format!("{at}.version is required: a string of 1 to 64 characters"))),
        };
        if versions.contains(&version) {
            return Err(bad(format!("{at}.version {version:?} is given twice (versions are unique)")));
        }
        versions.push(version.clone());
        let Some(Value::Object(u)) = field(uv, "upstream") else {
            return Err(bad(format!("{at}.upstream is required: an object")));
        };
        let (upstream, cert) = upstream(&format!("{at}.upstream"), u)?;
        let mut entry = json!({ "upstream": upstream, "version": version });
        certs.extend(cert);
        // The deprecated outer `client_cert_id`, kept when given.
        if let Some(id) = cert_id(field(uv, "client_cert_id"), &format!("{at}.client_cert_id"))? {
            certs.push(id);
            entry["client_cert_id"] = Value::String(id.to_string());
        }
        out.push(entry);
    }
    Ok((out, certs))
}

fn upstream(at: &str, u: &Map<String, Value>) -> AppResult<(Value, Option<i64>)> {
    let mut out = Map::new();
    let scheme = match field(u, "scheme") {
        Some(Value::String(s)) if s == "http" || s == "https" => s.clone(),
        None => return Err(bad(format!("{at}.scheme is required: http or https"))),
        Some(_) => return Err(bad(format!("{at}.scheme must be http or https"))),
    };
    out.insert("scheme".into(), scheme.into());
    let lb_type = match field(u, "lb_type") {
        None => "roundrobin".to_string(),
        Some(Value::String(s)) if s.is_empty() => "roundrobin".to_string(),
        Some(Value::String(s)) if LB_TYPES.contains(&s.as_str()) => s.clone(),
        Some(_) => return Err(bad(format!("{at}.lb_type must be one of {}", LB_TYPES.join(", ")))),
    };
    let hash_key = string(u, "hash_key", 0, 256).map_err(|e| prefix_err(at, e))?.unwrap_or_default();
    if lb_type == "consistent_hash" && hash_key.trim().is_empty() {
        return Err(bad(format!("{at}.hash_key is required when lb_type is consistent_hash")));
    }
    out.insert("lb_type".into(), lb_type.into());
    if !hash_key.is_empty() {
        out.insert("hash_key".into(), hash_key.into());
    }

    let discovery = match field(u, "service_discovery") {
        None => None,
        Some(Value::Object(sd)) => Some(service_discovery(&format!("{at}.service_discovery"), sd)?),
        Some(_) => return Err(bad(format!("{at}.service_discovery must be an object"))),
    };
    let targets = match field(u, "targets") {
        None => vec![],
        Some(Value::Array(ts)) => {
            if ts.len() > 256 {
                return Err(bad(format!("{at}.targets: at most 256 targets")));
            }
            ts.iter().enumerate().map(|(i, t)| target(&format!("{at}.targets[{i}]"), t)).collect::<AppResult<_>>()?
        }
        Some(_) => return Err(bad(format!("{at}.targets must be an array"))),
    };
    if targets.is_empty() && discovery.is_none() {
        return Err(bad(format!("{at}.targets must hold at least one target (or give service_discovery)")));
    }
    if let Some(sd) = discovery {
        out.insert("service_discovery".into(), sd);
    }
    out.insert("targets".into(), Value::Array(targets));

    if let Some(r) = field(u, "retries") {
        out.insert("retries".into(), integer(r, &format!("{at}.retries"), 0, 65535)?.into());
    }
    match field(u, "timeout") {
        None => {}
        Some(Value::Object(t)) => {
            let mut timeout = Map::new();
            for k in ["connect", "send", "read"] {
                if let Some(v) = field(t, k) {
                    timeout.insert(k.into(), integer(v, &format!("{at}.timeout.{k} (seconds)"), 0, 86_400)?.into());
                }
            }
            out.insert("timeout".into(), Value::Object(timeout));
        }
        Some(_) => return Err(bad(format!("{at}.timeout must be an object {{connect, send, read}}"))),
    }
    let mode = match field(u, "upstream_host_mode") {
        None => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) if HOST_MODES.contains(&s.as_str()) => Some(s.clone()),
        Some(_) => return Err(bad(format!("{at}.upstream_host_mode must be one of {}", HOST_MODES.join(", ")))),
    };
    let upstream_host = string(u, "upstream_host", 0, 253).map_err(|e| prefix_err(at, e))?.unwrap_or_default();
    if mode.as_deref() == Some("rewrite") && host(&upstream_host).is_none_or(|h| h.starts_with("*.")) {
        return Err(bad(format!("{at}.upstream_host must be a host name when upstream_host_mode is rewrite")));
    }
    if let Some(mode) = mode {
        out.insert("upstream_host_mode".into(), mode.into());
    }
    if !upstream_host.is_empty() {
        out.insert("upstream_host".into(), upstream_host.into());
    }
    let cert = cert_id(field(u, "client_cert_id"), &format!("{at}.client_cert_id"))?;
    if let Some(id) = cert {
        out.insert("client_cert_id".into(), id.to_string().into());
    }
    match field(u, "checks") {
        None => {}
        Some(Value::Object(c)) => {
            checks(&format!("{at}.checks"), c)?;
            out.insert("checks".into(), Value::Object(c.clone()));
        }
        Some(_) => return Err(bad(format!("{at}.checks must be an object {{active, passive}}"))),
    }
    Ok((Value::Object(out), cert))
}

/// Re-words a field error of a nested object so it names the full path.
fn prefix_err(at: &str, e: AppError) -> AppError {
    match e {
        AppError::Validation(m) => AppError::Validation(format!("{at}.{m}")),
        e => e,
    }
}

fn target(at: &str, t: &Value) -> AppResult<Value> {
    let Value::Object(t) = t else { return Err(bad(format!("{at} must be an object {{host, port, weight}}"))) };
    let host = match field(t, "host") {
        Some(Value::String(h))
            if !h.is_empty() && h.len() <= 253 && !h.chars().any(|c| c.is_whitespace() || c.is_control()) =>
        {
            h.clone()
        }
        _ => return Err(bad(format!("{at}.host is required: a host name or address"))),
    };
    let port = field(t, "port").ok_or_else(|| bad(format!("{at}.port is required (1 to 65535)")))?;
    let port = integer(port, &format!("{at}.port"), 1, 65535)?;
    // The reference has no default; 100 is what the console fills in.
    let weight = field(t, "weight").map_or(Ok(100), |w| integer(w, &format!("{at}.weight"), 0, 100))?;
    Ok(json!({ "host": host, "port": port, "weight": weight }))
}

fn service_discovery(at: &str, sd: &Map<String, Value>) -> AppResult<Value> {
    let mut out = Map::new();
    if let Some(r) = field(sd, "service_registry") {
        out.insert("service_registry".into(), integer(r, &format!("{at}.service_registry"), 0, 1000)?.into());
    }
    if let Some(id) = cert_id(field(sd, "service_registry_id"), &format!("{at}.service_registry_id"))
        .map_err(|_| bad(format!("{at}.service_registry_id must be an id (^[1-9][0-9]*$)")))?
    {
        out.insert("service_registry_id".into(), id.to_string().into());
    }
    match field(sd, "kubernetes_service") {
        None => {}
        Some(Value::Object(k)) => {
            let mut ks = Map::new();
            for key in ["namespace", "name", "port"] {
                let v = match field(k, key) {
                    None => String::new(),
                    Some(Value::String(s)) if s.len() <= 253 => s.clone(),
                    Some(Value::Number(n)) if key == "port" => n.to_string(),
                    Some(_) => return Err(bad(format!("{at}.kubernetes_service.{key} must be a string"))),
                };
                ks.insert(key.into(), v.into());
            }
            out.insert("kubernetes_service".into(), Value::Object(ks));
        }
        Some(_) => return Err(bad(format!("{at}.kubernetes_service must be an object"))),
    }
    Ok(Value::Object(out))
}

const CHECK_TYPES: [&str; 3] = ["tcp", "http", "https"];

/// Health checks: the shapes of the SDK's `Checks` (types, non-negative
/// counters, status codes 100..599, headers of strings).
fn checks(at: &str, c: &Map<String, Value>) -> AppResult<()> {
    for (kind, v) in c {
        if kind != "active" && kind != "passive" {
            return Err(bad(format!("{at}: unknown key {kind:?} (active, passive)")));
        }
        if v.is_null() {
            continue;
        }
        let Value::Object(check) = v else { return Err(bad(format!("{at}.{kind} must be an object"))) };
        let here = format!("{at}.{kind}");
        match field(check, "type") {
            None => {}
            Some(Value::String(t)) if t.is_empty() || CHECK_TYPES.contains(&t.as_str()) => {}
            Some(_) => return Err(bad(format!("{here}.type must be one of tcp, http, https"))),
        }
        for proto in CHECK_TYPES {
            match field(check, proto) {
                None => {}
                Some(Value::Object(p)) => probe(&format!("{here}.{proto}"), p)?,
                Some(_) => return Err(bad(format!("{here}.{proto} must be an object"))),
            }
        }
    }
    Ok(())
}

/// One probe or predicate object, recursively: integers non-negative,
/// `http_status_codes` arrays of codes, headers strings, paths and hosts
/// strings, flags booleans.
fn probe(at: &str, p: &Map<String, Value>) -> AppResult<()> {
    for (k, v) in p {
        let here = format!("{at}.{k}");
        match (k.as_str(), v) {
            (_, Value::Null) => {}
            ("healthy" | "unhealthy", Value::Object(inner)) => probe(&here, inner)?,
            ("http_status_codes", Value::Array(codes)) => {
                for c in codes {
                    integer(c, &format!("{here}[]"), 100, 599)?;
                }
            }
            ("http_probe_path", Value::String(s)) if s.is_empty() || s.starts_with('/') => {}
            ("http_probe_path", _) => return Err(bad(format!("{here} must be a path starting with \"/\""))),
            ("http_probe_host", Value::String(_)) => {}
            ("http_probe_headers", Value::Object(h)) if h.values().all(Value::is_string) => {}
            ("http_probe_headers", _) => return Err(bad(format!("{here} must be an object of strings"))),
            ("verify_target_tls_certificate", Value::Bool(_)) => {}
            (
                "probe_timeout"
                | "concurrent_probes"
                | "probe_target_port"
                | "targets_check_interval"
                | "successes"
                | "http_failures"
                | "tcp_failures"
                | "timeouts",
                n,
            ) => {
                integer(n, &here, 0, i64::from(i32::MAX))?;
            }
            _ => return Err(bad(format!("{here} is not a health check field of this shape"))),
        }
    }
    Ok(())
}

/// A checked API.
#[derive(Debug, Clone)]
pub struct ApiSpec {
    pub name: String,
    pub description: String,
    pub active: i64,
    pub labels: Vec<String>,
    pub spec: Value,
}

pub const METHODS: [&str; 10] =
    ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "CONNECT", "TRACE", "PURGE"];

/// Checks an API's wire object.
pub fn api(m: &Map<String, Value>) -> AppResult<ApiSpec> {
    let name = name(m)?;
    let description = string(m, "description", 0, 256)?.unwrap_or_default();
    let methods = match field(m, "methods") {
        None => Value::Null,
        Some(Value::Array(items)) => {
            let mut out: Vec<&str> = vec![];
            for v in items {
                let s = v.as_str().unwrap_or_default();
                if !METHODS.contains(&s) {
                    return Err(bad(format!("methods: {v} is not one of {}", METHODS.join(" "))));
                }
                if out.contains(&s) {
                    return Err(bad(format!("methods: {s} is given twice (methods are unique)")));
                }
                out.push(s);
            }
            json!(out)
        }
        Some(_) => return Err(bad("methods must be an array of HTTP methods (or absent for every method)")),
    };
    let paths = match field(m, "paths") {
        None => return Err(bad("paths is required")),
        Some(Value::Array(items)) if (1..=64).contains(&items.len()) => {
            items.iter().enumerate().map(|(i, p)| api_path(&format!("paths[{i}]"), p)).collect::<AppResult<Vec<_>>>()?
        }
        Some(Value::Array(_)) => return Err(bad("paths must hold 1 to 64 paths")),
        Some(_) => return Err(bad("paths must be an array of {path, path_type}")),
    };
    let strip = match field(m, "strip_path_prefix") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(bad("strip_path_prefix must be a boolean")),
    };
    let kind = match field(m, "type") {
        None => "Rest".to_string(),
        Some(Value::String(s)) if s.is_empty() => "Rest".to_string(),
        Some(Value::String(s)) if s == "Rest" || s == "WebSocket" => s.clone(),
        Some(_) => return Err(bad("type must be Rest or WebSocket")),
    };
    let spec = json!({
        "methods": methods,
        "paths": paths,
        "strip_path_prefix": strip,
        "type": kind,
        "policies": policies(m)?,
    });
    Ok(ApiSpec { name, description, active: active(m)?, labels: labels(m)?, spec })
}

fn api_path(at: &str, p: &Value) -> AppResult<Value> {
    let Value::Object(p) = p else { return Err(bad(format!("{at} must be an object {{path, path_type}}"))) };
    let path = match field(p, "path") {
        Some(Value::String(s)) if s.chars().count() <= 4096 => s.clone(),
        Some(Value::String(_)) => return Err(bad(format!("{at}.path must be at most 4096 characters long"))),
        None => return Err(bad(format!("{at}.path is required"))),
        Some(_) => return Err(bad(format!("{at}.path must be a string"))),
    };
    url_path(&format!("{at}.path"), &path)?;
    let path_type = match field(p, "path_type") {
        None => "Prefix".to_string(),
        Some(Value::String(s)) if s.is_empty() => "Prefix".to_string(),
        Some(Value::String(s)) if s == "Prefix" || s == "Exact" => s.clone(),
        Some(_) => return Err(bad(format!("{at}.path_type must be Prefix or Exact"))),
    };
    Ok(json!({ "path": path, "path_type": path_type }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    fn app() -> Value {
        json!({
            "name": "shop", "path_prefix": "/shop", "hosts": ["Shop.Example.com", "*.shop.io"],
            "upstreams": [{"version": "default", "upstream": {"scheme": "http", "targets": [{"host": "10.0.0.1", "port": 80, "weight": 10}]}}],
            "plugins": {"cors": {}}, "id": "99", "status": 50
        })
    }

    #[test]
    fn application_defaults_and_normalisation() {
        let s = application(&obj(app())).unwrap();
        assert_eq!(s.hosts, ["shop.example.com", "*.shop.io"]);
        assert_eq!(s.spec["protocols"], json!(["HTTP"]));
        assert_eq!(s.spec["default_upstream_version"], "default");
        assert_eq!(s.spec["policies"], json!({"cors": {}}));
        assert_eq!(s.spec["upstreams"][0]["upstream"]["lb_type"], "roundrobin");
        assert!(s.spec.get("protocol").is_none() && s.active == 0 && s.cert_ids.is_empty());
    }

    #[test]
    fn application_rules() {
        let cases: Vec<(Value, &str)> = vec![
            (json!({"name": ""}), "name"),
            (json!({"name": "   "}), "name"),
            (json!({"name": "x".repeat(65)}), "name"),
            (json!({"description": "x".repeat(257)}), "description"),
            (json!({"hosts": []}), "hosts"),
            (json!({"hosts": ["a.com", "A.com"]}), "hosts"),
            (json!({"hosts": ["bad host"]}), "hosts"),
            (json!({"hosts": ["-a.com"]}), "hosts"),
            (json!({"hosts": null}), "hosts"),
            (json!({"path_prefix": "shop"}), "path_prefix"),
            (json!({"path_prefix": ""}), "path_prefix"),
            (json!({"path_prefix": "/a b"}), "path_prefix"),
            (json!({"protocol": "FTP"}), "protocol"),
            (json!({"protocols": []}), "protocols"),
            (json!({"protocols": ["HTTP", "HTTP"]}), "protocols"),
            (json!({"protocols": ["HTTP", "HTTPS", "HTTP"]}), "protocols"),
            (json!({"upstreams": []}), "upstreams"),
            (json!({"upstreams": [{"version": "default"}]}), "upstreams[0].upstream"),
            (json!({"default_upstream_version": "v2"}), "default_upstream_version"),
            (json!({"active": 2}), "active"),
            (json!({"labels": ["a", "a"]}), "labels"),
            (json!({"policies": {"cors": 1}}), "policies.cors"),
            (json!({"policies": []}), "policies"),
        ];
        for (patch, field) in cases {
            let mut v = app();
            meshcloud_kernel::http::api7::merge_patch(&mut v, &patch);
            let err = application(&obj(v)).expect_err(&patch.to_string()).to_string();
            assert!(err.contains(field), "{patch}: {err}");
        }
    }

    #[test]
    fn upstream_rules() {
        let up = |u: Value| json!({"version": "default", "upstream": u});
        let t = json!([{"host": "a", "port": 80, "weight": 1}]);
        let cases: Vec<(Value, &str)> = vec![
            (up(json!({"targets": t})), "scheme"),
            (up(json!({"scheme": "ftp", "targets": t})), "scheme"),
            (up(json!({"scheme": "http", "lb_type": "random", "targets": t})), "lb_type"),
            (up(json!({"scheme": "http", "lb_type": "consistent_hash", "targets": t})), "hash_key"),
            (up(json!({"scheme": "http", "targets": []})), "targets"),
            (up(json!({"scheme": "http", "targets": [{"host": "", "port": 80}]})), "host"),
            (up(json!({"scheme": "http", "targets": [{"host": "a", "port": 0}]})), "port"),
            (up(json!({"scheme": "http", "targets": [{"host": "a", "port": 65536}]})), "port"),
            (up(json!({"scheme": "http", "targets": [{"host": "a", "port": 1, "weight": 101}]})), "weight"),
            (up(json!({"scheme": "http", "targets": t, "retries": -1})), "retries"),
            (up(json!({"scheme": "http", "targets": t, "timeout": {"read": -1}})), "timeout.read"),
            (up(json!({"scheme": "http", "targets": t, "upstream_host_mode": "rewrite"})), "upstream_host"),
            (up(json!({"scheme": "http", "targets": t, "client_cert_id": "x"})), "client_cert_id"),
            (up(json!({"scheme": "http", "targets": t, "checks": {"active": {"type": "udp"}}})), "checks.active.type"),
            (
                up(
                    json!({"scheme": "http", "targets": t, "checks": {"passive": {"http": {"unhealthy": {"http_status_codes": [42]}}}}}),
                ),
                "http_status_codes",
            ),
        ];
        for (u, field) in cases {
            let mut v = app();
            v["upstreams"] = json!([u]);
            let err = application(&obj(v)).expect_err(field).to_string();
            assert!(err.contains(field), "{field}: {err}");
        }
        let mut v = app();
        v["upstreams"] = json!([up(json!({"scheme": "https", "lb_type": "consistent_hash", "hash_key": "uri",
            "targets": t, "retries": 2, "timeout": {"connect": 5}, "upstream_host_mode": "rewrite",
            "upstream_host": "api.internal", "client_cert_id": "7",
            "checks": {"active": {"type": "http", "http": {"http_probe_path": "/health", "healthy": {"successes": 2, "http_status_codes": [200]}}}}}))]);
        let s = application(&obj(v)).unwrap();
        assert_eq!(s.cert_ids, [7]);
        assert_eq!(s.spec["upstreams"][0]["upstream"]["client_cert_id"], "7");
    }

    #[test]
    fn api_rules() {
        let base = json!({"name": "list", "paths": [{"path": "/pets"}]});
        let s = api(&obj(base.clone())).unwrap();
        assert_eq!(s.spec["paths"], json!([{"path": "/pets", "path_type": "Prefix"}]));
        assert_eq!((s.spec["type"].as_str(), s.spec["methods"].is_null()), (Some("Rest"), true));
        let cases: Vec<(Value, &str)> = vec![
            (json!({"name": null}), "name"),
            (json!({"paths": []}), "paths"),
            (json!({"paths": [{"path": "pets"}]}), "paths[0].path"),
            (json!({"paths": [{"path": "/p", "path_type": "Regex"}]}), "path_type"),
            (json!({"methods": ["get"]}), "methods"),
            (json!({"methods": ["GET", "GET"]}), "methods"),
            (json!({"type": "Grpc"}), "type"),
            (json!({"strip_path_prefix": "yes"}), "strip_path_prefix"),
            (json!({"active": -1}), "active"),
        ];
        for (patch, field) in cases {
            let mut v = base.clone();
            meshcloud_kernel::http::api7::merge_patch(&mut v, &patch);
            let err = api(&obj(v)).expect_err(field).to_string();
            assert!(err.contains(field), "{patch}: {err}");
        }
    }
}
