//! Subscriptions, invoices and payments written straight into the database,
//! as `lifecycle::invoice` writes them, for the tests of what reads and pays
//! them (the subscribe flow has its own tests).

use meshcloud_kernel::time::{self, Timestamp};
use rusqlite::params;

use crate::support::*;

/// Team Designer, monthly: 15.00 USD a user.
pub const TEAM_MONTHLY: &str = "4b6a23dc-7704-501f-a148-6f60b92140fd";

pub struct Seeded {
    /// Row id and public id of the subscription.
    pub sub_id: i64,
    pub sub: String,
    pub invoice: Inv,
}

pub struct Inv {
    pub id: String,
    pub number: String,
    /// The pending payment of an open invoice: its id and client secret.
    pub payment: Option<(String, String)>,
}

/// What an invoice to seed looks like.
pub struct NewInv<'a> {
    pub status: &'a str,
    pub description: &'a str,
    pub quantity: i64,
    pub unit_amount: i64,
    pub created_at: Timestamp,
    pub due_at: Timestamp,
    /// The processor's id, for an invoice a processor issued.
    pub processor_ref: Option<&'a str>,
}

impl NewInv<'_> {
    /// An open invoice of `seats` Team Designer seats issued at `at`, due 14 days later.
    pub fn open(seats: i64, at: Timestamp) -> NewInv<'static> {
        NewInv {
            status: "open",
            description: "Team Designer (monthly)",
            quantity: seats,
            unit_amount: 1500,
            created_at: at,
            due_at: at + chrono::Duration::days(14),
            processor_ref: None,
        }
    }
}

/// An offline subscription of `org` (public id) to Team Designer monthly in
/// `status`, with its first invoice: open with a pending payment, as the
/// subscribe flow leaves it. A `past_due` one has a current period and an
/// overdue invoice with one reminder sent.
pub async fn offline_subscription(s: &Server, org: &str, status: &str, seats: i64) -> Seeded {
    let now = time::now();
    let past_due = status == "past_due";
    let (org, status) = (org.to_string(), status.to_string());
    let (sub_id, sub) = sql(&s.data_dir, move |c| {
        let org_id: i64 =
            c.query_row("SELECT id FROM organizations WHERE uuid = ?1", [&org], |r| r.get(0)).expect("org");
        let plan: i64 =
            c.query_row("SELECT id FROM billing_plans WHERE uuid = ?1", [TEAM_MONTHLY], |r| r.get(0)).expect("plan");
        let uuid = uuid::Uuid::new_v4().to_string();
        let (start, end, attempts) = if status == "past_due" {
            (
                Some(time::to_db(&(now - chrono::Duration::days(20)))),
                Some(time::to_db(&(now + chrono::Duration::days(10)))),
                1,
            )
        } else {
            (None, None, 0)
        };
        c.execute(
            "INSERT INTO billing_subscriptions (uuid, org_id, plan_id, quantity, status, processor, billing_anchor,
                    current_period_start, current_period_end, dunning_attempts, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'offline', ?6, ?6, ?7, ?8, ?9, ?9)",
            params![uuid, org_id, plan, seats, status, start, end, attempts, time::to_db(&now)],
        )
        .expect("subscription");
        (c.last_insert_rowid(), uuid)
    })
    .await;
    let first = if past_due {
        let at = now - chrono::Duration::days(20);
        NewInv { due_at: now - chrono::Duration::days(6), ..NewInv::open(seats, at) }
    } else {
        NewInv::open(seats, now)
    };
    let invoice = invoice(s, sub_id, &first).await;
    Seeded { sub_id, sub, invoice }
}

/// Another invoice of the subscription (row id `sub_id`), with a pending
/// payment when open.
pub async fn invoice(s: &Server, sub_id: i64, inv: &NewInv<'_>) -> Inv {
    let status = inv.status.to_string();
    let description = inv.description.to_string();
    let (qty, unit) = (inv.quantity, inv.unit_amount);
    let (created, due) = (time::to_db(&inv.created_at), time::to_db(&inv.due_at));
    let reference = inv.processor_ref.map(str::to_string);
    sql(&s.data_dir, move |c| {
        let org: i64 =
            c.query_row("SELECT org_id FROM billing_subscriptions WHERE id = ?1", [sub_id], |r| r.get(0)).expect("sub");
        let n: i64 = c
            .query_row("UPDATE billing_counters SET value = value + 1 WHERE name = 'invoice' RETURNING value", [], |r| {
                r.get(0)
            })
            .expect("number");
        let number = format!("INV-{n:06}");
        let uuid = uuid::Uuid::new_v4().to_string();
        let amount = qty * unit;
        let due_amount = if status == "open" { amount } else { 0 };
        let paid_at = (status == "paid").then(|| created.clone());
        c.execute(
            "INSERT INTO billing_invoices (uuid, number, org_id, subscription_id, status, reason, currency, subtotal_minor,
                    balance_applied_minor, total_minor, amount_due_minor, due_at, paid_at, processor_ref, created_at,
                    updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'subscription_create', 'usd', ?6, 0, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
            params![uuid, number, org, sub_id, status, amount, due_amount, due, paid_at, reference, created],
        )
        .expect("invoice");
        let id = c.last_insert_rowid();
        c.execute(
            "INSERT INTO billing_invoice_lines (invoice_id, position, description, quantity, unit_amount_minor, amount_minor)
             VALUES (?1, 1, ?2, ?3, ?4, ?5)",
            params![id, description, qty, unit, amount],
        )
        .expect("line");
        let payment = (status == "open").then(|| {
            let pay = uuid::Uuid::new_v4();
            let secret = format!("pi_{}_secret_{}", pay.simple(), &uuid::Uuid::new_v4().simple().to_string()[..24]);
            c.execute(
                "INSERT INTO billing_payments (uuid, invoice_id, org_id, processor, client_secret, status, amount_minor,
                        currency, created_at, updated_at)
                 VALUES (?1, ?2, ?3, 'offline', ?4, 'pending', ?5, 'usd', ?6, ?6)",
                params![pay.to_string(), id, org, secret, amount, created],
            )
            .expect("payment");
            (pay.to_string(), secret)
        });
        Inv { id: uuid, number, payment }
    })
    .await
}

/// Renames an organization behind the API's back (names the API would refuse).
pub async fn rename_org(s: &Server, org: &str, name: &str) {
    let (org, name) = (org.to_string(), name.to_string());
    sql(&s.data_dir, move |c| {
        c.execute("UPDATE organizations SET name = ?2 WHERE uuid = ?1", params![org, name]).expect("rename");
    })
    .await;
}

/// (category, action) of the events about `entity` (public id), oldest first.
pub async fn events_on(s: &Server, entity: &str) -> Vec<(String, String)> {
    let entity = entity.to_string();
    sql(&s.data_dir, move |c| {
        let mut stmt =
            c.prepare("SELECT category, action FROM events WHERE acted_upon = ?1 ORDER BY id").expect("events");
        stmt.query_map([entity], |r| Ok((r.get(0)?, r.get(1)?))).expect("query").map(|r| r.expect("row")).collect()
    })
    .await
}
