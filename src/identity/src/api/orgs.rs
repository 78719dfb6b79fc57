//! `/api/identity/orgs`: organizations (Layer5 face).

use meshcloud_kernel::AppError;
use meshcloud_kernel::http::layer5::{flag, paging};
use meshcloud_kernel::http::responses::NoContent;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use super::auth::Auth;
use crate::Identity;
use crate::model::{OrgPreferences, Organization, OrganizationPayload, OrganizationsPage};
use crate::service::orgs::OrgChanges;
use crate::store::orgs::ORDER_FIELDS;

pub struct OrgsApi {
    pub identity: Identity,
}

#[derive(ApiResponse)]
pub enum ListOrgs {
    /// Organizations response.
    #[oai(status = 200)]
    Ok(Json<OrganizationsPage>),
    /// No content: the caller belongs to no organization.
    #[oai(status = 204)]
    NoContent,
}

#[derive(ApiResponse)]
pub enum CreatedOrg {
    /// Single-organization page response.
    #[oai(status = 201)]
    Created(Json<OrganizationsPage>),
}

fn changes(p: OrganizationPayload) -> OrgChanges {
    OrgChanges {
        name: p.name.map(|t| t.0),
        description: p.description.map(|t| t.0),
        country: p.country.map(|t| t.0),
        region: p.region.map(|t| t.0),
        preferences: p.preferences,
        domain: match p.domain {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(d) => Some(Some(d.0)),
        },
    }
}

#[OpenApi(prefix_path = "/api/identity/orgs", tag = "Tag::Organizations")]
impl OrgsApi {
    /// Read organizations
    ///
    /// The caller's organizations. With `all=true` a provider admin sees every
    /// organization, and the whole list comes back as one page.
    #[oai(path = "/", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
        all: Query<Option<String>>,
    ) -> Result<ListOrgs, AppError> {
        let p = auth.principal();
        let mut paging =
            paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &ORDER_FIELDS);
        let every = flag(all.as_deref());
        if every {
            paging = paging.unbounded();
        }
        let result = self.identity.list_orgs(p, every, paging.request.clone()).await?;
        // 204 says "you belong to no organization"; a search that matches
        // nothing is an empty page.
        if result.total == 0 && paging.request.search.is_none() {
            return Ok(ListOrgs::NoContent);
        }
        Ok(ListOrgs::Ok(Json(OrganizationsPage::new(&paging, result.map(Organization::from)))))
    }

    /// Create an organization
    ///
    /// The caller becomes its owner and an organization admin.
    #[oai(path = "/", method = "post")]
    async fn create(&self, auth: Auth, body: Json<OrganizationPayload>) -> Result<CreatedOrg, AppError> {
        let org = self.identity.create_org(auth.principal(), changes(body.0)).await?;
        Ok(CreatedOrg::Created(Json(OrganizationsPage::single(org.into()))))
    }

    /// Get organization by domain
    #[oai(path = "/by-domain", method = "get")]
    async fn by_domain(&self, auth: Auth, domain: Query<Option<String>>) -> Result<Json<Organization>, AppError> {
        // No domain names no organization (the reference documents 404, not 400).
        let domain = domain.0.unwrap_or_default();
        Ok(Json(self.identity.org_by_domain(auth.principal(), &domain).await?.into()))
    }

    /// Read an organization
    ///
    /// Returns the organization in the single-item page wrapper.
    #[oai(path = "/:orgId", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org_id: Path<uuid::Uuid>,
    ) -> Result<Json<OrganizationsPage>, AppError> {
        let org = self.identity.get_org(auth.principal(), org_id.0).await?;
        Ok(Json(OrganizationsPage::single(org.into())))
    }

    /// Update an organization
    ///
    /// Organization admins and provider admins only.
    #[oai(path = "/:orgId", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org_id: Path<uuid::Uuid>,
        body: Json<OrganizationPayload>,
    ) -> Result<Json<OrganizationsPage>, AppError> {
        let org = self.identity.update_org(auth.principal(), org_id.0, changes(body.0)).await?;
        Ok(Json(OrganizationsPage::single(org.into())))
    }

    /// Delete an organization
    ///
    /// Soft delete: the organization disappears from lists and lookups at once.
    /// Organization admins and provider admins only.
    #[oai(path = "/:orgId", method = "delete")]
    async fn delete(&self, auth: Auth, #[oai(name = "orgId")] org_id: Path<uuid::Uuid>) -> Result<NoContent, AppError> {
        self.identity.delete_org(auth.principal(), org_id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Get organization preferences
    #[oai(path = "/:orgId/preferences", method = "get")]
    async fn preferences(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org_id: Path<uuid::Uuid>,
    ) -> Result<Json<OrgPreferences>, AppError> {
        let preferences = self.identity.org_preferences(auth.principal(), org_id.0).await?;
        Ok(Json(OrgPreferences { preferences: crate::model::prefs::org(&preferences) }))
    }
}
