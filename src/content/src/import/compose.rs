//! A Docker Compose file into the Kubernetes objects kompose would write,
//! as components of the `kubernetes` model (the same shape as imported
//! manifests, so a design from Compose exports and re-imports like one).
//!
//! kompose behaviours kept (its default `convert`, Deployments):
//! - names made DNS-safe (lower case, `_` and `.` become `-`); every object
//!   labelled `io.kompose.service: <name>`, the Deployment's selector and
//!   pod template too;
//! - one Deployment per service: `image` (a service with only `build` gets
//!   the service name as image), `entrypoint` → `command`, `command` →
//!   `args` (strings split as a shell would), `working_dir`, `tty`,
//!   `stdin_open`, replicas from `deploy.replicas` (or v2 `scale`, else 1),
//!   `restartPolicy: Always`, strategy `Recreate` when it mounts volumes;
//! - service `labels` become annotations of the Deployment and Service
//!   (`kompose.*` labels configure the conversion instead:
//!   `kompose.service.type` = clusterip / nodeport / loadbalancer / headless);
//! - `ports` (short and long syntax, ranges) and `expose` → container ports
//!   and a Service selecting the label above, one port each (named by its
//!   number, `-udp` appended for UDP), `port` = published or target;
//! - environment as kompose treats an `env_file`: a ConfigMap
//!   `<service>-env` holding the variables, each container variable a
//!   `configMapKeyRef` to it (a variable given without a value gets "");
//! - volumes: a named volume → one PersistentVolumeClaim of that name
//!   (shared by the services mounting it, none for `external` volumes), a
//!   bind mount or anonymous volume → `<service>-claim<N>` (N = its index),
//!   100Mi `ReadWriteOnce` (`ReadOnlyMany` when only mounted `ro`); `tmpfs`
//!   → an in-memory `emptyDir`; all mounted with `volumeMounts`.
//!
//! Kept beyond kompose: `depends_on` as the annotation
//! `meshcloud.io/depends-on` (comma-separated, names checked) and
//! `env_file` as `meshcloud.io/env-files` (the files are not part of the
//! upload, so their variables cannot be read).
//!
//! Dropped: `build` details, `networks`, `healthcheck`, `restart`
//! (always a Deployment), `deploy.resources`, `secrets`, `configs`,
//! `logging`, host ports (`hostPort`), `${VAR}` interpolation (kept as
//! written), and the `kompose.cmd`/`kompose.version` annotations.

use super::{ImportError, design_of, kubernetes::components, yaml};
use crate::model::Design;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

const SERVICE_LABEL: &str = "io.kompose.service";
const DEPENDS_ON: &str = "meshcloud.io/depends-on";
const ENV_FILES: &str = "meshcloud.io/env-files";
/// Ports one service may publish (ranges expanded).
const MAX_PORTS: usize = 1_000;

type Object = Map<String, Value>;

/// Converts a Compose file into the design `name`; an error names the
/// service and field (`services.web.ports[1]: …`).
pub fn compose(bytes: &[u8], name: &str) -> Result<Design, ImportError> {
    let docs = yaml::documents_as(bytes, yaml::Dialect::Yaml12)?;
    let mut docs = docs.into_iter();
    let (Some((line, doc)), None) = (docs.next(), docs.next()) else {
        return Err(ImportError::Invalid("a Compose file is one YAML document with `services`".into()));
    };
    let Value::Object(top) = doc else { return Err(ImportError::NotMapping { document: 1, line }) };
    check_version(top.get("version"))?;
    let Some(Value::Object(services)) = top.get("services") else {
        return Err(ImportError::Invalid("services: required, a mapping of service names to services".into()));
    };
    let empty = Map::new();
    let declared = top.get("volumes").and_then(Value::as_object).unwrap_or(&empty);
    let mut objects = Vec::new();
    let mut claims: BTreeMap<String, Claim> = BTreeMap::new();
    for (service, spec) in services {
        let at = format!("services.{service}");
        let Value::Object(spec) = spec else {
            return Err(ImportError::Invalid(format!("{at}: must be a mapping")));
        };
        for object in convert(service, spec, services, declared, &mut claims, &at)? {
            objects.push((at.clone(), object));
        }
    }
    for (claim_name, claim) in claims {
        objects.push((claim.at, pvc(&claim_name, claim.read_only)));
    }
    Ok(design_of(bytes, name, components(objects, crate::registry::Registry::builtin_ref())?))
}

