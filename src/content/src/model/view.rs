//! Wire DTOs of views (Meshery's `MesheryView`).

use meshcloud_kernel::http::types::Time;
use meshcloud_kernel::layer5_page;
use poem_openapi::Object;

use crate::store::views::ViewRow;

/// A view: a named set of filters over the organization's resources.
#[derive(Debug, Clone, Object)]
pub struct MesheryView {
    pub id: uuid::Uuid,
    pub name: String,
    /// The view's filters, as the client saved them.
    pub filters: serde_json::Value,
    /// `private`, `public` or `published`.
    pub visibility: String,
    pub metadata: serde_json::Value,
    /// The owner; the nil UUID when their account is gone.
    pub user_id: uuid::Uuid,
    pub org_id: uuid::Uuid,
    pub created_at: Time,
    pub updated_at: Time,
}

impl From<ViewRow> for MesheryView {
    fn from(v: ViewRow) -> Self {
        MesheryView {
            id: v.uuid,
            name: v.name,
            filters: v.filters,
            visibility: v.visibility,
            metadata: v.metadata,
            user_id: v.owner_uuid.unwrap_or_default(),
            org_id: v.org_uuid,
            created_at: v.created_at.into(),
            updated_at: v.updated_at.into(),
        }
    }
}

layer5_page!(MesheryViewPage, "views", MesheryView);

/// Body of a view's PUT: absent fields keep their value.
#[derive(Debug, Clone, Object)]
pub struct ViewPayload {
    /// Required when the PUT creates the view.
    pub name: Option<String>,
    pub filters: Option<serde_json::Value>,
    /// `private` (the default), `public`; `published` only for those who
    /// approve catalog publications.
    pub visibility: Option<String>,
    pub metadata: Option<serde_json::Value>,
}
