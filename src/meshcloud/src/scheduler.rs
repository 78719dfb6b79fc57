//! The one runner for everything periodic: users' schedules and the system
//! jobs. Due schedules are claimed in a write transaction (see
//! `Ops::claim_due`), so a firing is taken once even across restarts; the
//! system jobs claimed then run here, and their outcome is recorded.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use meshcloud_kernel::db::Db;
use meshcloud_ops::Ops;

use crate::clock::Clock;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::{debug, info, warn};

pub type JobFn = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<Outcome, String>> + Send>> + Send + Sync>;

/// What a run of a job did, for its record and the log. A run that found
/// nothing to do is logged at debug: the frequent jobs (provisioning every
/// 2 s, mail every 10 s) would otherwise fill the log with nothing.
pub struct Outcome {
    pub message: String,
    pub idle: bool,
}

impl Outcome {
    pub fn done(message: impl Into<String>) -> Outcome {
        Outcome { message: message.into(), idle: false }
    }

    pub fn idle(message: impl Into<String>) -> Outcome {
        Outcome { message: message.into(), idle: true }
    }

    /// Idle when `work` (the things the run changed) is zero.
    pub fn counted(work: usize, message: impl Into<String>) -> Outcome {
        Outcome { message: message.into(), idle: work == 0 }
    }
}

/// Schedules claimed per transaction: big enough for 10,000 due in a minute,
/// small enough that the writer is never held for long.
const BATCH: i64 = 500;
/// The longest the runner sleeps, so new schedules are noticed promptly.
const TICK: Duration = Duration::from_secs(1);
/// How long a running job may take to finish after a shutdown signal.
const FINISH: Duration = Duration::from_secs(30);

/// Starts the runner on `clock`; it stops claiming when `shutdown` turns true
/// and then waits (bounded) for the jobs it started.
pub fn spawn(
    ops: Ops,
    jobs: HashMap<String, JobFn>,
    clock: Clock,
    mut shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut running = JoinSet::new();
        // Jobs still running: a job claimed again meanwhile is skipped, not run twice at once.
        let busy: Arc<std::sync::Mutex<HashSet<String>>> = Arc::default();
        if let Err(e) = ops.repair_schedules(clock.now()).await {
            warn!(error = %e, "could not check schedules for firings set too far ahead");
        }
        loop {
            if *shutdown.borrow() {
                break;
            }
            let mut failed = false;
            let mut now;
            loop {
                now = clock.now();
                match ops.claim_due(now, BATCH).await {
                    Ok((n, due)) => {
                        for job in due {
                            let f = jobs.get(&job.name).cloned();
                            let ops = ops.clone();
                            let fresh = busy.lock().map(|mut b| b.insert(job.name.clone())).unwrap_or(false);
                            if !fresh {
                                let note = "skipped: the previous run is still going".to_string();
                                running.spawn(async move {
                                    let _ = ops.finish_run(job.run, false, note).await;
                                });
                                continue;
                            }
                            let busy = busy.clone();
                            running.spawn(async move {
                                let (ok, message) = match f {
                                    Some(f) => match f().await {
                                        Ok(Outcome { message, idle: true }) => {
                                            debug!(job = %job.name, "{message}");
                                            (true, message)
                                        }
                                        Ok(Outcome { message, idle: false }) => {
                                            info!(job = %job.name, "{message}");
                                            (true, message)
                                        }
                                        Err(e) => (false, e),
                                    },
                                    None => (false, format!("no job named {} in this version", job.name)),
                                };
                                if !ok {
                                    warn!(job = %job.name, error = %message, "job failed");
                                }
                                if let Err(e) = ops.finish_run(job.run, ok, message).await {
                                    warn!(job = %job.name, error = %e, "could not record the run");
                                }
                                if let Ok(mut b) = busy.lock() {
                                    b.remove(&job.name);
                                }
                            });
                        }
                        if (n as i64) < BATCH {
                            break;
                        }
                    }
                    Err(e) => {
                        warn!(error = %e, "claiming due schedules failed; retrying");
                        failed = true;
                        break;
                    }
                }
            }
            if !failed {
                // The last batch was short: everything due by `now` is claimed.
                clock.passed(now);
            }
            while running.try_join_next().is_some() {}
            // After a failure, back off instead of retrying a past-due row at once.
            let wait = match ops.next_due().await {
                Ok(Some(next)) if !failed => (next - clock.now()).to_std().unwrap_or_default().min(TICK),
                _ => TICK,
            };
            tokio::select! {
                _ = clock.sleep_after(now, wait) => {}
                // A dropped sender means the server is gone: stop as on shutdown.
                changed = shutdown.changed() => if changed.is_err() { break },
            }
        }
        if tokio::time::timeout(FINISH, async { while running.join_next().await.is_some() {} }).await.is_err() {
            warn!("jobs still running at shutdown were abandoned");
        }
    })
}

/// The online backup job: a consistent copy into `dir`, keeping the newest `keep`.
/// The copy is written under a temporary name and renamed when complete, so
/// an interrupted run never leaves a file that looks like a backup.
pub fn backup_job(db: Db, dir: PathBuf, keep: usize) -> JobFn {
    Arc::new(move || {
        let (db, dir) = (db.clone(), dir.clone());
        Box::pin(async move {
            std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            let name = format!("meshcloud-{}.db", chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"));
            let out = dir.join(&name);
            let partial = dir.join(format!(".{name}.partial"));
            let _ = std::fs::remove_file(&partial);
            db.backup_to(partial.clone()).await.map_err(|e| e.to_string())?;
            std::fs::rename(&partial, &out).map_err(|e| format!("cannot name the backup {}: {e}", out.display()))?;
            let mut copies: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map_err(|e| e.to_string())?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(is_backup_name))
                .collect();
            // Names sort by time; the copy just made is never removed, whatever the clock did.
            copies.sort();
            let excess = copies.len().saturating_sub(keep);
            let mut removed = 0;
            for old in copies.iter().take(excess).filter(|p| **p != out) {
                if std::fs::remove_file(old).is_ok() {
                    removed += 1;
                }
            }
            Ok(Outcome::done(format!("backed up to {} ({} kept)", out.display(), copies.len() - removed)))
        })
    })
}

/// `meshcloud-YYYYMMDDTHHMMSS.mmmZ.db`, the names this job writes; nothing
/// else in the directory is counted or removed.
fn is_backup_name(n: &str) -> bool {
    let Some(stamp) = n.strip_prefix("meshcloud-").and_then(|r| r.strip_suffix("Z.db")) else { return false };
    let b = stamp.as_bytes();
    b.len() == 19
        && b[8] == b'T'
        && b[15] == b'.'
        && b.iter().enumerate().all(|(i, c)| i == 8 || i == 15 || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_backup_names_count() {
        assert!(is_backup_name("meshcloud-20261123T020000.123Z.db"));
        assert!(!is_backup_name("meshcloud-pre-upgrade.db"));
        assert!(!is_backup_name(".meshcloud-20261123T020000.123Z.db.partial"));
        assert!(!is_backup_name("meshcloud-20261123T020000Z.db"));
    }
}
