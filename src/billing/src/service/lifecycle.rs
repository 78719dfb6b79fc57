//! The transitions every path shares (the subscribe flow, upgrades, the
//! billing job, payment confirmation, Stripe's webhooks): issuing an invoice
//! for a subscription and what an invoice being paid does to it. Each is a
//! function over the caller's write transaction and writes its events.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::ids::UserId;
use meshcloud_kernel::time::Timestamp;
use rusqlite::Connection;

use super::BillingSettings;
use crate::money;
use crate::period::{self, Cadence};
use crate::store::invoices::{self, InvoiceRow, NewInvoice, NewLine};
use crate::store::payments::{self, PaymentRow};
use crate::store::subscriptions::{self, SubscriptionRow};

/// Issues an invoice of `lines` for `sub`, payable within the payment terms.
/// An open invoice of an offline subscription gets a pending payment (its
/// client secret is what the subscriber is given); one the organization's
/// credit covers is paid at once.
#[allow(clippy::too_many_arguments)]
pub fn invoice(
    c: &Connection,
    settings: &BillingSettings,
    sub: &SubscriptionRow,
    reason: &str,
    lines: Vec<NewLine>,
    period: Option<(Timestamp, Timestamp)>,
    actor: Option<UserId>,
    now: Timestamp,
) -> AppResult<(InvoiceRow, Option<PaymentRow>)> {
    let due = now + chrono::Duration::days(i64::from(settings.payment_terms_days));
    let inv = invoices::issue(
        c,
        &settings.invoice_prefix,
        &NewInvoice {
            org: sub.org,
            subscription: Some(sub.id),
            reason,
            currency: &sub.plan.currency,
            lines,
            period,
            due_at: Some(due),
            processor_ref: None,
            now,
        },
    )?;
    audit::record(
        c,
        Event::new(EventKind::InvoiceIssue, actor)
            .org(sub.org)
            .on(inv.uuid)
            .describe(format!(
                "invoice {} issued: {} ({})",
                inv.number,
                money::format(inv.total_minor, &inv.currency),
                inv.status
            ))
            .meta(serde_json::json!({"subscription": sub.uuid, "reason": reason, "amount_due": inv.amount_due_minor})),
    )?;
    let payment = if inv.status == "open" && sub.processor == "offline" {
        Some(payments::insert_pending(c, inv.id, sub.org, "offline", inv.amount_due_minor, &inv.currency, &now)?)
    } else {
        None
    };
    Ok((inv, payment))
}

/// An invoice was paid (a confirmed offline payment, Stripe's
/// `invoice.paid`): the invoice is marked paid and its subscription moves on:
/// an `incomplete` one becomes `active` with its first period starting now; a
/// `past_due` or `unpaid` one is `active` again once nothing it owes is
/// overdue. False when the invoice was not open (a repeat changes nothing).
pub fn invoice_paid(c: &Connection, inv: &InvoiceRow, actor: Option<UserId>, now: Timestamp) -> AppResult<bool> {
    if !invoices::mark_paid(c, inv.id, &now)? {
        return Ok(false);
    }
    payments::cancel_for_invoice(c, inv.id, &now)?;
    audit::record(
        c,
        Event::new(EventKind::InvoicePaid, actor).org(inv.org).on(inv.uuid).describe(format!(
            "invoice {} paid: {}",
            inv.number,
            money::format(inv.amount_due_minor, &inv.currency)
        )),
    )?;
    let Some(sub) = inv.subscription else { return Ok(true) };
    let sub = subscriptions::get(c, sub)?;
    match sub.status.as_str() {
        "incomplete" => {
            let cadence = Cadence::parse(&sub.plan.cadence)?;
            let end = period::boundary(now, cadence, 1)?;
            subscriptions::set_period(c, sub.id, &now, (&now, &end), &now)?;
            set_status(c, &sub, "active", EventKind::SubscriptionActivate, actor, now)?;
        }
        "past_due" | "unpaid" if subscriptions::overdue_invoices(c, sub.id, &now)? == 0 => {
            subscriptions::reset_dunning(c, sub.id, &now)?;
            set_status(c, &sub, "active", EventKind::SubscriptionActivate, actor, now)?;
        }
        _ => {}
    }
    Ok(true)
}

/// Moves `sub` to `status` and records it (`kind` names the transition).
pub fn set_status(
    c: &Connection,
    sub: &SubscriptionRow,
    status: &str,
    kind: EventKind,
    actor: Option<UserId>,
    now: Timestamp,
) -> AppResult<()> {
    subscriptions::set_status(c, sub.id, status, &now)?;
    audit::record(
        c,
        Event::new(kind, actor)
            .org(sub.org)
            .on(sub.uuid)
            .describe(format!("subscription to {} ({}): {} -> {status}", sub.plan.name, sub.plan.cadence, sub.status))
            .meta(serde_json::json!({"from": sub.status, "to": status})),
    )
}

/// Voids the open invoices of `sub` (it ends before they are paid) and
/// cancels their pending payments; `why` ends each invoice's event text.
pub fn void_open_invoices(
    c: &Connection,
    sub: &SubscriptionRow,
    why: &str,
    actor: Option<UserId>,
    now: Timestamp,
) -> AppResult<usize> {
    let open = invoices::open_for_subscription(c, sub.id)?;
    for inv in &open {
        invoices::close(c, inv.id, "void", &now)?;
        payments::cancel_for_invoice(c, inv.id, &now)?;
        audit::record(
            c,
            Event::new(EventKind::InvoiceVoid, actor)
                .org(inv.org)
                .on(inv.uuid)
                .describe(format!("invoice {} void: {why}", inv.number)),
        )?;
    }
    Ok(open.len())
}

/// Ends `sub` now with a final `status` (`canceled`, `incomplete_expired`):
/// `ended_at` is set and the end recorded (`why` says what ended it).
pub fn end(
    c: &Connection,
    sub: &SubscriptionRow,
    status: &str,
    why: &str,
    actor: Option<UserId>,
    now: Timestamp,
) -> AppResult<()> {
    subscriptions::end(c, sub.id, status, &now)?;
    audit::record(
        c,
        Event::new(EventKind::SubscriptionEnd, actor)
            .org(sub.org)
            .on(sub.uuid)
            .describe(format!(
                "subscription to {} ({}): {} -> {status}, {why}",
                sub.plan.name, sub.plan.cadence, sub.status
            ))
            .meta(serde_json::json!({"from": sub.status, "to": status})),
    )
}
