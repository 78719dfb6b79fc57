//! Reading an organization's invoices (those the subscribe flow, plan
//! changes and the billing job issue).

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult};

use super::Billing;
use crate::store::invoices::{self, InvoiceView, LineRow};

/// An invoice with its lines.
pub type FullInvoice = (InvoiceView, Vec<LineRow>);

impl Billing {
    /// One page of the invoices of the organization `org_id` names, else of
    /// the one in context (`layer5-current-orgid`, else the caller's
    /// selected or first); needs `billing.subscriptions.read` there.
    pub async fn list_invoices(
        &self,
        p: &Principal,
        header: Option<&str>,
        org_id: Option<&str>,
        statuses: Vec<String>,
        req: PageRequest,
    ) -> AppResult<Page<FullInvoice>> {
        let org = match org_id.map(str::trim).filter(|s| !s.is_empty()) {
            Some(named) => {
                let uuid = meshcloud_kernel::validate::uuid("orgId", named)?;
                self.identity().org_id_for(p, uuid, Perm::BillingRead).await?
            }
            None => self.identity().collection_org(p, header, None, Perm::BillingRead).await?.0,
        };
        self.db()
            .read(move |c| {
                let page = invoices::list(c, org, &statuses, &req)?;
                let mut items = Vec::with_capacity(page.items.len());
                for v in page.items {
                    let lines = invoices::lines(c, v.row.id)?;
                    items.push((v, lines));
                }
                Ok(Page { items, total: page.total })
            })
            .await
    }

    /// One invoice, for a caller with `billing.subscriptions.read` in its
    /// organization (anyone else: not found, or forbidden to a member).
    pub async fn invoice(&self, p: &Principal, id: uuid::Uuid) -> AppResult<FullInvoice> {
        let found = self
            .db()
            .read(move |c| match invoices::view_by_uuid(c, id)? {
                Some(v) => {
                    let lines = invoices::lines(c, v.row.id)?;
                    Ok(Some((v, lines)))
                }
                None => Ok(None),
            })
            .await?;
        let (v, lines) = found.ok_or(AppError::NotFound)?;
        p.require(v.org_uuid, Perm::BillingRead)?;
        Ok((v, lines))
    }
}
