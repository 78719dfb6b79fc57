//! A control plane as an Apache APISIX 3.x standalone configuration
//! (`conf/apisix.yaml`): pure functions from the stored rows to the
//! document. `docs/gateway.md` ("The APISIX export") has the whole mapping.
//!
//! One service per published application (its policies as plugins, its
//! selected upstream), one upstream per application, one route per
//! published API (referencing the service), one consumer per consumer, one
//! SSL object per certificate, and one global rule from the control plane's
//! policies and the settings APISIX has a plugin for.

use std::collections::BTreeSet;

use meshcloud_kernel::{AppError, AppResult};
use serde_json::{Map, Value, json};

use crate::store::export::{Api, App, Certificate, Consumer};

/// Everything one rendering needs, secrets opened.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub control_plane_id: i64,
    pub config_version: i64,
    pub settings: Value,
    pub policies: Value,
    pub apps: Vec<App>,
    pub apis: Vec<Api>,
    pub consumers: Vec<Consumer>,
    pub certificates: Vec<Certificate>,
}

/// APISIX's timeout when a side of the upstream timeout is unset (nginx's
/// default); APISIX wants all three and each above 0.
pub const DEFAULT_TIMEOUT: i64 = 60;

/// The file: a comment header with the `config_version` (APISIX reads only
/// the keys it knows, so comments are the safe place), the document, and
/// the `#END` line without which APISIX does not load the file.
pub fn render(s: &Snapshot) -> AppResult<String> {
    // No folding of long lines: the parsers APISIX ships (tinyyaml before
    // 3.x's lyaml) handle literal blocks (PEM) and plain scalars best.
    let opts = serde_saphyr::ser_options! { folded_wrap_chars: usize::MAX };
    let body = serde_saphyr::to_string_with_options(&document(s), opts).map_err(AppError::internal)?;
    let sep = if body.ends_with('\n') { "" } else { "\n" };
    Ok(format!(
        "# Apache APISIX standalone configuration (conf/apisix.yaml), data plane role, config_provider yaml\n\
         # meshcloud control plane {}\n# config_version: {}\n{body}{sep}#END\n",
        s.control_plane_id, s.config_version
    ))
}

/// The document as JSON (keys sorted).
pub fn document(s: &Snapshot) -> Value {
    // APISIX takes only `client` SSL objects as an upstream's client certificate.
    let client_certs: BTreeSet<i64> = s.certificates.iter().filter(|c| c.kind == "client").map(|c| c.id).collect();
    let mut routes = vec![];
    for api in &s.apis {
        if let Some(app) = s.apps.iter().find(|a| a.id == api.app_id)
            && let Some(r) = route(app, api)
        {
            routes.push(r);
        }
    }
    let mut services = vec![];
    let mut upstreams = vec![];
    for app in &s.apps {
        let up = upstream(app, &client_certs);
        services.push(service(app, up.is_some()));
        upstreams.extend(up);
    }
    let global = global_plugins(&s.settings, &s.policies);
    let global_rules = if global.is_empty() { vec![] } else { vec![json!({"id": "1", "plugins": global})] };
    json!({
        "routes": routes,
        "services": services,
        "upstreams": upstreams,
        "consumers": s.consumers.iter().map(consumer).collect::<Vec<_>>(),
        "ssls": s.certificates.iter().filter_map(ssl).collect::<Vec<_>>(),
        "global_rules": global_rules,
    })
}

fn id(n: i64) -> Value {
    Value::String(n.to_string())
}

fn text(v: &Value) -> Option<&str> {
    v.as_str().map(str::trim).filter(|s| !s.is_empty())
}

