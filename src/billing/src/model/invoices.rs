//! Invoices on the wire (a meshcloud extension). Amounts are integers in the
//! currency's minor units, as Stripe's are; never floating point.

use meshcloud_kernel::time::Timestamp;
use poem_openapi::Object;

use crate::store::invoices::{InvoiceRow, LineRow, NewLine};

#[derive(Debug, Clone, Object)]
pub struct InvoiceLine {
    pub description: String,
    pub quantity: i64,
    /// Minor units.
    pub unit_amount: i64,
    /// Minor units; a credit is negative.
    pub amount: i64,
    /// A prorated part of a period (a plan change).
    pub proration: bool,
    #[oai(skip_serializing_if_is_none)]
    pub period_start: Option<Timestamp>,
    #[oai(skip_serializing_if_is_none)]
    pub period_end: Option<Timestamp>,
}

impl From<LineRow> for InvoiceLine {
    fn from(l: LineRow) -> Self {
        InvoiceLine {
            description: l.description,
            quantity: l.quantity,
            unit_amount: l.unit_amount_minor,
            amount: l.amount_minor,
            proration: l.proration,
            period_start: l.period_start,
            period_end: l.period_end,
        }
    }
}

impl From<&NewLine> for InvoiceLine {
    fn from(l: &NewLine) -> Self {
        InvoiceLine {
            description: l.description.clone(),
            quantity: l.quantity,
            unit_amount: l.unit_amount_minor,
            amount: l.amount_minor,
            proration: l.proration,
            period_start: l.period.map(|p| p.0),
            period_end: l.period.map(|p| p.1),
        }
    }
}

/// An invoice, issued or (a preview, `status` `draft`) as it would be.
#[derive(Debug, Clone, Object)]
pub struct Invoice {
    /// Absent on a preview.
    #[oai(skip_serializing_if_is_none)]
    pub id: Option<uuid::Uuid>,
    #[oai(skip_serializing_if_is_none)]
    pub number: Option<String>,
    pub organization_id: uuid::Uuid,
    #[oai(skip_serializing_if_is_none)]
    pub subscription_id: Option<uuid::Uuid>,
    /// `draft` (a preview), `open`, `paid`, `void` or `uncollectible`.
    pub status: String,
    /// Stripe's `billing_reason`: `subscription_create`, `subscription_cycle`,
    /// `subscription_update`, `subscription_trial_end`, `manual`.
    pub billing_reason: String,
    pub currency: String,
    pub subtotal: i64,
    /// The organization's credit used.
    pub balance_applied: i64,
    pub total: i64,
    pub amount_due: i64,
    #[oai(skip_serializing_if_is_none)]
    pub period_start: Option<Timestamp>,
    #[oai(skip_serializing_if_is_none)]
    pub period_end: Option<Timestamp>,
    #[oai(skip_serializing_if_is_none)]
    pub due_date: Option<Timestamp>,
    #[oai(skip_serializing_if_is_none)]
    pub paid_at: Option<Timestamp>,
    #[oai(skip_serializing_if_is_none)]
    pub created_at: Option<Timestamp>,
    pub lines: Vec<InvoiceLine>,
    /// An open offline invoice: the reference its bank transfer quotes (its
    /// pending payment's client secret), which a billing admin confirms.
    #[oai(skip_serializing_if_is_none)]
    pub payment_reference: Option<String>,
}

impl Invoice {
    /// An issued invoice; `org` and `subscription` are the public ids of its rows.
    pub fn issued(i: InvoiceRow, lines: Vec<LineRow>, org: uuid::Uuid, subscription: Option<uuid::Uuid>) -> Self {
        Invoice {
            id: Some(i.uuid),
            number: Some(i.number),
            organization_id: org,
            subscription_id: subscription,
            status: i.status,
            billing_reason: i.reason,
            currency: i.currency,
            subtotal: i.subtotal_minor,
            balance_applied: i.balance_applied_minor,
            total: i.total_minor,
            amount_due: i.amount_due_minor,
            period_start: i.period_start,
            period_end: i.period_end,
            due_date: i.due_at,
            paid_at: i.paid_at,
            created_at: Some(i.created_at),
            lines: lines.into_iter().map(InvoiceLine::from).collect(),
            payment_reference: None,
        }
    }
}

meshcloud_kernel::layer5_page!(InvoicesPage, "invoices", Invoice);
