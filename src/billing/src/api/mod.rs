//! The billing family's HTTP operations.

mod invoice_html;
pub mod invoices;
pub mod payments;
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
    /// meshcloud: an organization's invoices.
    Invoices,
    /// meshcloud: the offline processor's payments and their confirmation.
    Payments,
}

/// Every API of the family, for the app's `OpenApiService`.
pub fn apis(
    billing: &Billing,
) -> (plans::PlansApi, subscriptions::SubscriptionsApi, invoices::InvoicesApi, payments::PaymentsApi) {
    let b = || billing.clone();
    (
        plans::PlansApi { billing: b() },
        subscriptions::SubscriptionsApi { billing: b() },
        invoices::InvoicesApi { billing: b() },
        payments::PaymentsApi { billing: b() },
    )
}