/// An object field as a plugin map (absent or not an object: none).
fn plugins_of(v: &Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

/// The route of a published API: `uris` from the application's prefix and
/// the API's paths, the application's hosts, the API's methods, the service
/// of its application.
pub fn route(app: &App, api: &Api) -> Option<Value> {
    let uris = route_uris(&app.path_prefix, &api.spec["paths"]);
    if uris.is_empty() {
        return None;
    }
    let mut r = Map::new();
    r.insert("id".into(), id(api.id));
    r.insert("name".into(), json!(api.name));
    if !api.description.is_empty() {
        r.insert("desc".into(), json!(api.description));
    }
    r.insert("uris".into(), json!(uris));
    if let Some(hosts) = route_hosts(&app.spec["hosts"]) {
        r.insert("hosts".into(), json!(hosts));
    }
    if let Some(methods) = methods(&api.spec["methods"]) {
        r.insert("methods".into(), json!(methods));
    }
    if let Some(vars) = scheme_vars(&app.spec) {
        r.insert("vars".into(), vars);
    }
    r.insert("service_id".into(), id(app.id));
    if api.spec["type"].as_str() == Some("WebSocket") {
        r.insert("enable_websocket".into(), json!(true));
    }
    let plugins = route_plugins(&app.path_prefix, &api.spec);
    if !plugins.is_empty() {
        r.insert("plugins".into(), Value::Object(plugins));
    }
    Some(Value::Object(r))
}

/// The application's prefix joined to a path: no doubled slash, a prefix of
/// `/` adds nothing.
pub fn join_path(prefix: &str, path: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    if path.starts_with('/') { format!("{prefix}{path}") } else { format!("{prefix}/{path}") }
}

/// `Prefix` paths match everything under them (`<prefix><path>*`), `Exact`
/// paths only themselves; duplicates go.
pub fn route_uris(prefix: &str, paths: &Value) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for p in paths.as_array().into_iter().flatten() {
        let Some(path) = p["path"].as_str() else { continue };
        let joined = join_path(prefix, path);
        let uri = if p["path_type"].as_str() == Some("Exact") { joined } else { format!("{joined}*") };
        if !out.contains(&uri) {
            out.push(uri);
        }
    }
    out
}

/// The application's hosts; none (every host) when the list is empty or
/// holds a bare `*`, which APISIX's host pattern refuses.
pub fn route_hosts(hosts: &Value) -> Option<Vec<String>> {
    let hosts: Vec<String> = hosts.as_array()?.iter().filter_map(text).map(str::to_lowercase).collect();
    (!hosts.is_empty() && !hosts.iter().any(|h| h == "*")).then_some(hosts)
}

/// The API's methods, upper-case; none (every method) when absent or empty.
pub fn methods(v: &Value) -> Option<Vec<String>> {
    let m: Vec<String> = v.as_array()?.iter().filter_map(text).map(str::to_uppercase).collect();
    (!m.is_empty()).then_some(m)
}

/// An application serving only HTTP or only HTTPS (`protocols`, else
/// `protocol`) matches only requests of that scheme.
pub fn scheme_vars(spec: &Value) -> Option<Value> {
    let mut set = BTreeSet::new();
    match spec["protocols"].as_array() {
        Some(list) => set.extend(list.iter().filter_map(text).map(str::to_lowercase)),
        None => set.extend(text(&spec["protocol"]).map(str::to_lowercase)),
    }
    if set.len() != 1 {
        return None;
    }
    let scheme = set.into_iter().next()?;
    matches!(scheme.as_str(), "http" | "https").then(|| json!([["scheme", "==", scheme]]))
}

/// The API's policies, and `proxy-rewrite` taking the application's prefix
/// off the forwarded path when `strip_path_prefix` is set — unless the
/// policies rewrite the path themselves.
pub fn route_plugins(prefix: &str, spec: &Value) -> Map<String, Value> {
    let mut plugins = plugins_of(&spec["policies"]);
    let prefix = prefix.trim_end_matches('/');
    if spec["strip_path_prefix"].as_bool() == Some(true) && !prefix.is_empty() {
        let rewrite = plugins.entry("proxy-rewrite").or_insert_with(|| json!({}));
        if let Some(obj) = rewrite.as_object_mut()
            && !obj.contains_key("uri")
            && !obj.contains_key("regex_uri")
        {
            obj.insert("regex_uri".into(), json!([format!("^{}/?(.*)$", regex_escape(prefix)), "/$1"]));
        }
    }
    plugins
}

