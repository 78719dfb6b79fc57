//! Models: the built-in `kubernetes` model and those an organization
//! registered, listed, read and registered; and the registry an
//! organization's imports and evaluations use (built-in + its models, the
//! version of each name registered last), kept in memory per organization
//! and dropped when the organization registers a model.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine;
use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::ids::{OrgId, new_uuid};
use meshcloud_kernel::page::{Order, Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::time::Timestamp;
use meshcloud_kernel::{AppError, AppResult};
use serde_json::Value;

use super::Content;
use super::import::MAX_IMPORT_BYTES;
use crate::registry::source::{self, FileOptions, SourceError};
use crate::registry::{BUILTIN_MODEL, Model, Registry, sheet};
use crate::store::models::{self as store, ModelRow};

pub const ORDER_FIELDS: [&str; 5] = ["name", "displayName", "version", "created_at", "updated_at"];

/// The registries of the organizations that used one since their last
/// registration. A load that raced a registration is not kept (`generation`).
#[derive(Default)]
pub(crate) struct Cache {
    slots: Mutex<HashMap<OrgId, Slot>>,
}

#[derive(Default)]
struct Slot {
    generation: u64,
    registry: Option<Arc<Registry>>,
}

/// A model as the face answers it.
#[derive(Debug, Clone)]
pub struct ModelView {
    pub id: String,
    pub model: Model,
    pub builtin: bool,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
}

/// How a model is sent (`uploadType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadType {
    File,
    Csv,
    Url,
    Create,
}

impl UploadType {
    /// The reference's names (`File Import`, `CSV Import`, `URL Import`,
    /// `Model Create`) and Meshery's (`file`, `csv`, `urlImport`, `url`),
    /// in any case.
    pub fn parse(raw: &str) -> AppResult<UploadType> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "file import" | "file" => Ok(UploadType::File),
            "csv import" | "csv" => Ok(UploadType::Csv),
            "url import" | "urlimport" => Ok(UploadType::Url),
            "model create" | "url" => Ok(UploadType::Create),
            "" => {
                Err(AppError::validation("uploadType: required (File Import, CSV Import, URL Import or Model Create)"))
            }
            other => Err(AppError::validation(format!(
                "uploadType: {other:?} is not one of File Import, CSV Import, URL Import, Model Create"
            ))),
        }
    }
}

/// A registration as the face received it.
#[derive(Debug, Clone, Default)]
pub struct RegisterInput {
    pub upload_type: String,
    /// `register`: `true` stores, `false` only validates.
    pub register: Option<String>,
    /// `importBody`: the file itself, or the JSON of the upload type.
    pub body: Option<Vec<u8>>,
    /// Names and versions a CRD model (meshcloud extension fields).
    pub name: Option<String>,
    pub version: Option<String>,
    /// CSV sheets sent as parts of their own (meshcloud extension).
    pub model_csv: Option<Vec<u8>>,
    pub component_csv: Option<Vec<u8>>,
    pub relationship_csv: Option<Vec<u8>>,
}

/// What was (or would be) registered.
#[derive(Debug, Clone)]
pub struct Registered {
    pub message: String,
    pub stored: bool,
    /// (name, version, components, relationships, replaced an earlier registration)
    pub models: Vec<(String, String, usize, usize, bool)>,
}

fn bad(e: SourceError) -> AppError {
    AppError::validation(e.0)
}

fn flag(raw: Option<&str>) -> AppResult<bool> {
    match raw.map(|r| r.trim().to_ascii_lowercase()).as_deref() {
        Some("true" | "1") => Ok(true),
        Some("false" | "0") => Ok(false),
        _ => Err(AppError::validation("register: required, true or false")),
    }
}

/// Bytes sent as a data URL (`data:…;base64,…`) or as base64 alone.
fn base64_of(field: &str, text: &str) -> AppResult<Vec<u8>> {
    let data = match text.trim().strip_prefix("data:") {
        Some(rest) => match rest.split_once(',') {
            Some((kind, data)) if kind.ends_with(";base64") => data,
            _ => return Err(AppError::validation(format!("{field}: a data URL must be base64 (data:…;base64,…)"))),
        },
        None => text.trim(),
    };
    base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|e| AppError::validation(format!("{field}: not base64: {e}")))
}

/// A CSV sheet given as a data URL, else as its text.
fn sheet_text(field: &str, v: Option<&Value>) -> AppResult<Option<Vec<u8>>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim_start().starts_with("data:") => base64_of(field, s).map(Some),
        Some(Value::String(s)) => Ok(Some(s.clone().into_bytes())),
        Some(_) => Err(AppError::validation(format!("{field}: not a string"))),
    }
}

