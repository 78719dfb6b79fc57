//! The offline processor's confirmation queue: billing admins list pending
//! payments and confirm those whose bank transfer or purchase order arrived.

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::ids::OrgId;
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult};

use super::{Billing, lifecycle};
use crate::money;
use crate::store::invoices;
use crate::store::payments::{self, PaymentView};

/// How a confirmation names its payment.
#[derive(Debug, Clone)]
pub enum PaymentRef {
    Id(uuid::Uuid),
    ClientSecret(String),
}

/// The organizations whose payments the caller handles: every one for a
/// provider admin (`None`), else those where a custom role grants
/// `billing.payments.confirm`; nobody else may.
fn scope(p: &Principal) -> AppResult<Option<Vec<OrgId>>> {
    if p.provider_admin {
        return Ok(None);
    }
    let orgs: Vec<OrgId> =
        p.grants.orgs.values().filter(|g| g.perms.has(Perm::PaymentsConfirm)).map(|g| g.org).collect();
    if orgs.is_empty() { Err(AppError::Forbidden) } else { Ok(Some(orgs)) }
}

impl Billing {
    /// One page of the payments of `statuses` across the organizations the
    /// caller confirms payments of.
    pub async fn list_payments(
        &self,
        p: &Principal,
        statuses: Vec<String>,
        req: PageRequest,
    ) -> AppResult<Page<PaymentView>> {
        let orgs = scope(p)?;
        self.db().read(move |c| payments::list(c, orgs.as_deref(), &statuses, &req)).await
    }

    /// Confirms a pending payment: it succeeds with `reference`, its invoice
    /// is paid and the subscription moves on (see `lifecycle::invoice_paid`),
    /// all in one transaction. A payment that is not pending, or whose
    /// invoice is no longer open, is refused and nothing changes.
    pub async fn confirm_payment(
        &self,
        p: &Principal,
        target: PaymentRef,
        reference: String,
    ) -> AppResult<PaymentView> {
        let orgs = scope(p)?;
        let actor = p.user;
        let now = self.now();
        self.db()
            .write(move |c| {
                let found = match &target {
                    PaymentRef::Id(id) => payments::by_uuid(c, *id)?,
                    PaymentRef::ClientSecret(s) => payments::by_secret(c, s)?,
                };
                let pay =
                    found.filter(|y| orgs.as_ref().is_none_or(|o| o.contains(&y.org))).ok_or(AppError::NotFound)?;
                if !payments::confirm(c, pay.id, Some(actor), Some(&reference), &now)? {
                    return Err(AppError::Conflict(format!("the payment is {}, not pending", pay.status)));
                }
                let inv = invoices::get(c, pay.invoice)?;
                if !lifecycle::invoice_paid(c, &inv, Some(actor), now)? {
                    return Err(AppError::Conflict(format!("invoice {} is {}, not open", inv.number, inv.status)));
                }
                audit::record(
                    c,
                    Event::new(EventKind::PaymentConfirm, Some(actor)).org(pay.org).on(pay.uuid).describe(format!(
                        "payment of {} for invoice {} confirmed (reference {reference})",
                        money::format(pay.amount_minor, &pay.currency),
                        inv.number
                    )),
                )?;
                payments::view_of(c, pay.id)
            })
            .await
    }
}
