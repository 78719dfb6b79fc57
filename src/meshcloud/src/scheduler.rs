//! The one runner for everything periodic: users' schedules and the system
//! jobs. Due schedules are claimed in a write transaction (see
//! `Ops::claim_due`), so a firing is taken once even across restarts; the
//! system jobs claimed then run here, and their outcome is recorded.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use meshcloud_kernel::db::Db;
use meshcloud_ops::Ops;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::{info, warn};

pub type JobFn = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<String, String>> + Send>> + Send + Sync>;

/// Schedules claimed per transaction: big enough for 10,000 due in a minute,
/// small enough that the writer is never held for long.
const BATCH: i64 = 500;
/// The longest the runner sleeps, so new schedules are noticed promptly.
const TICK: Duration = Duration::from_secs(1);
/// How long a running job may take to finish after a shutdown signal.
const FINISH: Duration = Duration::from_secs(30);

/// Starts the runner; it stops claiming when `shutdown` turns true and then
/// waits (bounded) for the jobs it started.
pub fn spawn(
    ops: Ops,
    jobs: HashMap<String, JobFn>,
    mut shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut running = JoinSet::new();
        loop {
            if *shutdown.borrow() {
                break;
            }
            loop {
                match ops.claim_due(meshcloud_kernel::time::now(), BATCH).await {
                    Ok((n, due)) => {
                        for job in due {
                            let f = jobs.get(&job.name).cloned();
                            let ops = ops.clone();
                            running.spawn(async move {
                                let (ok, message) = match f {
                                    Some(f) => match f().await {
                                        Ok(m) => (true, m),
                                        Err(e) => (false, e),
                                    },
                                    None => (false, format!("no job named {} in this version", job.name)),
                                };
                                if ok {
                                    info!(job = %job.name, "{message}");
                                } else {
                                    warn!(job = %job.name, error = %message, "job failed");
                                }
                                if let Err(e) = ops.finish_run(job.run, ok, message).await {
                                    warn!(job = %job.name, error = %e, "could not record the run");
                                }
                            });
                        }
                        if (n as i64) < BATCH {
                            break;
                        }
                    }
                    Err(e) => {
                        warn!(error = %e, "claiming due schedules failed; retrying");
                        break;
                    }
                }
            }
            while running.try_join_next().is_some() {}
            let wait = match ops.next_due().await {
                Ok(Some(next)) => (next - meshcloud_kernel::time::now()).to_std().unwrap_or_default().min(TICK),
                _ => TICK,
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = shutdown.changed() => {}
            }
        }
        if tokio::time::timeout(FINISH, async { while running.join_next().await.is_some() {} }).await.is_err() {
            warn!("jobs still running at shutdown were abandoned");
        }
    })
}

/// The online backup job: a consistent copy into `dir`, keeping the newest `keep`.
pub fn backup_job(db: Db, dir: PathBuf, keep: usize) -> JobFn {
    Arc::new(move || {
        let (db, dir) = (db.clone(), dir.clone());
        Box::pin(async move {
            std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            let name = format!("meshcloud-{}.db", chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"));
            let out = dir.join(&name);
            db.backup_to(out.clone()).await.map_err(|e| e.to_string())?;
            let mut copies: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map_err(|e| e.to_string())?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("meshcloud-") && n.ends_with(".db"))
                })
                .collect();
            // Names sort by time.
            copies.sort();
            let excess = copies.len().saturating_sub(keep);
            for old in &copies[..excess] {
                let _ = std::fs::remove_file(old);
            }
            Ok(format!("backed up to {} ({} kept)", out.display(), copies.len() - excess))
        })
    })
}
