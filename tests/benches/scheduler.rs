//! Scheduler stress check: 10,000 users' schedules firing every minute must be
//! claimed and recorded within that minute. The server runs in-process; the
//! schedules are created over loopback HTTP by concurrent clients, then the
//! firings at the next few minute boundaries are observed in the database
//! itself (read-only), since the API offers no view of when a firing was
//! committed.
//! Run: `cargo bench -p meshcloud-tests --bench scheduler` (release build).
//! `MESHCLOUD_BENCH_SCHEDULES` (default 10000) and `MESHCLOUD_BENCH_MINUTES`
//! (default 3) change the load and how many boundaries are measured;
//! `MESHCLOUD_BENCH_DIR=/some/empty/dir` keeps the data dir afterwards.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{header, run};

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use meshcloud_kernel::cron::Cron;
use meshcloud_kernel::time::{self, Timestamp};
use rusqlite::{Connection, OpenFlags, params};
use serde_json::json;

const EVERY_MINUTE: &str = "* * * * *";
/// How often the database is read while firings land; each read only takes
/// the rows added since the last, so it costs little next to the writer.
const POLL: Duration = Duration::from_millis(100);
/// How long past the last boundary to keep watching before giving up on a
/// minute that never completes (a backlog is then reported, not hidden).
const GRACE: Duration = Duration::from_secs(90);

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// CPU time (utime + stime) of each thread of this process, by thread name.
/// Server and bench share the process, so the bench's own main thread (which
/// only polls the database here) is told apart from the server's threads.
fn thread_cpu() -> Vec<(i64, String, Duration)> {
    let mut out = vec![];
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return out };
    for t in tasks.flatten() {
        let tid: i64 = t.file_name().to_string_lossy().parse().unwrap_or(0);
        let Ok(stat) = std::fs::read_to_string(t.path().join("stat")) else { continue };
        let Some((head, rest)) = stat.rsplit_once(')') else { continue };
        let name = head.split_once('(').map(|(_, n)| n.to_string()).unwrap_or_default();
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 =
            f.get(11).and_then(|u| u.parse().ok()).unwrap_or(0) + f.get(12).and_then(|s| s.parse().ok()).unwrap_or(0);
        out.push((tid, name, Duration::from_millis(ticks * 10)));
    }
    out
}

#[derive(Clone, Copy, Default)]
struct Cpu {
    /// Every thread but the bench's main one: the server, the HTTP clients
    /// (idle by then) and the runtime.
    server: Duration,
    writer: Duration,
}

fn cpu_sample() -> Cpu {
    let me = i64::from(std::process::id());
    let mut c = Cpu::default();
    for (tid, name, t) in thread_cpu() {
        if tid != me {
            c.server += t;
        }
        if name.starts_with("meshcloud-write") {
            c.writer += t;
        }
    }
    c
}

fn secs(from: &Timestamp, to: &Timestamp) -> f64 {
    (*to - *from).num_microseconds().unwrap_or(i64::MAX) as f64 / 1e6
}

/// What is known about the firings due at one boundary.
struct Minute {
    due: Timestamp,
    due_db: String,
    cpu_at_due: Option<Cpu>,
    /// When this bench first saw every run and every event committed.
    done: Option<(Timestamp, Cpu)>,
}

/// Follows `schedule_runs` and `events` forward from the rows present at the
/// start, counting runs and `schedule fired` events per due time.
struct Follower {
    conn: Connection,
    last_run: i64,
    last_event: i64,
    runs: HashMap<String, usize>,
    fired: HashMap<String, usize>,
}

impl Follower {
    fn open(db: &Path) -> Follower {
        let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .unwrap();
        conn.busy_timeout(Duration::from_secs(5)).unwrap();
        let last_run = conn.query_row("SELECT coalesce(max(id), 0) FROM schedule_runs", [], |r| r.get(0)).unwrap();
        let last_event = conn.query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0)).unwrap();
        Follower { conn, last_run, last_event, runs: HashMap::new(), fired: HashMap::new() }
    }

    fn poll(&mut self) {
        let mut runs =
            self.conn.prepare_cached("SELECT id, due_at FROM schedule_runs WHERE id > ?1 ORDER BY id").unwrap();
        let rows = runs.query_map([self.last_run], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))).unwrap();
        for row in rows {
            let (id, due) = row.unwrap();
            self.last_run = id;
            *self.runs.entry(due).or_default() += 1;
        }
        let mut events = self
            .conn
            .prepare_cached(
                "SELECT id, CASE WHEN category = 'schedule' AND action = 'fired'
                                 THEN json_extract(metadata, '$.due_at') END
                   FROM events WHERE id > ?1 ORDER BY id",
            )
            .unwrap();
        let rows =
            events.query_map([self.last_event], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))).unwrap();
        for row in rows {
            let (id, due) = row.unwrap();
            self.last_event = id;
            if let Some(due) = due {
                *self.fired.entry(due).or_default() += 1;
            }
        }
    }

    fn counts(&self, due: &str) -> (usize, usize) {
        (self.runs.get(due).copied().unwrap_or(0), self.fired.get(due).copied().unwrap_or(0))
    }
}

