//! Schedules and their runs. Claiming due schedules happens in one write
//! transaction, so no firing is ever taken twice.

use meshcloud_kernel::db::cols;
use meshcloud_kernel::db::query::{Where, fetch_page, order_or};
use meshcloud_kernel::db::search::SearchIndex;
use meshcloud_kernel::ids::{OrgId, ScheduleId, ScheduleRunId, UserId, new_uuid};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone)]
pub struct ScheduleRow {
    pub id: ScheduleId,
    /// The id its owner knows it by (its alias where it has one).
    pub uuid: uuid::Uuid,
    pub kind: String,
    pub user: Option<UserId>,
    pub user_uuid: Option<uuid::Uuid>,
    pub org: Option<OrgId>,
    pub name: String,
    pub cron_expression: String,
    pub enabled: bool,
    pub next_run_at: Option<Timestamp>,
    pub last_run_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const SELECT: &str = "SELECT s.id, COALESCE(s.alias_uuid, s.uuid), s.kind, s.user_id, u.uuid, s.org_id, s.name, s.cron_expression, s.enabled, \
    s.next_run_at, s.last_run_at, s.created_at, s.updated_at";
const FROM: &str = "FROM schedules s LEFT JOIN users u ON u.id = s.user_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<ScheduleRow> {
    Ok(ScheduleRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        kind: r.get(2)?,
        user: r.get(3)?,
        user_uuid: cols::uuid_opt(r, 4)?,
        org: r.get(5)?,
        name: r.get(6)?,
        cron_expression: r.get(7)?,
        enabled: r.get(8)?,
        next_run_at: cols::ts_opt(r, 9)?,
        last_run_at: cols::ts_opt(r, 10)?,
        created_at: cols::ts(r, 11)?,
        updated_at: cols::ts(r, 12)?,
    })
}

pub const ORDER_FIELDS: [&str; 5] = ["name", "created_at", "updated_at", "next_run_at", "last_run_at"];
const ORDER: [(&str, &str); 5] = [
    ("name", "s.name"),
    ("created_at", "s.created_at"),
    ("updated_at", "s.updated_at"),
    ("next_run_at", "s.next_run_at"),
    ("last_run_at", "s.last_run_at"),
];

/// A user's schedules.
pub fn list_user(conn: &Connection, user: UserId, req: &PageRequest) -> AppResult<Page<ScheduleRow>> {
    let mut w = Where::with("s.kind = 'user' AND s.user_id = ?", [Value::Integer(user.0)]);
    const SEARCH: SearchIndex = SearchIndex { table: "schedules_search", rowid: "s.id", scoped: true };
    w.search_indexed(conn, req, &SEARCH, Some(user.0), &["s.name", "s.cron_expression"])?;
    let order = order_or(req, &ORDER, "s.id", "s.name, s.id");
    fetch_page(conn, SELECT, FROM, &w, &order, req, from_row)
}

/// The user's schedule with this id (as they know it).
pub fn of_user(conn: &Connection, user: UserId, uuid: uuid::Uuid) -> AppResult<Option<ScheduleRow>> {
    let sql =
        format!("{SELECT} {FROM} WHERE s.kind = 'user' AND s.user_id = ?1 AND COALESCE(s.alias_uuid, s.uuid) = ?2");
    Ok(conn.prepare_cached(&sql)?.query_row(params![user, uuid.to_string()], from_row).optional()?)
}

/// Is this id taken by any schedule row (whoever's)?
fn taken(conn: &Connection, uuid: uuid::Uuid) -> AppResult<bool> {
    Ok(conn.prepare_cached("SELECT 1 FROM schedules WHERE uuid = ?1")?.exists([uuid.to_string()])?)
}

pub fn get(conn: &Connection, id: ScheduleId) -> AppResult<ScheduleRow> {
    let sql = format!("{SELECT} {FROM} WHERE s.id = ?1");
    conn.prepare_cached(&sql)?.query_row([id], from_row).optional()?.ok_or(AppError::NotFound)
}

