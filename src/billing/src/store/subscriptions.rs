//! Subscriptions: an organization's plan over time, with its processor state.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::cols;
use meshcloud_kernel::db::query::{Where, fetch_page, order_or};
use meshcloud_kernel::ids::{OrgId, UserId};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::time::{self, Timestamp};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::plans::{PLAN_COLS, PlanRow, plan_at};

/// Statuses that hold a plan's entitlements or wait for a first payment:
/// at most one such subscription per organization.
pub const LIVE: [&str; 4] = ["incomplete", "trialing", "active", "past_due"];
pub const STATUSES: [&str; 7] =
    ["incomplete", "incomplete_expired", "trialing", "active", "past_due", "canceled", "unpaid"];

#[derive(Debug, Clone)]
pub struct SubscriptionRow {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub org: OrgId,
    pub org_uuid: uuid::Uuid,
    pub plan: PlanRow,
    pub quantity: i64,
    pub status: String,
    pub processor: String,
    pub billing_id: Option<String>,
    pub email: Option<String>,
    pub billing_anchor: Option<Timestamp>,
    pub current_period_start: Option<Timestamp>,
    pub current_period_end: Option<Timestamp>,
    pub trial_end: Option<Timestamp>,
    pub cancel_at_period_end: bool,
    pub canceled_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub dunning_attempts: i64,
    pub next_dunning_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const SELECT: &str = "SELECT s.id, s.uuid, s.org_id, o.uuid, s.quantity, s.status, s.processor, s.billing_id, s.email, \
     s.billing_anchor, s.current_period_start, s.current_period_end, s.trial_end, s.cancel_at_period_end, \
     s.canceled_at, s.ended_at, s.dunning_attempts, s.next_dunning_at, s.created_at, s.updated_at";
const FROM: &str = "FROM billing_subscriptions s JOIN organizations o ON o.id = s.org_id \
     JOIN billing_plans p ON p.id = s.plan_id";

fn select() -> String {
    format!("{SELECT}, {PLAN_COLS}")
}

fn row(r: &Row<'_>) -> rusqlite::Result<SubscriptionRow> {
    Ok(SubscriptionRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        org: r.get(2)?,
        org_uuid: cols::uuid(r, 3)?,
        quantity: r.get(4)?,
        status: r.get(5)?,
        processor: r.get(6)?,
        billing_id: r.get(7)?,
        email: r.get(8)?,
        billing_anchor: cols::ts_opt(r, 9)?,
        current_period_start: cols::ts_opt(r, 10)?,
        current_period_end: cols::ts_opt(r, 11)?,
        trial_end: cols::ts_opt(r, 12)?,
        cancel_at_period_end: r.get::<_, i64>(13)? == 1,
        canceled_at: cols::ts_opt(r, 14)?,
        ended_at: cols::ts_opt(r, 15)?,
        dunning_attempts: r.get(16)?,
        next_dunning_at: cols::ts_opt(r, 17)?,
        created_at: cols::ts(r, 18)?,
        updated_at: cols::ts(r, 19)?,
        plan: plan_at(r, 20)?,
    })
}

pub fn get(c: &Connection, id: i64) -> AppResult<SubscriptionRow> {
    let sql = format!("{} {FROM} WHERE s.id = ?1", select());
    Ok(c.prepare_cached(&sql)?.query_row([id], row)?)
}

pub fn by_uuid(c: &Connection, id: uuid::Uuid) -> AppResult<Option<SubscriptionRow>> {
    let sql = format!("{} {FROM} WHERE s.uuid = ?1", select());
    Ok(c.prepare_cached(&sql)?.query_row([id.to_string()], row).optional()?)
}

pub fn by_billing_id(c: &Connection, processor: &str, billing_id: &str) -> AppResult<Option<SubscriptionRow>> {
    let sql = format!("{} {FROM} WHERE s.processor = ?1 AND s.billing_id = ?2", select());
    Ok(c.prepare_cached(&sql)?.query_row([processor, billing_id], row).optional()?)
}

/// The organization's live subscription (see `LIVE`), if any.
pub fn live(c: &Connection, org: OrgId) -> AppResult<Option<SubscriptionRow>> {
    let sql = format!(
        "{} {FROM} WHERE s.org_id = ?1 AND s.status IN ('incomplete', 'trialing', 'active', 'past_due')",
        select()
    );
    Ok(c.prepare_cached(&sql)?.query_row([org], row).optional()?)
}

pub const ORDER_FIELDS: [&str; 5] = ["created_at", "updated_at", "status", "current_period_end", "quantity"];

