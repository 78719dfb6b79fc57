//! Invoices and their lines. Numbers come from one gapless sequence taken
//! inside the issuing transaction: a rolled-back issue takes no number.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::cols;
use meshcloud_kernel::db::query::{Where, fetch_page, order_or};
use meshcloud_kernel::ids::OrgId;
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::time::{self, Timestamp};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};

/// One line to put on a new invoice. Amounts in minor units; a credit is negative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLine {
    pub description: String,
    pub plan: Option<i64>,
    pub quantity: i64,
    pub unit_amount_minor: i64,
    pub amount_minor: i64,
    pub proration: bool,
    pub period: Option<(Timestamp, Timestamp)>,
}

pub struct NewInvoice<'a> {
    pub org: OrgId,
    pub subscription: Option<i64>,
    /// Stripe's billing reason (`subscription_create`, `subscription_cycle`…).
    pub reason: &'a str,
    pub currency: &'a str,
    pub lines: Vec<NewLine>,
    pub period: Option<(Timestamp, Timestamp)>,
    pub due_at: Option<Timestamp>,
    /// The processor's id, for invoices a processor issued.
    pub processor_ref: Option<&'a str>,
    pub now: Timestamp,
}

#[derive(Debug, Clone)]
pub struct InvoiceRow {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub number: String,
    pub org: OrgId,
    pub subscription: Option<i64>,
    pub status: String,
    pub reason: String,
    pub currency: String,
    pub subtotal_minor: i64,
    pub balance_applied_minor: i64,
    pub total_minor: i64,
    pub amount_due_minor: i64,
    pub period_start: Option<Timestamp>,
    pub period_end: Option<Timestamp>,
    pub due_at: Option<Timestamp>,
    pub paid_at: Option<Timestamp>,
    pub processor_ref: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

pub const INVOICE_COLS: &str = "i.id, i.uuid, i.number, i.org_id, i.subscription_id, i.status, i.reason, i.currency, \
     i.subtotal_minor, i.balance_applied_minor, i.total_minor, i.amount_due_minor, i.period_start, i.period_end, \
     i.due_at, i.paid_at, i.processor_ref, i.created_at, i.updated_at";

pub fn invoice(r: &Row<'_>) -> rusqlite::Result<InvoiceRow> {
    Ok(InvoiceRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        number: r.get(2)?,
        org: r.get(3)?,
        subscription: r.get(4)?,
        status: r.get(5)?,
        reason: r.get(6)?,
        currency: r.get(7)?,
        subtotal_minor: r.get(8)?,
        balance_applied_minor: r.get(9)?,
        total_minor: r.get(10)?,
        amount_due_minor: r.get(11)?,
        period_start: cols::ts_opt(r, 12)?,
        period_end: cols::ts_opt(r, 13)?,
        due_at: cols::ts_opt(r, 14)?,
        paid_at: cols::ts_opt(r, 15)?,
        processor_ref: r.get(16)?,
        created_at: cols::ts(r, 17)?,
        updated_at: cols::ts(r, 18)?,
    })
}

#[derive(Debug, Clone)]
pub struct LineRow {
    pub position: i64,
    pub description: String,
    pub plan: Option<i64>,
    pub quantity: i64,
    pub unit_amount_minor: i64,
    pub amount_minor: i64,
    pub proration: bool,
    pub period_start: Option<Timestamp>,
    pub period_end: Option<Timestamp>,
}

pub fn get(c: &Connection, id: i64) -> AppResult<InvoiceRow> {
    let sql = format!("SELECT {INVOICE_COLS} FROM billing_invoices i WHERE i.id = ?1");
    Ok(c.prepare_cached(&sql)?.query_row([id], invoice)?)
}

