//! Waiting for something the server does on its own time: a job's effect, a
//! provisioning step, a child process starting or stopping.

use std::future::Future;
use std::panic::Location;
use std::time::{Duration, Instant};

/// Runs `check` until it answers `Some`, and answers that. Checks often at
/// first (5 ms), then less (up to every 50 ms); after `within` it panics,
/// naming what was awaited and where.
#[track_caller]
pub fn poll<T, F, Fut>(what: &str, within: Duration, mut check: F) -> impl Future<Output = T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let at = Location::caller();
    let what = what.to_string();
    async move {
        let deadline = Instant::now() + within;
        let mut pause = Duration::from_millis(5);
        loop {
            if let Some(v) = check().await {
                return v;
            }
            assert!(Instant::now() < deadline, "{at}: gave up after {within:?} waiting for {what}");
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }
}
