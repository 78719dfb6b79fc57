//! Consumers and their credentials (APISIX's `key-auth`, `basic-auth`,
//! `jwt-auth`, `hmac-auth`). The whole credentials object is sealed (AAD:
//! the consumer's UUID); `credentials` keeps a copy with every secret field
//! blanked, which is all that reads ever show.

use base64::Engine;
use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::http::api7::{ListQuery, check_labels, merge_patch};
use meshcloud_kernel::page::Page;
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::secrets::Sealer;
use meshcloud_kernel::{AppError, AppResult};
use rand::RngCore;
use serde_json::{Map, Value, json};

use super::{Gateway, scope, x509};
use crate::store::consumers::{self as store, ConsumerRow, ConsumerWrite};
use crate::store::control_planes;
use crate::store::labels::{self, Kind};

/// A consumer and its labels.
pub type ConsumerView = (ConsumerRow, Vec<String>);

/// The secret fields of each credential type: sealed, read back as `""`.
pub const SECRETS: [(&str, &[&str]); 4] = [
    ("key-auth", &["key"]),
    ("basic-auth", &["password"]),
    ("jwt-auth", &["secret", "private_key"]),
    ("hmac-auth", &["secret_key"]),
];

/// The field of each credential type that names one consumer to the
/// gateway, so no two consumers of a control plane may share it.
const IDENTIFIERS: [(&str, &str); 4] =
    [("key-auth", "key"), ("basic-auth", "username"), ("jwt-auth", "key"), ("hmac-auth", "access_key")];

/// A consumer as a create or a replace sends it.
#[derive(Debug, Clone, Default)]
pub struct ConsumerInput {
    /// Required.
    pub name: Option<String>,
    pub description: Option<String>,
    pub credentials: Option<Value>,
    pub labels: Vec<String>,
}

fn check_name(name: &str) -> AppResult<()> {
    let ok = (1..=100).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(AppError::validation(format!("name {name:?} must be 1 to 100 characters of a-z, A-Z, 0-9 and _")))
    }
}

fn check_description(d: &str) -> AppResult<()> {
    if d.chars().count() > 256 {
        return Err(AppError::validation("description must be at most 256 characters"));
    }
    Ok(())
}

/// The PATCH form: the merged object read back into an input.
fn input_of(v: Map<String, Value>) -> AppResult<ConsumerInput> {
    let name = match v.get("name") {
        Some(Value::String(s)) => Some(s.clone()),
        _ => return Err(AppError::validation("name must be a string")),
    };
    let description = match v.get("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(AppError::validation("description must be a string")),
    };
    let labels = match v.get("labels") {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(a)) => a
            .iter()
            .map(|l| l.as_str().map(str::to_string).ok_or_else(|| AppError::validation("labels must be strings")))
            .collect::<AppResult<_>>()?,
        Some(_) => return Err(AppError::validation("labels must be an array of strings")),
    };
    Ok(ConsumerInput { name, description, credentials: v.get("credentials").cloned(), labels })
}

// ---- credentials ----------------------------------------------------------

fn err(t: &str, msg: impl std::fmt::Display) -> AppError {
    AppError::validation(format!("credentials.{t}: {msg}"))
}

fn text(t: &str, cfg: &Map<String, Value>, field: &str, required: bool) -> AppResult<Option<String>> {
    match cfg.get(field) {
        None | Some(Value::Null) if required => Err(err(t, format!("{field} is required"))),
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if required && s.is_empty() => Err(err(t, format!("{field} must not be empty"))),
        Some(Value::String(s)) if s.chars().count() > 65536 => Err(err(t, format!("{field} is too long"))),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(err(t, format!("{field} must be a string"))),
    }
}

fn int(t: &str, cfg: &mut Map<String, Value>, field: &str, min: i64, default: Option<i64>) -> AppResult<()> {
    match cfg.get(field) {
        None | Some(Value::Null) => {
            match default {
                Some(d) => cfg.insert(field.into(), json!(d)),
                None => cfg.remove(field),
            };
            Ok(())
        }
        Some(Value::Number(n)) if n.as_i64().is_some_and(|n| n >= min) => Ok(()),
        Some(_) => Err(err(t, format!("{field} must be an integer of at least {min}"))),
    }
}

