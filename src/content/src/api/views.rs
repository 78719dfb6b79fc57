//! `/api/content/views`: views on the Layer5 face.

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::http::layer5::{flag, paging};
use meshcloud_kernel::{AppError, validate};
use poem_openapi::OpenApi;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;

use super::Tag;
use super::designs::{filter_id, values};
use crate::Content;
use crate::model::view::*;
use crate::service::views::{ItemListInput, ViewInput};
use crate::store::views::ORDER_FIELDS;

pub struct ViewsApi {
    pub content: Content,
}

#[OpenApi(prefix_path = "/api/content/views", tag = "Tag::Designs")]
impl ViewsApi {
    /// Get views
    ///
    /// The views of the organization in context (`layer5-current-orgid`,
    /// else `orgId`) the caller can see; with `shared=true`, those shared
    /// with the caller from any organization. `visibility` takes one or
    /// more of private, public, published (comma-separated), `userId` the
    /// owner. `filter` is accepted and changes nothing.
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
        filter: Query<Option<String>>,
        shared: Query<Option<String>>,
        visibility: Query<Option<String>>,
        #[oai(name = "orgId")] org_id: Query<Option<String>>,
        #[oai(name = "userId")] user_id: Query<Option<String>>,
    ) -> Result<Json<MesheryViewPage>, AppError> {
        let _ = filter;
        let paging = paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &ORDER_FIELDS);
        let input = ItemListInput {
            org: org_id.0.clone(),
            visibility: values(visibility.as_deref()),
            owner: filter_id(user_id.as_deref()),
            shared: flag(shared.as_deref()),
        };
        let result =
            self.content.list_views(auth.principal(), header.as_deref(), input, paging.request.clone()).await?;
        Ok(Json(MesheryViewPage::new(&paging, result.map(MesheryView::from))))
    }

    /// Get a view by ID
    #[oai(path = "/:viewId", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        #[oai(name = "viewId")] view_id: Path<String>,
    ) -> Result<Json<MesheryView>, AppError> {
        let id = uuid::Uuid::parse_str(view_id.0.trim()).map_err(|_| AppError::NotFound)?;
        Ok(Json(self.content.get_view(auth.principal(), id).await?.into()))
    }

    /// Update a view
    ///
    /// Changes the fields given; a view id no view has yet creates the view
    /// (its `name` then required) in the organization in context.
    #[oai(path = "/:viewId", method = "put")]
    async fn put(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        #[oai(name = "viewId")] view_id: Path<String>,
        body: Json<ViewPayload>,
    ) -> Result<Json<MesheryView>, AppError> {
        let id = validate::uuid("viewId", view_id.0.trim())?;
        let b = body.0;
        let input = ViewInput { name: b.name, filters: b.filters, visibility: b.visibility, metadata: b.metadata };
        Ok(Json(self.content.put_view(auth.principal(), header.as_deref(), id, input).await?.into()))
    }
}
