//! Webhook events processed, by the processor's event id: a replay is
//! recognised and changes nothing.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::time::{self, Timestamp};
use rusqlite::{Connection, params};

/// Has the event `event_id` of `processor` been processed already?
pub fn seen(c: &Connection, processor: &str, event_id: &str) -> AppResult<bool> {
    Ok(c.prepare_cached("SELECT count(*) FROM billing_webhook_events WHERE processor = ?1 AND event_id = ?2")?
        .query_row([processor, event_id], |r| r.get::<_, i64>(0))?
        > 0)
}

/// Records an event processed and what came of it, in the transaction that applied it.
pub fn record(
    c: &Connection,
    processor: &str,
    event_id: &str,
    kind: &str,
    outcome: &str,
    now: &Timestamp,
) -> AppResult<()> {
    c.prepare_cached(
        "INSERT INTO billing_webhook_events (processor, event_id, type, outcome, received_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![processor, event_id, kind, outcome, time::to_db(now)])?;
    Ok(())
}
