//! A control plane's settings and policies: checked field by field (a 400
//! names the field and the rule) and stored in one canonical shape, every
//! known field present with its default filled, which is what the reads
//! answer and the APISIX export reads. `null` and an absent field mean the
//! default; so does an empty string or a zero where Go's `omitempty` drops
//! them (the SDK of the reference's era never sends those).

use std::net::IpAddr;

use meshcloud_kernel::{AppError, AppResult};
use serde_json::{Map, Value, json};

/// The settings objects, by their wire names.
pub const CLIENT: &str = "client_settings";
pub const OBSERVABILITY: &str = "observability_settings";
pub const API_PROXY: &str = "api_proxy_settings";
pub const SERVICE_DISCOVERY: &str = "service_discovery_settings";
pub const SETTINGS: [&str; 4] = [CLIENT, OBSERVABILITY, API_PROXY, SERVICE_DISCOVERY];

/// Access log rotation defaults (those of APISIX's `log-rotate`): every
/// hour, the last 168 files kept.
pub const DEFAULT_ROTATE_INTERVAL: u64 = 3600;
pub const DEFAULT_KEPT_LOG_ENTRIES: u64 = 168;
const MAX_TRUSTED_ADDRESSES: usize = 64;
const MAX_POLICIES: usize = 100;
/// Serialized size bound of the free-form objects (service discovery settings, one policy).
const MAX_FREE_FORM_BYTES: usize = 64 * 1024;

/// An object of a body being read, with its path for messages.
struct Obj<'a> {
    path: String,
    map: Option<&'a Map<String, Value>>,
}

fn invalid(msg: String) -> AppError {
    AppError::validation(msg)
}

impl<'a> Obj<'a> {
    /// `v` as an object holding only `known` fields; `null` or absent is an
    /// empty one.
    fn new(path: &str, v: Option<&'a Value>, known: &[&str]) -> AppResult<Obj<'a>> {
        let map = match v {
            None | Some(Value::Null) => None,
            Some(Value::Object(m)) => {
                if let Some(k) = m.keys().find(|k| !known.contains(&k.as_str())) {
                    return Err(invalid(format!("{path}.{k} is not a field of {path} (fields: {})", known.join(", "))));
                }
                Some(m)
            }
            Some(_) => return Err(invalid(format!("{path} must be an object"))),
        };
        Ok(Obj { path: path.to_string(), map })
    }

    fn field(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.and_then(|m| m.get(key)).filter(|v| !v.is_null())
    }

    fn child(&self, key: &str, known: &[&str]) -> AppResult<Obj<'a>> {
        Obj::new(&self.field(key), self.get(key), known)
    }

    fn boolean(&self, key: &str, default: bool) -> AppResult<bool> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(invalid(format!("{} must be a boolean", self.field(key)))),
        }
    }

    /// A non-negative integer; zero is `default`.
    fn uint(&self, key: &str, default: u64) -> AppResult<u64> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => match v.as_u64() {
                Some(0) => Ok(default),
                Some(n) => Ok(n),
                None => Err(invalid(format!("{} must be an integer of at least 0", self.field(key)))),
            },
        }
    }

    /// A string; empty is absent.
    fn string(&self, key: &str) -> AppResult<Option<&'a str>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(invalid(format!("{} must be a string", self.field(key)))),
        }
    }

    /// One of `values`, if given.
    fn one_of(&self, key: &str, values: &[&'static str]) -> AppResult<Option<&'static str>> {
        match self.string(key)? {
            None => Ok(None),
            Some(s) => values
                .iter()
                .find(|v| **v == s)
                .copied()
                .map(Some)
                .ok_or_else(|| invalid(format!("{} {s:?} is not one of: {}", self.field(key), quoted(values)))),
        }
    }

    /// An array of strings; `null` or absent is empty.
    fn strings(&self, key: &str) -> AppResult<Vec<&'a str>> {
        let field = self.field(key);
        match self.get(key) {
            None => Ok(vec![]),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| i.as_str().ok_or_else(|| invalid(format!("{field} must hold strings only"))))
                .collect(),
            Some(_) => Err(invalid(format!("{field} must be an array of strings"))),
        }
    }
}

fn quoted(values: &[&str]) -> String {
    values.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(", ")
}

/// A header, query or cookie name, or a header value: 1 to 256 visible
/// ASCII characters (a token for names).
fn check_token(field: &str, s: &str, value: bool) -> AppResult<()> {
    let tchar = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    let ok = s.len() <= 256 && s.bytes().all(|b| if value { (0x20..0x7f).contains(&b) } else { tchar(b) });
    if ok {
        Ok(())
    } else if value {
        Err(invalid(format!("{field} must be at most 256 visible ASCII characters")))
    } else {
        Err(invalid(format!(
            "{field} {s:?} must be a token of at most 256 characters (letters, digits, !#$%&'*+-.^_`|~)"
        )))
    }
}

