//! The billing family's HTTP operations.

pub mod cancel;
mod invoice_html;
pub mod invoices;
pub mod payments;
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
    /// meshcloud: an organization's invoices.
    Invoices,
    /// meshcloud: the offline processor's payments and their confirmation.
    Payments,
}

/// Every API of the family, for the app's `OpenApiService`.
pub fn apis(
    billing: &Billing,
) -> (
    plans::PlansApi,
    subscriptions::SubscriptionsApi,
    cancel::CancelApi,
    webhooks::WebhooksApi,
    invoices::InvoicesApi,
    payments::PaymentsApi,
) {
    (
        plans::PlansApi { billing: billing.clone() },
        subscriptions::SubscriptionsApi { billing: billing.clone() },
        cancel::CancelApi { billing: billing.clone() },
        webhooks::WebhooksApi { billing: billing.clone() },
        invoices::InvoicesApi { billing: billing.clone() },
        payments::PaymentsApi { billing: billing.clone() },
    )
}
