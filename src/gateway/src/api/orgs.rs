//! API7: organizations, their subscription and upcoming invoice, and the
//! caller (`/user/me`).

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::http::api7::{Done200, Ok200, path_id};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use crate::Gateway;
use crate::model::orgs::{Organization, OrganizationBody, SubscriptionBody, UpcomingInvoice, User};

pub struct OrgsApi {
    pub gateway: Gateway,
}

#[derive(ApiResponse)]
pub enum PortalResponse {
    /// To meshcloud's billing page for the organization.
    #[oai(status = 302)]
    Found(#[oai(header = "Location")] String),
}

#[OpenApi(tag = "Tag::Api7Organizations")]
impl OrgsApi {
    /// Create Organization
    ///
    /// Creates an organization owned by the caller, who becomes its admin
    /// (where the installation lets users create organizations; else
    /// provider admins only). `name`: 1 to 32 characters, not only white
    /// space.
    #[oai(path = "/api/v1/orgs", method = "post")]
    async fn create(&self, auth: Auth, body: Json<OrganizationBody>) -> Result<Ok200<Organization>, AppError> {
        Ok(Ok200::new(self.gateway.create_org(auth.principal(), &body.name).await?))
    }

    /// Initialize Organization
    ///
    /// Creates the caller's first organization, as Create Organization
    /// does; nothing when the caller already belongs to an organization
    /// they own.
    #[oai(path = "/api/v1/orgs/init", method = "post")]
    async fn init(&self, auth: Auth, body: Json<OrganizationBody>) -> Result<Done200, AppError> {
        self.gateway.init_org(auth.principal(), &body.name).await?;
        Ok(Done200::new())
    }

    /// Get Organization Information
    ///
    /// An organization the caller is an active member of (any, for
    /// provider admins), with the plan it has now.
    #[oai(path = "/api/v1/orgs/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<String>) -> Result<Ok200<Organization>, AppError> {
        let id = path_id("id", &id)?;
        Ok(Ok200::new(self.gateway.get_org(auth.principal(), id).await?))
    }

    /// Create a new subscription
    ///
    /// Subscribes the organization to `plan` (a plan's row id, UUID, name,
    /// `name (cadence)` or Stripe price id) through the billing engine;
    /// answers the organization with the plan it has now (a plan sold
    /// without a trial counts once its first invoice is paid).
    #[oai(path = "/api/v1/orgs/:id/subscriptions", method = "post")]
    async fn subscribe(
        &self,
        auth: Auth,
        id: Path<String>,
        body: Json<SubscriptionBody>,
    ) -> Result<Ok200<Organization>, AppError> {
        let id = path_id("id", &id)?;
        Ok(Ok200::new(self.gateway.subscribe(auth.principal(), id, &body.plan).await?))
    }

    /// Get Upcoming Invoice
    ///
    /// What the live subscription's next renewal will charge (minor units);
    /// a zero invoice when nothing renews.
    #[oai(path = "/api/v1/orgs/:id/invoices/upcoming", method = "get")]
    async fn upcoming(&self, auth: Auth, id: Path<String>) -> Result<Ok200<UpcomingInvoice>, AppError> {
        let id = path_id("id", &id)?;
        Ok(Ok200::new(self.gateway.upcoming_invoice(auth.principal(), id).await?))
    }

    /// Redirect to the customer portal
    ///
    /// 302 to meshcloud's billing page of the organization (errors in the
    /// envelope).
    #[oai(path = "/api/v1/orgs/:id/customer_portal", method = "get")]
    async fn customer_portal(&self, auth: Auth, id: Path<String>) -> Result<PortalResponse, AppError> {
        let id = path_id("id", &id)?;
        Ok(PortalResponse::Found(self.gateway.customer_portal(auth.principal(), id).await?))
    }

    /// Get the current user
    ///
    /// The caller, the organizations they are an active member of
    /// (`org_ids`), and (meshcloud) those organizations with their UUIDs.
    #[oai(path = "/api/v1/user/me", method = "get")]
    async fn me(&self, auth: Auth) -> Result<Ok200<User>, AppError> {
        Ok(Ok200::new(self.gateway.me(auth.principal()).await?))
    }
}