/// `importBody` as a JSON object, when it is one.
fn json_body(body: &[u8]) -> Option<serde_json::Map<String, Value>> {
    let start = body.iter().position(|b| !b.is_ascii_whitespace())?;
    if body[start] != b'{' {
        return None;
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    }
}

fn too_big(field: &str, bytes: &[u8]) -> AppResult<()> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(AppError::validation(format!(
            "{field}: larger than the import limit of {} MiB",
            MAX_IMPORT_BYTES / (1024 * 1024)
        )));
    }
    Ok(())
}

/// The models a registration describes, checked.
fn models_of(kind: UploadType, input: RegisterInput) -> AppResult<Vec<Model>> {
    let body = input.body.unwrap_or_default();
    let wrapper = json_body(&body);
    let text = |m: &serde_json::Map<String, Value>, k: &str| m.get(k).and_then(Value::as_str).map(String::from);
    match kind {
        // Fetched by `Content::fetched` before this, and read as a File Import.
        UploadType::Url => Err(AppError::internal("URL Import reached models_of unfetched")),
        UploadType::Create => {
            let v = wrapper.ok_or_else(|| AppError::validation("importBody: Model Create takes a JSON object"))?;
            Ok(vec![source::create(Value::Object(v)).map_err(bad)?])
        }
        UploadType::Csv => {
            let w = wrapper.unwrap_or_default();
            let pick = |part: Option<Vec<u8>>, key: &str| match part {
                Some(p) => Ok(Some(p)),
                None => sheet_text(&format!("importBody.{key}"), w.get(key)),
            };
            let models = pick(input.model_csv, "modelCsv")?
                .ok_or_else(|| AppError::validation("importBody.modelCsv: required"))?;
            let components = pick(input.component_csv, "componentCsv")?
                .ok_or_else(|| AppError::validation("importBody.componentCsv: required"))?;
            let relationships = pick(input.relationship_csv, "relationshipCsv")?;
            for (field, b) in [("modelCsv", &models), ("componentCsv", &components)] {
                too_big(field, b)?;
            }
            let found = sheet::models(&models, &components, relationships.as_deref()).map_err(bad)?;
            found.into_iter().map(|m| source::check(m).map_err(bad)).collect()
        }
        UploadType::File => {
            let (bytes, mut opts) = match wrapper.filter(|w| w.contains_key("modelFile")) {
                Some(w) => {
                    let file = text(&w, "modelFile")
                        .ok_or_else(|| AppError::validation("importBody.modelFile: not a string"))?;
                    let opts = FileOptions { name: text(&w, "name"), version: text(&w, "version") };
                    (base64_of("importBody.modelFile", &file)?, opts)
                }
                None => (body, FileOptions::default()),
            };
            if bytes.is_empty() {
                return Err(AppError::validation("importBody: no file was sent"));
            }
            too_big("importBody", &bytes)?;
            opts.name = opts.name.or(input.name);
            opts.version = opts.version.or(input.version);
            source::file(&bytes, &opts).map_err(bad)
        }
    }
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {one}s") }
}

fn view_of(row: &ModelRow) -> AppResult<ModelView> {
    let mut model: Model = serde_json::from_value(row.definition.clone()).map_err(AppError::internal)?;
    model.extra.insert("id".into(), Value::String(row.uuid.to_string()));
    Ok(ModelView {
        id: row.uuid.to_string(),
        model,
        builtin: false,
        created_at: Some(row.created_at),
        updated_at: Some(row.updated_at),
    })
}

fn builtin_view() -> AppResult<ModelView> {
    let model = Registry::builtin_ref()
        .model(BUILTIN_MODEL)
        .cloned()
        .ok_or_else(|| AppError::internal("the built-in model did not load"))?;
    let id = crate::import::kubernetes_model().get("id").and_then(Value::as_str).unwrap_or_default().to_string();
    Ok(ModelView { id, model, builtin: true, created_at: None, updated_at: None })
}

/// The list's order: the field asked for, then name, version and id.
fn compare(a: &ModelView, b: &ModelView, order: Option<&Order>) -> std::cmp::Ordering {
    let key = |v: &ModelView, field: &str| -> String {
        match field {
            "displayName" => v.model.display_name.to_lowercase(),
            "version" => v.model.version.clone(),
            "created_at" => v.created_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            "updated_at" => v.updated_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            _ => v.model.name.clone(),
        }
    };
    let first = order.map_or(std::cmp::Ordering::Equal, |o| {
        let c = key(a, &o.field).cmp(&key(b, &o.field));
        if o.descending { c.reverse() } else { c }
    });
    first
        .then_with(|| a.model.name.cmp(&b.model.name))
        .then_with(|| a.model.version.cmp(&b.model.version))
        .then_with(|| a.id.cmp(&b.id))
}