/// Compose file format 2.x and 3.x, or none (the Compose Specification).
fn check_version(version: Option<&Value>) -> Result<(), ImportError> {
    let text = match version {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => other.to_string(),
    };
    let mut parts = text.splitn(2, '.');
    let major_ok = matches!(parts.next(), Some("2" | "3"));
    let minor_ok = parts.next().is_none_or(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()));
    if major_ok && minor_ok { Ok(()) } else { Err(ImportError::UnknownComposeVersion(text)) }
}

/// A PersistentVolumeClaim to write once, however many services mount it.
struct Claim {
    at: String,
    read_only: bool,
}

/// `web_app` → `web-app`, as kompose names objects after services.
fn dns_name(name: &str) -> String {
    name.to_ascii_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' }).collect()
}

fn invalid(at: &str, msg: impl std::fmt::Display) -> ImportError {
    ImportError::Invalid(format!("{at}: {msg}"))
}

/// The Deployment, and the Service and ConfigMap if the service needs
/// them; named volumes are collected in `claims`.
fn convert(
    service: &str,
    spec: &Object,
    services: &Object,
    declared: &Object,
    claims: &mut BTreeMap<String, Claim>,
    at: &str,
) -> Result<Vec<Object>, ImportError> {
    let name = dns_name(service);
    if name.trim_matches('-').is_empty() {
        return Err(invalid(at, "the name has no letters or digits to name Kubernetes objects with"));
    }
    let labels = json!({ SERVICE_LABEL: name });
    let image = match (spec.get("image"), spec.get("build")) {
        (Some(Value::String(image)), _) if !image.trim().is_empty() => image.clone(),
        (None, Some(_)) => name.clone(),
        _ => return Err(invalid(at, "`image` is required (or `build`)")),
    };
    let container_name = match spec.get("container_name") {
        Some(Value::String(n)) => dns_name(n),
        _ => name.clone(),
    };
    let mut container = Map::new();
    container.insert("name".into(), json!(container_name));
    container.insert("image".into(), json!(image));
    if let Some(cmd) = spec.get("entrypoint") {
        container.insert("command".into(), words(cmd, &format!("{at}.entrypoint"))?);
    }
    if let Some(cmd) = spec.get("command") {
        container.insert("args".into(), words(cmd, &format!("{at}.command"))?);
    }
    if let Some(Value::String(dir)) = spec.get("working_dir") {
        container.insert("workingDir".into(), json!(dir));
    }
    for (from, to) in [("tty", "tty"), ("stdin_open", "stdin")] {
        if let Some(Value::Bool(true)) = spec.get(from) {
            container.insert(to.into(), json!(true));
        }
    }

    let mut objects = Vec::new();
    let mut env: Vec<(String, String)> = Vec::new();
    for (k, v) in pairs(spec.get("environment"), &format!("{at}.environment"))? {
        // A variable given twice keeps its first place and its last value, as Compose reads it.
        match env.iter_mut().find(|(seen, _)| *seen == k) {
            Some(entry) => entry.1 = v,
            None => env.push((k, v)),
        }
    }
    if !env.is_empty() {
        let cm_name = format!("{name}-env");
        let refs: Vec<Value> = env
            .iter()
            .map(|(k, _)| json!({"name": k, "valueFrom": {"configMapKeyRef": {"name": cm_name, "key": k}}}))
            .collect();
        container.insert("env".into(), Value::Array(refs));
        let data: Object = env.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
        objects.push(object("v1", "ConfigMap", &cm_name, &labels, None, [("data", Value::Object(data))]));
    }

    let ports = ports(spec, at)?;
    if !ports.is_empty() {
        let mut container_ports: Vec<Value> = Vec::new();
        for p in &ports {
            let entry = json!({"containerPort": p.target, "protocol": p.protocol});
            if !container_ports.contains(&entry) {
                container_ports.push(entry);
            }
        }
        container.insert("ports".into(), Value::Array(container_ports));
    }

    let (mounts, volumes) = mounts(&name, spec, declared, claims, &format!("{at}.volumes"))?;
    if !mounts.is_empty() {
        container.insert("volumeMounts".into(), Value::Array(mounts));
    }

    let mut annotations = Map::new();
    let mut service_type = None;
    for (k, v) in pairs(spec.get("labels"), &format!("{at}.labels"))? {
        match k.as_str() {
            "kompose.service.type" => service_type = Some(service_kind(&v, &format!("{at}.labels.{k}"))?),
            k if k.starts_with("kompose.") => {}
            _ => drop(annotations.insert(k, Value::String(v))),
        }
    }
    let service_annotations = annotations.clone();
    let depends = depends_on(spec.get("depends_on"), services, &format!("{at}.depends_on"))?;
    if !depends.is_empty() {
        annotations.insert(DEPENDS_ON.into(), json!(depends.join(",")));
    }
    let env_files = match spec.get("env_file") {
        Some(Value::String(f)) => vec![f.clone()],
        Some(Value::Array(files)) => files
            .iter()
            .filter_map(|f| f.as_str().or_else(|| f.get("path").and_then(Value::as_str)).map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    if !env_files.is_empty() {
        annotations.insert(ENV_FILES.into(), json!(env_files.join(",")));
    }

    let replicas = match spec.get("deploy").and_then(|d| d.get("replicas")).or_else(|| spec.get("scale")) {
        None => 1,
        Some(n) => n.as_u64().ok_or_else(|| invalid(at, "replicas must be a whole number"))?,
    };
    let mut pod_spec = Map::new();
    pod_spec.insert("containers".into(), json!([container]));
    pod_spec.insert("restartPolicy".into(), json!("Always"));
    let mut deploy_spec = Map::new();
    deploy_spec.insert("replicas".into(), json!(replicas));
    deploy_spec.insert("selector".into(), json!({"matchLabels": labels}));
    if !volumes.is_empty() {
        pod_spec.insert("volumes".into(), Value::Array(volumes));
        deploy_spec.insert("strategy".into(), json!({"type": "Recreate"}));
    }
    deploy_spec.insert("template".into(), json!({"metadata": {"labels": labels}, "spec": pod_spec}));
    let deployment =
        object("apps/v1", "Deployment", &name, &labels, Some(annotations), [("spec", Value::Object(deploy_spec))]);
    objects.insert(0, deployment);

    if !ports.is_empty() {
        let service_ports: Vec<Value> = ports
            .iter()
            .map(|p| {
                let port = p.published.unwrap_or(p.target);
                let suffix = if p.protocol == "UDP" { "-udp" } else { "" };
                json!({"name": format!("{port}{suffix}"), "port": port, "targetPort": p.target, "protocol": p.protocol})
            })
            .collect();
        let mut svc_spec = json!({"selector": labels, "ports": dedup(service_ports)});
        match service_type {
            Some("headless") => svc_spec["clusterIP"] = json!("None"),
            Some(t) => svc_spec["type"] = json!(t),
            None => {}
        }
        let svc = object("v1", "Service", &name, &labels, Some(service_annotations), [("spec", svc_spec)]);
        objects.insert(1, svc);
    }
    Ok(objects)
}

fn object<const N: usize>(
    api_version: &str,
    kind: &str,
    name: &str,
    labels: &Value,
    annotations: Option<Object>,
    fields: [(&str, Value); N],
) -> Object {
    let mut metadata = json!({"name": name, "labels": labels});
    if let Some(a) = annotations.filter(|a| !a.is_empty()) {
        metadata["annotations"] = Value::Object(a);
    }
    let mut object = Map::new();
    object.insert("apiVersion".into(), json!(api_version));
    object.insert("kind".into(), json!(kind));
    object.insert("metadata".into(), metadata);
    for (k, v) in fields {
        object.insert(k.into(), v);
    }
    object
}

fn dedup(values: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(values.len());
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

fn service_kind(value: &str, at: &str) -> Result<&'static str, ImportError> {
    match value.to_ascii_lowercase().as_str() {
        "clusterip" => Ok("ClusterIP"),
        "nodeport" => Ok("NodePort"),
        "loadbalancer" => Ok("LoadBalancer"),
        "headless" => Ok("headless"),
        other => Err(invalid(at, format!("\"{other}\" is not clusterip, nodeport, loadbalancer or headless"))),
    }
}

/// A command as words: a list as given, a string split as a shell would.
fn words(value: &Value, at: &str) -> Result<Value, ImportError> {
    match value {
        Value::String(s) => {
            shlex::split(s).map(|w| json!(w)).ok_or_else(|| invalid(at, "unbalanced quotes in the command"))
        }
        Value::Array(items) => Ok(Value::Array(items.iter().map(|i| json!(scalar(i))).collect())),
        _ => Err(invalid(at, "must be a string or a list")),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `KEY: value` mappings and `KEY=value` lists (environment, labels), in
/// the order given (mappings in name order).
fn pairs(value: Option<&Value>, at: &str) -> Result<Vec<(String, String)>, ImportError> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(map)) => Ok(map.iter().map(|(k, v)| (k.clone(), scalar(v))).collect()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => {
                    let (k, v) = s.split_once('=').unwrap_or((s, ""));
                    Ok((k.to_string(), v.to_string()))
                }
                _ => Err(invalid(&format!("{at}[{i}]"), "must be a KEY=value string")),
            })
            .collect(),
        Some(_) => Err(invalid(at, "must be a mapping or a list of KEY=value")),
    }
}

