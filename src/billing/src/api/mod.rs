//! The billing family's HTTP operations.

mod invoice_html;
pub mod invoices;
pub mod payments;
pub mod plans;

use poem_openapi::Tags;

use crate::Billing;

#[derive(Tags)]
pub enum Tag {
    /// Layer5: plans and their features.
    Plans,
    /// meshcloud: an organization's invoices.
    Invoices,
    /// meshcloud: the offline processor's payments and their confirmation.
    Payments,
}

/// Every API of the family, for the app's `OpenApiService`.
pub fn apis(billing: &Billing) -> (plans::PlansApi, invoices::InvoicesApi, payments::PaymentsApi) {
    (
        plans::PlansApi { billing: billing.clone() },
        invoices::InvoicesApi { billing: billing.clone() },
        payments::PaymentsApi { billing: billing.clone() },
    )
}
