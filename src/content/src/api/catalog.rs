//! `/api/catalog`: the catalog of published designs and filters, and the
//! publication requests.

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::http::layer5::{flag, paging};
use meshcloud_kernel::{AppError, validate};
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use serde_json::Value;

use super::Tag;
use super::designs::{filter_id, values};
use crate::Content;
use crate::model::catalog::*;
use crate::model::filter::MesheryFilter;
use crate::model::pattern::Pattern;
use crate::service::catalog::{CLASSES, catalog_kind};
use crate::store::catalog::{ORDER_FIELDS, Published};

pub struct CatalogApi {
    pub content: Content,
}

/// The item a publish or unpublish body names (`id`, or `content_id`).
fn item_id(b: &Value) -> Result<uuid::Uuid, AppError> {
    validate::json_object("body", b)?;
    let raw = b.get("id").or_else(|| b.get("content_id")).and_then(Value::as_str).unwrap_or("");
    validate::uuid("id", raw.trim())
}

/// A status filter of the request list: `pending` or `{"status": "pending"}`;
/// anything else is ignored (lists document no 400).
fn status_filter(raw: Option<&str>) -> Option<String> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    let status = if raw.starts_with('{') {
        let v: Value = serde_json::from_str(raw).ok()?;
        v.get("status").and_then(Value::as_str).map(String::from)
    } else {
        Some(raw.to_string())
    };
    status.filter(|s| ["pending", "approved", "denied", "withdrawn"].contains(&s.as_str()))
}

#[OpenApi(prefix_path = "/api/catalog", tag = "Tag::Designs")]
impl CatalogApi {
    /// Get catalog content classes
    #[oai(path = "/content/classes", method = "get")]
    async fn classes(
        &self,
        auth: Auth,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
    ) -> Result<Json<Vec<CatalogContentClass>>, AppError> {
        let _ = (auth, page, pagesize);
        Ok(Json(
            CLASSES
                .iter()
                .map(|(c, d)| CatalogContentClass { class: c.to_string(), description: d.to_string() })
                .collect(),
        ))
    }

    /// Get catalog content
    ///
    /// No authentication required. The published designs (`type` pattern)
    /// or filters (`type` filter) of every organization. `class` keeps one
    /// or more content classes (comma-separated), `userId` an owner, `orgId`
    /// an organization; `populate=true` adds each design's `patternFile`.
    /// `technology`, `metrics`, `workspaceId` and `teamId` are accepted and
    /// change nothing.
    #[oai(path = "/content/:type", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn content(
        &self,
        #[oai(name = "type")] kind: Path<String>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
        class: Query<Option<String>>,
        #[oai(name = "userId")] user_id: Query<Option<String>>,
        #[oai(name = "orgId")] org_id: Query<Option<String>>,
        populate: Query<Option<String>>,
        technology: Query<Option<String>>,
        metrics: Query<Option<String>>,
        #[oai(name = "workspaceId")] workspace_id: Query<Option<String>>,
        #[oai(name = "teamId")] team_id: Query<Option<String>>,
    ) -> Result<Json<CatalogContentPage>, AppError> {
        let _ = (technology, metrics, workspace_id, team_id);
        // A type the catalog does not hold names nothing (the list documents no 400).
        let kind = catalog_kind(&kind.0).map_err(|_| AppError::NotFound)?;
        let paging = paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &ORDER_FIELDS);
        let f = Published {
            classes: values(class.as_deref()),
            owner: filter_id(user_id.as_deref()),
            org: filter_id(org_id.as_deref()),
        };
        let r = self.content.catalog(kind, f, paging.request.clone()).await?;
        let populate = flag(populate.as_deref());
        let patterns = r
            .designs
            .into_iter()
            .map(|d| {
                let mut p = Pattern::from(d);
                if !populate {
                    p.pattern_file = None;
                }
                p
            })
            .collect();
        Ok(Json(CatalogContentPage {
            category_count: r
                .types
                .into_iter()
                .map(|(category, count)| CatalogCategoryCount { category, count })
                .collect(),
            filters: r.filters.into_iter().map(MesheryFilter::from).collect(),
            models_count: r.models.into_iter().map(|(model, count)| CatalogModelCount { model, count }).collect(),
            page: paging.page,
            page_size: paging.page_size,
            patterns,
            total_count: r.total,
        }))
    }

    /// Publish catalog content
    ///
    /// Body `{id, catalog_data}` (or `catalogData`): files a publication
    /// request for the design or filter `id`; it is published once the
    /// request is approved. `409` while another request for it is pending.
    #[oai(path = "/content/:type", method = "post")]
    async fn publish(
        &self,
        auth: Auth,
        #[oai(name = "type")] kind: Path<String>,
        body: Json<Value>,
    ) -> Result<Json<CatalogRequest>, AppError> {
        let kind = catalog_kind(&kind.0)?;
        let id = item_id(&body.0)?;
        let data = body.0.get("catalog_data").or_else(|| body.0.get("catalogData")).cloned();
        let data = data.ok_or_else(|| AppError::validation("catalog_data is required"))?;
        Ok(Json(self.content.request_publication(auth.principal(), kind, id, data).await?.into()))
    }

    /// Unpublish catalog content
    ///
    /// Body `{id}`: takes the published design or filter out of the catalog
    /// (`409` when it is not published).
    #[oai(path = "/content/:type/unpublish", method = "post")]
    async fn unpublish(
        &self,
        auth: Auth,
        #[oai(name = "type")] kind: Path<String>,
        body: Json<Value>,
    ) -> Result<Json<CatalogMessage>, AppError> {
        let kind = catalog_kind(&kind.0)?;
        let id = item_id(&body.0)?;
        self.content.unpublish(auth.principal(), kind, id).await?;
        Ok(Json(CatalogMessage { message: "unpublished".into() }))
    }

    /// Get catalog requests
    ///
    /// The requests the caller may decide, and their own. `filter` is a
    /// status (`pending`, `approved`, `denied`, `withdrawn`) or
    /// `{"status": ...}`.
    #[oai(path = "/requests", method = "get")]
    async fn requests(
        &self,
        auth: Auth,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
        filter: Query<Option<String>>,
    ) -> Result<Json<CatalogRequestsPage>, AppError> {
        let paging = paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &ORDER_FIELDS);
        let status = status_filter(filter.as_deref());
        let r = self.content.catalog_requests(auth.principal(), status, paging.request.clone()).await?;
        let page_size = if paging.request.limit > meshcloud_kernel::http::layer5::MAX_PAGE_SIZE {
            r.total
        } else {
            paging.page_size
        };
        Ok(Json(CatalogRequestsPage {
            catalog_requests: r.items.into_iter().map(CatalogRequest::from).collect(),
            page: paging.page,
            page_size,
            total_count: r.total,
        }))
    }

    /// Approve a catalog request
    ///
    /// Body `{id}` (the request's). `409` when it is no longer pending.
    #[oai(path = "/requests/approve", method = "post")]
    async fn approve(&self, auth: Auth, body: Json<Value>) -> Result<Json<CatalogRequest>, AppError> {
        let id = item_id(&body.0)?;
        Ok(Json(self.content.decide_request(auth.principal(), id, true).await?.into()))
    }

    /// Deny a catalog request
    ///
    /// Body `{id}` (the request's). `409` when it is no longer pending.
    #[oai(path = "/requests/deny", method = "post")]
    async fn deny(&self, auth: Auth, body: Json<Value>) -> Result<Json<CatalogRequest>, AppError> {
        let id = item_id(&body.0)?;
        Ok(Json(self.content.decide_request(auth.principal(), id, false).await?.into()))
    }
}
