//! Models: `GET /api/integrations/meshmodels/models` (the list), the
//! meshcloud extension `GET /api/integrations/meshmodels/models/{id or
//! name}` (one model with its components and relationships), and `POST
//! /api/meshmodels/register`.
//!
//! A model is answered in the schema's `ModelDefinition` shape (field by
//! field in docs/content.md): `id`, `schemaVersion`, `name`, `displayName`,
//! `version`, `description`, `status`, `registrant`, `connection_id`,
//! `category`, `subCategory`, `metadata`, `model`, `components_count`,
//! `relationships_count`, `components` and `relationships` (null in the
//! list), `created_at`/`updated_at` (registered models), and `builtin`.

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::http::layer5::paging;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::multipart::Upload;
use poem_openapi::{ApiResponse, Multipart, Object, OpenApi};
use serde_json::{Map, Value, json};

use super::Tag;
use crate::Content;
use crate::model::design::COMPONENT_SCHEMA_VERSION;
use crate::registry::source::MODEL_SCHEMA_VERSION;
use crate::registry::{ComponentDefinition, Model, component_model_reference};
use crate::service::models::{ModelView, ORDER_FIELDS, RegisterInput};

pub struct ModelsApi {
    pub content: Content,
}

#[derive(Debug, Clone, Object)]
pub struct ModelsPage {
    /// Models in the schema's model shape (`components`/`relationships` null).
    pub models: Vec<Value>,
    pub page: u64,
    pub page_size: u64,
    pub total_count: u64,
}

/// `importBody` (the file, or the JSON of the upload type), `register`,
/// `uploadType`; meshcloud extensions: `name`/`version` for a CRD model, the
/// CSV sheets as parts of their own.
#[derive(Debug, Multipart)]
pub struct RegisterForm {
    #[oai(rename = "importBody")]
    import_body: Option<Upload>,
    register: Option<String>,
    #[oai(rename = "uploadType")]
    upload_type: Option<String>,
    name: Option<String>,
    version: Option<String>,
    #[oai(rename = "modelCsv")]
    model_csv: Option<Upload>,
    #[oai(rename = "componentCsv")]
    component_csv: Option<Upload>,
    #[oai(rename = "relationshipCsv")]
    relationship_csv: Option<Upload>,
}

#[derive(Debug, Clone, Object)]
pub struct RegisteredModel {
    pub name: String,
    pub version: String,
    pub components_count: u64,
    pub relationships_count: u64,
    /// A registration of the same name and version was replaced.
    pub replaced: bool,
}

#[derive(Debug, Clone, Object)]
pub struct RegisterAnswer {
    /// What was registered: each model's name, version, components and relationships.
    pub message: String,
    /// Whether anything was stored (`register=false`: no). Meshcloud extension.
    pub registered: bool,
    /// The models, one by one. Meshcloud extension.
    pub models: Vec<RegisteredModel>,
}

#[derive(ApiResponse)]
pub enum RegisterResponse {
    /// Registered (or, with `register=false`, checked).
    #[oai(status = 201)]
    Created(Json<RegisterAnswer>),
}

async fn bytes(field: &str, part: Option<Upload>) -> Result<Option<Vec<u8>>, AppError> {
    match part {
        None => Ok(None),
        Some(u) => {
            u.into_vec().await.map(Some).map_err(|e| AppError::validation(format!("{field}: not readable: {e}")))
        }
    }
}

