//! The plan catalogue: plans and the features (quantities) each grants.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::cols;
use meshcloud_kernel::ids::OrgId;
use meshcloud_kernel::time::{self, Timestamp};
use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone)]
pub struct PlanRow {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub name: String,
    pub cadence: String,
    pub currency: String,
    pub unit: String,
    pub minimum_units: i64,
    pub price_minor: i64,
    pub trial_days: i64,
    pub is_default: bool,
    pub stripe_price_id: Option<String>,
    pub archived_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

pub const PLAN_COLS: &str = "p.id, p.uuid, p.name, p.cadence, p.currency, p.unit, p.minimum_units, p.price_minor, \
     p.trial_days, p.is_default, p.stripe_price_id, p.archived_at, p.created_at, p.updated_at";

/// A plan from `PLAN_COLS` starting at column `at`.
pub fn plan_at(r: &Row<'_>, at: usize) -> rusqlite::Result<PlanRow> {
    Ok(PlanRow {
        id: r.get(at)?,
        uuid: cols::uuid(r, at + 1)?,
        name: r.get(at + 2)?,
        cadence: r.get(at + 3)?,
        currency: r.get(at + 4)?,
        unit: r.get(at + 5)?,
        minimum_units: r.get(at + 6)?,
        price_minor: r.get(at + 7)?,
        trial_days: r.get(at + 8)?,
        is_default: r.get::<_, i64>(at + 9)? == 1,
        stripe_price_id: r.get(at + 10)?,
        archived_at: cols::ts_opt(r, at + 11)?,
        created_at: cols::ts(r, at + 12)?,
        updated_at: cols::ts(r, at + 13)?,
    })
}

#[derive(Debug, Clone)]
pub struct FeatureRow {
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub plan_id: i64,
    pub name: String,
    pub quantity: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const FEATURE_COLS: &str = "f.id, f.uuid, f.plan_id, f.name, f.quantity, f.created_at, f.updated_at";

fn feature(r: &Row<'_>) -> rusqlite::Result<FeatureRow> {
    Ok(FeatureRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        plan_id: r.get(2)?,
        name: r.get(3)?,
        quantity: r.get(4)?,
        created_at: cols::ts(r, 5)?,
        updated_at: cols::ts(r, 6)?,
    })
}

/// Every plan, archived ones only when asked, in catalogue order (price, then name).
pub fn list(c: &Connection, archived: bool) -> AppResult<Vec<PlanRow>> {
    let sql = format!(
        "SELECT {PLAN_COLS} FROM billing_plans p {} ORDER BY p.price_minor, p.name, p.cadence, p.id",
        if archived { "" } else { "WHERE p.archived_at IS NULL" }
    );
    let mut stmt = c.prepare_cached(&sql)?;
    Ok(stmt.query_map([], |r| plan_at(r, 0))?.collect::<Result<_, _>>()?)
}

pub fn get(c: &Connection, id: i64) -> AppResult<PlanRow> {
    let sql = format!("SELECT {PLAN_COLS} FROM billing_plans p WHERE p.id = ?1");
    Ok(c.prepare_cached(&sql)?.query_row([id], |r| plan_at(r, 0))?)
}

pub fn by_uuid(c: &Connection, id: uuid::Uuid) -> AppResult<Option<PlanRow>> {
    let sql = format!("SELECT {PLAN_COLS} FROM billing_plans p WHERE p.uuid = ?1");
    Ok(c.prepare_cached(&sql)?.query_row([id.to_string()], |r| plan_at(r, 0)).optional()?)
}

pub fn by_name(c: &Connection, name: &str, cadence: &str) -> AppResult<Option<PlanRow>> {
    let sql = format!("SELECT {PLAN_COLS} FROM billing_plans p WHERE p.name = ?1 AND p.cadence = ?2");
    Ok(c.prepare_cached(&sql)?.query_row([name, cadence], |r| plan_at(r, 0)).optional()?)
}

pub fn by_stripe_price(c: &Connection, price: &str) -> AppResult<Option<PlanRow>> {
    let sql = format!("SELECT {PLAN_COLS} FROM billing_plans p WHERE p.stripe_price_id = ?1");
    Ok(c.prepare_cached(&sql)?.query_row([price], |r| plan_at(r, 0)).optional()?)
}

/// The plan of organizations without a live subscription.
pub fn default_plan(c: &Connection) -> AppResult<Option<PlanRow>> {
    let sql = format!("SELECT {PLAN_COLS} FROM billing_plans p WHERE p.is_default = 1");
    Ok(c.prepare_cached(&sql)?.query_row([], |r| plan_at(r, 0)).optional()?)
}

/// The plan whose features `org` has now: its live subscription's
/// (trialing, active, or past due while dunning runs), else the default.
pub fn effective(c: &Connection, org: OrgId) -> AppResult<Option<(PlanRow, Option<i64>)>> {
    let sql = format!(
        "SELECT {PLAN_COLS}, s.quantity FROM billing_subscriptions s JOIN billing_plans p ON p.id = s.plan_id
          WHERE s.org_id = ?1 AND s.status IN ('trialing', 'active', 'past_due')"
    );
    let live =
        c.prepare_cached(&sql)?.query_row([org], |r| Ok((plan_at(r, 0)?, Some(r.get::<_, i64>(14)?)))).optional()?;
    match live {
        Some(l) => Ok(Some(l)),
        None => Ok(default_plan(c)?.map(|p| (p, None))),
    }
}

/// The quantity of the feature `name` in `plan`, if the plan names it.
pub fn quantity(c: &Connection, plan: i64, name: &str) -> AppResult<Option<i64>> {
    Ok(c.prepare_cached("SELECT quantity FROM billing_features WHERE plan_id = ?1 AND name = ?2")?
        .query_row(params![plan, name], |r| r.get(0))
        .optional()?)
}

/// Features of one plan, or of every plan (`None`), in plan then name order.
pub fn features(c: &Connection, plan: Option<i64>) -> AppResult<Vec<FeatureRow>> {
    let sql = format!(
        "SELECT {FEATURE_COLS} FROM billing_features f JOIN billing_plans p ON p.id = f.plan_id
          WHERE (?1 IS NULL OR f.plan_id = ?1) ORDER BY p.price_minor, p.name, p.cadence, f.name"
    );
    let mut stmt = c.prepare_cached(&sql)?;
    Ok(stmt.query_map([plan], feature)?.collect::<Result<_, _>>()?)
}

/// What a plan is made of, for inserts and updates.
pub struct PlanFields<'a> {
    pub name: &'a str,
    pub cadence: &'a str,
    pub currency: &'a str,
    pub unit: &'a str,
    pub minimum_units: i64,
    pub price_minor: i64,
    pub trial_days: i64,
    pub stripe_price_id: Option<&'a str>,
}

