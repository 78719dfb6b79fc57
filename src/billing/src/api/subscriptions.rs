//! `/api/entitlement/subscriptions…` (Layer5 face): subscribe, list, read,
//! change plan (with its preview) and the upcoming invoice.

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::http::layer5::paging;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use crate::Billing;
use crate::model::invoices::Invoice;
use crate::model::subscriptions::{
    CreateBody, Created, Subscription, SubscriptionDetail, SubscriptionsPage, UpgradeBody,
};
use crate::store::subscriptions::{ORDER_FIELDS, STATUSES};

pub struct SubscriptionsApi {
    pub billing: Billing,
}

#[derive(ApiResponse)]
pub enum CreateResponse {
    /// Subscribed.
    #[oai(status = 201)]
    Created(Json<Created>),
}

#[OpenApi(prefix_path = "/api/entitlement/subscriptions", tag = "Tag::Subscriptions")]
impl SubscriptionsApi {
    /// Read subscriptions
    ///
    /// The subscriptions of the organization (meshcloud: `orgId`, else the
    /// one in context), newest first unless `order` names one of
    /// created_at, updated_at, status, current_period_end, quantity.
    /// `status` may be repeated (`status=a&status=b`, or `status[]`,
    /// or comma-separated); an unknown status is refused.
    #[oai(path = "/", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        order: Query<Option<String>>,
        status: Query<Vec<String>>,
        #[oai(name = "status[]")] status_brackets: Query<Vec<String>>,
        #[oai(name = "orgId")] org_id: Query<Option<String>>,
    ) -> Result<Json<SubscriptionsPage>, AppError> {
        let paging = paging(page.as_deref(), pagesize.as_deref(), None, order.as_deref(), &ORDER_FIELDS);
        let statuses = super::statuses(&status.0, &status_brackets.0, &STATUSES)?;
        let result = self
            .billing
            .list_subscriptions(
                auth.principal(),
                org_id.as_deref(),
                header.as_deref(),
                statuses,
                paging.request.clone(),
            )
            .await?;
        Ok(Json(SubscriptionsPage::new(&paging, result.map(Subscription::from))))
    }

    /// Create a new subscription for an organization
    ///
    /// `planId` is a plan's id or its Stripe price id; `userCount` defaults
    /// to the plan's `minimum_units`; `paymentProcessor` is `offline` (the
    /// default) or `stripe` where configured. A free plan is active at once,
    /// a plan with a trial is trialing; otherwise the subscription is
    /// `incomplete` until its first invoice is paid, and `clientSecret`
    /// names the pending offline payment (empty when nothing is due, and for
    /// Stripe until Stripe's webhook links the subscription).
    #[oai(path = "/create", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        body: Json<CreateBody>,
    ) -> Result<CreateResponse, AppError> {
        let (sub, secret) = self.billing.create_subscription(auth.principal(), header.as_deref(), body.0).await?;
        Ok(CreateResponse::Created(Json(Created { client_secret: secret, subscription_id: sub.uuid })))
    }

    /// Get a subscription (meshcloud)
    ///
    /// The reference's fields and meshcloud's: the current period, trial
    /// end, cancellation and processor.
    #[oai(path = "/:subscriptionId", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        #[oai(name = "subscriptionId")] id: Path<uuid::Uuid>,
    ) -> Result<Json<SubscriptionDetail>, AppError> {
        Ok(Json(self.billing.subscription(auth.principal(), id.0).await?.into()))
    }

    /// Upgrade or downgrade an existing subscription by changing one of the plans in the subscription
    ///
    /// `oldPlanId` must be the current plan; meshcloud takes `userCount`
    /// too. The change is prorated to the second and invoiced at once; a
    /// trialing subscription changes without an invoice. Refused when the
    /// organization has more than the new plan allows, and for a
    /// subscription billed by Stripe (change it in Stripe).
    #[oai(path = "/:subscriptionId/upgrade", method = "post")]
    async fn upgrade(
        &self,
        auth: Auth,
        #[oai(name = "subscriptionId")] id: Path<uuid::Uuid>,
        body: Json<UpgradeBody>,
    ) -> Result<Json<Subscription>, AppError> {
        Ok(Json(self.billing.upgrade(auth.principal(), id.0, body.0).await?.into()))
    }

    /// Preview the invoice for upgrading or downgrading an existing subscription by changing one of the plans in the subscription
    ///
    /// The invoice the same change would issue now, with `status` `draft`
    /// and no id or number.
    #[oai(path = "/:subscriptionId/upgrade-preview", method = "post")]
    async fn upgrade_preview(
        &self,
        auth: Auth,
        #[oai(name = "subscriptionId")] id: Path<uuid::Uuid>,
        body: Json<UpgradeBody>,
    ) -> Result<Json<Invoice>, AppError> {
        Ok(Json(self.billing.upgrade_preview(auth.principal(), id.0, body.0).await?))
    }

    /// The next renewal's invoice (meshcloud)
    ///
    /// What renewing at the end of the current period (a trial: at its end)
    /// will bill, settled against the organization's credit; `status` `draft`.
    #[oai(path = "/:subscriptionId/upcoming-invoice", method = "get")]
    async fn upcoming_invoice(
        &self,
        auth: Auth,
        #[oai(name = "subscriptionId")] id: Path<uuid::Uuid>,
    ) -> Result<Json<Invoice>, AppError> {
        Ok(Json(self.billing.upcoming_invoice(auth.principal(), id.0).await?))
    }
}
