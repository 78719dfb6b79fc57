//! Payments of open invoices. An offline payment is `pending` until a
//! billing admin confirms it; its client secret is what the subscriber got.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::cols;
use meshcloud_kernel::db::query::{Where, fetch_page, order_or};
use meshcloud_kernel::ids::{OrgId, UserId};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::time::{self, Timestamp};
use rand::RngCore;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone)]
pub struct PaymentRow {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub invoice: i64,
    pub org: OrgId,
    pub processor: String,
    pub client_secret: String,
    pub status: String,
    pub amount_minor: i64,
    pub currency: String,
    pub reference: Option<String>,
    pub confirmed_by: Option<UserId>,
    pub confirmed_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

pub const PAYMENT_COLS: &str = "y.id, y.uuid, y.invoice_id, y.org_id, y.processor, y.client_secret, y.status, \
     y.amount_minor, y.currency, y.reference, y.confirmed_by, y.confirmed_at, y.created_at, y.updated_at";

pub fn payment(r: &Row<'_>) -> rusqlite::Result<PaymentRow> {
    Ok(PaymentRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        invoice: r.get(2)?,
        org: r.get(3)?,
        processor: r.get(4)?,
        client_secret: r.get(5)?,
        status: r.get(6)?,
        amount_minor: r.get(7)?,
        currency: r.get(8)?,
        reference: r.get(9)?,
        confirmed_by: r.get(10)?,
        confirmed_at: cols::ts_opt(r, 11)?,
        created_at: cols::ts(r, 12)?,
        updated_at: cols::ts(r, 13)?,
    })
}

/// `pi_<uuid without dashes>_secret_<24 random hex>`, shaped like Stripe's.
fn client_secret(uuid: uuid::Uuid) -> String {
    let mut bytes = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("pi_{}_secret_{}", uuid.simple(), hex::encode(bytes))
}

/// A pending payment of an open invoice.
pub fn insert_pending(
    c: &Connection,
    invoice: i64,
    org: OrgId,
    processor: &str,
    amount_minor: i64,
    currency: &str,
    now: &Timestamp,
) -> AppResult<PaymentRow> {
    let uuid = meshcloud_kernel::ids::new_uuid();
    let now = time::to_db(now);
    c.prepare_cached(
        "INSERT INTO billing_payments (uuid, invoice_id, org_id, processor, client_secret, status, amount_minor,
                currency, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7, ?8, ?8)",
    )?
    .execute(params![
        uuid.to_string(),
        invoice,
        org,
        processor,
        client_secret(uuid),
        amount_minor,
        currency,
        now
    ])?;
    get(c, c.last_insert_rowid())
}

pub fn get(c: &Connection, id: i64) -> AppResult<PaymentRow> {
    let sql = format!("SELECT {PAYMENT_COLS} FROM billing_payments y WHERE y.id = ?1");
    Ok(c.prepare_cached(&sql)?.query_row([id], payment)?)
}

pub fn by_uuid(c: &Connection, id: uuid::Uuid) -> AppResult<Option<PaymentRow>> {
    let sql = format!("SELECT {PAYMENT_COLS} FROM billing_payments y WHERE y.uuid = ?1");
    Ok(c.prepare_cached(&sql)?.query_row([id.to_string()], payment).optional()?)
}

pub fn by_secret(c: &Connection, secret: &str) -> AppResult<Option<PaymentRow>> {
    let sql = format!("SELECT {PAYMENT_COLS} FROM billing_payments y WHERE y.client_secret = ?1");
    Ok(c.prepare_cached(&sql)?.query_row([secret], payment).optional()?)
}

/// The pending payment of an invoice, if any.
pub fn pending_for_invoice(c: &Connection, invoice: i64) -> AppResult<Option<PaymentRow>> {
    let sql = format!("SELECT {PAYMENT_COLS} FROM billing_payments y WHERE y.invoice_id = ?1 AND y.status = 'pending'");
    Ok(c.prepare_cached(&sql)?.query_row([invoice], payment).optional()?)
}

/// Marks a pending payment succeeded; false when it was not pending.
pub fn confirm(
    c: &Connection,
    id: i64,
    by: Option<UserId>,
    reference: Option<&str>,
    now: &Timestamp,
) -> AppResult<bool> {
    let n = c
        .prepare_cached(
            "UPDATE billing_payments SET status = 'succeeded', confirmed_by = ?2, reference = ?3, confirmed_at = ?4,
                    updated_at = ?4 WHERE id = ?1 AND status = 'pending'",
        )?
        .execute(params![id, by, reference, time::to_db(now)])?;
    Ok(n == 1)
}

/// Cancels the pending payments of an invoice that no longer needs them.
pub fn cancel_for_invoice(c: &Connection, invoice: i64, now: &Timestamp) -> AppResult<usize> {
    Ok(c.prepare_cached(
        "UPDATE billing_payments SET status = 'canceled', updated_at = ?2 WHERE invoice_id = ?1 AND status = 'pending'",
    )?
    .execute(params![invoice, time::to_db(now)])?)
}

/// A payment with what the confirmation queue shows besides its own row.
#[derive(Debug, Clone)]
pub struct PaymentView {
    pub row: PaymentRow,
    pub org_uuid: uuid::Uuid,
    pub org_name: String,
    pub invoice_uuid: uuid::Uuid,
    pub invoice_number: String,
}

const VIEW_FROM: &str =
    "FROM billing_payments y JOIN organizations o ON o.id = y.org_id JOIN billing_invoices i ON i.id = y.invoice_id";

fn view_select() -> String {
    format!("SELECT {PAYMENT_COLS}, o.uuid, o.name, i.uuid, i.number")
}

fn view(r: &Row<'_>) -> rusqlite::Result<PaymentView> {
    Ok(PaymentView {
        row: payment(r)?,
        org_uuid: cols::uuid(r, 14)?,
        org_name: r.get(15)?,
        invoice_uuid: cols::uuid(r, 16)?,
        invoice_number: r.get(17)?,
    })
}

pub fn view_of(c: &Connection, id: i64) -> AppResult<PaymentView> {
    let sql = format!("{} {VIEW_FROM} WHERE y.id = ?1", view_select());
    Ok(c.prepare_cached(&sql)?.query_row([id], view)?)
}

pub const ORDER_FIELDS: [&str; 3] = ["created_at", "confirmed_at", "amount"];

/// One page of the payments of `statuses` in `orgs` (every organization
/// when `None`), oldest first unless ordered: the queue in arrival order.
pub fn list(
    c: &Connection,
    orgs: Option<&[OrgId]>,
    statuses: &[String],
    req: &PageRequest,
) -> AppResult<Page<PaymentView>> {
    let mut w = Where::new("1 = 1");
    if let Some(orgs) = orgs {
        let marks = vec!["?"; orgs.len().max(1)].join(", ");
        let mut ids: Vec<Value> = orgs.iter().map(|o| Value::Integer(o.0)).collect();
        if ids.is_empty() {
            ids.push(Value::Null);
        }
        w.and(&format!("y.org_id IN ({marks})"), ids);
    }
    w.any_of("y.status", statuses);
    let columns = [("created_at", "y.created_at"), ("confirmed_at", "y.confirmed_at"), ("amount", "y.amount_minor")];
    let order = order_or(req, &columns, "y.id", "y.created_at, y.id");
    fetch_page(c, &view_select(), VIEW_FROM, &w, &order, req, view)
}
