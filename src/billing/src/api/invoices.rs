//! `/api/entitlement/invoices` (Layer5 face, a meshcloud extension): an
//! organization's invoices, one invoice, and its printable page.

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::http::layer5::paging;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::{Html, Json};
use poem_openapi::{ApiResponse, OpenApi};

use super::{Tag, invoice_html};
use crate::Billing;
use crate::model::invoices::{Invoice, InvoicesPage};
use crate::service::invoices::FullInvoice;
use crate::store::invoices::ORDER_FIELDS;

pub struct InvoicesApi {
    pub billing: Billing,
}

#[derive(ApiResponse)]
pub enum InvoicePage {
    /// The printable invoice.
    #[oai(status = 200)]
    Page(Html<String>, #[oai(header = "Cache-Control")] String),
}

fn wire((v, lines): FullInvoice) -> Invoice {
    Invoice { payment_reference: v.payment_reference, ..Invoice::issued(v.row, lines, v.org_uuid, v.subscription_uuid) }
}

#[OpenApi(prefix_path = "/api/entitlement", tag = "Tag::Invoices")]
impl InvoicesApi {
    /// Get invoices
    ///
    /// The invoices of the organization `orgId` names, else of the one in
    /// context (`layer5-current-orgid`, else the caller's selected
    /// organization), newest first. `status` (repeatable; `status[]` too)
    /// keeps those of the statuses named: open, paid, void, uncollectible
    /// (another is a 400).
    /// Needs `billing.subscriptions.read` there. Amounts in minor units.
    #[oai(path = "/invoices", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] header: Header<Option<String>>,
        #[oai(name = "orgId")] org_id: Query<Option<String>>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        order: Query<Option<String>>,
        status: Query<Vec<String>>,
        #[oai(name = "status[]")] status_list: Query<Vec<String>>,
    ) -> Result<Json<InvoicesPage>, AppError> {
        let paging = paging(page.as_deref(), pagesize.as_deref(), None, order.as_deref(), &ORDER_FIELDS);
        let result = self
            .billing
            .list_invoices(
                auth.principal(),
                header.as_deref(),
                org_id.as_deref(),
                super::statuses(&status.0, &status_list.0, &["open", "paid", "void", "uncollectible"])?,
                paging.request.clone(),
            )
            .await?;
        Ok(Json(InvoicesPage::new(&paging, result.map(wire))))
    }

    /// Get an invoice
    ///
    /// Needs `billing.subscriptions.read` in the invoice's organization.
    #[oai(path = "/invoices/:invoiceId", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        #[oai(name = "invoiceId")] id: Path<uuid::Uuid>,
    ) -> Result<Json<Invoice>, AppError> {
        Ok(Json(wire(self.billing.invoice(auth.principal(), id.0).await?)))
    }

    /// Get an invoice as a printable page
    ///
    /// A self-contained HTML page (inline style, prints on its own) with the
    /// organization, number, dates, lines, totals and status; an open
    /// invoice of the offline processor says how to pay it. Needs
    /// `billing.subscriptions.read` in the invoice's organization.
    #[oai(path = "/invoices/:invoiceId/html", method = "get")]
    async fn html(&self, auth: Auth, #[oai(name = "invoiceId")] id: Path<uuid::Uuid>) -> Result<InvoicePage, AppError> {
        let (v, lines) = self.billing.invoice(auth.principal(), id.0).await?;
        Ok(InvoicePage::Page(Html(invoice_html::render(&v, &lines)), "private, no-store".into()))
    }
}