fn boolean(t: &str, cfg: &mut Map<String, Value>, field: &str, default: bool) -> AppResult<()> {
    match cfg.get(field) {
        None | Some(Value::Null) => {
            cfg.insert(field.into(), json!(default));
            Ok(())
        }
        Some(Value::Bool(_)) => Ok(()),
        Some(_) => Err(err(t, format!("{field} must be true or false"))),
    }
}

fn one_of(t: &str, cfg: &mut Map<String, Value>, field: &str, values: &[&str]) -> AppResult<String> {
    match cfg.get(field) {
        None | Some(Value::Null) => {
            cfg.insert(field.into(), json!(values[0]));
            Ok(values[0].to_string())
        }
        Some(Value::String(s)) if values.contains(&s.as_str()) => Ok(s.clone()),
        Some(_) => Err(err(t, format!("{field} must be one of {}", values.join(", ")))),
    }
}

fn only(t: &str, cfg: &Map<String, Value>, known: &[&str]) -> AppResult<()> {
    match cfg.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(err(t, format!("unknown field {k:?} (known: {})", known.join(", ")))),
        None => Ok(()),
    }
}

fn random_secret() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// Checks one credential and fills in the plugin's defaults (APISIX's).
fn check_credential(t: &str, cfg: &mut Map<String, Value>) -> AppResult<()> {
    match t {
        "key-auth" => {
            only(t, cfg, &["key"])?;
            text(t, cfg, "key", true)?;
        }
        "basic-auth" => {
            only(t, cfg, &["username", "password"])?;
            text(t, cfg, "username", true)?;
            text(t, cfg, "password", true)?;
        }
        "jwt-auth" => {
            only(
                t,
                cfg,
                &[
                    "key",
                    "secret",
                    "algorithm",
                    "public_key",
                    "private_key",
                    "exp",
                    "base64_secret",
                    "lifetime_grace_period",
                ],
            )?;
            text(t, cfg, "key", true)?;
            let alg = one_of(t, cfg, "algorithm", &["HS256", "HS512", "RS256", "ES256"])?;
            int(t, cfg, "exp", 1, Some(86400))?;
            boolean(t, cfg, "base64_secret", false)?;
            int(t, cfg, "lifetime_grace_period", 0, Some(0))?;
            let b64 = cfg.get("base64_secret").and_then(Value::as_bool).unwrap_or(false);
            if alg.starts_with("HS") {
                match text(t, cfg, "secret", false)?.filter(|s| !s.is_empty()) {
                    // As APISIX does: a secret is made up when none is given.
                    None => {
                        let s = random_secret();
                        let s = if b64 { base64::engine::general_purpose::STANDARD.encode(s) } else { s };
                        cfg.insert("secret".into(), json!(s));
                    }
                    Some(s) if b64 && base64::engine::general_purpose::STANDARD.decode(s.trim()).is_err() => {
                        return Err(err(t, "secret is not base64 although base64_secret is true"));
                    }
                    Some(_) => {}
                }
            } else {
                let public = text(t, cfg, "public_key", true)?.unwrap_or_default();
                let public = x509::public_key(&format!("credentials.{t}.public_key"), &public)?;
                let want_rsa = alg == "RS256";
                let fits = match &public {
                    x509::PublicHalf::Rsa { .. } => want_rsa,
                    x509::PublicHalf::Ec(p) => !want_rsa && p.len() == 65,
                    x509::PublicHalf::Other => false,
                };
                if !fits {
                    return Err(err(t, format!("public_key is not a key for {alg} (RS256: RSA, ES256: EC P-256)")));
                }
                if let Some(private) = text(t, cfg, "private_key", false)?.filter(|s| !s.is_empty()) {
                    let key = x509::private_key(&format!("credentials.{t}.private_key"), &private)?;
                    if key.public_half() != public {
                        return Err(err(t, "private_key does not match public_key"));
                    }
                }
                text(t, cfg, "secret", false)?;
            }
        }
        "hmac-auth" => {
            only(
                t,
                cfg,
                &[
                    "access_key",
                    "secret_key",
                    "algorithm",
                    "clock_skew",
                    "signed_headers",
                    "keep_headers",
                    "encode_uri_params",
                    "validate_request_body",
                    "max_req_body",
                ],
            )?;
            text(t, cfg, "access_key", true)?;
            text(t, cfg, "secret_key", true)?;
            one_of(t, cfg, "algorithm", &["hmac-sha256", "hmac-sha1", "hmac-sha512"])?;
            int(t, cfg, "clock_skew", 0, Some(0))?;
            match cfg.get("signed_headers") {
                None | Some(Value::Null) => {
                    cfg.remove("signed_headers");
                }
                Some(Value::Array(a)) if a.iter().all(|h| h.as_str().is_some_and(|h| !h.is_empty())) => {}
                Some(_) => return Err(err(t, "signed_headers must be an array of header names")),
            }
            boolean(t, cfg, "keep_headers", false)?;
            boolean(t, cfg, "encode_uri_params", true)?;
            boolean(t, cfg, "validate_request_body", false)?;
            int(t, cfg, "max_req_body", 1, Some(512 * 1024))?;
        }
        other => {
            return Err(AppError::validation(format!(
                "credentials: unknown credential type {other:?} (key-auth, basic-auth, jwt-auth, hmac-auth)"
            )));
        }
    }
    Ok(())
}

