//! Whether the database needs its integrity checked at start-up.
//!
//! Reading every page (`PRAGMA quick_check`) took seconds at a million rows,
//! on every start. A marker file next to the database says it may not have
//! been closed cleanly: a server creates it before it touches the database
//! and removes it only after a clean close, so a crash, a kill or a start that
//! failed half-way leaves it behind, and the next start checks. A restore
//! also leaves it, so a restored file is checked once before it is served.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rusqlite::Connection;
use tracing::{info, warn};

use crate::{AppError, AppResult};

/// `meshcloud.db` → `meshcloud.db-dirty`, beside SQLite's own `-wal` and `-shm`.
pub fn marker_path(db: &Path) -> PathBuf {
    let mut name = OsString::from(db.as_os_str());
    name.push("-dirty");
    PathBuf::from(name)
}

pub fn is_dirty(db: &Path) -> bool {
    marker_path(db).exists()
}

/// Creates the marker and makes it durable.
pub fn mark_dirty(db: &Path) -> AppResult<()> {
    create(db)?;
    sync(db)
}

/// Creates the marker; not yet durable (see [`sync`]).
pub fn create(db: &Path) -> AppResult<()> {
    let marker = marker_path(db);
    std::fs::File::create(&marker)
        .map(drop)
        .map_err(|e| AppError::internal(format!("cannot write {}: {e}", marker.display())))
}

/// Makes the marker durable (the file, then its directory entry), so that
/// after a power loss it is there whenever the database may have changed.
pub fn sync(db: &Path) -> AppResult<()> {
    let marker = marker_path(db);
    let fail = |e: std::io::Error| AppError::internal(format!("cannot sync {}: {e}", marker.display()));
    std::fs::File::open(&marker).and_then(|f| f.sync_all()).map_err(fail)?;
    if let Some(dir) = marker.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Opening a directory to sync it is not possible everywhere; the
        // marker is then as durable as the platform makes it.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// Removes the marker after a clean close. Losing this removal is harmless:
/// the next start only checks once more.
pub fn mark_clean(db: &Path) {
    let marker = marker_path(db);
    if let Err(e) = std::fs::remove_file(&marker)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        warn!(marker = %marker.display(), error = %e, "cannot remove the unclean-shutdown marker");
    }
}

/// `PRAGMA quick_check` on `conn`; an error naming the first problem.
pub fn quick_check(conn: &Connection, why: &str) -> AppResult<()> {
    info!("{why}: checking the database's integrity");
    let started = Instant::now();
    let quick: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if quick != "ok" {
        return Err(AppError::Internal(format!(
            "the database failed its integrity check ({quick}); restore a backup or run `meshcloud check-db`"
        )));
    }
    info!(ms = started.elapsed().as_millis() as u64, "the database passed its integrity check");
    Ok(())
}