/// Whether a schedule fires, and when next (none while disabled).
#[derive(Debug, Clone, Copy)]
pub struct Timing<'a> {
    pub enabled: bool,
    pub next: Option<&'a Timestamp>,
}

/// A new schedule of `user` known by `uuid`. Where another row has that id
/// already, the new one gets its own and keeps `uuid` as its alias.
pub fn insert_user(
    conn: &Connection,
    uuid: uuid::Uuid,
    user: UserId,
    org: Option<OrgId>,
    name: &str,
    cron: &str,
    t: Timing<'_>,
) -> AppResult<ScheduleId> {
    let now = time::now_db();
    let (own, alias) = if taken(conn, uuid)? { (new_uuid(), Some(uuid.to_string())) } else { (uuid, None) };
    conn.prepare_cached(
        "INSERT INTO schedules (uuid, alias_uuid, kind, user_id, org_id, name, cron_expression, next_run_at, created_at,
                                updated_at, enabled)
         VALUES (?1, ?2, 'user', ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)",
    )?
    .execute(params![own.to_string(), alias, user, org, name, cron, t.next.map(time::to_db), now, t.enabled])?;
    Ok(ScheduleId(conn.last_insert_rowid()))
}

/// Renames, re-times, enables or disables a schedule, with its next firing.
pub fn update(conn: &Connection, id: ScheduleId, name: &str, cron: &str, t: Timing<'_>) -> AppResult<()> {
    conn.prepare_cached(
        "UPDATE schedules SET name = ?2, cron_expression = ?3, next_run_at = ?4, updated_at = ?5, enabled = ?6
         WHERE id = ?1",
    )?
    .execute(params![id, name, cron, t.next.map(time::to_db), time::now_db(), t.enabled])?;
    Ok(())
}

pub fn delete(conn: &Connection, id: ScheduleId) -> AppResult<()> {
    conn.prepare_cached("DELETE FROM schedules WHERE id = ?1")?.execute([id])?;
    Ok(())
}

/// Registers a system job (or changes its expression); an empty expression
/// disables it. A job keeps its next firing unless its expression changed.
pub fn upsert_system(conn: &Connection, name: &str, cron: &str, next: Option<&Timestamp>) -> AppResult<()> {
    let now = time::now_db();
    let enabled = !cron.trim().is_empty();
    // Every start registers every job: one that is already as configured is
    // left alone, so that a start usually writes nothing (no commit to wait for).
    let updated = conn
        .prepare_cached(
            "UPDATE schedules SET cron_expression = ?2, enabled = ?3, updated_at = ?4,
                    next_run_at = CASE WHEN cron_expression = ?2 AND next_run_at IS NOT NULL THEN next_run_at ELSE ?5 END
              WHERE kind = 'system' AND name = ?1
                AND (cron_expression IS NOT ?2 OR enabled IS NOT ?3 OR (next_run_at IS NULL AND ?5 IS NOT NULL))",
        )?
        .execute(params![name, cron, enabled, now, next.map(time::to_db)])?;
    let registered = updated > 0
        || conn
            .prepare_cached("SELECT count(*) > 0 FROM schedules WHERE kind = 'system' AND name = ?1")?
            .query_row([name], |r| r.get::<_, bool>(0))?;
    if !registered {
        conn.prepare_cached(
            "INSERT INTO schedules (uuid, kind, name, cron_expression, enabled, next_run_at, created_at, updated_at)
             VALUES (?1, 'system', ?2, ?3, ?4, ?5, ?6, ?6)",
        )?
        .execute(params![new_uuid().to_string(), name, cron, enabled, next.map(time::to_db), now])?;
    }
    Ok(())
}