/// The recorded facts of one minute's firings, read after the fact.
struct Recorded {
    runs: usize,
    schedules: usize,
    events: usize,
    first_claim: Option<Timestamp>,
    last_claim: Option<Timestamp>,
    last_event: Option<Timestamp>,
    /// Distinct claim times: one per `claim_due` transaction.
    batches: usize,
}

fn recorded(conn: &Connection, since_run: i64, since_event: i64, due: &str) -> Recorded {
    let ts = |s: Option<String>| s.as_deref().and_then(time::from_db);
    let (runs, schedules, first, last, batches) = conn
        .query_row(
            "SELECT count(*), count(DISTINCT schedule_id), min(started_at), max(started_at), count(DISTINCT started_at)
               FROM schedule_runs WHERE id > ?1 AND due_at = ?2",
            params![since_run, due],
            |r| {
                Ok((
                    r.get::<_, i64>(0)? as usize,
                    r.get::<_, i64>(1)? as usize,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, i64>(4)? as usize,
                ))
            },
        )
        .unwrap();
    let (events, last_event) = conn
        .query_row(
            "SELECT count(*), max(created_at) FROM events
              WHERE id > ?1 AND category = 'schedule' AND action = 'fired' AND json_extract(metadata, '$.due_at') = ?2",
            params![since_event, due],
            |r| Ok((r.get::<_, i64>(0)? as usize, r.get::<_, Option<String>>(1)?)),
        )
        .unwrap();
    Recorded {
        runs,
        schedules,
        events,
        first_claim: ts(first),
        last_claim: ts(last),
        last_event: ts(last_event),
        batches,
    }
}

async fn sleep_until(t: &Timestamp) {
    if let Ok(d) = (*t - time::now()).to_std() {
        tokio::time::sleep(d).await;
    }
}

