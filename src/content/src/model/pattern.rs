//! Wire DTOs of the Layer5 face for designs (the reference calls them
//! patterns). Field names and casing are the reference's (`user_id` next to
//! `catalogData`).

use meshcloud_kernel::http::types::Time;
use meshcloud_kernel::layer5_page;
use poem_openapi::Object;

use crate::store::designs::{DesignRow, VersionRow};

/// A design as save, clone and get answer it.
#[derive(Debug, Clone, Object)]
pub struct Pattern {
    pub id: uuid::Uuid,
    pub name: String,
    /// The owner; the nil UUID when their account is gone.
    pub user_id: uuid::Uuid,
    /// `private`, `public` or `published`.
    pub visibility: String,
    /// The catalog's data of a published design; absent while there is none
    /// (the catalog's schema requires its fields whenever it is present).
    #[oai(rename = "catalogData", skip_serializing_if_is_none)]
    pub catalog_data: Option<serde_json::Value>,
    pub location: serde_json::Value,
    /// The design document (components, relationships, metadata, version).
    /// Lists leave it out unless asked with `populate=true`.
    #[oai(rename = "patternFile", skip_serializing_if_is_none)]
    pub pattern_file: Option<serde_json::Value>,
    pub created_at: Time,
    pub updated_at: Time,
}

impl From<DesignRow> for Pattern {
    fn from(d: DesignRow) -> Self {
        Pattern {
            id: d.uuid,
            name: d.name,
            user_id: d.owner_uuid.unwrap_or_default(),
            visibility: d.visibility,
            catalog_data: Some(d.catalog_data).filter(|c| c.as_object().is_none_or(|m| !m.is_empty())),
            location: d.location,
            pattern_file: Some(d.document),
            created_at: d.created_at.into(),
            updated_at: d.updated_at.into(),
        }
    }
}

/// A page of designs; `resultType` says which list it is (`all`: the
/// organization's designs the caller can see; `shared`: those shared with them).
#[derive(Debug, Clone, Object)]
pub struct PatternsPage {
    pub patterns: Vec<Pattern>,
    pub page: u64,
    pub page_size: u64,
    pub total_count: u64,
    #[oai(rename = "resultType")]
    pub result_type: String,
}

/// Body of a save: `patternData` is the design document; with its `id` (or
/// the body's `id`) the design is updated, else created.
#[derive(Debug, Clone, Object)]
pub struct SavePayload {
    /// meshcloud extension: the design to update (else `patternData.id`).
    pub id: Option<String>,
    pub name: Option<String>,
    pub path: Option<String>,
    #[oai(rename = "patternData")]
    pub pattern_data: Option<serde_json::Value>,
    /// `false`: validate and answer the design without storing it.
    pub save: Option<bool>,
    /// A source to import instead of `patternData`, as `POST
    /// /api/pattern/import` does with `url` (into the design `id` names,
    /// when given).
    pub url: Option<String>,
    /// meshcloud extension: `private` (the default) , `public` or `published`.
    pub visibility: Option<String>,
}

/// Body of a bulk delete.
#[derive(Debug, Clone, Object)]
pub struct BulkDelete {
    /// Each `{id}` names a design.
    pub patterns: Vec<serde_json::Value>,
}

/// One kept version of a design (meshcloud extension).
#[derive(Debug, Clone, Object)]
pub struct PatternVersion {
    pub version: String,
    pub name: String,
    pub created_at: Time,
    /// The document of that version (only when one version is asked for).
    #[oai(rename = "patternFile", skip_serializing_if_is_none)]
    pub pattern_file: Option<serde_json::Value>,
}

impl From<VersionRow> for PatternVersion {
    fn from(v: VersionRow) -> Self {
        PatternVersion { version: v.version, name: v.name, created_at: v.created_at.into(), pattern_file: v.document }
    }
}

layer5_page!(PatternVersionsPage, "versions", PatternVersion);