/// An IP address or a CIDR block.
fn check_address(field: &str, s: &str) -> AppResult<()> {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let ok = match addr.parse::<IpAddr>() {
        Ok(ip) => {
            let max = if ip.is_ipv4() { 32 } else { 128 };
            prefix.is_none_or(|p| !p.starts_with('+') && p.parse::<u8>().is_ok_and(|n| n <= max))
        }
        Err(_) => false,
    };
    if ok { Ok(()) } else { Err(invalid(format!("{field}: {s:?} is not an IP address or CIDR block"))) }
}

/// `client_settings`: where the client's real address comes from, and the
/// request body size limit (0: none).
pub fn client_settings(path: &str, v: Option<&Value>) -> AppResult<Value> {
    let o = Obj::new(path, v, &["client_real_ip", "maximum_request_body_size"])?;
    let ip = o.child("client_real_ip", &["replace_from", "trusted_addresses", "recursive_search", "enabled"])?;
    let from = ip.child("replace_from", &["position", "name"])?;
    let position = from.one_of("position", &["header", "query", "cookie"])?;
    let name = from.string("name")?;
    if let Some(n) = name {
        check_token(&from.field("name"), n, false)?;
    }
    let enabled = ip.boolean("enabled", false)?;
    if enabled && (position.is_none() || name.is_none()) {
        return Err(invalid(format!(
            "{} and {} are required when {} is true",
            from.field("position"),
            from.field("name"),
            ip.field("enabled")
        )));
    }
    let trusted = ip.strings("trusted_addresses")?;
    if trusted.len() > MAX_TRUSTED_ADDRESSES {
        return Err(invalid(format!("{}: at most {MAX_TRUSTED_ADDRESSES} addresses", ip.field("trusted_addresses"))));
    }
    for a in &trusted {
        check_address(&ip.field("trusted_addresses"), a)?;
    }
    let mut replace_from = Map::new();
    if let Some(p) = position {
        replace_from.insert("position".into(), p.into());
    }
    if let Some(n) = name {
        replace_from.insert("name".into(), n.into());
    }
    Ok(json!({
        "client_real_ip": {
            "replace_from": replace_from,
            "trusted_addresses": trusted,
            "recursive_search": ip.boolean("recursive_search", false)?,
            "enabled": enabled,
        },
        "maximum_request_body_size": o.uint("maximum_request_body_size", 0)?,
    }))
}

/// `observability_settings`: metrics, upstream status header, access log rotation.
pub fn observability_settings(path: &str, v: Option<&Value>) -> AppResult<Value> {
    let o = Obj::new(path, v, &["metrics", "show_upstream_status_in_response_header", "access_log_rotate"])?;
    let metrics = o.child("metrics", &["enabled"])?;
    let rotate =
        o.child("access_log_rotate", &["enabled", "interval", "maximum_kept_log_entries", "enable_compression"])?;
    Ok(json!({
        "metrics": {"enabled": metrics.boolean("enabled", false)?},
        "show_upstream_status_in_response_header": o.boolean("show_upstream_status_in_response_header", false)?,
        "access_log_rotate": {
            "enabled": rotate.boolean("enabled", false)?,
            "interval": rotate.uint("interval", DEFAULT_ROTATE_INTERVAL)?,
            "maximum_kept_log_entries": rotate.uint("maximum_kept_log_entries", DEFAULT_KEPT_LOG_ENTRIES)?,
            "enable_compression": rotate.boolean("enable_compression", false)?,
        },
    }))
}