fn main() {
    let schedules = env_usize("MESHCLOUD_BENCH_SCHEDULES", 10_000);
    let minutes = env_usize("MESHCLOUD_BENCH_MINUTES", 3).max(1);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let pass = rt.block_on(async {
        let tmp = tempfile::TempDir::new().unwrap();
        let dir = std::env::var_os("MESHCLOUD_BENCH_DIR").map_or_else(|| tmp.path().join("data"), Into::into);
        let common::Bench { http, base, bearer } = common::start(dir.clone(), |_| {}).await;
        // Firings are logged in the owner's org, as for a real user; without
        // one the events would skip the per-org indexes and counts.
        let org = http
            .post(format!("{base}/api/identity/orgs"))
            .header("authorization", &bearer)
            .json(&json!({"name": "scheduler-bench"}))
            .send()
            .await
            .unwrap();
        assert!(org.status().is_success(), "create org: {}", org.status());

        println!(
            "meshcloud scheduler benchmark: {schedules} schedules `{EVERY_MINUTE}`, {} cores, {minutes} minute boundaries",
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
        if std::env::var_os("MESHCLOUD_BENCH_DIR").is_some() {
            println!("data dir kept at {}", dir.display());
        }
        println!();
        header();
        let (http2, base2, bearer2): (_, Arc<str>, Arc<str>) = (http.clone(), base.clone().into(), bearer.clone().into());
        run(format!("create {schedules} schedules (POST /user/schedules)"), schedules, move |i| {
            let (http, base, bearer) = (http2.clone(), base2.clone(), bearer2.clone());
            async move {
                http.post(format!("{base}/user/schedules"))
                    .header("authorization", &*bearer)
                    .json(&json!({"name": format!("every-minute-{i:05}"), "cron_expression": EVERY_MINUTE}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        })
        .await
        .print();

        let mut f = Follower::open(&dir.join(meshcloud_kernel::db::DB_FILE));
        let n: i64 = f
            .conn
            .query_row("SELECT count(*) FROM schedules WHERE kind = 'user' AND enabled = 1", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n as usize, schedules, "schedules stored");
        let (since_run, since_event) = (f.last_run, f.last_event);

        // The boundaries come from the same cron code the runner uses, so
        // they match the stored `due_at` exactly.
        let cron = Cron::parse(EVERY_MINUTE).unwrap();
        let mut t = time::now();
        let mut window: Vec<Minute> = (0..minutes)
            .map(|_| {
                t = cron.next_after(&t).unwrap();
                Minute { due: t, due_db: time::to_db(&t), cpu_at_due: None, done: None }
            })
            .collect();
        let give_up = window[minutes - 1].due + GRACE;
        println!(
            "waiting {:.1} s for the first boundary, {}",
            secs(&time::now(), &window[0].due),
            time::to_db(&window[0].due)
        );

        loop {
            let now = time::now();
            for m in &mut window {
                if m.cpu_at_due.is_none() && now >= m.due {
                    m.cpu_at_due = Some(cpu_sample());
                }
            }
            f.poll();
            let now = time::now();
            for m in &mut window {
                if m.done.is_none() && m.cpu_at_due.is_some() {
                    let (runs, fired) = f.counts(&m.due_db);
                    if runs >= schedules && fired >= schedules {
                        m.done = Some((now, cpu_sample()));
                    }
                }
            }
            if window.iter().all(|m| m.done.is_some()) || now > give_up {
                break;
            }
            // Wake exactly at the next boundary so its CPU baseline is clean.
            match window.iter().find(|m| m.cpu_at_due.is_none()) {
                Some(next) if (next.due - now).to_std().is_ok_and(|d| d < POLL) => sleep_until(&next.due).await,
                _ => tokio::time::sleep(POLL).await,
            }
        }

        println!();
        println!(
            "{:<6} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9} {:>8} {:>9} {:>9} {:>9}",
            "minute",
            "runs",
            "fired",
            "first s",
            "last s",
            "event s",
            "seen s",
            "batches",
            "firings/s",
            "cpu %",
            "writer s"
        );
        let mut late = 0;
        for m in &window {
            let r = recorded(&f.conn, since_run, since_event, &m.due_db);
            let lat = |t: &Option<Timestamp>| t.as_ref().map_or("-".into(), |t| format!("{:.2}", secs(&m.due, t)));
            let (seen, rate, cpu, writer) = match (&m.done, &m.cpu_at_due, &r.first_claim) {
                (Some((at, c1)), Some(c0), Some(first)) => {
                    let wall = secs(&m.due, at).max(1e-3);
                    (
                        format!("{wall:.2}"),
                        format!("{:.0}", r.runs as f64 / secs(first, at).max(1e-3)),
                        // Of one core, over boundary to last commit seen.
                        format!("{:.0}", (c1.server - c0.server).as_secs_f64() / wall * 100.0),
                        format!("{:.2}", (c1.writer - c0.writer).as_secs_f64()),
                    )
                }
                _ => ("never".into(), "-".into(), "-".into(), "-".into()),
            };
            let in_time = m.done.as_ref().is_some_and(|(at, _)| secs(&m.due, at) < 60.0);
            if !in_time {
                late += 1;
            }
            println!(
                "{:<6} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9} {:>8} {:>9} {:>9} {:>9}",
                &m.due_db[11..16],
                r.runs,
                r.events,
                lat(&r.first_claim),
                lat(&r.last_claim),
                lat(&r.last_event),
                seen,
                r.batches,
                rate,
                cpu,
                writer
            );
            assert_eq!(r.schedules, r.runs, "a schedule fired twice for {}", m.due_db);
        }
        println!();
        println!(
            "first/last s: claim time (`started_at`) of the first/last run after the boundary; event s: the last \
             `fired` event's `created_at`; seen s: when this bench saw all {schedules} runs and events committed; \
             batches: claim transactions; cpu %: the server's threads (of one core) from the boundary to seen; \
             writer s: CPU of the SQLite writer thread in that span."
        );
        if late == 0 {
            println!("PASS: every minute's {schedules} firings were claimed and recorded within the minute");
        } else {
            println!("FAIL: {late} of {minutes} minutes did not have all {schedules} firings recorded within the minute");
        }
        late == 0
    });
    // A failed check fails the script that runs it; the data dir is gone by now.
    if !pass {
        std::process::exit(1);
    }
}