impl Content {
    /// A URL Import's `importBody` (`{url, name, version}`, or the URL as
    /// text) as the File Import of what the URL serves, fetched under the
    /// installation's URL import rules.
    async fn fetched(&self, mut input: RegisterInput) -> AppResult<RegisterInput> {
        let body = input.body.take().unwrap_or_default();
        let wrapper = json_body(&body);
        let text = |k: &str| wrapper.as_ref().and_then(|w| w.get(k)).and_then(Value::as_str).map(String::from);
        let url = match &wrapper {
            Some(_) => text("url"),
            None => Some(String::from_utf8_lossy(&body).trim().to_string()),
        };
        let url = url.filter(|u| !u.is_empty()).ok_or_else(|| AppError::validation("importBody.url: required"))?;
        let (_, bytes) = self.inner.url_import.fetch(&url).await?;
        input.body = Some(bytes);
        input.name = text("name").or(input.name);
        input.version = text("version").or(input.version);
        Ok(input)
    }

    /// The registry `org`'s imports and evaluations use: the built-in models
    /// and, of each name the organization registered, the version registered
    /// last.
    pub(crate) async fn registry_for(&self, org: OrgId) -> AppResult<Arc<Registry>> {
        let cache = &self.inner.models;
        let generation = {
            let mut slots = cache.slots.lock().unwrap_or_else(PoisonError::into_inner);
            let slot = slots.entry(org).or_default();
            if let Some(r) = &slot.registry {
                return Ok(r.clone());
            }
            slot.generation
        };
        let rows = self.db().read(move |c| store::of_org(c, org)).await?;
        let mut registry = Registry::builtin();
        let mut last = None;
        for row in &rows {
            // Rows come by name, the latest registration first.
            if last == Some(row.name.as_str()) {
                continue;
            }
            last = Some(row.name.as_str());
            // Checked when registered; one that a later release no longer
            // compiles is left out rather than failing every import.
            let _ = registry.register(view_of(row)?.model);
        }
        let registry = Arc::new(registry);
        let mut slots = cache.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = slots.entry(org).or_default();
        if slot.generation == generation {
            slot.registry = Some(registry.clone());
        }
        Ok(registry)
    }

    fn forget_registry(&self, org: OrgId) {
        let mut slots = self.inner.models.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = slots.entry(org).or_default();
        slot.generation += 1;
        slot.registry = None;
    }

    /// The built-in model and every model (each version) of the organization
    /// in context (`content.models.read`), searched by name and display
    /// name, ordered and paged in memory (an organization has few).
    pub async fn list_models(
        &self,
        p: &Principal,
        header: Option<&str>,
        req: &PageRequest,
    ) -> AppResult<Page<ModelView>> {
        let scope = self.scope(p, header, None, Perm::ModelsRead).await?;
        let rows = self.db().read(move |c| store::of_org(c, scope.id)).await?;
        let mut all = vec![builtin_view()?];
        for row in &rows {
            all.push(view_of(row)?);
        }
        if let Some(needle) = req.search.as_deref().map(str::to_ascii_lowercase) {
            let found = |s: &str| s.to_ascii_lowercase().contains(&needle);
            all.retain(|v| found(&v.model.name) || found(&v.model.display_name));
        }
        all.sort_by(|a, b| compare(a, b, req.order.as_ref()));
        let total = all.len() as u64;
        let start = usize::try_from(req.offset).unwrap_or(usize::MAX).min(all.len());
        let end = start.saturating_add(usize::try_from(req.limit).unwrap_or(usize::MAX)).min(all.len());
        Ok(Page { items: all.drain(start..end).collect(), total })
    }

    /// One model of the organization in context, with its components and
    /// relationships: by id, or by name (the `version` given, else the one
    /// registered last).
    pub async fn get_model(
        &self,
        p: &Principal,
        header: Option<&str>,
        key: &str,
        version: Option<&str>,
    ) -> AppResult<ModelView> {
        let scope = self.scope(p, header, None, Perm::ModelsRead).await?;
        let builtin = builtin_view()?;
        let version = version.map(str::trim).filter(|v| !v.is_empty());
        let wanted =
            |v: &ModelView| v.id == key || (v.model.name == key && version.is_none_or(|want| v.model.version == want));
        if wanted(&builtin) {
            return Ok(builtin);
        }
        let rows = self.db().read(move |c| store::of_org(c, scope.id)).await?;
        for row in &rows {
            let v = view_of(row)?;
            if wanted(&v) {
                return Ok(v);
            }
        }
        Err(AppError::NotFound)
    }

