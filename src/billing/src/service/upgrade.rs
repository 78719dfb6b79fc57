//! Plan changes: an upgrade or downgrade of a subscription and its preview.
//! One function (`prorate`) computes the invoice lines of a change; the
//! preview shows them, the upgrade issues them.
//!
//! Proration is to the second, as Stripe's `always_invoice`: the unused part
//! of the old plan over `[now, period end)` is credited; on the same cadence
//! the new plan is charged over that same remainder and the period stays; on
//! a new cadence (monthly <-> yearly) the cycle restarts now and the new
//! plan's whole first period is charged.

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::time::Timestamp;
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::Connection;

use super::subscriptions::resolve_plan;
use super::{Billing, charges, lifecycle};
use crate::model::invoices::{Invoice, InvoiceLine};
use crate::model::subscriptions::UpgradeBody;
use crate::period::{self, Cadence};
use crate::store::invoices::{self, NewLine};
use crate::store::plans::PlanRow;
use crate::store::subscriptions::{self, SubscriptionRow};
use crate::{core, money};

/// The lines of a plan change and the period the subscription has after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proration {
    pub lines: Vec<NewLine>,
    pub period: (Timestamp, Timestamp),
    /// The cycle restarts at the change (a new cadence).
    pub restart: bool,
}

fn units(plan: &PlanRow, quantity: i64) -> i64 {
    if plan.unit == "user" { quantity } else { 1 }
}

/// The lines of changing from `old` × `old_qty` to `new` × `new_qty` at
/// `now`, within the current period `[start, end)`.
pub fn prorate(
    old: &PlanRow,
    old_qty: i64,
    new: &PlanRow,
    new_qty: i64,
    (start, end): (Timestamp, Timestamp),
    now: Timestamp,
) -> AppResult<Proration> {
    let whole = (end - start).num_seconds().max(0);
    let remaining = (end - now).num_seconds().clamp(0, whole);
    let old_units = units(old, old_qty);
    let credit = money::prorate(old.price_minor * old_units, remaining, whole);
    let mut lines = vec![NewLine {
        description: format!("Unused time on {}", charges::describe(old, old_units, now, end)),
        plan: Some(old.id),
        quantity: old_units,
        unit_amount_minor: old.price_minor,
        amount_minor: -credit,
        proration: true,
        period: Some((now, end)),
    }];
    let (old_cadence, new_cadence) = (Cadence::parse(&old.cadence)?, Cadence::parse(&new.cadence)?);
    if old_cadence == new_cadence {
        let new_units = units(new, new_qty);
        lines.push(NewLine {
            description: format!("Remaining time on {}", charges::describe(new, new_units, now, end)),
            plan: Some(new.id),
            quantity: new_units,
            unit_amount_minor: new.price_minor,
            amount_minor: money::prorate(new.price_minor * new_units, remaining, whole),
            proration: true,
            period: Some((now, end)),
        });
        Ok(Proration { lines, period: (start, end), restart: false })
    } else {
        let next = period::boundary(now, new_cadence, 1)?;
        lines.push(charges::for_period(new, new_qty, now, next));
        Ok(Proration { lines, period: (now, next), restart: true })
    }
}

/// A change checked against the rules, ready to preview or apply.
struct Change {
    sub: SubscriptionRow,
    new: PlanRow,
    quantity: i64,
    /// `None`: a trialing subscription changes without an invoice.
    proration: Option<Proration>,
}

