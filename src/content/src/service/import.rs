//! Import (a file into a new design, or into an existing design's document),
//! the Kubernetes export of a design, and relationship evaluation: the
//! library functions of `import` and `evaluate` behind the design rules.

use std::sync::LazyLock;

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, time};

use super::Content;
use super::designs::SaveInput;
use crate::evaluate::{EvaluationRequest, EvaluationResponse, evaluate};
use crate::import;
use crate::registry::Registry;
use crate::store::designs::DesignRow;

/// The built-in models, compiled once.
pub(super) static BUILTIN: LazyLock<Registry> = LazyLock::new(Registry::builtin);

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

/// The source as a design document; a bad source is a 400 with the
/// converter's sentence.
fn convert(input: &ImportInput, name: &str) -> AppResult<serde_json::Value> {
    if input.bytes.is_empty() {
        return Err(AppError::validation("file: no file was sent (import from a URL is not available yet)"));
    }
    if input.bytes.len() > MAX_IMPORT_BYTES {
        return Err(AppError::validation(format!(
            "file: larger than the import limit of {} MiB",
            MAX_IMPORT_BYTES / (1024 * 1024)
        )));
    }
    let file_name = input.file_name.as_deref().unwrap_or_default();
    let design = import::any(&input.bytes, file_name, name).map_err(|e| AppError::validation(format!("file: {e}")))?;
    serde_json::to_value(design).map_err(AppError::internal)
}

impl Content {
    /// Imports a file into a new design in the organization in context, as
    /// a save would create it (`content.designs.create`). The name is
    /// `name`, else the file name's stem, else the document's.
    pub async fn import_design(&self, p: &Principal, header: Option<&str>, input: ImportInput) -> AppResult<DesignRow> {
        let name = nonempty(input.name.as_deref()).or_else(|| input.file_name.as_deref().and_then(stem));
        let document = convert(&input, name.as_deref().unwrap_or("Imported design"))?;
        let save = SaveInput { id: None, name, document: Some(document), visibility: None, save: true };
        self.save_design(p, header, save).await
    }

    /// Replaces the document of an existing design with the imported one,
    /// as a save would (`content.designs.update`; a changed document is a
    /// new version). The design keeps its name unless `name` is given.
    pub async fn upload_design(&self, p: &Principal, id: uuid::Uuid, input: ImportInput) -> AppResult<DesignRow> {
        let current = self.get_design(p, id).await?;
        let name = nonempty(input.name.as_deref()).unwrap_or(current.name);
        let document = convert(&input, &name)?;
        let save = SaveInput { id: Some(id), name: Some(name), document: Some(document), visibility: None, save: true };
        self.save_design(p, None, save).await
    }

    /// The design's components as Kubernetes manifests (multi-document YAML).
    pub async fn export_kubernetes(&self, p: &Principal, id: uuid::Uuid) -> AppResult<(DesignRow, String)> {
        let d = self.get_design(p, id).await?;
        let doc = super::designs::parse_document(d.document.clone())?;
        Ok((d, import::export::kubernetes(&doc)))
    }

    /// Evaluates a design's relationships against the built-in models. The
    /// caller needs `content.designs.read` in the organization in context;
    /// nothing is stored.
    pub async fn evaluate_design(
        &self,
        p: &Principal,
        header: Option<&str>,
        req: EvaluationRequest,
    ) -> AppResult<EvaluationResponse> {
        self.scope(p, header, None, Perm::DesignsRead).await?;
        Ok(evaluate(&req.design, &BUILTIN, time::now()))
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