/// Checks a credentials object (or null), keeping the stored secret of a
/// credential type wherever the new one sends it empty or leaves it out.
pub fn check_credentials(new: Option<Value>, stored: Option<&Value>) -> AppResult<Option<Map<String, Value>>> {
    let mut map = match new {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(AppError::validation("credentials must be an object or null")),
    };
    for (t, cfg) in map.iter_mut() {
        let Value::Object(cfg) = cfg else {
            return Err(err(t, "must be an object"));
        };
        if let Some(old) = stored.and_then(|s| s.get(t.as_str())).and_then(Value::as_object) {
            let fields = SECRETS.iter().find(|(k, _)| k == t).map_or(&[][..], |(_, f)| *f);
            for f in fields {
                let missing = cfg.get(*f).is_none_or(|v| v.is_null() || v.as_str() == Some(""));
                if missing && let Some(kept) = old.get(*f).filter(|v| v.as_str().is_some_and(|s| !s.is_empty())) {
                    cfg.insert((*f).to_string(), kept.clone());
                }
            }
        }
        check_credential(t, cfg)?;
    }
    Ok(Some(map))
}

/// The credentials with every secret field that is there set to `""`.
pub fn blank(credentials: &Map<String, Value>) -> Value {
    let mut out = credentials.clone();
    for (t, fields) in SECRETS {
        if let Some(Value::Object(cfg)) = out.get_mut(t) {
            for f in fields {
                if let Some(v) = cfg.get_mut(*f) {
                    *v = json!("");
                }
            }
        }
    }
    Value::Object(out)
}

/// The consumer's full credentials (secrets included).
pub fn unseal(sealer: &Sealer, row: &ConsumerRow) -> AppResult<Option<Value>> {
    match &row.credentials_sealed {
        None => Ok(None),
        Some(sealed) => {
            let plain = sealer.open(sealed, row.uuid.to_string().as_bytes())?;
            Ok(Some(serde_json::from_slice(&plain)?))
        }
    }
}

/// No two consumers of a control plane share a name or an identifying
/// credential field (an API key names one consumer).
fn check_unique(
    c: &Conn,
    sealer: &Sealer,
    cp_id: i64,
    me: Option<i64>,
    name: &str,
    creds: Option<&Map<String, Value>>,
) -> AppResult<()> {
    if store::by_name(c, cp_id, name)?.is_some_and(|id| Some(id) != me) {
        return Err(AppError::conflict(format!("a consumer named {name:?} already exists in this control plane")));
    }
    let Some(creds) = creds else { return Ok(()) };
    let wanted: Vec<(&str, &str, &str)> = IDENTIFIERS
        .iter()
        .filter_map(|(t, f)| creds.get(*t).and_then(|cfg| cfg.get(*f)).and_then(Value::as_str).map(|v| (*t, *f, v)))
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    for other in store::all(c, cp_id)?.into_iter().filter(|o| Some(o.id) != me) {
        let Some(Value::Object(blanked)) = &other.credentials else { continue };
        if !wanted.iter().any(|(t, _, _)| blanked.contains_key(*t)) {
            continue;
        }
        let full = unseal(sealer, &other)?.unwrap_or(Value::Null);
        for (t, f, v) in &wanted {
            if full.get(*t).and_then(|cfg| cfg.get(*f)).and_then(Value::as_str) == Some(*v) {
                let whose = if *t == "key-auth" { String::new() } else { format!(" ({:?})", other.name) };
                return Err(AppError::conflict(format!(
                    "credentials.{t}: another consumer of this control plane{whose} already has this {f}"
                )));
            }
        }
    }
    Ok(())
}

