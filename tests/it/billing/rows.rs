//! Subscriptions and invoices put in place with plain SQL (test setup, as
//! the subscribe flow would leave them), and what the billing tests read
//! back behind the API.

use meshcloud_kernel::time::{Timestamp, to_db};
use rusqlite::{OptionalExtension, params};

use super::seed::NewInv;
use crate::support::*;

/// A subscription to seed; `Default` is an active offline Team Designer
/// (monthly) subscription of one seat without a period.
pub struct Sub<'a> {
    pub org: &'a str,
    pub plan: (&'a str, &'a str),
    pub quantity: i64,
    pub status: &'a str,
    pub processor: &'a str,
    pub billing_id: Option<&'a str>,
    /// The current period (and the anchor: its start).
    pub period: Option<(Timestamp, Timestamp)>,
    pub trial_end: Option<Timestamp>,
    pub created_at: Timestamp,
}

impl Default for Sub<'_> {
    fn default() -> Self {
        Sub {
            org: "",
            plan: ("Team Designer", "monthly"),
            quantity: 1,
            status: "active",
            processor: "offline",
            billing_id: None,
            period: None,
            trial_end: None,
            created_at: meshcloud_kernel::time::now(),
        }
    }
}

/// Inserts the subscription; answers its id (uuid).
pub async fn seed_sub(w: &World, s: Sub<'_>) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let (start, end) = match s.period {
        Some((a, b)) => (Some(to_db(&a)), Some(to_db(&b))),
        None => (None, None),
    };
    let args = (
        id.clone(),
        s.org.to_string(),
        s.plan.0.to_string(),
        s.plan.1.to_string(),
        s.quantity,
        s.status.to_string(),
        s.processor.to_string(),
        s.billing_id.map(str::to_string),
        start,
        end,
        s.trial_end.as_ref().map(to_db),
        to_db(&s.created_at),
    );
    sql(&w.s.data_dir, move |c| {
        c.execute(
            "INSERT INTO billing_subscriptions (uuid, org_id, plan_id, quantity, status, processor, billing_id,
                    billing_anchor, current_period_start, current_period_end, trial_end, created_at, updated_at)
             VALUES (?1, (SELECT id FROM organizations WHERE uuid = ?2),
                     (SELECT id FROM billing_plans WHERE name = ?3 AND cadence = ?4),
                     ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11, ?12, ?12)",
            params![args.0, args.1, args.2, args.3, args.4, args.5, args.6, args.7, args.8, args.9, args.10, args.11],
        )
        .expect("seed a subscription");
    })
    .await;
    id
}

/// Issues an open invoice of `amount` cents for the subscription, due at
/// `due`, with a pending offline payment (as `lifecycle::invoice` leaves
/// one); `processor_ref` for one a processor issued. Answers its number.
pub async fn seed_open_invoice(
    w: &World,
    sub: &str,
    amount: i64,
    due: Timestamp,
    processor_ref: Option<&str>,
) -> String {
    let uuid = sub.to_string();
    let sub_id: i64 = sql(&w.s.data_dir, move |c| {
        c.query_row("SELECT id FROM billing_subscriptions WHERE uuid = ?1", [uuid], |r| r.get(0)).expect("subscription")
    })
    .await;
    let inv = NewInv {
        status: "open",
        description: "seeded",
        quantity: 1,
        unit_amount: amount,
        created_at: meshcloud_kernel::time::now(),
        due_at: due,
        processor_ref,
    };
    super::seed::invoice(&w.s, sub_id, &inv).await.number
}

/// What the tests read of a subscription.
#[derive(Debug, Clone)]
pub struct SubState {
    pub status: String,
    pub plan: String,
    pub quantity: i64,
    pub billing_id: Option<String>,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub cancel_at_period_end: bool,
    pub canceled_at: Option<String>,
    pub ended_at: Option<String>,
    pub dunning_attempts: i64,
}

