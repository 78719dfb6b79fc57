//! The billing job: what time does to offline subscriptions. Stripe's
//! subscriptions are renewed, ended and dunned by Stripe, which tells us by
//! webhook; the offline processor has only this job.
//!
//! Each step works in batches of `BATCH` subscriptions per write transaction
//! (the writer is never held long) until nothing is left due at the job's
//! "now" (the scheduler's clock). Every row a batch touches leaves the step's
//! selection or moves strictly forward (a renewed period ends later), so the
//! loop ends; a subscription months behind is renewed period by period.

use chrono::Duration;
use meshcloud_kernel::AppResult;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::time::Timestamp;
use rusqlite::Connection;

use super::{Billing, BillingSettings, charges, lifecycle};
use crate::period::{self, Cadence};
use crate::store::subscriptions::{self, SubscriptionRow};

/// Subscriptions per write transaction.
pub const BATCH: i64 = 500;

type Step = fn(&Connection, &BillingSettings, Timestamp) -> AppResult<usize>;

impl Billing {
    /// One run of the billing job at `self.now()`: expires unpaid new
    /// subscriptions, ends trials, ends or renews periods, and duns overdue
    /// invoices. Answers how many subscriptions it changed.
    pub async fn run_billing(&self) -> AppResult<usize> {
        let now = self.now();
        let steps: [Step; 4] = [expire_incomplete, period_ends, newly_overdue, remind];
        let mut changed = 0;
        for step in steps {
            loop {
                let settings = self.settings().clone();
                let n = self.db().write(move |c| step(c, &settings, now)).await?;
                changed += n;
                if n == 0 {
                    break;
                }
            }
        }
        Ok(changed)
    }
}

/// `incomplete` subscriptions never paid within `incomplete_expiry_days`
/// expire: their invoice is void and its payment canceled.
fn expire_incomplete(c: &Connection, s: &BillingSettings, now: Timestamp) -> AppResult<usize> {
    let cutoff = now - Duration::days(i64::from(s.incomplete_expiry_days));
    let due = subscriptions::incomplete_since(c, &cutoff, BATCH)?;
    for sub in &due {
        let why = format!("not paid within {} days", s.incomplete_expiry_days);
        lifecycle::void_open_invoices(c, sub, &why, None, now)?;
        lifecycle::end(c, sub, "incomplete_expired", &why, None, now)?;
    }
    Ok(due.len())
}

/// Periods over: a trial's end starts billing, a period's end renews the
/// subscription or, when it was canceled at period end, ends it.
fn period_ends(c: &Connection, s: &BillingSettings, now: Timestamp) -> AppResult<usize> {
    let due = subscriptions::due_at_period_end(c, &now, BATCH)?;
    for sub in &due {
        if sub.cancel_at_period_end {
            lifecycle::end(c, sub, "canceled", "canceled at the end of its period", None, now)?;
        } else if sub.status == "trialing" {
            end_trial(c, s, sub, now)?;
        } else {
            renew(c, s, sub, now)?;
        }
    }
    Ok(due.len())
}

/// The first invoice at the end of a trial (reason `subscription_trial_end`);
/// the subscription is `active` with its first period from the trial's end.
/// An invoice left unpaid is dunned like any other.
fn end_trial(c: &Connection, s: &BillingSettings, sub: &SubscriptionRow, now: Timestamp) -> AppResult<()> {
    let start = sub.trial_end.or(sub.current_period_end).unwrap_or(now);
    let end = period::boundary(start, Cadence::parse(&sub.plan.cadence)?, 1)?;
    let line = charges::for_period(&sub.plan, sub.quantity, start, end);
    lifecycle::invoice(c, s, sub, "subscription_trial_end", vec![line], Some((start, end)), None, now)?;
    subscriptions::set_period(c, sub.id, &start, (&start, &end), &now)?;
    lifecycle::set_status(c, sub, "active", EventKind::SubscriptionActivate, None, now)
}

