//! `POST /api/entitlement/subscriptions/{subscriptionId}/cancel` (Layer5 face).

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::http::layer5::paging;
use poem_openapi::OpenApi;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;

use super::Tag;
use crate::Billing;
use crate::model::subscriptions::{Subscription, SubscriptionsPage};

pub struct CancelApi {
    pub billing: Billing,
}

#[OpenApi(prefix_path = "/api/entitlement", tag = "Tag::Subscriptions")]
impl CancelApi {
    /// Cancel an existing subscription. The subscription will remain active until the end of the billing period and then it will be canceled.
    ///
    /// An `active` or `past_due` subscription keeps its plan to the end of
    /// the period (`cancel_at_period_end`); an `incomplete` (its invoice
    /// void) or `trialing` one ends at once. One already ended, or already
    /// canceled at its period's end, is a 400; a Stripe-billed one is
    /// canceled in Stripe (400). Needs `billing.subscriptions.manage` in the
    /// subscription's organization. Answers the organization's subscriptions
    /// (the first page, newest first).
    #[oai(path = "/subscriptions/:subscriptionId/cancel", method = "post")]
    async fn cancel(
        &self,
        auth: Auth,
        #[oai(name = "subscriptionId")] id: Path<uuid::Uuid>,
    ) -> Result<Json<SubscriptionsPage>, AppError> {
        let paging = paging(None, None, None, None, &[]);
        let page = self.billing.cancel_subscription(auth.principal(), id.0, paging.request.clone()).await?;
        Ok(Json(SubscriptionsPage::new(&paging, page.map(Subscription::from))))
    }
}
