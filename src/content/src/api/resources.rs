//! `/api/content/patterns/resource`: the Kubernetes resources designs
//! describe (one per component), listed, read, saved and deleted on the
//! Layer5 face.

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::http::layer5::paging;
use meshcloud_kernel::http::responses::NoContent;
use meshcloud_kernel::{AppError, validate};
use poem_openapi::OpenApi;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;

use super::Tag;
use crate::Content;
use crate::model::resource::*;
use crate::service::resources::{ListInput, SaveResource};
use crate::store::resources::ORDER_FIELDS;

pub struct ResourcesApi {
    pub content: Content,
}

fn nonempty(v: Option<&str>) -> Option<String> {
    v.map(str::trim).filter(|s| !s.is_empty()).map(String::from)
}

/// An id of the request body: absent or empty means none.
fn body_id(field: &str, v: Option<&str>) -> Result<Option<uuid::Uuid>, AppError> {
    nonempty(v).map(|s| validate::uuid(field, &s)).transpose()
}

#[OpenApi(prefix_path = "/api/content/patterns/resource", tag = "Tag::Designs")]
impl ResourcesApi {
    /// Get pattern resources
    ///
    /// The resources (one per component) of the designs of the organization
    /// in context (`layer5-current-orgid`, else `orgId`) that the caller
    /// sees. `search` matches name, kind or namespace; `order` takes name,
    /// kind, namespace, created_at, updated_at. Filters: `designId`, `kind`,
    /// `namespace` (exact). A `designId` that is no UUID matches nothing.
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
        #[oai(name = "orgId")] org_id: Query<Option<String>>,
        #[oai(name = "designId")] design_id: Query<Option<String>>,
        kind: Query<Option<String>>,
        namespace: Query<Option<String>>,
    ) -> Result<Json<PatternResourcesPage>, AppError> {
        let paging = paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &ORDER_FIELDS);
        let input = ListInput {
            org: org_id.0.clone(),
            design: nonempty(design_id.as_deref()).map(|s| uuid::Uuid::parse_str(&s).unwrap_or_default()),
            kind: nonempty(kind.as_deref()),
            // An empty namespace is a filter too: the resources that name none.
            namespace: namespace.0.clone().map(|n| n.trim().to_string()),
        };
        let result =
            self.content.list_resources(auth.principal(), header.as_deref(), input, paging.request.clone()).await?;
        Ok(Json(PatternResourcesPage {
            resources: result.items.into_iter().map(PatternResource::from).collect(),
            page: paging.page,
            page_size: paging.page_size,
            total_count: result.total,
        }))
    }

    /// Save pattern resource
    ///
    /// With `id`, changes that resource's component; else adds a component
    /// to the design `design_id`. Either is a new version of the design.
    #[oai(path = "/", method = "post")]
    async fn save(&self, auth: Auth, body: Json<SaveResourcePayload>) -> Result<Json<PatternResource>, AppError> {
        let b = body.0;
        let input = SaveResource {
            id: body_id("id", b.id.as_deref())?,
            design: body_id("design_id", b.design_id.as_deref())?,
            name: b.name,
            namespace: b.namespace,
            kind: b.kind,
            api_version: b.api_version,
            configuration: b.configuration,
        };
        Ok(Json(self.content.save_resource(auth.principal(), input).await?.into()))
    }

    /// Get pattern resource by ID
    #[oai(path = "/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<uuid::Uuid>) -> Result<Json<PatternResource>, AppError> {
        Ok(Json(self.content.get_resource(auth.principal(), id.0).await?.into()))
    }

    /// Delete pattern resource
    ///
    /// Removes the component from its design (a new version), with the
    /// relationships that name it.
    #[oai(path = "/:id", method = "delete")]
    async fn delete(&self, auth: Auth, id: Path<uuid::Uuid>) -> Result<NoContent, AppError> {
        self.content.delete_resource(auth.principal(), id.0).await?;
        Ok(NoContent::NoContent)
    }
}