/// Enabled schedules due at `now`, oldest due first.
pub fn due(conn: &Connection, now: &Timestamp, limit: i64) -> AppResult<Vec<ScheduleRow>> {
    let sql = format!(
        "{SELECT} {FROM} WHERE s.enabled = 1 AND s.next_run_at IS NOT NULL AND s.next_run_at <= ?1
          ORDER BY s.next_run_at LIMIT ?2"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![time::to_db(now), limit], from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Moves a claimed schedule on: fired at `now`, next at `next`.
pub fn advance(conn: &Connection, id: ScheduleId, now: &Timestamp, next: Option<&Timestamp>) -> AppResult<()> {
    conn.prepare_cached("UPDATE schedules SET last_run_at = ?2, next_run_at = ?3 WHERE id = ?1")?.execute(params![
        id,
        time::to_db(now),
        next.map(time::to_db)
    ])?;
    Ok(())
}

/// Records the start of a run (finished at once when `outcome` is given).
pub fn start_run(
    conn: &Connection,
    schedule: ScheduleId,
    due: &Timestamp,
    now: &Timestamp,
    outcome: Option<(&str, &str)>,
) -> AppResult<ScheduleRunId> {
    let now = time::to_db(now);
    let (finished, result, message) = match outcome {
        Some((o, m)) => (Some(now.clone()), Some(o), m),
        None => (None, None, ""),
    };
    conn.prepare_cached(
        "INSERT INTO schedule_runs (schedule_id, due_at, started_at, finished_at, outcome, message)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![schedule, time::to_db(due), now, finished, result, message])?;
    Ok(ScheduleRunId(conn.last_insert_rowid()))
}

pub fn finish_run(conn: &Connection, run: ScheduleRunId, ok: bool, message: &str) -> AppResult<()> {
    conn.prepare_cached("UPDATE schedule_runs SET finished_at = ?2, outcome = ?3, message = ?4 WHERE id = ?1")?
        .execute(params![run, time::now_db(), if ok { "ok" } else { "error" }, message])?;
    Ok(())
}

/// When the earliest enabled schedule is due.
pub fn next_due(conn: &Connection) -> AppResult<Option<Timestamp>> {
    let next: Option<String> = conn
        .prepare_cached("SELECT min(next_run_at) FROM schedules WHERE enabled = 1 AND next_run_at IS NOT NULL")?
        .query_row([], |r| r.get(0))?;
    Ok(next.as_deref().and_then(time::from_db))
}

/// Removes run records older than `cutoff`; returns how many.
pub fn purge_runs(conn: &Connection, cutoff: &Timestamp) -> AppResult<usize> {
    Ok(conn.prepare_cached("DELETE FROM schedule_runs WHERE started_at < ?1")?.execute([time::to_db(cutoff)])?)
}

/// Every enabled schedule (the start-up check of their next firings).
pub fn enabled(conn: &Connection) -> AppResult<Vec<ScheduleRow>> {
    let sql = format!("{SELECT} {FROM} WHERE s.enabled = 1");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub fn set_next(conn: &Connection, id: ScheduleId, next: Option<&Timestamp>) -> AppResult<()> {
    conn.prepare_cached("UPDATE schedules SET next_run_at = ?2 WHERE id = ?1")?
        .execute(params![id, next.map(time::to_db)])?;
    Ok(())
}

/// Stops a schedule whose expression no longer parses.
pub fn disable(conn: &Connection, id: ScheduleId) -> AppResult<()> {
    conn.prepare_cached("UPDATE schedules SET enabled = 0, next_run_at = NULL WHERE id = ?1")?.execute([id])?;
    Ok(())
}

/// Disables system jobs this version does not know (renamed or dropped ones).
pub fn disable_system_except(conn: &Connection, names: &[String]) -> AppResult<usize> {
    let marks = vec!["?"; names.len().max(1)].join(", ");
    let mut vals: Vec<Value> = names.iter().map(|n| Value::Text(n.clone())).collect();
    if vals.is_empty() {
        vals.push(Value::Text(String::new()));
    }
    let sql =
        format!("UPDATE schedules SET enabled = 0, next_run_at = NULL WHERE kind = 'system' AND name NOT IN ({marks})");
    Ok(conn.prepare(&sql)?.execute(rusqlite::params_from_iter(vals))?)
}

pub fn count_user(conn: &Connection, user: UserId) -> AppResult<i64> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM schedules WHERE kind = 'user' AND user_id = ?1")?
        .query_row([user], |r| r.get(0))?)
}