impl Gateway {
    /// Checks `input` against the stored consumer (if any) and the control
    /// plane's others; what to write.
    fn consumer_write(
        &self,
        c: &Conn,
        cp_id: i64,
        uuid: uuid::Uuid,
        existing: Option<&ConsumerRow>,
        input: ConsumerInput,
    ) -> AppResult<(ConsumerWrite, Vec<String>)> {
        let name = input.name.ok_or_else(|| AppError::validation("name is required"))?;
        check_name(&name)?;
        let description = input.description.unwrap_or_default();
        check_description(&description)?;
        let labels = check_labels(&input.labels)?;
        let stored = existing.map(|r| unseal(self.sealer(), r)).transpose()?.flatten();
        let creds = check_credentials(input.credentials, stored.as_ref())?;
        check_unique(c, self.sealer(), cp_id, existing.map(|r| r.id), &name, creds.as_ref())?;
        let sealed = match &creds {
            None => None,
            Some(m) => Some(self.sealer().seal(&serde_json::to_vec(m)?, uuid.to_string().as_bytes())?),
        };
        let write =
            ConsumerWrite { name, description, credentials: creds.as_ref().map(blank), credentials_sealed: sealed };
        Ok((write, labels))
    }

    pub async fn list_consumers(&self, p: &Principal, cp_id: i64, q: ListQuery) -> AppResult<Page<ConsumerView>> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                scope::control_plane(c, &p, cp_id, Perm::ConsumersRead)?;
                store::list(c, cp_id, &q)
            })
            .await
    }

    pub async fn consumer(&self, p: &Principal, cp_id: i64, id: i64) -> AppResult<ConsumerView> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                scope::control_plane(c, &p, cp_id, Perm::ConsumersRead)?;
                let row = store::get(c, cp_id, id)?.ok_or(AppError::NotFound)?;
                let labels = labels::of(c, Kind::Consumer, id)?;
                Ok((row, labels))
            })
            .await
    }

    pub async fn create_consumer(&self, p: &Principal, cp_id: i64, input: ConsumerInput) -> AppResult<ConsumerView> {
        let (g, p, now) = (self.clone(), p.clone(), self.now());
        self.db()
            .write(move |c| {
                let cp = scope::control_plane(c, &p, cp_id, Perm::ConsumersManage)?;
                let uuid = uuid::Uuid::now_v7();
                let (write, labels) = g.consumer_write(c, cp_id, uuid, None, input)?;
                let id = store::insert(c, uuid, cp_id, &write, &now)?;
                labels::set(c, Kind::Consumer, id, &labels)?;
                control_planes::bump(c, cp_id, &now)?;
                audit::record(
                    c,
                    Event::new(EventKind::ConsumerCreate, Some(p.user))
                        .org(cp.org)
                        .on(uuid)
                        .describe(format!("Created consumer {} in control plane {}", write.name, cp.name)),
                )?;
                Ok((store::get(c, cp_id, id)?.ok_or(AppError::NotFound)?, labels::of(c, Kind::Consumer, id)?))
            })
            .await
    }

    /// PUT: `input` replaces the consumer (secrets sent empty are kept).
    pub async fn replace_consumer(
        &self,
        p: &Principal,
        cp_id: i64,
        id: i64,
        input: ConsumerInput,
    ) -> AppResult<ConsumerView> {
        self.update_consumer(p, cp_id, id, move |_, _| Ok(input)).await
    }

    /// PATCH: a JSON Merge Patch over the consumer as it reads.
    pub async fn patch_consumer(
        &self,
        p: &Principal,
        cp_id: i64,
        id: i64,
        patch: Map<String, Value>,
    ) -> AppResult<ConsumerView> {
        self.update_consumer(p, cp_id, id, move |row, labels| {
            let mut current = json!({
                "name": row.name,
                "description": row.description,
                "credentials": row.credentials,
                "labels": labels,
            });
            merge_patch(&mut current, &Value::Object(patch));
            match current {
                Value::Object(m) => input_of(m),
                _ => Err(AppError::validation("the PATCH body must be a JSON object")),
            }
        })
        .await
    }

    async fn update_consumer<F>(&self, p: &Principal, cp_id: i64, id: i64, make: F) -> AppResult<ConsumerView>
    where
        F: FnOnce(&ConsumerRow, &[String]) -> AppResult<ConsumerInput> + Send + 'static,
    {
        let (g, p, now) = (self.clone(), p.clone(), self.now());
        self.db()
            .write(move |c| {
                let cp = scope::control_plane(c, &p, cp_id, Perm::ConsumersManage)?;
                let row = store::get(c, cp_id, id)?.ok_or(AppError::NotFound)?;
                let old_labels = labels::of(c, Kind::Consumer, id)?;
                let input = make(&row, &old_labels)?;
                let (write, labels) = g.consumer_write(c, cp_id, row.uuid, Some(&row), input)?;
                store::update(c, id, &write, &now)?;
                labels::set(c, Kind::Consumer, id, &labels)?;
                control_planes::bump(c, cp_id, &now)?;
                audit::record(
                    c,
                    Event::new(EventKind::ConsumerUpdate, Some(p.user))
                        .org(cp.org)
                        .on(row.uuid)
                        .describe(format!("Changed consumer {} of control plane {}", write.name, cp.name)),
                )?;
                Ok((store::get(c, cp_id, id)?.ok_or(AppError::NotFound)?, labels::of(c, Kind::Consumer, id)?))
            })
            .await
    }

    pub async fn delete_consumer(&self, p: &Principal, cp_id: i64, id: i64) -> AppResult<()> {
        let (p, now) = (p.clone(), self.now());
        self.db()
            .write(move |c| {
                let cp = scope::control_plane(c, &p, cp_id, Perm::ConsumersManage)?;
                let row = store::get(c, cp_id, id)?.ok_or(AppError::NotFound)?;
                store::delete(c, id)?;
                control_planes::bump(c, cp_id, &now)?;
                audit::record(
                    c,
                    Event::new(EventKind::ConsumerDelete, Some(p.user))
                        .org(cp.org)
                        .on(row.uuid)
                        .describe(format!("Deleted consumer {} of control plane {}", row.name, cp.name)),
                )
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_kept_and_blanked() {
        let stored = json!({"key-auth": {"key": "s3cret"}, "basic-auth": {"username": "u", "password": "pw"}});
        let new = json!({"key-auth": {"key": ""}, "basic-auth": {"username": "v"}});
        let m = check_credentials(Some(new), Some(&stored)).map_err(|e| e.to_string());
        let m = m.unwrap_or_default().unwrap_or_default();
        assert_eq!(m["key-auth"]["key"], "s3cret");
        assert_eq!(m["basic-auth"], json!({"username": "v", "password": "pw"}));
        let b = blank(&m);
        assert_eq!(b["key-auth"]["key"], "");
        assert_eq!(b["basic-auth"], json!({"username": "v", "password": ""}));
    }

    #[test]
    fn credential_rules() {
        for bad in [
            json!([1]),
            json!({"oauth": {}}),
            json!({"key-auth": {}}),
            json!({"key-auth": {"key": 5}}),
            json!({"key-auth": {"key": "k", "extra": 1}}),
            json!({"basic-auth": {"username": "u"}}),
            json!({"jwt-auth": {"key": "k", "algorithm": "none"}}),
            json!({"jwt-auth": {"key": "k", "exp": 0}}),
            json!({"jwt-auth": {"key": "k", "algorithm": "RS256"}}),
            json!({"jwt-auth": {"key": "k", "secret": "!!", "base64_secret": true}}),
            json!({"hmac-auth": {"access_key": "a"}}),
            json!({"hmac-auth": {"access_key": "a", "secret_key": "s", "algorithm": "md5"}}),
            json!({"hmac-auth": {"access_key": "a", "secret_key": "s", "signed_headers": "x"}}),
        ] {
            assert!(check_credentials(Some(bad.clone()), None).is_err(), "{bad}");
        }
        let ok = check_credentials(Some(json!({"jwt-auth": {"key": "k"}})), None).map_err(|e| e.to_string());
        let m = ok.unwrap_or_default().unwrap_or_default();
        assert_eq!(m["jwt-auth"]["algorithm"], "HS256");
        assert!(m["jwt-auth"]["secret"].as_str().is_some_and(|s| s.len() > 20));
        assert_eq!(check_credentials(Some(Value::Null), None).ok(), Some(None));
    }
}