pub fn insert(c: &Connection, uuid: uuid::Uuid, f: &PlanFields<'_>) -> AppResult<i64> {
    let now = time::now_db();
    c.prepare_cached(
        "INSERT INTO billing_plans (uuid, name, cadence, currency, unit, minimum_units, price_minor, trial_days,
                                    stripe_price_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
    )?
    .execute(params![
        uuid.to_string(),
        f.name,
        f.cadence,
        f.currency,
        f.unit,
        f.minimum_units,
        f.price_minor,
        f.trial_days,
        f.stripe_price_id,
        now
    ])?;
    Ok(c.last_insert_rowid())
}

pub fn update(c: &Connection, id: i64, f: &PlanFields<'_>) -> AppResult<()> {
    c.prepare_cached(
        "UPDATE billing_plans SET name = ?2, cadence = ?3, currency = ?4, unit = ?5, minimum_units = ?6,
                price_minor = ?7, trial_days = ?8, stripe_price_id = ?9, updated_at = ?10 WHERE id = ?1",
    )?
    .execute(params![
        id,
        f.name,
        f.cadence,
        f.currency,
        f.unit,
        f.minimum_units,
        f.price_minor,
        f.trial_days,
        f.stripe_price_id,
        time::now_db()
    ])?;
    Ok(())
}

pub fn set_archived(c: &Connection, id: i64, archived: bool) -> AppResult<()> {
    let now = time::now_db();
    c.prepare_cached(
        "UPDATE billing_plans SET archived_at = CASE WHEN ?2 THEN COALESCE(archived_at, ?3) END, updated_at = ?3
          WHERE id = ?1",
    )?
    .execute(params![id, archived, now])?;
    Ok(())
}

/// Makes `id` the default plan (and no other).
pub fn set_default(c: &Connection, id: i64) -> AppResult<()> {
    let now = time::now_db();
    c.prepare_cached("UPDATE billing_plans SET is_default = 0, updated_at = ?1 WHERE is_default = 1 AND id <> ?2")?
        .execute(params![now, id])?;
    c.prepare_cached("UPDATE billing_plans SET is_default = 1, updated_at = ?1 WHERE id = ?2")?
        .execute(params![now, id])?;
    Ok(())
}

/// Sets the features of a plan to exactly `features` (name, quantity).
pub fn set_features(c: &Connection, plan: i64, features: &[(String, i64)]) -> AppResult<()> {
    let now = time::now_db();
    let names: Vec<&str> = features.iter().map(|(n, _)| n.as_str()).collect();
    let mut existing = c.prepare_cached("SELECT id, name FROM billing_features WHERE plan_id = ?1")?;
    let gone: Vec<i64> = existing
        .query_map([plan], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
        .filter_map(Result::ok)
        .filter(|(_, n)| !names.contains(&n.as_str()))
        .map(|(id, _)| id)
        .collect();
    for id in gone {
        c.prepare_cached("DELETE FROM billing_features WHERE id = ?1")?.execute([id])?;
    }
    for (name, quantity) in features {
        c.prepare_cached(
            "INSERT INTO billing_features (uuid, plan_id, name, quantity, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)
             ON CONFLICT (plan_id, name) DO UPDATE SET quantity = excluded.quantity, updated_at = excluded.updated_at
             WHERE quantity <> excluded.quantity",
        )?
        .execute(params![meshcloud_kernel::ids::new_uuid().to_string(), plan, name, quantity, now])?;
    }
    Ok(())
}

/// Live subscriptions on a plan (a plan with any cannot be deleted).
pub fn subscribed(c: &Connection, plan: i64) -> AppResult<i64> {
    Ok(c.prepare_cached("SELECT count(*) FROM billing_subscriptions WHERE plan_id = ?1")?
        .query_row([plan], |r| r.get(0))?)
}

pub fn delete(c: &Connection, id: i64) -> AppResult<()> {
    c.prepare_cached("DELETE FROM billing_plans WHERE id = ?1")?.execute([id])?;
    Ok(())
}
