//! `/api/content/patterns`: designs on the Layer5 face, with the versions
//! extension (`/{id}/versions`).

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::http::layer5::{flag, paging};
use meshcloud_kernel::http::responses::{Done, NoContent};
use meshcloud_kernel::{AppError, validate};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, OpenApi};
use serde_json::Value;

use super::Tag;
use crate::Content;
use crate::model::pattern::*;
use crate::service::designs::{ListInput, SaveInput};
use crate::service::import::ImportInput;
use crate::store::designs::ORDER_FIELDS;

pub struct DesignsApi {
    pub content: Content,
}

#[derive(ApiResponse)]
pub enum Download {
    /// The design document as YAML.
    #[oai(status = 200, content_type = "application/yaml")]
    Yaml(PlainText<String>, #[oai(header = "Content-Disposition")] String),
}

/// An id of the request body: absent, empty or the nil UUID mean none.
pub(crate) fn body_id(field: &str, v: Option<&str>) -> Result<Option<uuid::Uuid>, AppError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Ok(Some(validate::uuid(field, s)?).filter(|u| !u.is_nil())),
    }
}

/// An id a list filters by: one that is no UUID matches nothing (lists
/// document no 400).
pub(crate) fn filter_id(raw: Option<&str>) -> Option<uuid::Uuid> {
    raw.map(str::trim).filter(|s| !s.is_empty()).map(|s| uuid::Uuid::parse_str(s).unwrap_or_default())
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(String::from)
}

/// `patternData` as sent: either Meshery's pattern record (`MesheryPattern`:
/// `id`, `name`, `visibility` and the document in `patternFile`, an object
/// or its YAML text) or the design document itself. Answers the document
/// and the record's id, name and visibility.
#[allow(clippy::type_complexity)]
fn unwrap_pattern(
    data: Option<Value>,
) -> Result<(Option<Value>, Option<String>, Option<String>, Option<String>), AppError> {
    let Some(Value::Object(m)) = data else { return Ok((data, None, None, None)) };
    let file = match m.get("patternFile") {
        None => {
            let id = text(m.get("id"));
            return Ok((Some(Value::Object(m)), id, None, None));
        }
        Some(Value::String(yaml)) => serde_saphyr::from_str::<Value>(yaml)
            .map_err(|e| AppError::validation(format!("patternData.patternFile is not YAML: {e}")))?,
        Some(v) => v.clone(),
    };
    let file_id = text(file.get("id"));
    Ok((Some(file), text(m.get("id")).or(file_id), text(m.get("name")), text(m.get("visibility"))))
}