/// `api_proxy_settings`: request buffering (on, as in nginx, unless turned
/// off), the `Server` header, URL handling.
pub fn api_proxy_settings(path: &str, v: Option<&Value>) -> AppResult<Value> {
    let o = Obj::new(path, v, &["enable_request_buffering", "server_header_customization", "url_handling_options"])?;
    let mut out = Map::new();
    out.insert("enable_request_buffering".into(), o.boolean("enable_request_buffering", true)?.into());
    let sh = o.child("server_header_customization", &["mode", "new_server_header"])?;
    let mode = sh.one_of("mode", &["Rewrite", "Hide Version Token"])?;
    let header = sh.string("new_server_header")?;
    match (mode, header) {
        (None, None) => {}
        (Some("Rewrite"), Some(h)) => {
            check_token(&sh.field("new_server_header"), h, true)?;
            out.insert("server_header_customization".into(), json!({"mode": "Rewrite", "new_server_header": h}));
        }
        (Some("Rewrite"), None) => {
            return Err(invalid(format!(
                "{} is required when {} is \"Rewrite\"",
                sh.field("new_server_header"),
                sh.field("mode")
            )));
        }
        (Some(m), None) => {
            out.insert("server_header_customization".into(), json!({"mode": m}));
        }
        (Some(_), Some(_)) => {
            return Err(invalid(format!(
                "{} is only for {} \"Rewrite\"",
                sh.field("new_server_header"),
                sh.field("mode")
            )));
        }
        (None, Some(_)) => {
            return Err(invalid(format!("{} is required with {}", sh.field("mode"), sh.field("new_server_header"))));
        }
    }
    let options = o.strings("url_handling_options")?;
    let field = o.field("url_handling_options");
    for (i, opt) in options.iter().enumerate() {
        if *opt != "Delete Tail Slash" {
            return Err(invalid(format!("{field}: {opt:?} is not one of: \"Delete Tail Slash\"")));
        }
        if options[..i].contains(opt) {
            return Err(invalid(format!("{field}: {opt:?} is given twice")));
        }
    }
    out.insert("url_handling_options".into(), options.into());
    Ok(Value::Object(out))
}

/// `service_discovery_settings`: an object kept as sent (the reference
/// leaves it free-form); `None` when absent or `null` (it is then left out).
pub fn service_discovery_settings(path: &str, v: Option<&Value>) -> AppResult<Option<Value>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(_)) => {
            bounded(path, v)?;
            Ok(v.cloned())
        }
        Some(_) => Err(invalid(format!("{path} must be an object"))),
    }
}

fn bounded(path: &str, v: Option<&Value>) -> AppResult<()> {
    if v.is_some_and(|v| v.to_string().len() > MAX_FREE_FORM_BYTES) {
        return Err(invalid(format!("{path} must be at most {MAX_FREE_FORM_BYTES} bytes of JSON")));
    }
    Ok(())
}

