//! Wire DTOs of filters (Meshery's `MesheryFilter`).

use meshcloud_kernel::http::types::Time;
use meshcloud_kernel::layer5_page;
use poem_openapi::Object;

use crate::store::filters::FilterRow;

/// A filter: the WASM filter (or its source) and its configuration.
#[derive(Debug, Clone, Object)]
pub struct MesheryFilter {
    pub id: uuid::Uuid,
    pub name: String,
    /// The filter as the client sent it (base64 of the WASM module, or text).
    pub filter_file: String,
    /// The filter's configuration, as sent.
    pub filter_resource: String,
    /// `private`, `public` or `published`.
    pub visibility: String,
    /// The catalog's data of a published filter; absent while there is none.
    #[oai(skip_serializing_if_is_none)]
    pub catalog_data: Option<serde_json::Value>,
    /// The owner; the nil UUID when their account is gone.
    pub user_id: uuid::Uuid,
    pub location: serde_json::Value,
    pub created_at: Time,
    pub updated_at: Time,
}

impl From<FilterRow> for MesheryFilter {
    fn from(f: FilterRow) -> Self {
        MesheryFilter {
            id: f.uuid,
            name: f.name,
            filter_file: f.filter_file,
            filter_resource: f.filter_resource,
            visibility: f.visibility,
            catalog_data: Some(f.catalog_data).filter(|c| c.as_object().is_none_or(|m| !m.is_empty())),
            user_id: f.owner_uuid.unwrap_or_default(),
            location: f.location,
            created_at: f.created_at.into(),
            updated_at: f.updated_at.into(),
        }
    }
}

layer5_page!(FiltersPage, "filters", MesheryFilter);

/// Body of a filter save (meshcloud extension): with an `id` of an existing
/// filter it is updated (absent fields kept), else created (with that id,
/// when one is given).
#[derive(Debug, Clone, Object)]
pub struct FilterPayload {
    pub id: Option<String>,
    /// Required when the save creates the filter.
    pub name: Option<String>,
    pub filter_file: Option<String>,
    pub filter_resource: Option<String>,
    /// `private` (the default) or `public`; `published` goes through the catalog.
    pub visibility: Option<String>,
    pub location: Option<serde_json::Value>,
}