/// One page of the organization's subscriptions, newest first unless ordered.
pub fn list(c: &Connection, org: OrgId, statuses: &[String], req: &PageRequest) -> AppResult<Page<SubscriptionRow>> {
    let mut w = Where::with("s.org_id = ?", [Value::Integer(org.0)]);
    w.any_of("s.status", statuses);
    let columns = [
        ("created_at", "s.created_at"),
        ("updated_at", "s.updated_at"),
        ("status", "s.status"),
        ("current_period_end", "s.current_period_end"),
        ("quantity", "s.quantity"),
    ];
    let order = order_or(req, &columns, "s.id", "s.created_at DESC, s.id DESC");
    fetch_page(c, &select(), FROM, &w, &order, req, row)
}

pub struct NewSubscription<'a> {
    pub uuid: uuid::Uuid,
    pub org: OrgId,
    pub plan: i64,
    pub quantity: i64,
    pub status: &'a str,
    pub processor: &'a str,
    pub billing_id: Option<&'a str>,
    pub email: Option<&'a str>,
    pub period: Option<(Timestamp, Timestamp)>,
    pub trial_end: Option<Timestamp>,
    pub created_by: Option<UserId>,
    pub now: Timestamp,
}

pub fn insert(c: &Connection, s: &NewSubscription<'_>) -> AppResult<i64> {
    let now = time::to_db(&s.now);
    let (start, end) = match &s.period {
        Some((a, b)) => (Some(time::to_db(a)), Some(time::to_db(b))),
        None => (None, None),
    };
    c.prepare_cached(
        "INSERT INTO billing_subscriptions (uuid, org_id, plan_id, quantity, status, processor, billing_id, email,
                billing_anchor, current_period_start, current_period_end, trial_end, created_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11, ?12, ?13, ?13)",
    )?
    .execute(params![
        s.uuid.to_string(),
        s.org,
        s.plan,
        s.quantity,
        s.status,
        s.processor,
        s.billing_id,
        s.email,
        start,
        end,
        s.trial_end.as_ref().map(time::to_db),
        s.created_by,
        now
    ])?;
    Ok(c.last_insert_rowid())
}