/// Comma-separated values of a list parameter.
pub(crate) fn values(raw: Option<&str>) -> Vec<String> {
    raw.unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

#[OpenApi(prefix_path = "/api/content/patterns", tag = "Tag::Designs")]
impl DesignsApi {
    /// Get designs
    ///
    /// The designs of the organization in context (`layer5-current-orgid`,
    /// else `orgId`) the caller can see. `visibility` takes one or more of
    /// private, public, published (comma-separated); `userId` the owner;
    /// `workspaceId` keeps the designs assigned to that workspace. `shared`
    /// lists designs shared with the caller (none until sharing exists).
    /// Items carry `patternFile` only with `populate=true`; `metrics` is
    /// accepted and changes nothing (no metrics are kept).
    #[oai(path = "/", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
        visibility: Query<Option<String>>,
        #[oai(name = "userId")] user_id: Query<Option<String>>,
        #[oai(name = "orgId")] org_id: Query<Option<String>>,
        metrics: Query<Option<String>>,
        #[oai(name = "workspaceId")] workspace_id: Query<Option<String>>,
        populate: Query<Option<String>>,
        shared: Query<Option<String>>,
    ) -> Result<Json<PatternsPage>, AppError> {
        let _ = metrics;
        let paging = paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &ORDER_FIELDS);
        let shared = flag(shared.as_deref());
        let input = ListInput {
            org: org_id.0.clone(),
            visibility: values(visibility.as_deref()),
            owner: filter_id(user_id.as_deref()),
            workspace: filter_id(workspace_id.as_deref()),
            shared,
        };
        let result =
            self.content.list_designs(auth.principal(), header.as_deref(), input, paging.request.clone()).await?;
        let populate = flag(populate.as_deref());
        let items = result
            .items
            .into_iter()
            .map(|d| {
                let mut p = Pattern::from(d);
                if !populate {
                    p.pattern_file = None;
                }
                p
            })
            .collect();
        Ok(Json(PatternsPage {
            patterns: items,
            page: paging.page,
            page_size: paging.page_size,
            total_count: result.total,
            result_type: if shared { "shared" } else { "all" }.into(),
        }))
    }

    /// Save design
    ///
    /// `patternData` is Meshery's pattern record (the document in its
    /// `patternFile`) or the design document itself. Updates the design its
    /// `id` names, else creates one (with that id, when one is given). A
    /// changed document gets the next patch version and the earlier versions
    /// are kept; saving an unchanged one changes nothing.
    #[oai(path = "/", method = "post")]
    async fn save(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        body: Json<SavePayload>,
    ) -> Result<Json<Pattern>, AppError> {
        let b = body.0;
        if let Some(url) = b.url.filter(|u| !u.trim().is_empty()) {
            // A URL is imported, as `POST /api/pattern/import` does.
            if b.pattern_data.is_some_and(|d| !d.is_null()) {
                return Err(AppError::validation("url: send patternData or a url, not both"));
            }
            let input = ImportInput { url: Some(url), name: b.name, ..ImportInput::default() };
            let row = match body_id("id", b.id.as_deref())? {
                Some(id) => self.content.upload_design(auth.principal(), id, input).await?,
                None => self.content.import_design(auth.principal(), header.as_deref(), input).await?,
            };
            return Ok(Json(row.into()));
        }
        let (document, inner_id, inner_name, inner_visibility) = unwrap_pattern(b.pattern_data)?;
        let id = match body_id("id", b.id.as_deref())? {
            Some(id) => Some(id),
            None => body_id("patternData.id", inner_id.as_deref())?,
        };
        let visibility = b.visibility.filter(|v| !v.trim().is_empty()).or(inner_visibility);
        let input = SaveInput {
            id,
            name: b.name.filter(|n| !n.trim().is_empty()).or(inner_name),
            document,
            visibility,
            save: b.save.unwrap_or(true),
        };
        Ok(Json(self.content.save_design(auth.principal(), header.as_deref(), input).await?.into()))
    }

    /// Clone design
    ///
    /// A private copy, owned by the caller, in the organization in context.
    #[oai(path = "/clone/:id", method = "post")]
    async fn clone_one(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        id: Path<uuid::Uuid>,
    ) -> Result<Json<Pattern>, AppError> {
        Ok(Json(self.content.clone_design(auth.principal(), header.as_deref(), id.0).await?.into()))
    }

    /// Bulk delete designs
    ///
    /// Deletes every design named (`{patterns: [{id}…]}`), or none of them
    /// when one may not be deleted by the caller (401). Ids of designs the
    /// caller cannot see (already deleted, say) are passed over.
    #[oai(path = "/delete", method = "post")]
    async fn delete_many(&self, auth: Auth, body: Json<BulkDelete>) -> Result<Done, AppError> {
        let mut ids = vec![];
        for (i, item) in body.0.patterns.iter().enumerate() {
            let raw = item.get("id").and_then(|v| v.as_str()).unwrap_or("");
            ids.push(validate::uuid(&format!("patterns[{i}].id"), raw)?);
        }
        self.content.delete_designs(auth.principal(), ids, true).await?;
        Ok(Done::Ok)
    }

    /// Download design file
    ///
    /// The design document as YAML; with `format=kubernetes` (meshcloud
    /// extension) its components as Kubernetes manifests (multi-document
    /// YAML that `kubectl apply -f` takes).
    #[oai(path = "/download/:id", method = "get")]
    async fn download(
        &self,
        auth: Auth,
        id: Path<uuid::Uuid>,
        format: Query<Option<String>>,
    ) -> Result<Download, AppError> {
        let kubernetes = match format.as_deref().map(str::trim).unwrap_or_default() {
            "" | "design" => false,
            "kubernetes" => true,
            _ => return Err(AppError::validation("format must be kubernetes (or absent: the design document)")),
        };
        let (d, yaml) = if kubernetes {
            self.content.export_kubernetes(auth.principal(), id.0).await?
        } else {
            let d = self.content.get_design(auth.principal(), id.0).await?;
            let yaml = serde_saphyr::to_string(&d.document).map_err(AppError::internal)?;
            (d, yaml)
        };
        let file: String =
            d.name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
        let file = if kubernetes { format!("{file}.k8s.yaml") } else { format!("{file}.yaml") };
        Ok(Download::Yaml(PlainText(yaml), format!("attachment; filename=\"{file}\"")))
    }

    /// Get design by ID
    #[oai(path = "/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<uuid::Uuid>) -> Result<Json<Pattern>, AppError> {
        Ok(Json(self.content.get_design(auth.principal(), id.0).await?.into()))
    }

    /// Delete design by ID
    #[oai(path = "/:id", method = "delete")]
    async fn delete(&self, auth: Auth, id: Path<uuid::Uuid>) -> Result<NoContent, AppError> {
        self.content.delete_designs(auth.principal(), vec![id.0], false).await?;
        Ok(NoContent::NoContent)
    }

    /// Get the versions of a design (meshcloud extension)
    ///
    /// Every version the design has had, newest first; the first is the
    /// current one.
    #[oai(path = "/:id/versions", method = "get")]
    async fn versions(
        &self,
        auth: Auth,
        id: Path<uuid::Uuid>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
    ) -> Result<Json<PatternVersionsPage>, AppError> {
        let paging = paging(page.as_deref(), pagesize.as_deref(), None, None, &[]);
        let result = self.content.design_versions(auth.principal(), id.0, paging.request.clone()).await?;
        Ok(Json(PatternVersionsPage::new(&paging, result.map(PatternVersion::from))))
    }

    /// Get one version of a design (meshcloud extension)
    ///
    /// The version's document as it was saved.
    #[oai(path = "/:id/versions/:version", method = "get")]
    async fn version(
        &self,
        auth: Auth,
        id: Path<uuid::Uuid>,
        version: Path<String>,
    ) -> Result<Json<PatternVersion>, AppError> {
        Ok(Json(self.content.design_version(auth.principal(), id.0, version.0).await?.into()))
    }
}