    /// Registers the models a File Import, CSV Import or Model Create
    /// describes in the organization in context (`content.models.register`);
    /// with `register=false` only checks them. A model of the same name and
    /// version replaces the one registered before; a new version is added.
    pub async fn register_models(
        &self,
        p: &Principal,
        header: Option<&str>,
        input: RegisterInput,
    ) -> AppResult<Registered> {
        // Who may register comes first: a caller without the key learns nothing about the input.
        let scope = self.scope(p, header, None, Perm::ModelsRegister).await?;
        let kind = UploadType::parse(&input.upload_type)?;
        let store = flag(input.register.as_deref())?;
        let (kind, input) = match kind {
            UploadType::Url => (UploadType::File, self.fetched(input).await?),
            other => (other, input),
        };
        let models = models_of(kind, input)?;
        for (i, m) in models.iter().enumerate() {
            if models[..i].iter().any(|o| o.name == m.name && o.version == m.version) {
                return Err(AppError::validation(format!("model {} {} is given twice", m.name, m.version)));
            }
        }
        let mut outcome: Vec<(String, String, usize, usize, bool)> = models
            .iter()
            .map(|m| (m.name.clone(), m.version.clone(), m.components.len(), m.relationships.len(), false))
            .collect();
        if store {
            let p = p.clone();
            let replaced = self
                .db()
                .write(move |c| {
                    let mut replaced = Vec::with_capacity(models.len());
                    for m in &models {
                        let definition = serde_json::to_value(m).map_err(AppError::internal)?;
                        let (row, again) = store::put(
                            c,
                            scope.id,
                            new_uuid(),
                            &m.name,
                            &m.version,
                            &m.display_name,
                            &definition,
                            p.user,
                        )?;
                        let what = format!("model {} {} registered", m.name, m.version);
                        let meta = serde_json::json!({"name": m.name, "version": m.version, "replaced": again,
                            "components": m.components.len(), "relationships": m.relationships.len()});
                        let e = Event::new(EventKind::ModelRegister, Some(p.user)).org(scope.id).on(row.uuid);
                        audit::record(c, e.describe(what).meta(meta))?;
                        replaced.push(again);
                    }
                    Ok(replaced)
                })
                .await?;
            self.forget_registry(scope.id);
            for (o, again) in outcome.iter_mut().zip(replaced) {
                o.4 = again;
            }
        }
        let parts: Vec<String> = outcome
            .iter()
            .map(|(name, version, comps, rels, again)| {
                let again = if *again { ", replacing its earlier registration" } else { "" };
                format!(
                    "model {name} {version} with {} and {}{again}",
                    plural(*comps, "component"),
                    plural(*rels, "relationship")
                )
            })
            .collect();
        let message = if store {
            format!("Registered {}", parts.join("; "))
        } else {
            format!("Nothing registered (register=false); would register {}", parts.join("; "))
        };
        Ok(Registered { message, stored: store, models: outcome })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_types_and_flags() {
        assert_eq!(UploadType::parse("File Import").ok(), Some(UploadType::File));
        assert_eq!(UploadType::parse("csv").ok(), Some(UploadType::Csv));
        assert_eq!(UploadType::parse("urlImport").ok(), Some(UploadType::Url));
        assert_eq!(UploadType::parse("Model Create").ok(), Some(UploadType::Create));
        assert!(UploadType::parse("zip").is_err() && UploadType::parse("").is_err());
        assert_eq!(flag(Some("TRUE")).ok(), Some(true));
        assert_eq!(flag(Some("0")).ok(), Some(false));
        assert!(flag(None).is_err() && flag(Some("maybe")).is_err());
    }

    #[test]
    fn files_come_as_base64_or_data_urls() {
        assert_eq!(base64_of("f", "aGk=").ok(), Some(b"hi".to_vec()));
        assert_eq!(base64_of("f", "data:application/gzip;base64,aGk=").ok(), Some(b"hi".to_vec()));
        assert!(base64_of("f", "data:text/plain,hi").is_err());
        assert!(base64_of("f", "%%%").is_err());
    }
}