fn plan_change(c: &Connection, sub: SubscriptionRow, body: &UpgradeBody, now: Timestamp) -> AppResult<Change> {
    if sub.processor == "stripe" {
        return Err(AppError::validation("this subscription is billed by Stripe: change it in Stripe"));
    }
    if !matches!(sub.status.as_str(), "trialing" | "active" | "past_due") {
        return Err(AppError::validation(format!("a subscription that is {} cannot change plan", sub.status)));
    }
    let old = resolve_plan(c, "oldPlanId", body.old_plan_id.as_deref())?;
    if old.id != sub.plan.id {
        return Err(AppError::validation("oldPlanId is not the subscription's current plan"));
    }
    let new = resolve_plan(c, "newPlanId", body.new_plan_id.as_deref())?;
    if new.archived_at.is_some() {
        return Err(AppError::validation(format!("newPlanId: the {} ({}) plan is archived", new.name, new.cadence)));
    }
    if new.currency != sub.plan.currency {
        return Err(AppError::validation("newPlanId: a plan in another currency cannot replace this one"));
    }
    let quantity = match body.user_count {
        Some(n) if n < new.minimum_units.max(1) => {
            return Err(AppError::validation(format!(
                "userCount must be at least {} on the {} plan",
                new.minimum_units.max(1),
                new.name
            )));
        }
        Some(n) => n,
        None => sub.quantity.max(new.minimum_units).max(1),
    };
    if new.id == sub.plan.id && quantity == sub.quantity {
        return Err(AppError::validation("nothing to change: the same plan and userCount"));
    }
    let over = core::over_limits(c, sub.org, &new, Some(quantity))?;
    if !over.is_empty() {
        return Err(AppError::validation(format!(
            "the organization has more than the {} plan allows: {}",
            new.name,
            over.join(", ")
        )));
    }
    let proration = match (sub.status.as_str(), sub.current_period_start, sub.current_period_end) {
        ("trialing", _, _) => None,
        (_, Some(start), Some(end)) => Some(prorate(&sub.plan, sub.quantity, &new, quantity, (start, end), now)?),
        _ => return Err(AppError::internal("a live subscription without a period")),
    };
    Ok(Change { sub, new, quantity, proration })
}

fn preview_of(c: &Connection, b: &Billing, ch: &Change, now: Timestamp) -> AppResult<Invoice> {
    let lines: Vec<NewLine> = ch.proration.as_ref().map(|p| p.lines.clone()).unwrap_or_default();
    let subtotal: i64 = lines.iter().map(|l| l.amount_minor).sum();
    let balance = invoices::balance(c, ch.sub.org, &ch.sub.plan.currency)?;
    let (applied, due, _) = invoices::settle(subtotal, balance);
    // The period the upgrade's invoice names: from the change to the period's end.
    let period = ch.proration.as_ref().map(|p| (now, p.period.1));
    Ok(Invoice {
        id: None,
        number: None,
        organization_id: ch.sub.org_uuid,
        subscription_id: Some(ch.sub.uuid),
        status: "draft".into(),
        billing_reason: "subscription_update".into(),
        currency: ch.sub.plan.currency.clone(),
        subtotal,
        balance_applied: applied,
        total: subtotal,
        amount_due: due,
        period_start: period.map(|p| p.0),
        period_end: period.map(|p| p.1),
        due_date: Some(now + chrono::Duration::days(i64::from(b.settings().payment_terms_days))),
        paid_at: None,
        created_at: None,
        lines: lines.iter().map(InvoiceLine::from).collect(),
        payment_reference: None,
    })
}

impl Billing {
    /// The invoice a plan change would issue now (`status` `draft`).
    pub async fn upgrade_preview(&self, p: &Principal, id: uuid::Uuid, body: UpgradeBody) -> AppResult<Invoice> {
        let sub = self.subscription_for(p, id, Perm::BillingManage).await?;
        let now = self.now();
        let b = self.clone();
        self.db()
            .read(move |c| {
                let ch = plan_change(c, sub, &body, now)?;
                preview_of(c, &b, &ch, now)
            })
            .await
    }