/// The next period, counted from the anchor, and its invoice (reason
/// `subscription_cycle`): open with a pending payment, or paid when the
/// organization's credit covers it.
fn renew(c: &Connection, s: &BillingSettings, sub: &SubscriptionRow, now: Timestamp) -> AppResult<()> {
    let cadence = Cadence::parse(&sub.plan.cadence)?;
    let start = sub.current_period_end.unwrap_or(now);
    let anchor = sub.billing_anchor.or(sub.current_period_start).unwrap_or(start);
    // The new period starts where the last one ended and ends at the next
    // boundary counted from the anchor (month ends clamp and come back).
    let (_, end) = period::containing(anchor, cadence, start)?;
    if end <= start {
        // Never store a period that is over before it starts: the job would renew it forever.
        return Err(meshcloud_kernel::AppError::internal(format!("no period after {start} from the anchor {anchor}")));
    }
    let line = charges::for_period(&sub.plan, sub.quantity, start, end);
    let (inv, _) = lifecycle::invoice(c, s, sub, "subscription_cycle", vec![line], Some((start, end)), None, now)?;
    subscriptions::set_period(c, sub.id, &anchor, (&start, &end), &now)?;
    audit::record(
        c,
        Event::new(EventKind::SubscriptionRenew, None)
            .org(sub.org)
            .on(sub.uuid)
            .describe(format!(
                "subscription to {} ({}) renewed to {}, invoice {}",
                sub.plan.name,
                sub.plan.cadence,
                end.format("%Y-%m-%d"),
                inv.number
            ))
            .meta(serde_json::json!({"period_start": start, "period_end": end, "invoice": inv.uuid})),
    )
}

/// Active subscriptions with an invoice past due become `past_due`, and the
/// first reminder goes out.
fn newly_overdue(c: &Connection, s: &BillingSettings, now: Timestamp) -> AppResult<usize> {
    let due = subscriptions::newly_overdue(c, &now, BATCH)?;
    for sub in &due {
        lifecycle::set_status(c, sub, "past_due", EventKind::SubscriptionStatus, None, now)?;
        let sub = SubscriptionRow { status: "past_due".into(), dunning_attempts: 0, ..sub.clone() };
        dun(c, s, &sub, now)?;
    }
    Ok(due.len())
}

/// Past-due subscriptions whose next reminder is due: another reminder, or,
/// once `dunning_retries` were sent, `unpaid` (the plan's features are gone:
/// the organization has the default plan's). One paid up meanwhile (its
/// overdue invoice voided, say) is active again.
fn remind(c: &Connection, s: &BillingSettings, now: Timestamp) -> AppResult<usize> {
    let due = subscriptions::dunning_due(c, &now, BATCH)?;
    for sub in &due {
        if subscriptions::overdue_invoices(c, sub.id, &now)? == 0 {
            subscriptions::reset_dunning(c, sub.id, &now)?;
            lifecycle::set_status(c, sub, "active", EventKind::SubscriptionActivate, None, now)?;
        } else {
            dun(c, s, sub, now)?;
        }
    }
    Ok(due.len())
}

/// One dunning step of a past-due subscription: a reminder while fewer than
/// `dunning_retries` were sent, else `unpaid`.
fn dun(c: &Connection, s: &BillingSettings, sub: &SubscriptionRow, now: Timestamp) -> AppResult<()> {
    if sub.dunning_attempts >= i64::from(s.dunning_retries) {
        subscriptions::set_dunning(c, sub.id, sub.dunning_attempts, None, &now)?;
        return lifecycle::set_status(c, sub, "unpaid", EventKind::SubscriptionEnd, None, now);
    }
    let attempt = sub.dunning_attempts + 1;
    // At least a day: a reminder due at once would be selected again in the same run.
    let next = now + Duration::days(i64::from(s.dunning_interval_days.max(1)));
    subscriptions::set_dunning(c, sub.id, attempt, Some(&next), &now)?;
    let overdue = crate::store::invoices::open_for_subscription(c, sub.id)?;
    let numbers: Vec<&str> = overdue.iter().map(|i| i.number.as_str()).collect();
    audit::record(
        c,
        Event::new(EventKind::PaymentFail, None)
            .org(sub.org)
            .on(sub.uuid)
            .describe(format!(
                "reminder {attempt} of {} for overdue invoice{} {}",
                s.dunning_retries,
                if numbers.len() == 1 { "" } else { "s" },
                numbers.join(", ")
            ))
            .meta(serde_json::json!({"attempt": attempt, "next_reminder": next, "invoices": numbers})),
    )
}