/// A literal for a PCRE pattern.
pub fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if "\\^$.|?*+()[]{}".contains(ch) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// The service of an application: its policies, its upstream.
pub fn service(app: &App, has_upstream: bool) -> Value {
    let mut s = Map::new();
    s.insert("id".into(), id(app.id));
    s.insert("name".into(), json!(app.name));
    if !app.description.is_empty() {
        s.insert("desc".into(), json!(app.description));
    }
    if has_upstream {
        s.insert("upstream_id".into(), id(app.id));
    }
    let plugins = plugins_of(&app.spec["policies"]);
    if !plugins.is_empty() {
        s.insert("plugins".into(), Value::Object(plugins));
    }
    Value::Object(s)
}

/// The upstream `default_upstream_version` names (else the first one).
pub fn selected_upstream(spec: &Value) -> Option<&Value> {
    let list = spec["upstreams"].as_array()?;
    let want = text(&spec["default_upstream_version"]).unwrap_or("default");
    list.iter().find(|u| u["version"].as_str() == Some(want)).or_else(|| list.first())
}

/// The application's selected upstream as an APISIX upstream (id = the
/// application's). `client_certs`: the certificates the export holds, so a
/// `tls.client_cert_id` always names one.
pub fn upstream(app: &App, client_certs: &BTreeSet<i64>) -> Option<Value> {
    let selected = selected_upstream(&app.spec)?;
    let u = &selected["upstream"];
    let mut out = Map::new();
    out.insert("id".into(), id(app.id));
    out.insert("name".into(), json!(app.name));
    if let Some(v) = text(&selected["version"]) {
        out.insert("desc".into(), json!(format!("version {v}")));
    }
    let scheme = text(&u["scheme"]).map(str::to_lowercase).unwrap_or_else(|| "http".into());
    out.insert("scheme".into(), json!(scheme));
    balancing(u, &mut out);
    targets(u, &mut out);
    if let Some(n) = u["retries"].as_i64().filter(|n| *n >= 0) {
        out.insert("retries".into(), json!(n));
    }
    if u["timeout"].is_object() {
        let side = |k: &str| u["timeout"][k].as_i64().filter(|n| *n > 0).unwrap_or(DEFAULT_TIMEOUT);
        out.insert("timeout".into(), json!({"connect": side("connect"), "send": side("send"), "read": side("read")}));
    }
    host_mode(u, &mut out);
    let cert = cert_id(&u["client_cert_id"]).or_else(|| cert_id(&selected["client_cert_id"]));
    if let Some(cert) = cert.filter(|c| client_certs.contains(c)) {
        out.insert("tls".into(), json!({"client_cert_id": id(cert)}));
    }
    if let Some(checks) = checks(&u["checks"]) {
        out.insert("checks".into(), checks);
    }
    Some(Value::Object(out))
}

/// An id field: a decimal string or a number.
fn cert_id(v: &Value) -> Option<i64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
    .filter(|n| *n > 0)
}

/// `lb_type` → `type` (`consistent_hash` is APISIX's `chash`), and for
/// `chash` where the `hash_key` is read from: `$http_x`/`http_x` a header,
/// `cookie_x` a cookie, `consumer` the consumer, several `$vars` a
/// combination, anything else an nginx variable (`remote_addr` when unset).
pub fn balancing(u: &Value, out: &mut Map<String, Value>) {
    let kind = match text(&u["lb_type"]).unwrap_or("roundrobin") {
        "consistent_hash" => "chash",
        "ewma" => "ewma",
        "least_conn" => "least_conn",
        _ => "roundrobin",
    };
    out.insert("type".into(), json!(kind));
    if kind != "chash" {
        return;
    }
    let raw = text(&u["hash_key"]).unwrap_or("$remote_addr");
    let (on, key) = if raw.matches('$').count() > 1 {
        ("vars_combinations", Some(raw.to_string()))
    } else {
        let name = raw.trim_start_matches('$');
        if name == "consumer" {
            ("consumer", None)
        } else if let Some(h) = name.strip_prefix("http_") {
            ("header", Some(h.to_string()))
        } else if let Some(c) = name.strip_prefix("cookie_") {
            ("cookie", Some(c.to_string()))
        } else {
            ("vars", Some(name.to_string()))
        }
    };
    out.insert("hash_on".into(), json!(on));
    if let Some(key) = key {
        out.insert("key".into(), json!(key));
    }
}