pub async fn sub_state(w: &World, sub: &str) -> SubState {
    let sub = sub.to_string();
    sql(&w.s.data_dir, move |c| {
        c.query_row(
            "SELECT s.status, p.name || ' ' || p.cadence, s.quantity, s.billing_id, s.current_period_start,
                    s.current_period_end, s.cancel_at_period_end, s.canceled_at, s.ended_at, s.dunning_attempts
               FROM billing_subscriptions s JOIN billing_plans p ON p.id = s.plan_id WHERE s.uuid = ?1",
            [sub],
            |r| {
                Ok(SubState {
                    status: r.get(0)?,
                    plan: r.get(1)?,
                    quantity: r.get(2)?,
                    billing_id: r.get(3)?,
                    period_start: r.get(4)?,
                    period_end: r.get(5)?,
                    cancel_at_period_end: r.get::<_, i64>(6)? == 1,
                    canceled_at: r.get(7)?,
                    ended_at: r.get(8)?,
                    dunning_attempts: r.get(9)?,
                })
            },
        )
        .expect("subscription")
    })
    .await
}

/// One invoice as stored: number, status, reason, total, period start and end.
pub type InvoiceState = (String, String, String, i64, Option<String>, Option<String>);

/// The subscription's invoices, in number order.
pub async fn invoices_of(w: &World, sub: &str) -> Vec<InvoiceState> {
    let sub = sub.to_string();
    sql(&w.s.data_dir, move |c| {
        let mut st = c
            .prepare(
                "SELECT i.number, i.status, i.reason, i.total_minor, i.period_start, i.period_end
                   FROM billing_invoices i JOIN billing_subscriptions s ON s.id = i.subscription_id
                  WHERE s.uuid = ?1 ORDER BY i.number",
            )
            .unwrap();
        st.query_map([sub], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    })
    .await
}

/// Statuses of the payments of the subscription's invoices, oldest first.
pub async fn payment_statuses(w: &World, sub: &str) -> Vec<String> {
    let sub = sub.to_string();
    sql(&w.s.data_dir, move |c| {
        let mut st = c
            .prepare(
                "SELECT y.status FROM billing_payments y JOIN billing_invoices i ON i.id = y.invoice_id
                   JOIN billing_subscriptions s ON s.id = i.subscription_id WHERE s.uuid = ?1 ORDER BY y.id",
            )
            .unwrap();
        st.query_map([sub], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    })
    .await
}

/// Billing events (every category the billing family writes), optionally of one `category.action`.
pub async fn billing_events(w: &World, kind: Option<&str>) -> i64 {
    let kind = kind.map(str::to_string);
    sql(&w.s.data_dir, move |c| {
        c.query_row(
            "SELECT count(*) FROM events WHERE category IN ('invoice', 'payment', 'subscription', 'webhook')
                AND (?1 IS NULL OR category || '.' || action = ?1)",
            [kind],
            |r| r.get(0),
        )
        .expect("events")
    })
    .await
}

/// The outcome recorded for a processor's event id.
pub async fn webhook_outcome(w: &World, event: &str) -> Option<String> {
    let event = event.to_string();
    sql(&w.s.data_dir, move |c| {
        c.query_row(
            "SELECT outcome FROM billing_webhook_events WHERE processor = 'stripe' AND event_id = ?1",
            [event],
            |r| r.get(0),
        )
        .optional()
        .expect("webhook event")
    })
    .await
}

/// The name of the plan whose features the organization has now.
pub async fn features_plan(w: &World, org: &str) -> String {
    let f = w.admin.get(&format!("/api/entitlement/subscriptions/organizations/{org}/features")).await.expect(200);
    f[0]["plan"]["name"].as_str().expect("a plan").to_string()
}

pub fn ts(t: &str) -> Timestamp {
    crate::support::scheduler::instant(t)
}

pub fn db(t: &Timestamp) -> String {
    to_db(t)
}
