//! Import (`POST /api/pattern/import`, `POST /api/content/patterns/upload/{id}`)
//! and relationship evaluation (`POST /evaluate`).

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Json;
use poem_openapi::types::multipart::Upload;
use poem_openapi::{Multipart, Object, OpenApi};
use serde_json::Value;

use super::Tag;
use crate::Content;
use crate::evaluate::EvaluationRequest;
use crate::model::pattern::Pattern;
use crate::service::import::ImportInput;

pub struct ImportApi {
    pub content: Content,
}

/// "File Upload" (`file`, `fileName`, `name`) or "URL Import" (`url`);
/// `values` (YAML or JSON) overrides a Helm chart's values.
#[derive(Debug, Multipart)]
pub struct ImportForm {
    file: Option<Upload>,
    #[oai(rename = "fileName")]
    file_name: Option<String>,
    name: Option<String>,
    url: Option<String>,
    values: Option<String>,
}

#[derive(Debug, Object)]
pub struct Imported {
    message: String,
    /// The new design's id (meshcloud extension).
    id: uuid::Uuid,
}

impl ImportForm {
    async fn input(self) -> Result<ImportInput, AppError> {
        let upload_name = self.file.as_ref().and_then(|f| f.file_name().map(String::from));
        let bytes = match self.file {
            Some(f) => f.into_vec().await.map_err(|e| AppError::validation(format!("file: not readable: {e}")))?,
            None => vec![],
        };
        let url = self.url.filter(|u| !u.trim().is_empty());
        let values = self.values.filter(|v| !v.trim().is_empty());
        Ok(ImportInput { bytes, file_name: self.file_name.or(upload_name), name: self.name, url, values })
    }
}

/// Where `v` holds a whole number too large for 64 bits (read as a float,
/// it would come back in exponent notation, no longer an integer): the
/// reference, written in Go, refuses such a body too.
fn huge_integer(v: &Value, at: &mut String) -> Option<String> {
    match v {
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or_default();
            (n.is_f64() && f.fract() == 0.0 && f.abs() >= 9.2e18).then(|| at.trim_start_matches('.').to_string())
        }
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            let len = at.len();
            at.push_str(&format!("[{i}]"));
            let found = huge_integer(item, at);
            at.truncate(len);
            found
        }),
        Value::Object(m) => m.iter().find_map(|(k, item)| {
            let len = at.len();
            at.push('.');
            at.push_str(k);
            let found = huge_integer(item, at);
            at.truncate(len);
            found
        }),
        _ => None,
    }
}

#[OpenApi(tag = "Tag::Designs")]
impl ImportApi {
    /// Import Design
    ///
    /// Turns a file or the source at `url` (Kubernetes manifests, a Compose
    /// file, a Helm chart `.tgz` rendered with `values` over its own, or a
    /// Meshery design, told apart by content) into a new design in the
    /// organization in context. URLs are fetched only from the hosts of the
    /// installation's URL import allow-list.
    #[oai(path = "/api/pattern/import", method = "post")]
    async fn import(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        form: ImportForm,
    ) -> Result<Json<Imported>, AppError> {
        let input = form.input().await?;
        let d = self.content.import_design(auth.principal(), header.as_deref(), input).await?;
        Ok(Json(Imported { message: format!("design {} imported", d.name), id: d.uuid }))
    }

    /// Upload design source content
    ///
    /// Replaces the design's document with the imported file (or the source
    /// at `url`), as import converts it; a changed document is the design's
    /// next version. Answers the design.
    #[oai(path = "/api/content/patterns/upload/:id", method = "post")]
    async fn upload(&self, auth: Auth, id: Path<uuid::Uuid>, form: ImportForm) -> Result<Json<Pattern>, AppError> {
        let input = form.input().await?;
        Ok(Json(self.content.upload_design(auth.principal(), id.0, input).await?.into()))
    }

    /// Evaluate relationships in a design
    ///
    /// `{design, options}` against the built-in models; answers the
    /// evaluation response (the complete design, the actions, the hash).
    /// Nothing is stored. Needs `content.designs.read` in the organization
    /// in context.
    #[oai(path = "/evaluate", method = "post")]
    async fn evaluate(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        body: Json<Value>,
    ) -> Result<Json<Value>, AppError> {
        if !body.0.get("design").is_some_and(Value::is_object) {
            return Err(AppError::validation("design: required, an object"));
        }
        if let Some(at) = huge_integer(&body.0, &mut String::new()) {
            return Err(AppError::validation(format!("{at}: a number beyond the 64-bit integer range")));
        }
        let req: EvaluationRequest =
            serde_json::from_value(body.0).map_err(|e| AppError::validation(format!("design is not a design: {e}")))?;
        let res = self.content.evaluate_design(auth.principal(), header.as_deref(), req).await?;
        Ok(Json(serde_json::to_value(res).map_err(AppError::internal)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_beyond_64_bits_are_found() {
        let v: Value = serde_json::from_str(r#"{"design": {"c": [{"n": 6852007542653005000000000000000}]}}"#).unwrap();
        assert_eq!(huge_integer(&v, &mut String::new()).as_deref(), Some("design.c[0].n"));
        let v: Value = serde_json::from_str(r#"{"design": {"n": 18446744073709551615, "f": 1.5, "i": -3}}"#).unwrap();
        assert_eq!(huge_integer(&v, &mut String::new()), None);
    }
}