/// `targets` → `nodes` (array form: host, port, weight), or a Kubernetes
/// service (`discovery_type: kubernetes`, `service_name:
/// namespace/name:port`) when the upstream uses service discovery.
pub fn targets(u: &Value, out: &mut Map<String, Value>) {
    let k8s = &u["service_discovery"]["kubernetes_service"];
    if let (Some(ns), Some(name)) = (text(&k8s["namespace"]), text(&k8s["name"])) {
        let port = match &k8s["port"] {
            Value::Number(n) => n.to_string(),
            v => text(v).unwrap_or("http").to_string(),
        };
        out.insert("discovery_type".into(), json!("kubernetes"));
        out.insert("service_name".into(), json!(format!("{ns}/{name}:{port}")));
        return;
    }
    let nodes: Vec<Value> = u["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| {
            let host = text(&t["host"])?;
            let port = t["port"].as_i64()?;
            let weight = t["weight"].as_i64().unwrap_or(1).max(0);
            Some(json!({"host": host, "port": port, "weight": weight}))
        })
        .collect();
    out.insert("nodes".into(), Value::Array(nodes));
}

/// `upstream_host_mode` → `pass_host`: `pass` (the client's Host, the
/// default), `node` (the target's), `rewrite` (`upstream_host`; without one
/// it falls back to `pass`).
pub fn host_mode(u: &Value, out: &mut Map<String, Value>) {
    let mode = text(&u["upstream_host_mode"]).map(str::to_lowercase);
    match (mode.as_deref(), text(&u["upstream_host"])) {
        (Some("rewrite"), Some(host)) => {
            out.insert("pass_host".into(), json!("rewrite"));
            out.insert("upstream_host".into(), json!(host));
        }
        (Some("node"), _) => {
            out.insert("pass_host".into(), json!("node"));
        }
        _ => {
            out.insert("pass_host".into(), json!("pass"));
        }
    }
}

/// Copies `from[src]` to `to[dst]` when it is set (not null, not 0, not
/// empty: the reference's clients omit unset fields).
fn copy(from: &Value, src: &str, to: &mut Map<String, Value>, dst: &str) {
    let v = &from[src];
    let set = match v {
        Value::Null => false,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => true,
    };
    if set {
        to.insert(dst.into(), v.clone());
    }
}

/// Health-check thresholds (`healthy` / `unhealthy`) in APISIX's names.
fn thresholds(v: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    copy(v, "targets_check_interval", &mut out, "interval");
    copy(v, "http_status_codes", &mut out, "http_statuses");
    copy(v, "successes", &mut out, "successes");
    copy(v, "http_failures", &mut out, "http_failures");
    copy(v, "tcp_failures", &mut out, "tcp_failures");
    copy(v, "timeouts", &mut out, "timeouts");
    out
}

/// API7's health checks in APISIX's shape: the probe settings of the
/// check's `type` (`http`, `https` or `tcp`) flattened onto it.
pub fn checks(v: &Value) -> Option<Value> {
    let mut out = Map::new();
    for side in ["active", "passive"] {
        let c = &v[side];
        if !c.is_object() {
            continue;
        }
        let kind = text(&c["type"]).map(str::to_lowercase).unwrap_or_else(|| "http".into());
        let probe = &c[kind.as_str()];
        let mut o = Map::new();
        o.insert("type".into(), json!(kind));
        if side == "active" {
            copy(probe, "probe_timeout", &mut o, "timeout");
            copy(probe, "concurrent_probes", &mut o, "concurrency");
            copy(probe, "http_probe_path", &mut o, "http_path");
            copy(probe, "http_probe_host", &mut o, "host");
            copy(probe, "probe_target_port", &mut o, "port");
            if let Some(b) = probe["verify_target_tls_certificate"].as_bool() {
                o.insert("https_verify_certificate".into(), json!(b));
            }
            if let Some(h) = probe["http_probe_headers"].as_object().filter(|h| !h.is_empty()) {
                let headers: Vec<String> = h
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.as_str().map_or_else(|| v.to_string(), str::to_string)))
                    .collect();
                o.insert("req_headers".into(), json!(headers));
            }
        }
        for (src, dst) in [("healthy", "healthy"), ("unhealthy", "unhealthy")] {
            let t = thresholds(&probe[src]);
            if !t.is_empty() {
                o.insert(dst.into(), Value::Object(t));
            }
        }
        out.insert(side.into(), Value::Object(o));
    }
    (!out.is_empty()).then_some(Value::Object(out))
}

