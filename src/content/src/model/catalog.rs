//! Wire DTOs of the catalog.

use meshcloud_kernel::http::types::Time;
use poem_openapi::Object;

use super::filter::MesheryFilter;
use super::pattern::Pattern;
use crate::store::catalog::RequestRow;

/// A content class of the catalog.
#[derive(Debug, Clone, Object)]
pub struct CatalogContentClass {
    pub class: String,
    pub description: String,
}

/// How many published items have a catalog type.
#[derive(Debug, Clone, Object)]
pub struct CatalogCategoryCount {
    #[oai(rename = "type")]
    pub category: String,
    pub count: u64,
}

/// How many published items are compatible with a model.
#[derive(Debug, Clone, Object)]
pub struct CatalogModelCount {
    pub model: String,
    pub count: u64,
}

/// A page of the catalog: `patterns` for type `pattern`, `filters` for
/// `filter` (the other list is empty).
#[derive(Debug, Clone, Object)]
pub struct CatalogContentPage {
    #[oai(rename = "categoryCount")]
    pub category_count: Vec<CatalogCategoryCount>,
    pub filters: Vec<MesheryFilter>,
    #[oai(rename = "modelsCount")]
    pub models_count: Vec<CatalogModelCount>,
    pub page: u64,
    pub page_size: u64,
    pub patterns: Vec<Pattern>,
    pub total_count: u64,
}

/// A publication request.
#[derive(Debug, Clone, Object)]
pub struct CatalogRequest {
    pub id: uuid::Uuid,
    /// `pattern` or `filter` (the catalog's spelling).
    pub content_type: String,
    pub content_id: uuid::Uuid,
    pub content_name: String,
    pub org_id: uuid::Uuid,
    /// Who asked; the nil UUID when their account is gone.
    pub user_id: uuid::Uuid,
    pub catalog_data: serde_json::Value,
    /// `pending`, `approved`, `denied` or `withdrawn` (approved, then unpublished).
    pub status: String,
    #[oai(skip_serializing_if_is_none)]
    pub decided_by: Option<uuid::Uuid>,
    #[oai(skip_serializing_if_is_none)]
    pub decided_at: Option<Time>,
    pub created_at: Time,
    pub updated_at: Time,
}

impl From<RequestRow> for CatalogRequest {
    fn from(r: RequestRow) -> Self {
        CatalogRequest {
            id: r.uuid,
            content_type: if r.resource_type == "design" { "pattern".into() } else { r.resource_type },
            content_id: r.resource_uuid,
            content_name: r.name,
            org_id: r.org_uuid,
            user_id: r.requested_by_uuid.unwrap_or_default(),
            catalog_data: r.catalog_data,
            status: r.status,
            decided_by: r.decided_by_uuid,
            decided_at: r.decided_at.map(Into::into),
            created_at: r.created_at.into(),
            updated_at: r.updated_at.into(),
        }
    }
}

/// A page of publication requests.
#[derive(Debug, Clone, Object)]
pub struct CatalogRequestsPage {
    #[oai(rename = "catalogRequests")]
    pub catalog_requests: Vec<CatalogRequest>,
    pub page: u64,
    pub page_size: u64,
    pub total_count: u64,
}

/// An acknowledgement.
#[derive(Debug, Clone, Object)]
pub struct CatalogMessage {
    pub message: String,
}
