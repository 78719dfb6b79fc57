//! Import (a file into a new design, or into an existing design's document),
//! the Kubernetes export of a design, and relationship evaluation: the
//! library functions of `import` and `evaluate` behind the design rules.

use std::sync::Arc;

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, time};

use super::Content;
use super::designs::SaveInput;
use crate::evaluate::{EvaluationRequest, EvaluationResponse, evaluate};
use crate::import;
use crate::registry::Registry;
use crate::store::designs::DesignRow;

/// The largest file an import or upload takes (the server refuses bodies
/// over 8 MiB before they get here).
pub const MAX_IMPORT_BYTES: usize = 4 * 1024 * 1024;

/// A file to import, as the face received it.
#[derive(Debug, Clone, Default)]
pub struct ImportInput {
    pub bytes: Vec<u8>,
    /// `fileName`: picks the converter for a file that does not parse, and
    /// its stem names the design when `name` is absent.
    pub file_name: Option<String>,
    pub name: Option<String>,
    /// Where to fetch the source from instead of `bytes`.
    pub url: Option<String>,
    /// `values`: YAML or JSON merged over a Helm chart's `values.yaml`.
    pub values: Option<String>,
}

fn nonempty(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(String::from)
}

/// The file name without directories and extension.
fn stem(file_name: &str) -> Option<String> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or_default();
    let stem = base.split_once('.').map_or(base, |(s, _)| s);
    nonempty(Some(stem))
}

/// The source as a design document (objects mapped to `registry`'s
/// models); a bad source is a 400 with the converter's sentence.
fn convert(input: &ImportInput, name: &str, registry: &Registry) -> AppResult<serde_json::Value> {
    if input.bytes.is_empty() {
        return Err(AppError::validation("file: no file was sent (send a file, or a url to import from)"));
    }
    if input.bytes.len() > MAX_IMPORT_BYTES {
        return Err(AppError::validation(format!(
            "file: larger than the import limit of {} MiB",
            MAX_IMPORT_BYTES / (1024 * 1024)
        )));
    }
    let file_name = input.file_name.as_deref().unwrap_or_default();
    let values = match input.values.as_deref() {
        Some(text) => Some(import::helm::parse_values(text).map_err(|e| AppError::validation(format!("values: {e}")))?),
        None => None,
    };
    let design = import::any_with(&input.bytes, file_name, name, values.as_ref(), registry)
        .map_err(|e| AppError::validation(format!("file: {e}")))?;
    serde_json::to_value(design).map_err(AppError::internal)
}

/// [`convert`] on a blocking thread: parsing and rendering a large source
/// takes a while, and must not hold up the server's request threads.
async fn converted(input: ImportInput, name: String, registry: Arc<Registry>) -> AppResult<serde_json::Value> {
    tokio::task::spawn_blocking(move || convert(&input, &name, &registry)).await.map_err(AppError::internal)?
}

impl Content {
    /// Fetches the source a `url` names into `input` (the URL's last path
    /// segment is its file name unless `fileName` is given); a file and a
    /// URL together are refused.
    async fn fetch_source(&self, input: &mut ImportInput) -> AppResult<()> {
        let Some(raw) = nonempty(input.url.as_deref()) else { return Ok(()) };
        if !input.bytes.is_empty() {
            return Err(AppError::validation("url: send a file or a url, not both"));
        }
        let (url, bytes) = self.inner.url_import.fetch(&raw).await?;
        input.bytes = bytes;
        input.file_name = input.file_name.take().or_else(|| super::url_import::file_name(&url));
        Ok(())
    }

    /// Imports a file into a new design in the organization in context, as
    /// a save would create it (`content.designs.create`). The name is
    /// `name`, else the file name's stem, else the document's.
    pub async fn import_design(
        &self,
        p: &Principal,
        header: Option<&str>,
        mut input: ImportInput,
    ) -> AppResult<DesignRow> {
        // Nothing is fetched for someone who may not create the design.
        let scope = self.scope(p, header, None, Perm::DesignsCreate).await?;
        self.fetch_source(&mut input).await?;
        let name = nonempty(input.name.as_deref()).or_else(|| input.file_name.as_deref().and_then(stem));
        let registry = self.registry_for(scope.id).await?;
        let document = converted(input, name.clone().unwrap_or_else(|| "Imported design".into()), registry).await?;
        let save = SaveInput { id: None, name, document: Some(document), visibility: None, save: true };
        self.save_design(p, header, save).await
    }

    /// Replaces the document of an existing design with the imported one,
    /// as a save would (`content.designs.update`; a changed document is a
    /// new version). The design keeps its name unless `name` is given.
    pub async fn upload_design(&self, p: &Principal, id: uuid::Uuid, mut input: ImportInput) -> AppResult<DesignRow> {
        let current = self.get_design(p, id).await?;
        self.fetch_source(&mut input).await?;
        let name = nonempty(input.name.as_deref()).unwrap_or(current.name);
        let registry = self.registry_for(current.org).await?;
        let document = converted(input, name.clone(), registry).await?;
        let save = SaveInput { id: Some(id), name: Some(name), document: Some(document), visibility: None, save: true };
        self.save_design(p, None, save).await
    }

    /// The design's components as Kubernetes manifests (multi-document YAML).
    pub async fn export_kubernetes(&self, p: &Principal, id: uuid::Uuid) -> AppResult<(DesignRow, String)> {
        let d = self.get_design(p, id).await?;
        let doc = super::designs::parse_document(d.document.clone())?;
        Ok((d, import::export::kubernetes(&doc)))
    }

    /// Evaluates a design's relationships against the models of the
    /// organization in context (the built-in ones and those it registered).
    /// The caller needs `content.designs.read` there; nothing is stored.
    pub async fn evaluate_design(
        &self,
        p: &Principal,
        header: Option<&str>,
        req: EvaluationRequest,
    ) -> AppResult<EvaluationResponse> {
        let scope = self.scope(p, header, None, Perm::DesignsRead).await?;
        let registry = self.registry_for(scope.id).await?;
        // Off the request threads, as imports are: a large design takes a while.
        tokio::task::spawn_blocking(move || evaluate(&req.design, &registry, time::now()))
            .await
            .map_err(AppError::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_name_designs() {
        assert_eq!(stem("dir/my-app.k8s.yaml").as_deref(), Some("my-app"));
        assert_eq!(stem("compose.yaml").as_deref(), Some("compose"));
        assert_eq!(stem(".yaml"), None);
    }
}
