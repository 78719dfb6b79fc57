//! `/api/content/filters`: filters on the Layer5 face. Get and clone are the
//! reference's; list, save and delete are meshcloud extensions.

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::http::layer5::{flag, paging};
use meshcloud_kernel::http::responses::NoContent;
use poem_openapi::OpenApi;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;

use super::Tag;
use super::designs::{body_id, filter_id, values};
use crate::Content;
use crate::model::filter::*;
use crate::service::filters::FilterInput;
use crate::service::views::ItemListInput;
use crate::store::filters::ORDER_FIELDS;

pub struct FiltersApi {
    pub content: Content,
}

#[OpenApi(prefix_path = "/api/content/filters", tag = "Tag::Designs")]
impl FiltersApi {
    /// Get filters (meshcloud extension)
    ///
    /// The filters of the organization in context the caller can see; with
    /// `shared=true`, those shared with the caller from any organization.
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
        shared: Query<Option<String>>,
        visibility: Query<Option<String>>,
        #[oai(name = "orgId")] org_id: Query<Option<String>>,
        #[oai(name = "userId")] user_id: Query<Option<String>>,
    ) -> Result<Json<FiltersPage>, AppError> {
        let paging = paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &ORDER_FIELDS);
        let input = ItemListInput {
            org: org_id.0.clone(),
            visibility: values(visibility.as_deref()),
            owner: filter_id(user_id.as_deref()),
            shared: flag(shared.as_deref()),
        };
        let result =
            self.content.list_filters(auth.principal(), header.as_deref(), input, paging.request.clone()).await?;
        Ok(Json(FiltersPage::new(&paging, result.map(MesheryFilter::from))))
    }

    /// Save filter (meshcloud extension)
    ///
    /// Updates the filter `id` names (absent fields kept), else creates one
    /// (with that id, when given) in the organization in context.
    #[oai(path = "/", method = "post")]
    async fn save(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        body: Json<FilterPayload>,
    ) -> Result<Json<MesheryFilter>, AppError> {
        let b = body.0;
        let input = FilterInput {
            id: body_id("id", b.id.as_deref())?,
            name: b.name,
            filter_file: b.filter_file,
            filter_resource: b.filter_resource,
            visibility: b.visibility.filter(|v| !v.trim().is_empty()),
            location: b.location,
        };
        Ok(Json(self.content.save_filter(auth.principal(), header.as_deref(), input).await?.into()))
    }

    /// Clone filter
    ///
    /// A private copy, owned by the caller, in the organization in context.
    #[oai(path = "/clone/:id", method = "post")]
    async fn clone_one(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        id: Path<uuid::Uuid>,
    ) -> Result<Json<MesheryFilter>, AppError> {
        Ok(Json(self.content.clone_filter(auth.principal(), header.as_deref(), id.0).await?.into()))
    }

    /// Get filter by ID
    #[oai(path = "/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<uuid::Uuid>) -> Result<Json<MesheryFilter>, AppError> {
        Ok(Json(self.content.get_filter(auth.principal(), id.0).await?.into()))
    }

    /// Delete filter (meshcloud extension)
    #[oai(path = "/:id", method = "delete")]
    async fn delete(&self, auth: Auth, id: Path<uuid::Uuid>) -> Result<NoContent, AppError> {
        self.content.delete_filter(auth.principal(), id.0).await?;
        Ok(NoContent::NoContent)
    }
}