/// A component definition in the schema's component shape.
fn component_object(model: &Model, c: &ComponentDefinition) -> Value {
    let mut rest = c.extra.clone();
    let display = rest.remove("displayName").unwrap_or_else(|| json!(c.kind));
    let description = rest.remove("description").unwrap_or_else(|| json!(""));
    let mut component = json!({"kind": c.kind, "version": c.version});
    if let Some(schema) = rest.remove("schema") {
        component["schema"] = schema;
    }
    let mut metadata = match rest.remove("metadata") {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    metadata.insert("isNamespaced".into(), json!(c.is_namespaced));
    let mut out = json!({
        "schemaVersion": COMPONENT_SCHEMA_VERSION, "displayName": display, "description": description,
        "format": "JSON", "component": component, "metadata": metadata,
        "model": component_model_reference(model),
    });
    if let Value::Object(o) = &mut out {
        for (k, v) in rest {
            o.entry(k).or_insert(v);
        }
    }
    out
}

/// A model in the schema's model shape; `full` adds its components and
/// relationships (else they are null, their counts given).
fn model_object(v: &ModelView, full: bool) -> Value {
    let m = &v.model;
    let mut o = m.extra.clone();
    let registrant = o.remove("registrant").unwrap_or_else(|| json!({}));
    let connection = registrant.get("id").cloned().unwrap_or(Value::Null);
    o.entry("description").or_insert_with(|| json!(""));
    o.entry("status").or_insert_with(|| json!("enabled"));
    o.entry("subCategory").or_insert_with(|| json!("Uncategorized"));
    o.entry("category").or_insert_with(|| json!({"name": "Uncategorized"}));
    o.entry("metadata").or_insert_with(|| json!({}));
    o.entry("model").or_insert_with(|| json!({"version": m.version}));
    let fields = [
        ("id", json!(v.id)),
        ("schemaVersion", json!(MODEL_SCHEMA_VERSION)),
        ("name", json!(m.name)),
        ("displayName", json!(m.display_name)),
        ("version", json!(m.version)),
        ("registrant", registrant),
        ("connection_id", connection),
        ("components_count", json!(m.components.len())),
        ("relationships_count", json!(m.relationships.len())),
        ("builtin", json!(v.builtin)),
    ];
    o.extend(fields.into_iter().map(|(k, v)| (k.to_string(), v)));
    let (components, relationships) = if full {
        let cs: Vec<Value> = m.components.iter().map(|c| component_object(m, c)).collect();
        (json!(cs), serde_json::to_value(&m.relationships).unwrap_or(Value::Null))
    } else {
        (Value::Null, Value::Null)
    };
    o.insert("components".into(), components);
    o.insert("relationships".into(), relationships);
    if let (Some(c), Some(u)) = (v.created_at, v.updated_at) {
        o.insert("created_at".into(), json!(meshcloud_kernel::time::to_db(&c)));
        o.insert("updated_at".into(), json!(meshcloud_kernel::time::to_db(&u)));
    }
    Value::Object(o)
}

#[OpenApi(tag = "Tag::Models")]
impl ModelsApi {
    /// Get mesh model models
    ///
    /// The built-in `kubernetes` model and every model (each version) the
    /// organization in context registered; `search` matches name and display
    /// name, `order` is one of name, displayName, version, created_at,
    /// updated_at (`-field` or `field desc` descending; by name and version
    /// otherwise). Needs `content.models.read`.
    #[oai(path = "/api/integrations/meshmodels/models", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
    ) -> Result<Json<ModelsPage>, AppError> {
        let paging = paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &ORDER_FIELDS);
        let result = self.content.list_models(auth.principal(), header.as_deref(), &paging.request).await?;
        Ok(Json(ModelsPage {
            models: result.items.iter().map(|v| model_object(v, false)).collect(),
            page: paging.page,
            page_size: paging.page_size,
            total_count: result.total,
        }))
    }

    /// Get one model (meshcloud extension)
    ///
    /// A model of the organization in context (or the built-in one) by id or
    /// by name, with its components and relationship definitions; by name,
    /// `version` picks one version, else the one registered last. Needs
    /// `content.models.read`.
    #[oai(path = "/api/integrations/meshmodels/models/:model", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        model: Path<String>,
        version: Query<Option<String>>,
    ) -> Result<Json<Value>, AppError> {
        let v = self.content.get_model(auth.principal(), header.as_deref(), &model.0, version.as_deref()).await?;
        Ok(Json(model_object(&v, true)))
    }

    /// Register mesh models
    ///
    /// `uploadType` File Import (`importBody`: a Meshery model package
    /// `.tar`/`.tar.gz`/`.tgz`, CustomResourceDefinition YAML or a model
    /// definition; as the file itself or `{fileName, modelFile}` with the file
    /// in base64), CSV Import (`{modelCsv, componentCsv, relationshipCsv}`),
    /// Model Create (the model as JSON) or URL Import (`{url}`: fetched under
    /// the URL import rules, then read as a File Import);
    /// `register=false` checks without storing. Registers in the organization
    /// in context; needs `content.models.register`. Answers 201 `{message}`.
    #[oai(path = "/api/meshmodels/register", method = "post")]
    async fn register(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        form: RegisterForm,
    ) -> Result<RegisterResponse, AppError> {
        let input = RegisterInput {
            upload_type: form.upload_type.unwrap_or_default(),
            register: form.register,
            body: bytes("importBody", form.import_body).await?,
            name: form.name,
            version: form.version,
            model_csv: bytes("modelCsv", form.model_csv).await?,
            component_csv: bytes("componentCsv", form.component_csv).await?,
            relationship_csv: bytes("relationshipCsv", form.relationship_csv).await?,
        };
        let r = self.content.register_models(auth.principal(), header.as_deref(), input).await?;
        let models = r
            .models
            .into_iter()
            .map(|(name, version, c, rel, replaced)| RegisteredModel {
                name,
                version,
                components_count: c as u64,
                relationships_count: rel as u64,
                replaced,
            })
            .collect();
        Ok(RegisterResponse::Created(Json(RegisterAnswer { message: r.message, registered: r.stored, models })))
    }
}
