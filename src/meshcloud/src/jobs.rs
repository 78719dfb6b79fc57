//! System jobs: each has a cron schedule from config (empty = disabled), skips
//! runs it missed while the process was down or busy, and stops on shutdown.

use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::Arc;

use chrono::Utc;
use cron::Schedule;
use tokio::sync::watch;
use tracing::{info, warn};

pub type JobFn = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<String, String>> + Send>> + Send + Sync>;

/// Parses a schedule: cron with seconds first; a classic 5-field expression
/// gets a `0` seconds field.
pub fn parse_schedule(expr: &str) -> Result<Schedule, String> {
    let expr = expr.trim();
    let full = if expr.split_whitespace().count() == 5 { format!("0 {expr}") } else { expr.to_string() };
    Schedule::from_str(&full).map_err(|e| format!("{expr:?} is not a cron schedule: {e}"))
}

/// Starts `job` on `schedule`; returns immediately. The task ends when
/// `shutdown` turns true.
pub fn spawn(name: &'static str, schedule: Schedule, job: JobFn, mut shutdown: watch::Receiver<bool>) {
    tokio::spawn(async move {
        loop {
            // Computed from now each time, so runs missed while busy are skipped.
            let Some(next) = schedule.upcoming(Utc).next() else { return };
            let wait = (next - Utc::now()).to_std().unwrap_or_default();
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = shutdown.changed() => return,
            }
            if *shutdown.borrow() {
                return;
            }
            match job().await {
                Ok(summary) => info!(job = name, "{summary}"),
                Err(e) => warn!(job = name, error = %e, "job failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules() {
        assert!(parse_schedule("0 30 3 * * *").is_ok());
        assert!(parse_schedule("30 3 * * *").is_ok(), "5-field cron gets a seconds field");
        assert!(parse_schedule("whenever").is_err());
    }
}
