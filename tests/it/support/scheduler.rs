//! Driving the scheduler by hand: a test starts the server on a manual clock,
//! moves it, and waits for the runner's pass at the new instant instead of
//! sleeping through cron windows in real time.

use std::future::Future;
use std::panic::Location;
use std::time::Duration;

pub use meshcloud::clock::ManualClock;
pub use meshcloud_kernel::time::Timestamp;

use super::{Server, World, poll, sql, world_on};

/// A manual clock standing at the real now.
pub fn manual_clock() -> ManualClock {
    ManualClock::new(meshcloud_kernel::time::now())
}

/// `world()` on a server whose scheduler runs on `clock`.
pub async fn clocked_world(clock: &ManualClock) -> World {
    clocked_world_with(clock, |_| {}).await
}

/// `clocked_world` with the server's configuration adjusted.
pub async fn clocked_world_with(clock: &ManualClock, tweak: impl FnOnce(&mut meshcloud::config::Config)) -> World {
    let tmp = tempfile::TempDir::new().expect("tempdir");
    world_on(Server::start_on(tmp, clock.clock(), tweak).await).await
}

/// Parses an RFC 3339 time as the API renders it.
#[track_caller]
pub fn instant(t: &str) -> Timestamp {
    meshcloud_kernel::time::from_db(t).unwrap_or_else(|| panic!("not an RFC 3339 time: {t:?}"))
}

/// Moves `clock` to `t` and waits for the runner's pass there: every schedule
/// due by `t` is claimed, its run and `fired` event committed. System jobs
/// claimed may still be running (see `run_job`).
#[track_caller]
pub fn tick_to(clock: &ManualClock, t: Timestamp) -> impl Future<Output = ()> + '_ {
    let at = Location::caller();
    async move {
        clock.set(t);
        if tokio::time::timeout(Duration::from_secs(15), clock.passed(t)).await.is_err() {
            panic!("{at}: the runner made no pass at {t} within 15 s");
        }
    }
}

/// Runs of the system job `name`: (started, finished, finished with success).
pub async fn job_runs(s: &Server, name: &str) -> (i64, i64, i64) {
    let name = name.to_string();
    sql(&s.data_dir, move |c| {
        c.query_row(
            "SELECT count(*), count(r.finished_at), count(*) FILTER (WHERE r.outcome = 'ok')
               FROM schedule_runs r JOIN schedules s ON s.id = r.schedule_id
              WHERE s.kind = 'system' AND s.name = ?1",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("schedule runs")
    })
    .await
}

/// Moves `clock` on a second at a time until the system job `name` has
/// finished one more run successfully.
/// The clock only moves while no run of the job is going, so a run is not
/// skipped as busy.
pub async fn run_job(s: &Server, clock: &ManualClock, name: &str) {
    let (_, _, before) = job_runs(s, name).await;
    poll(&format!("a successful run of the {name} job"), Duration::from_secs(30), || async {
        let (started, finished, ok) = job_runs(s, name).await;
        if ok > before {
            return Some(());
        }
        if started == finished {
            tick_to(clock, clock.now() + chrono::Duration::seconds(1)).await;
        }
        None
    })
    .await;
}
