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
    /// meshcloud: an organization's invoices.
    Invoices,
    /// meshcloud: the offline processor's payments and their confirmation.
    Payments,
    /// Layer5: payment processors' webhooks.
    PaymentProcessors,
}

/// Every API of the family, for the app's `OpenApiService`.
#[allow(clippy::type_complexity)]
pub fn apis(
    billing: &Billing,
) -> (
    plans::PlansApi,
    subscriptions::SubscriptionsApi,
    cancel::CancelApi,
    invoices::InvoicesApi,
    payments::PaymentsApi,
    webhooks::WebhooksApi,
) {
    let b = || billing.clone();
    (
        plans::PlansApi { billing: b() },
        subscriptions::SubscriptionsApi { billing: b() },
        cancel::CancelApi { billing: b() },
        invoices::InvoicesApi { billing: b() },
        payments::PaymentsApi { billing: b() },
        webhooks::WebhooksApi { billing: b() },
    )
}

/// The statuses a list filters by, of those `allowed`: repeated
/// (`status=a&status=b`), in the `status[]` spelling, or comma-separated. A
/// status the list does not know is a 400 naming the ones it does.
pub(crate) fn statuses(
    plain: &[String],
    bracketed: &[String],
    allowed: &[&str],
) -> Result<Vec<String>, meshcloud_kernel::AppError> {
    let mut out = Vec::new();
    for s in plain.iter().chain(bracketed).flat_map(|s| s.split(',')).map(str::trim).filter(|s| !s.is_empty()) {
        if !allowed.contains(&s) {
            return Err(meshcloud_kernel::AppError::validation(format!(
                "status: unknown status {s:?} (one of {})",
                allowed.join(", ")
            )));
        }
        out.push(s.to_string());
    }
    Ok(out)
}