pub fn lines(c: &Connection, invoice: i64) -> AppResult<Vec<LineRow>> {
    let mut stmt = c.prepare_cached(
        "SELECT position, description, plan_id, quantity, unit_amount_minor, amount_minor, proration, period_start,
                period_end FROM billing_invoice_lines WHERE invoice_id = ?1 ORDER BY position",
    )?;
    let rows = stmt.query_map([invoice], |r| {
        Ok(LineRow {
            position: r.get(0)?,
            description: r.get(1)?,
            plan: r.get(2)?,
            quantity: r.get(3)?,
            unit_amount_minor: r.get(4)?,
            amount_minor: r.get(5)?,
            proration: r.get::<_, i64>(6)? == 1,
            period_start: cols::ts_opt(r, 7)?,
            period_end: cols::ts_opt(r, 8)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The organization's unused credit in `currency`.
pub fn balance(c: &Connection, org: OrgId, currency: &str) -> AppResult<i64> {
    Ok(c.prepare_cached("SELECT amount_minor FROM billing_balances WHERE org_id = ?1 AND currency = ?2")?
        .query_row(params![org, currency], |r| r.get::<_, i64>(0))
        .optional()?
        .unwrap_or(0))
}

fn set_balance(c: &Connection, org: OrgId, currency: &str, amount: i64, now: &str) -> AppResult<()> {
    c.prepare_cached(
        "INSERT INTO billing_balances (org_id, currency, amount_minor, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (org_id, currency) DO UPDATE SET amount_minor = excluded.amount_minor, updated_at = excluded.updated_at",
    )?
    .execute(params![org, currency, amount, now])?;
    Ok(())
}

/// The next number of the sequence `name`, taken in this transaction.
fn next_number(c: &Connection, name: &str) -> AppResult<i64> {
    Ok(c.prepare_cached("UPDATE billing_counters SET value = value + 1 WHERE name = ?1 RETURNING value")?
        .query_row([name], |r| r.get(0))?)
}

/// How an invoice settles against the organization's credit: a negative
/// subtotal becomes credit and the invoice is paid; a positive one uses the
/// credit first and is open for the rest (or paid when nothing is left).
/// Returns `(balance_applied, amount_due, new_balance)`.
pub fn settle(subtotal: i64, balance: i64) -> (i64, i64, i64) {
    if subtotal <= 0 {
        (0, 0, balance - subtotal)
    } else {
        let applied = balance.min(subtotal).max(0);
        (applied, subtotal - applied, balance - applied)
    }
}

/// Issues an invoice: numbers it, stores its lines, settles it against the
/// organization's credit. Open when something is left to pay, else paid.
pub fn issue(c: &Connection, prefix: &str, inv: &NewInvoice<'_>) -> AppResult<InvoiceRow> {
    let now = time::to_db(&inv.now);
    let subtotal: i64 = inv.lines.iter().map(|l| l.amount_minor).sum();
    let balance = balance(c, inv.org, inv.currency)?;
    let (applied, due, left) = settle(subtotal, balance);
    if left != balance {
        set_balance(c, inv.org, inv.currency, left, &now)?;
    }
    let status = if due > 0 { "open" } else { "paid" };
    let number = format!("{prefix}{:06}", next_number(c, "invoice")?);
    let uuid = meshcloud_kernel::ids::new_uuid();
    let (ps, pe) = match &inv.period {
        Some((a, b)) => (Some(time::to_db(a)), Some(time::to_db(b))),
        None => (None, None),
    };
    c.prepare_cached(
        "INSERT INTO billing_invoices (uuid, number, org_id, subscription_id, status, reason, currency, subtotal_minor,
                balance_applied_minor, total_minor, amount_due_minor, period_start, period_end, due_at, paid_at,
                processor_ref, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17)",
    )?
    .execute(params![
        uuid.to_string(),
        number,
        inv.org,
        inv.subscription,
        status,
        inv.reason,
        inv.currency,
        subtotal,
        applied,
        subtotal,
        due,
        ps,
        pe,
        inv.due_at.as_ref().map(time::to_db),
        (status == "paid").then(|| now.clone()),
        inv.processor_ref,
        now
    ])?;
    let id = c.last_insert_rowid();
    let mut add = c.prepare_cached(
        "INSERT INTO billing_invoice_lines (invoice_id, position, description, plan_id, quantity, unit_amount_minor,
                amount_minor, proration, period_start, period_end)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for (i, l) in inv.lines.iter().enumerate() {
        let (a, b) = match &l.period {
            Some((a, b)) => (Some(time::to_db(a)), Some(time::to_db(b))),
            None => (None, None),
        };
        add.execute(params![
            id,
            i as i64 + 1,
            l.description,
            l.plan,
            l.quantity,
            l.unit_amount_minor,
            l.amount_minor,
            l.proration,
            a,
            b
        ])?;
    }
    get(c, id)
}

/// Marks an open invoice paid; false when it was not open.
pub fn mark_paid(c: &Connection, id: i64, now: &Timestamp) -> AppResult<bool> {
    let n = c
        .prepare_cached(
            "UPDATE billing_invoices SET status = 'paid', paid_at = ?2, updated_at = ?2 WHERE id = ?1 AND status = 'open'",
        )?
        .execute(params![id, time::to_db(now)])?;
    Ok(n == 1)
}

/// Sets an open invoice's final status (`void`, `uncollectible`); false when it was not open.
pub fn close(c: &Connection, id: i64, status: &str, now: &Timestamp) -> AppResult<bool> {
    let n = c
        .prepare_cached("UPDATE billing_invoices SET status = ?2, updated_at = ?3 WHERE id = ?1 AND status = 'open'")?
        .execute(params![id, status, time::to_db(now)])?;
    Ok(n == 1)
}

/// The open invoices of a subscription, oldest first.
pub fn open_for_subscription(c: &Connection, subscription: i64) -> AppResult<Vec<InvoiceRow>> {
    let sql = format!(
        "SELECT {INVOICE_COLS} FROM billing_invoices i WHERE i.subscription_id = ?1 AND i.status = 'open' ORDER BY i.id"
    );
    let mut stmt = c.prepare_cached(&sql)?;
    Ok(stmt.query_map([subscription], invoice)?.collect::<Result<_, _>>()?)
}

/// An invoice with what its pages show besides its own row: its
/// organization's public id and name, its subscription's id and processor.
#[derive(Debug, Clone)]
pub struct InvoiceView {
    pub row: InvoiceRow,
    pub org_uuid: uuid::Uuid,
    pub org_name: String,
    pub subscription_uuid: Option<uuid::Uuid>,
    pub processor: Option<String>,
    /// The client secret of the invoice's pending offline payment.
    pub payment_reference: Option<String>,
}

const VIEW_FROM: &str = "FROM billing_invoices i JOIN organizations o ON o.id = i.org_id \
     LEFT JOIN billing_subscriptions s ON s.id = i.subscription_id";

fn view_select() -> String {
    // The pending payment's client secret: the reference a transfer quotes.
    format!(
        "SELECT {INVOICE_COLS}, o.uuid, o.name, s.uuid, s.processor,
                (SELECT y.client_secret FROM billing_payments y WHERE y.invoice_id = i.id AND y.status = 'pending')"
    )
}

fn view(r: &Row<'_>) -> rusqlite::Result<InvoiceView> {
    Ok(InvoiceView {
        row: invoice(r)?,
        org_uuid: cols::uuid(r, 19)?,
        org_name: r.get(20)?,
        subscription_uuid: cols::uuid_opt(r, 21)?,
        processor: r.get(22)?,
        payment_reference: r.get(23)?,
    })
}

pub fn view_by_uuid(c: &Connection, id: uuid::Uuid) -> AppResult<Option<InvoiceView>> {
    let sql = format!("{} {VIEW_FROM} WHERE i.uuid = ?1", view_select());
    Ok(c.prepare_cached(&sql)?.query_row([id.to_string()], view).optional()?)
}

pub const ORDER_FIELDS: [&str; 5] = ["created_at", "number", "status", "due_date", "total"];

/// One page of the organization's invoices (of `statuses`, when any), newest first unless ordered.
pub fn list(c: &Connection, org: OrgId, statuses: &[String], req: &PageRequest) -> AppResult<Page<InvoiceView>> {
    let mut w = Where::with("i.org_id = ?", [Value::Integer(org.0)]);
    w.any_of("i.status", statuses);
    let columns = [
        ("created_at", "i.created_at"),
        ("number", "i.number"),
        ("status", "i.status"),
        ("due_date", "i.due_at"),
        ("total", "i.total_minor"),
    ];
    let order = order_or(req, &columns, "i.id", "i.created_at DESC, i.id DESC");
    fetch_page(c, &view_select(), VIEW_FROM, &w, &order, req, view)
}

/// The invoice a processor issued as `processor_ref` (Stripe's `in_…`).
pub fn by_processor_ref(c: &Connection, processor_ref: &str) -> AppResult<Option<InvoiceRow>> {
    let sql = format!("SELECT {INVOICE_COLS} FROM billing_invoices i WHERE i.processor_ref = ?1");
    Ok(c.prepare_cached(&sql)?.query_row([processor_ref], invoice).optional()?)
}

#[cfg(test)]
mod tests {
    use super::settle;

    #[test]
    fn credit_settles_before_payment() {
        assert_eq!(settle(1000, 0), (0, 1000, 0));
        assert_eq!(settle(1000, 300), (300, 700, 0));
        assert_eq!(settle(1000, 1500), (1000, 0, 500));
        assert_eq!(settle(-400, 100), (0, 0, 500));
        assert_eq!(settle(0, 100), (0, 0, 100));
    }
}
