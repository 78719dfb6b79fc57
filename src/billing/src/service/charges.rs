//! The charge for a plan over a period: one home for what a subscription's
//! first invoice, each renewal and the upcoming invoice bill.

use meshcloud_kernel::time::Timestamp;

use crate::store::invoices::NewLine;
use crate::store::plans::PlanRow;

/// The line that bills `quantity` units of `plan` for the whole period
/// `[start, end)` (a free plan is one unit at its price, zero).
pub fn for_period(plan: &PlanRow, quantity: i64, start: Timestamp, end: Timestamp) -> NewLine {
    let units = if plan.unit == "user" { quantity } else { 1 };
    NewLine {
        description: describe(plan, units, start, end),
        plan: Some(plan.id),
        quantity: units,
        unit_amount_minor: plan.price_minor,
        amount_minor: plan.price_minor * units,
        proration: false,
        period: Some((start, end)),
    }
}

/// `Team Designer (monthly) × 5 users, 2027-01-31 to 2027-02-28`.
pub fn describe(plan: &PlanRow, units: i64, start: Timestamp, end: Timestamp) -> String {
    let what = if plan.unit == "user" {
        format!(" × {units} user{}", if units == 1 { "" } else { "s" })
    } else {
        String::new()
    };
    format!("{} ({}){what}, {} to {}", plan.name, plan.cadence, start.format("%Y-%m-%d"), end.format("%Y-%m-%d"))
}