/// A consumer: its name as `username`, each credential as the APISIX
/// authentication plugin of the same name with its secrets. A jwt-auth
/// `private_key` stays home: APISIX 3 only verifies tokens (the public key).
pub fn consumer(c: &Consumer) -> Value {
    let mut out = Map::new();
    out.insert("username".into(), json!(c.name));
    if !c.description.is_empty() {
        out.insert("desc".into(), json!(c.description));
    }
    let mut plugins = Map::new();
    for (name, conf) in c.credentials.as_object().into_iter().flatten() {
        let Some(conf) = conf.as_object() else { continue };
        let mut conf: Map<String, Value> =
            conf.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), v.clone())).collect();
        if name == "jwt-auth" {
            conf.remove("private_key");
        }
        plugins.insert(name.clone(), Value::Object(conf));
    }
    if !plugins.is_empty() {
        out.insert("plugins".into(), Value::Object(plugins));
    }
    Value::Object(out)
}

/// A certificate as an SSL object: the PEM (with its chain) and the opened
/// key; a server certificate serves its SNIs (none: nothing to serve, left
/// out), a client certificate is for upstream mTLS (`tls.client_cert_id`).
pub fn ssl(c: &Certificate) -> Option<Value> {
    let client = c.kind == "client";
    if !client && c.snis.is_empty() {
        return None;
    }
    let mut out = Map::new();
    out.insert("id".into(), id(c.id));
    out.insert("type".into(), json!(if client { "client" } else { "server" }));
    out.insert("cert".into(), json!(c.certificate));
    out.insert("key".into(), json!(c.private_key));
    if !client {
        out.insert("snis".into(), json!(c.snis));
    }
    if let Some(ca) = c.client_ca_certificate.as_deref().filter(|s| !s.trim().is_empty()) {
        out.insert("client".into(), json!({"ca": ca}));
    }
    Some(Value::Object(out))
}

/// The global rule's plugins: those the settings have an APISIX plugin for
/// (`real-ip`, `client-control`, `prometheus`, `proxy-control`,
/// `response-rewrite`), then the control plane's policies (which win).
pub fn global_plugins(settings: &Value, policies: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    let client = &settings["client_settings"];
    let real_ip = &client["client_real_ip"];
    if real_ip["enabled"].as_bool() == Some(true) {
        let name = text(&real_ip["replace_from"]["name"]);
        let source = match (text(&real_ip["replace_from"]["position"]).unwrap_or("header"), name) {
            ("query", Some(n)) => Some(format!("arg_{n}")),
            ("cookie", Some(n)) => Some(format!("cookie_{n}")),
            ("header", n) => Some(format!("http_{}", n.unwrap_or("X-Forwarded-For").to_lowercase().replace('-', "_"))),
            _ => None,
        };
        if let Some(source) = source {
            let mut conf = Map::new();
            conf.insert("source".into(), json!(source));
            copy(real_ip, "trusted_addresses", &mut conf, "trusted_addresses");
            if let Some(r) = real_ip["recursive_search"].as_bool() {
                conf.insert("recursive".into(), json!(r));
            }
            out.insert("real-ip".into(), Value::Object(conf));
        }
    }
    if let Some(max) = client["maximum_request_body_size"].as_u64().filter(|n| *n > 0) {
        out.insert("client-control".into(), json!({"max_body_size": max}));
    }
    if settings["observability_settings"]["metrics"]["enabled"].as_bool() == Some(true) {
        out.insert("prometheus".into(), json!({}));
    }
    let proxy = &settings["api_proxy_settings"];
    if proxy["enable_request_buffering"].as_bool() == Some(false) {
        out.insert("proxy-control".into(), json!({"request_buffering": false}));
    }
    let server = &proxy["server_header_customization"];
    if text(&server["mode"]).map(str::to_lowercase).as_deref() == Some("rewrite")
        && let Some(h) = text(&server["new_server_header"])
    {
        out.insert("response-rewrite".into(), json!({"headers": {"set": {"Server": h}}}));
    }
    out.extend(plugins_of(policies));
    out
}