pub fn set_status(c: &Connection, id: i64, status: &str, now: &Timestamp) -> AppResult<()> {
    c.prepare_cached("UPDATE billing_subscriptions SET status = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![id, status, time::to_db(now)])?;
    Ok(())
}

/// Starts (or moves) the billing cycle: anchor and current period.
pub fn set_period(
    c: &Connection,
    id: i64,
    anchor: &Timestamp,
    period: (&Timestamp, &Timestamp),
    now: &Timestamp,
) -> AppResult<()> {
    c.prepare_cached(
        "UPDATE billing_subscriptions SET billing_anchor = ?2, current_period_start = ?3, current_period_end = ?4,
                updated_at = ?5 WHERE id = ?1",
    )?
    .execute(params![id, time::to_db(anchor), time::to_db(period.0), time::to_db(period.1), time::to_db(now)])?;
    Ok(())
}

pub fn set_plan(c: &Connection, id: i64, plan: i64, quantity: i64, now: &Timestamp) -> AppResult<()> {
    c.prepare_cached("UPDATE billing_subscriptions SET plan_id = ?2, quantity = ?3, updated_at = ?4 WHERE id = ?1")?
        .execute(params![id, plan, quantity, time::to_db(now)])?;
    Ok(())
}

/// Open invoices of the subscription already past their due date.
pub fn overdue_invoices(c: &Connection, id: i64, now: &Timestamp) -> AppResult<i64> {
    Ok(c.prepare_cached(
        "SELECT count(*) FROM billing_invoices WHERE subscription_id = ?1 AND status = 'open' AND due_at <= ?2",
    )?
    .query_row(params![id, time::to_db(now)], |r| r.get(0))?)
}

/// Forgets the reminders sent (the subscription is paid up).
pub fn reset_dunning(c: &Connection, id: i64, now: &Timestamp) -> AppResult<()> {
    c.prepare_cached(
        "UPDATE billing_subscriptions SET dunning_attempts = 0, next_dunning_at = NULL, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![id, time::to_db(now)])?;
    Ok(())
}

/// Ends a subscription with a final status (`incomplete_expired`, `canceled`, `unpaid`…).
pub fn end(c: &Connection, id: i64, status: &str, now: &Timestamp) -> AppResult<()> {
    c.prepare_cached("UPDATE billing_subscriptions SET status = ?2, ended_at = ?3, updated_at = ?3 WHERE id = ?1")?
        .execute(params![id, status, time::to_db(now)])?;
    Ok(())
}

/// Records a cancellation: at the period's end (`at_period_end`) or now.
pub fn mark_canceled(c: &Connection, id: i64, at_period_end: bool, now: &Timestamp) -> AppResult<()> {
    c.prepare_cached(
        "UPDATE billing_subscriptions SET cancel_at_period_end = ?2, canceled_at = ?3, updated_at = ?3 WHERE id = ?1",
    )?
    .execute(params![id, at_period_end, time::to_db(now)])?;
    Ok(())
}

/// Offline subscriptions whose current period (or trial) is over at `now`:
/// the billing job renews, ends or starts billing them. Soonest first.
pub fn due_at_period_end(c: &Connection, now: &Timestamp, limit: i64) -> AppResult<Vec<SubscriptionRow>> {
    // The status list matches the partial index on current_period_end.
    let sql = format!(
        "{} {FROM} WHERE s.status IN ('trialing', 'active', 'past_due') AND s.current_period_end <= ?1
            AND s.processor = 'offline' AND (s.status <> 'trialing' OR s.trial_end <= ?1)
          ORDER BY s.current_period_end, s.id LIMIT ?2",
        select()
    );
    let mut stmt = c.prepare_cached(&sql)?;
    Ok(stmt.query_map(params![time::to_db(now), limit], row)?.collect::<Result<_, _>>()?)
}

/// `incomplete` subscriptions created at or before `cutoff` (never paid for).
pub fn incomplete_since(c: &Connection, cutoff: &Timestamp, limit: i64) -> AppResult<Vec<SubscriptionRow>> {
    let sql = format!(
        "{} {FROM} WHERE s.status = 'incomplete' AND s.created_at <= ?1 ORDER BY s.created_at, s.id LIMIT ?2",
        select()
    );
    let mut stmt = c.prepare_cached(&sql)?;
    Ok(stmt.query_map(params![time::to_db(cutoff), limit], row)?.collect::<Result<_, _>>()?)
}

/// Active offline subscriptions with an open invoice past its due date.
pub fn newly_overdue(c: &Connection, now: &Timestamp, limit: i64) -> AppResult<Vec<SubscriptionRow>> {
    let sql = format!(
        "{} {FROM} WHERE s.status = 'active' AND s.processor = 'offline'
            AND s.id IN (SELECT i.subscription_id FROM billing_invoices i WHERE i.status = 'open' AND i.due_at <= ?1)
          ORDER BY s.id LIMIT ?2",
        select()
    );
    let mut stmt = c.prepare_cached(&sql)?;
    Ok(stmt.query_map(params![time::to_db(now), limit], row)?.collect::<Result<_, _>>()?)
}

/// Past-due offline subscriptions whose next reminder is due.
pub fn dunning_due(c: &Connection, now: &Timestamp, limit: i64) -> AppResult<Vec<SubscriptionRow>> {
    let sql = format!(
        "{} {FROM} WHERE s.next_dunning_at <= ?1 AND s.status = 'past_due' AND s.processor = 'offline'
          ORDER BY s.next_dunning_at, s.id LIMIT ?2",
        select()
    );
    let mut stmt = c.prepare_cached(&sql)?;
    Ok(stmt.query_map(params![time::to_db(now), limit], row)?.collect::<Result<_, _>>()?)
}

/// Records a reminder sent (`attempts` so far) and when the next one is due
/// (`None`: no more reminders).
pub fn set_dunning(c: &Connection, id: i64, attempts: i64, next: Option<&Timestamp>, now: &Timestamp) -> AppResult<()> {
    c.prepare_cached(
        "UPDATE billing_subscriptions SET dunning_attempts = ?2, next_dunning_at = ?3, updated_at = ?4 WHERE id = ?1",
    )?
    .execute(params![id, attempts, next.map(time::to_db), time::to_db(now)])?;
    Ok(())
}

/// Links a subscription to the processor's id of it.
pub fn set_billing_id(c: &Connection, id: i64, billing_id: &str, now: &Timestamp) -> AppResult<()> {
    c.prepare_cached("UPDATE billing_subscriptions SET billing_id = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![id, billing_id, time::to_db(now)])?;
    Ok(())
}

/// What a processor reports of a subscription it bills (Stripe's
/// `customer.subscription.*` events). `None` keeps the stored value.
pub struct ProcessorState {
    pub period: Option<(Timestamp, Timestamp)>,
    pub cancel_at_period_end: bool,
    pub canceled_at: Option<Timestamp>,
    pub trial_end: Option<Timestamp>,
}

pub fn set_processor_state(c: &Connection, id: i64, s: &ProcessorState, now: &Timestamp) -> AppResult<()> {
    let (start, end) = match &s.period {
        Some((a, b)) => (Some(time::to_db(a)), Some(time::to_db(b))),
        None => (None, None),
    };
    c.prepare_cached(
        "UPDATE billing_subscriptions SET billing_anchor = COALESCE(billing_anchor, ?2),
                current_period_start = COALESCE(?2, current_period_start),
                current_period_end = COALESCE(?3, current_period_end), cancel_at_period_end = ?4,
                canceled_at = COALESCE(?5, canceled_at), trial_end = COALESCE(?6, trial_end), updated_at = ?7
          WHERE id = ?1",
    )?
    .execute(params![
        id,
        start,
        end,
        s.cancel_at_period_end,
        s.canceled_at.as_ref().map(time::to_db),
        s.trial_end.as_ref().map(time::to_db),
        time::to_db(now)
    ])?;
    Ok(())
}