fn depends_on(value: Option<&Value>, services: &Object, at: &str) -> Result<Vec<String>, ImportError> {
    let names: Vec<String> = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().map(scalar).collect(),
        Some(Value::Object(map)) => map.keys().cloned().collect(),
        Some(_) => return Err(invalid(at, "must be a list or a mapping of services")),
    };
    names
        .into_iter()
        .map(
            |n| {
                if services.contains_key(&n) {
                    Ok(dns_name(&n))
                } else {
                    Err(invalid(at, format!("no service \"{n}\"")))
                }
            },
        )
        .collect()
}

struct Port {
    published: Option<u64>,
    target: u64,
    protocol: &'static str,
}

/// `ports` (short `[ip:][published:]target[/proto]`, ranges, or the long
/// syntax) and `expose`, ranges expanded; `at` names the service.
fn ports(spec: &Object, service_at: &str) -> Result<Vec<Port>, ImportError> {
    let mut out = Vec::new();
    let list = |key: &str| spec.get(key).and_then(Value::as_array).cloned().unwrap_or_default();
    for (i, entry) in list("ports").iter().enumerate() {
        let at = format!("{service_at}.ports[{i}]");
        let (published, target, protocol) = match entry {
            Value::Object(long) => {
                let target = long.get("target").map(scalar).ok_or_else(|| invalid(&at, "`target` is required"))?;
                let published = long.get("published").map(scalar).filter(|p| !p.is_empty());
                (published, target, long.get("protocol").map(scalar).unwrap_or_default())
            }
            Value::String(_) | Value::Number(_) => {
                let text = scalar(entry);
                let (addr, protocol) = text.split_once('/').unwrap_or((&text, ""));
                let mut parts = addr.rsplitn(3, ':');
                let target = parts.next().unwrap_or_default().to_string();
                let published = parts.next().filter(|p| !p.is_empty()).map(str::to_string);
                (published, target, protocol.to_string())
            }
            _ => return Err(invalid(&at, "must be a port string or a mapping")),
        };
        let protocol = protocol_of(&protocol, &at)?;
        let targets = range(&target).ok_or_else(|| invalid(&at, format!("\"{target}\" is not a port or range")))?;
        let published = match published {
            None => None,
            Some(p) => Some(range(&p).ok_or_else(|| invalid(&at, format!("\"{p}\" is not a port or range")))?),
        };
        if let Some((lo, hi)) = published
            && hi - lo != targets.1 - targets.0
            && targets.0 != targets.1
        {
            return Err(invalid(&at, "the published and target ranges differ in length"));
        }
        for (n, target) in (targets.0..=targets.1).enumerate() {
            let published = published.map(|(lo, _)| lo + n as u64);
            out.push(Port { published, target, protocol });
        }
        if out.len() > MAX_PORTS {
            return Err(invalid(&at, format!("more than {MAX_PORTS} ports")));
        }
    }
    for (i, entry) in list("expose").iter().enumerate() {
        let at = format!("{service_at}.expose[{i}]");
        let text = scalar(entry);
        let (port, protocol) = text.split_once('/').unwrap_or((&text, ""));
        let protocol = protocol_of(protocol, &at)?;
        let (lo, hi) = range(port).ok_or_else(|| invalid(&at, format!("\"{text}\" is not a port or range")))?;
        if out.len() + (hi - lo) as usize >= MAX_PORTS {
            return Err(invalid(&at, format!("more than {MAX_PORTS} ports")));
        }
        out.extend((lo..=hi).map(|target| Port { published: None, target, protocol }));
    }
    Ok(out)
}

