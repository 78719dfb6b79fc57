//! The billing family's HTTP operations.

pub mod plans;
pub mod subscriptions;

use poem_openapi::Tags;

use crate::Billing;

#[derive(Tags)]
pub enum Tag {
    /// Layer5: plans and their features.
    Plans,
    /// Layer5: an organization's subscriptions, plan changes and proration.
    Subscriptions,
}

/// Every API of the family, for the app's `OpenApiService`.
pub fn apis(billing: &Billing) -> (plans::PlansApi, subscriptions::SubscriptionsApi) {
    (plans::PlansApi { billing: billing.clone() }, subscriptions::SubscriptionsApi { billing: billing.clone() })
}