    /// Changes the subscription's plan or seats, invoicing the proration.
    pub async fn upgrade(&self, p: &Principal, id: uuid::Uuid, body: UpgradeBody) -> AppResult<SubscriptionRow> {
        let sub = self.subscription_for(p, id, Perm::BillingManage).await?;
        let actor = Some(p.user);
        let settings = self.settings().clone();
        let now = self.now();
        self.db()
            .write(move |c| {
                // Read again inside the write: the status may have moved.
                let sub = subscriptions::get(c, sub.id)?;
                let ch = plan_change(c, sub, &body, now)?;
                let sub = &ch.sub;
                subscriptions::set_plan(c, sub.id, ch.new.id, ch.quantity, &now)?;
                if let Some(pr) = &ch.proration {
                    if pr.restart {
                        subscriptions::set_period(c, sub.id, &now, (&pr.period.0, &pr.period.1), &now)?;
                    }
                    let period = (now, pr.period.1);
                    let after = subscriptions::get(c, sub.id)?;
                    lifecycle::invoice(
                        c,
                        &settings,
                        &after,
                        "subscription_update",
                        pr.lines.clone(),
                        Some(period),
                        actor,
                        now,
                    )?;
                }
                audit::record(
                    c,
                    Event::new(EventKind::SubscriptionUpgrade, actor)
                        .org(sub.org)
                        .on(sub.uuid)
                        .describe(format!(
                            "subscription changed from {} ({}) × {} to {} ({}) × {}",
                            sub.plan.name, sub.plan.cadence, sub.quantity, ch.new.name, ch.new.cadence, ch.quantity
                        ))
                        .meta(serde_json::json!({
                            "from": {"plan": sub.plan.uuid, "quantity": sub.quantity},
                            "to": {"plan": ch.new.uuid, "quantity": ch.quantity},
                        })),
                )?;
                subscriptions::get(c, sub.id)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        meshcloud_kernel::time::from_db(s).expect("time")
    }

    fn plan(id: i64, name: &str, cadence: &str, price_minor: i64) -> PlanRow {
        PlanRow {
            id,
            uuid: uuid::Uuid::nil(),
            name: name.into(),
            cadence: cadence.into(),
            currency: "usd".into(),
            unit: "user".into(),
            minimum_units: 1,
            price_minor,
            trial_days: 0,
            is_default: false,
            stripe_price_id: None,
            archived_at: None,
            created_at: t("2027-01-01T00:00:00Z"),
            updated_at: t("2027-01-01T00:00:00Z"),
        }
    }

    struct Case {
        name: &'static str,
        old: (&'static str, i64),
        new: (&'static str, i64),
        period: (&'static str, &'static str),
        now: &'static str,
        /// (credit, charge) in cents.
        amounts: (i64, i64),
        /// The period after the change; `None`: unchanged.
        restart: Option<(&'static str, &'static str)>,
    }

    #[test]
    fn proration_table() {
        let td_m = plan(1, "Team Designer", "monthly", 1500);
        let td_y = plan(2, "Team Designer", "yearly", 15000);
        let to_m = plan(3, "Team Operator", "monthly", 2500);
        let to_y = plan(4, "Team Operator", "yearly", 25000);
        let by = |k: &str| match k {
            "td_m" => &td_m,
            "td_y" => &td_y,
            "to_m" => &to_m,
            "to_y" => &to_y,
            _ => unreachable!(),
        };
        let cases = [
            Case {
                name: "mid-period upgrade: half of 31 days",
                old: ("td_m", 2),
                new: ("to_m", 2),
                period: ("2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z"),
                now: "2027-01-16T12:00:00Z",
                amounts: (-1500, 2500),
                restart: None,
            },
            Case {
                name: "mid-period downgrade: 20 of 30 days left",
                old: ("to_m", 3),
                new: ("td_m", 3),
                period: ("2027-04-01T00:00:00Z", "2027-05-01T00:00:00Z"),
                now: "2027-04-11T00:00:00Z",
                amounts: (-5000, 3000),
                restart: None,
            },
            Case {
                name: "monthly to yearly: 21 of 31 days credited, a whole year charged",
                old: ("td_m", 1),
                new: ("td_y", 1),
                period: ("2027-03-01T00:00:00Z", "2027-04-01T00:00:00Z"),
                now: "2027-03-11T00:00:00Z",
                amounts: (-1016, 15000),
                restart: Some(("2027-03-11T00:00:00Z", "2028-03-11T00:00:00Z")),
            },
            Case {
                name: "yearly to monthly: 183 of 365 days credited, a month charged",
                old: ("to_y", 2),
                new: ("to_m", 2),
                period: ("2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"),
                now: "2027-07-02T00:00:00Z",
                amounts: (-25068, 5000),
                restart: Some(("2027-07-02T00:00:00Z", "2027-08-02T00:00:00Z")),
            },
            Case {
                name: "quantity up: 2 to 5 seats with a third left",
                old: ("td_m", 2),
                new: ("td_m", 5),
                period: ("2027-06-01T00:00:00Z", "2027-07-01T00:00:00Z"),
                now: "2027-06-21T00:00:00Z",
                amounts: (-1000, 2500),
                restart: None,
            },
            Case {
                name: "quantity down: 5 to 2 seats with two thirds left",
                old: ("td_m", 5),
                new: ("td_m", 2),
                period: ("2027-06-01T00:00:00Z", "2027-07-01T00:00:00Z"),
                now: "2027-06-11T00:00:00Z",
                amounts: (-5000, 2000),
                restart: None,
            },
            Case {
                name: "leap-year February: 15 of 29 days",
                old: ("td_m", 1),
                new: ("to_m", 1),
                period: ("2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z"),
                now: "2028-02-15T00:00:00Z",
                amounts: (-776, 1293),
                restart: None,
            },
            Case {
                name: "a period starting on the 31st ends on the 28th: 21 of 28 days",
                old: ("td_m", 1),
                new: ("to_m", 1),
                period: ("2027-01-31T10:00:00Z", "2027-02-28T10:00:00Z"),
                now: "2027-02-07T10:00:00Z",
                amounts: (-1125, 1875),
                restart: None,
            },
            Case {
                name: "the last second of a year: rounds to 0 and 1 cent",
                old: ("td_y", 1000),
                new: ("to_y", 1000),
                period: ("2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"),
                now: "2027-12-31T23:59:59Z",
                amounts: (0, 1),
                restart: None,
            },
            Case {
                name: "1 second in: nearly the whole period",
                old: ("td_m", 1),
                new: ("to_m", 1),
                period: ("2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z"),
                now: "2027-01-01T00:00:01Z",
                amounts: (-1500, 2500),
                restart: None,
            },
        ];
        for c in cases {
            let (start, end) = (t(c.period.0), t(c.period.1));
            let now = t(c.now);
            let p = prorate(by(c.old.0), c.old.1, by(c.new.0), c.new.1, (start, end), now).expect(c.name);
            let got: Vec<i64> = p.lines.iter().map(|l| l.amount_minor).collect();
            assert_eq!(got, vec![c.amounts.0, c.amounts.1], "{}", c.name);
            assert!(p.lines[0].proration, "{}: the credit is a proration", c.name);
            assert_eq!(p.lines[0].period, Some((now, end)), "{}", c.name);
            assert_eq!(p.lines[0].quantity, c.old.1, "{}", c.name);
            assert_eq!(p.lines[1].quantity, c.new.1, "{}", c.name);
            match c.restart {
                None => {
                    assert!(!p.restart, "{}", c.name);
                    assert_eq!(p.period, (start, end), "{}: the period stays", c.name);
                    assert!(p.lines[1].proration, "{}", c.name);
                    assert_eq!(p.lines[1].period, Some((now, end)), "{}", c.name);
                }
                Some((s, e)) => {
                    assert!(p.restart, "{}", c.name);
                    assert_eq!(p.period, (t(s), t(e)), "{}: the cycle restarts", c.name);
                    assert!(!p.lines[1].proration, "{}: a whole period", c.name);
                    assert_eq!(p.lines[1].period, Some((t(s), t(e))), "{}", c.name);
                }
            }
        }
    }

    #[test]
    fn a_change_after_the_period_end_credits_nothing() {
        let a = plan(1, "A", "monthly", 1000);
        let b = plan(2, "B", "monthly", 2000);
        let p =
            prorate(&a, 1, &b, 1, (t("2027-01-01T00:00:00Z"), t("2027-02-01T00:00:00Z")), t("2027-02-02T00:00:00Z"))
                .unwrap();
        assert_eq!(p.lines.iter().map(|l| l.amount_minor).collect::<Vec<_>>(), vec![0, 0]);
    }
}