fn protocol_of(text: &str, at: &str) -> Result<&'static str, ImportError> {
    match text.to_ascii_lowercase().as_str() {
        "" | "tcp" => Ok("TCP"),
        "udp" => Ok("UDP"),
        "sctp" => Ok("SCTP"),
        other => Err(invalid(at, format!("\"{other}\" is not tcp, udp or sctp"))),
    }
}

/// `8080` or `8080-8090` as an inclusive range of valid port numbers.
fn range(text: &str) -> Option<(u64, u64)> {
    let port = |p: &str| p.trim().parse::<u64>().ok().filter(|n| (1..=65_535).contains(n));
    let (lo, hi) = match text.split_once('-') {
        Some((lo, hi)) => (port(lo)?, port(hi)?),
        None => (port(text)?, port(text)?),
    };
    (lo <= hi).then_some((lo, hi))
}

/// `volumeMounts` and pod `volumes` for the service's volumes, recording
/// the claims to write in `claims`.
fn mounts(
    name: &str,
    spec: &Object,
    declared: &Object,
    claims: &mut BTreeMap<String, Claim>,
    at: &str,
) -> Result<(Vec<Value>, Vec<Value>), ImportError> {
    let (mut mounts, mut volumes) = (Vec::new(), Vec::new());
    let list = spec.get("volumes").and_then(Value::as_array).cloned().unwrap_or_default();
    for (i, entry) in list.iter().enumerate() {
        let at = format!("{at}[{i}]");
        let (kind, source, target, read_only) = match entry {
            Value::String(s) => {
                let parts: Vec<&str> = s.split(':').collect();
                let (source, target, mode) = match parts.as_slice() {
                    [target] => ("", *target, ""),
                    [source, target] => (*source, *target, ""),
                    [source, target, mode] => (*source, *target, *mode),
                    _ => return Err(invalid(&at, format!("\"{s}\" is not source:target[:mode]"))),
                };
                let kind = if source.is_empty() {
                    "anonymous"
                } else if source.starts_with(['.', '/', '~']) {
                    "bind"
                } else {
                    "volume"
                };
                (kind.to_string(), source.to_string(), target.to_string(), mode.split(',').any(|m| m == "ro"))
            }
            Value::Object(long) => {
                let kind = long.get("type").map(scalar).unwrap_or_else(|| "volume".into());
                let source = long.get("source").map(scalar).unwrap_or_default();
                let kind = if kind == "volume" && source.is_empty() { "anonymous".into() } else { kind };
                let target = long.get("target").map(scalar).unwrap_or_default();
                (kind, source, target, long.get("read_only").and_then(Value::as_bool).unwrap_or(false))
            }
            _ => return Err(invalid(&at, "must be a string or a mapping")),
        };
        if !target.starts_with('/') {
            return Err(invalid(&at, format!("the mount path \"{target}\" is not absolute")));
        }
        let volume_name = match kind.as_str() {
            "tmpfs" => {
                let volume_name = format!("{name}-tmpfs{i}");
                volumes.push(json!({"name": volume_name, "emptyDir": {"medium": "Memory"}}));
                volume_name
            }
            "volume" => {
                let Some(decl) = declared.get(&source) else {
                    return Err(invalid(
                        &at,
                        format!("the volume \"{source}\" is not declared under the top-level `volumes`"),
                    ));
                };
                let claim = dns_name(&source);
                let external = decl.get("external").is_some_and(|e| e.as_bool() != Some(false));
                if !external {
                    let c = claims.entry(claim.clone()).or_insert(Claim { at: format!("volumes.{source}"), read_only });
                    c.read_only &= read_only;
                }
                volumes.push(json!({"name": claim, "persistentVolumeClaim": {"claimName": claim}}));
                claim
            }
            "bind" | "anonymous" => {
                let claim = format!("{name}-claim{i}");
                claims.insert(claim.clone(), Claim { at: at.clone(), read_only });
                volumes.push(json!({"name": claim, "persistentVolumeClaim": {"claimName": claim}}));
                claim
            }
            other => return Err(invalid(&at, format!("volumes of type \"{other}\" are not converted"))),
        };
        let mut mount = json!({"name": volume_name, "mountPath": target});
        if read_only {
            mount["readOnly"] = json!(true);
        }
        mounts.push(mount);
    }
    Ok((mounts, volumes))
}

fn pvc(name: &str, read_only: bool) -> Object {
    let mode = if read_only { "ReadOnlyMany" } else { "ReadWriteOnce" };
    let spec = json!({"accessModes": [mode], "resources": {"requests": {"storage": "100Mi"}}});
    object("v1", "PersistentVolumeClaim", name, &json!({ SERVICE_LABEL: name }), None, [("spec", spec)])
}

#[cfg(test)]
#[path = "compose_tests.rs"]
mod tests;