/// `policies`: control-plane-wide plugins, plugin name → its configuration
/// (an object). A `null` configuration leaves the plugin out.
pub fn policies(path: &str, v: Option<&Value>) -> AppResult<Value> {
    let map = match v {
        None | Some(Value::Null) => return Ok(json!({})),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(invalid(format!("{path} must be an object (plugin name → configuration)"))),
    };
    let mut out = Map::new();
    for (name, conf) in map {
        let field = format!("{path}.{name}");
        let ok_name =
            (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok_name {
            return Err(invalid(format!("{path}: plugin name {name:?} must be 1 to 64 characters of 0-9a-zA-Z-_")));
        }
        match conf {
            Value::Null => continue,
            Value::Object(_) => bounded(&field, Some(conf))?,
            _ => return Err(invalid(format!("{field} must be an object (the plugin's configuration)"))),
        }
        out.insert(name.clone(), conf.clone());
    }
    if out.len() > MAX_POLICIES {
        return Err(invalid(format!("{path}: at most {MAX_POLICIES} plugins")));
    }
    Ok(Value::Object(out))
}

/// One settings object by name, canonical; `None` for absent service
/// discovery settings.
fn one(name: &str, path: &str, v: Option<&Value>) -> AppResult<Option<Value>> {
    match name {
        CLIENT => client_settings(path, v).map(Some),
        OBSERVABILITY => observability_settings(path, v).map(Some),
        API_PROXY => api_proxy_settings(path, v).map(Some),
        _ => service_discovery_settings(path, v),
    }
}

/// A whole `settings` object (`prefix` names it in messages, `""` when its
/// fields are the body's own), canonical.
pub fn settings(prefix: &str, v: Option<&Value>) -> AppResult<Value> {
    let o = Obj::new(if prefix.is_empty() { "settings" } else { prefix }, v, &SETTINGS)?;
    let mut out = Map::new();
    for name in SETTINGS {
        let path = if prefix.is_empty() { name.to_string() } else { o.field(name) };
        if let Some(s) = one(name, &path, o.get(name))? {
            out.insert(name.into(), s);
        }
    }
    Ok(Value::Object(out))
}

/// The settings of a new control plane, and of every object reset to its
/// default.
pub fn defaults() -> Value {
    // Checking nothing cannot fail.
    settings("", None).unwrap_or_else(|_| json!({}))
}

/// Stored settings as the reads show them: canonical, so that rows written
/// before a default existed (or by hand) read like the rest.
pub fn render(stored: &Value) -> Value {
    settings("", Some(stored)).unwrap_or_else(|_| stored.clone())
}

/// A configuration change (`PATCH …/config`, `PUT …`): the body's fields
/// are the settings objects and `policies`. With `replace` every object not
/// given goes back to its default (and `policies` to none); otherwise each
/// object given replaces the stored one and the rest stay. Returns the new
/// (settings, policies) and the names of what the body set.
pub fn apply(
    body: &Map<String, Value>,
    settings_now: &Value,
    policies_now: &Value,
    replace: bool,
) -> AppResult<(Value, Value, Vec<String>)> {
    let known: Vec<&str> = SETTINGS.iter().copied().chain(["policies"]).collect();
    if let Some(k) = body.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(invalid(format!("{k} is not a field of the configuration (fields: {})", known.join(", "))));
    }
    let mut out = if replace { Map::new() } else { render(settings_now).as_object().cloned().unwrap_or_default() };
    for name in SETTINGS {
        if replace || body.contains_key(name) {
            match one(name, name, body.get(name))? {
                Some(s) => out.insert(name.into(), s),
                None => out.remove(name),
            };
        }
    }
    let policies = match body.get("policies") {
        Some(p) => policies("policies", Some(p))?,
        None if replace => json!({}),
        None => policies_now.clone(),
    };
    let given = body.keys().cloned().collect();
    Ok((Value::Object(out), policies, given))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_every_field() {
        let d = defaults();
        assert_eq!(d[CLIENT]["client_real_ip"]["enabled"], false);
        assert_eq!(d[CLIENT]["client_real_ip"]["trusted_addresses"], json!([]));
        assert_eq!(d[CLIENT]["maximum_request_body_size"], 0);
        assert_eq!(d[OBSERVABILITY]["access_log_rotate"]["interval"], DEFAULT_ROTATE_INTERVAL);
        assert_eq!(d[API_PROXY]["enable_request_buffering"], true);
        assert!(d.get(SERVICE_DISCOVERY).is_none());
        assert_eq!(render(&json!({})), d);
    }

    #[test]
    fn addresses() {
        for ok in ["10.0.0.1", "10.0.0.0/8", "::1", "2001:db8::/32", "0.0.0.0/0"] {
            assert!(check_address("f", ok).is_ok(), "{ok}");
        }
        for bad in ["10.0.0.0/33", "::/129", "10.0.0", "host", "10.0.0.0/", "10.0.0.0/+8", " 10.0.0.1"] {
            assert!(check_address("f", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn go_zero_values_are_defaults() {
        let v = json!({"client_real_ip": {"replace_from": {"position": "", "name": ""}, "trusted_addresses": null},
                       "maximum_request_body_size": 0});
        assert_eq!(client_settings(CLIENT, Some(&v)).ok(), defaults().get(CLIENT).cloned());
        let v = json!({"server_header_customization": {}, "url_handling_options": null});
        assert_eq!(api_proxy_settings(API_PROXY, Some(&v)).ok(), defaults().get(API_PROXY).cloned());
    }

    #[test]
    fn messages_name_the_field() {
        let e = |r: AppResult<Value>| r.err().map(|e| e.to_string()).unwrap_or_default();
        let v = json!({"client_real_ip": {"enabled": "yes"}});
        assert!(e(client_settings(CLIENT, Some(&v))).contains("client_settings.client_real_ip.enabled"));
        let v = json!({"access_log_rotate": {"interval": -1}});
        assert!(e(observability_settings(OBSERVABILITY, Some(&v))).contains("access_log_rotate.interval"));
        let v = json!({"url_handling_options": ["Delete Tail Slash", "Delete Tail Slash"]});
        assert!(e(api_proxy_settings(API_PROXY, Some(&v))).contains("twice"));
    }

    #[test]
    fn patch_replaces_only_what_it_names() {
        let now = defaults();
        let body = json!({"api_proxy_settings": {"enable_request_buffering": false}, "policies": {"cors": {}}});
        let (s, p, given) = apply(body.as_object().unwrap(), &now, &json!({}), false).unwrap();
        assert_eq!(s[API_PROXY]["enable_request_buffering"], false);
        assert_eq!(s[CLIENT], now[CLIENT]);
        assert_eq!(p, json!({"cors": {}}));
        assert_eq!(given, vec!["api_proxy_settings".to_string(), "policies".into()]);
        let (s2, p2, _) = apply(&Map::new(), &s, &p, true).unwrap();
        assert_eq!((s2, p2), (defaults(), json!({})));
    }
}
