//! The billing family's HTTP operations.

pub mod cancel;
pub mod plans;
pub mod subscriptions;
pub mod webhooks;

use poem_openapi::Tags;

use crate::Billing;

#[derive(Tags)]
pub enum Tag {
    /// Layer5: plans and their features.
    Plans,
    /// Layer5: an organization's subscriptions, plan changes and proration.
    Subscriptions,
    /// Layer5: payment processors' webhooks.
    PaymentProcessors,
}

/// Every API of the family, for the app's `OpenApiService`.
pub fn apis(
    billing: &Billing,
) -> (plans::PlansApi, subscriptions::SubscriptionsApi, cancel::CancelApi, webhooks::WebhooksApi) {
    (
        plans::PlansApi { billing: billing.clone() },
        subscriptions::SubscriptionsApi { billing: billing.clone() },
        cancel::CancelApi { billing: billing.clone() },
        webhooks::WebhooksApi { billing: billing.clone() },
    )
}
