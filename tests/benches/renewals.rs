//! Renewals benchmark, in-process: 10,000 organizations each with an active
//! offline subscription (Team Designer, monthly, 1–5 seats) whose period
//! ended a second ago, seeded with plain SQL into a freshly migrated store;
//! then one run of the billing job (`Billing::run_billing`, batches of 500
//! per write transaction) on a fixed clock. Reports the wall time, the
//! process's CPU time and both per subscription; checks that every
//! subscription was renewed exactly once into the next period with one
//! `subscription_cycle` invoice, and that the invoice numbers are
//! 1..=10000 without gaps or repeats.
//! Run: `bench/renewals.sh`. `MESHCLOUD_BENCH_SUBSCRIPTIONS` changes the
//! number; `MESHCLOUD_BENCH_DIR` (an empty or missing directory) keeps the data dir.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use meshcloud_billing::{Billing, BillingSettings};
use meshcloud_identity::{Identity, IdentitySettings};
use meshcloud_kernel::db::{Db, DbOptions};
use meshcloud_kernel::time::{self, Timestamp};
use rusqlite::params;

const PERIOD_START: &str = "2027-01-01T00:00:00Z";
const PERIOD_END: &str = "2027-02-01T00:00:00Z";
const NEXT_END: &str = "2027-03-01T00:00:00Z";

fn ts(s: &str) -> Timestamp {
    time::from_db(s).expect("time")
}

/// utime + stime of this process (the bench and the store's writer thread).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, r)| r.split_whitespace().collect()).unwrap_or_default();
    let ticks: u64 = fields.get(11).and_then(|u| u.parse().ok()).unwrap_or(0)
        + fields.get(12).and_then(|s| s.parse().ok()).unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

/// One admin user, `n` organizations and one due subscription in each.
fn seed(c: &rusqlite::Connection, n: usize) -> meshcloud_kernel::AppResult<()> {
    let now = time::now_db();
    c.execute(
        "INSERT INTO users (uuid, email, user_id, created_at, updated_at) VALUES (?1, 'owner@example.com', 'owner', ?2, ?2)",
        params![uuid::Uuid::new_v4().to_string(), now],
    )?;
    let owner = c.last_insert_rowid();
    let plan: i64 =
        c.query_row("SELECT id FROM billing_plans WHERE name = 'Team Designer' AND cadence = 'monthly'", [], |r| {
            r.get(0)
        })?;
    let (start, end) = (time::to_db(&ts(PERIOD_START)), time::to_db(&ts(PERIOD_END)));
    let mut org = c.prepare(
        "INSERT INTO organizations (uuid, name, owner_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
    )?;
    let mut sub = c.prepare(
        "INSERT INTO billing_subscriptions (uuid, org_id, plan_id, quantity, status, processor, billing_anchor,
                current_period_start, current_period_end, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'active', 'offline', ?5, ?5, ?6, ?7, ?7)",
    )?;
    for i in 0..n {
        org.execute(params![uuid::Uuid::new_v4().to_string(), format!("org-{i:05}"), owner, now])?;
        let id = c.last_insert_rowid();
        sub.execute(params![uuid::Uuid::new_v4().to_string(), id, plan, (i % 5 + 1) as i64, start, end, now])?;
    }
    Ok(())
}

fn main() {
    let n: usize = std::env::var("MESHCLOUD_BENCH_SUBSCRIPTIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let tmp = tempfile::TempDir::new().expect("tempdir");
    let dir = std::env::var_os("MESHCLOUD_BENCH_DIR").map(std::path::PathBuf::from).unwrap_or(tmp.path().into());
    std::fs::create_dir_all(&dir).expect("data dir");
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async move {
        let db = Db::open(&meshcloud_kernel::db::db_path(&dir), DbOptions::default()).expect("open the store");
        let seeding = Instant::now();
        db.write(move |c| seed(c, n)).await.expect("seed");
        println!("seeded {n} organizations with a subscription due in {:.2} s", seeding.elapsed().as_secs_f64());

        let now = ts(PERIOD_END) + chrono::Duration::seconds(1);
        let identity = Identity::new(db.clone(), IdentitySettings::default());
        let billing = Billing::new(db.clone(), identity, BillingSettings::default()).with_clock(Arc::new(move || now));
        let (cpu0, start) = (cpu_time(), Instant::now());
        let changed = billing.run_billing().await.expect("billing run");
        let (wall, cpu) = (start.elapsed(), cpu_time().saturating_sub(cpu0));
        println!(
            "run_billing: {changed} subscriptions in {:.3} s wall ({:.1} µs each), {:.3} s CPU ({:.1} µs each)",
            wall.as_secs_f64(),
            wall.as_secs_f64() * 1e6 / n as f64,
            cpu.as_secs_f64(),
            cpu.as_secs_f64() * 1e6 / n as f64,
        );

        let (renewed, numbers, cycles) = db
            .read(|c| {
                let renewed: i64 = c.query_row(
                    "SELECT count(*) FROM billing_subscriptions WHERE status = 'active' AND current_period_start = ?1
                        AND current_period_end = ?2",
                    params![time::to_db(&ts(PERIOD_END)), time::to_db(&ts(NEXT_END))],
                    |r| r.get(0),
                )?;
                let mut st = c.prepare("SELECT number FROM billing_invoices ORDER BY number")?;
                let numbers: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
                let cycles: i64 = c.query_row(
                    "SELECT count(DISTINCT subscription_id) FROM billing_invoices WHERE reason = 'subscription_cycle'",
                    [],
                    |r| r.get(0),
                )?;
                Ok((renewed, numbers, cycles))
            })
            .await
            .expect("read back");
        assert_eq!(changed, n, "the run reports every subscription");
        assert_eq!(renewed as usize, n, "every subscription is in its next period");
        assert_eq!(cycles as usize, n, "each subscription has its renewal invoice");
        let expected: Vec<String> = (1..=n).map(|i| format!("INV-{i:06}")).collect();
        assert_eq!(numbers, expected, "invoice numbers 1..={n} without gaps or repeats");
        println!("checked: {n} renewed once, invoices INV-000001..INV-{n:06} without gaps");
        db.close();
    });
}
