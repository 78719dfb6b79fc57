//! The store: one SQLite file in WAL mode, one writer thread that group-commits
//! concurrent writes, and a small pool of reader connections.
//!
//! Every write runs inside `BEGIN IMMEDIATE` on the writer thread, each job in
//! its own savepoint so that one failing job does not undo its neighbours; the
//! batch is committed once (one fsync) and only then is each caller answered.
//! An answer of success therefore means the change is on disk.

pub mod cols;
pub mod dirty;
pub mod pages;
pub mod plan;
pub mod query;
pub mod search;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{AppError, AppResult};

pub use rusqlite;

/// The handle a `read` or `write` closure gets: services pass it on to their
/// store functions without knowing SQL.
pub type Conn = rusqlite::Connection;

// Rust migrations are modules named after their files (`V012__name`).
#[allow(non_snake_case)]
mod embedded {
    refinery::embed_migrations!("../../migrations");
}

/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 256;

/// The database file inside a data dir.
pub const DB_FILE: &str = "meshcloud.db";

/// How the store is opened.
#[derive(Debug, Clone)]
pub struct DbOptions {
    pub readers: usize,
    /// How long a request waits for a connection or a place in the write queue.
    pub wait_timeout: Duration,
    /// SQLite's own wait for a lock held by another process (CLI tools, backups).
    pub busy_timeout: Duration,
    /// The writer refreshes planner statistics after this many committed
    /// batches, and after an hour of activity, whichever comes first.
    pub optimize_every: u32,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions {
            readers: 4,
            wait_timeout: Duration::from_secs(5),
            busy_timeout: Duration::from_secs(5),
            optimize_every: 1000,
        }
    }
}

#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    opts: DbOptions,
    writer: writer::WriterHandle,
    readers: Mutex<Vec<Reader>>,
    read_permits: Arc<Semaphore>,
    /// This store created the unclean-shutdown marker and removes it on close.
    owns_marker: bool,
    /// Advanced by the writer each time it changes the statistics.
    stats: Arc<AtomicU64>,
}

/// A pooled reader and the statistics generation it loaded. SQLite reads
/// `sqlite_stat1` only when a connection loads the schema, and an ANALYZE
/// does not change the schema cookie, so other connections keep planning
/// from what they loaded (reloading, `ANALYZE sqlite_schema`, needs the write
/// lock). A reader older than the writer's last analysis is replaced by a
/// new connection before its next use.
struct Reader {
    conn: Connection,
    stats: u64,
}

pub fn db_path(data_dir: &Path) -> PathBuf {
    data_dir.join(DB_FILE)
}

fn open_conn(path: &Path, opts: &DbOptions, read_only: bool) -> AppResult<Connection> {
    open_store_conn(path, opts, read_only, false)
}

/// A connection of the store; `analyze`: refresh statistics first (the
/// store's own connections, not those of `check` or `migrate`, which leave
/// the file as it is).
fn open_store_conn(path: &Path, opts: &DbOptions, read_only: bool, analyze: bool) -> AppResult<Connection> {
    let conn = open_plain(path, opts)?;
    if analyze {
        refresh_statistics(&conn);
    }
    if read_only {
        conn.execute_batch("PRAGMA query_only = ON;")?;
    }
    Ok(conn)
}

/// A reader opened to replace one whose statistics are out of date: the
/// writer has just analyzed, so it does not try again.
fn reopen_reader(path: &Path, opts: &DbOptions) -> AppResult<Connection> {
    let conn = open_plain(path, opts)?;
    conn.execute_batch("PRAGMA query_only = ON;")?;
    Ok(conn)
}

/// A connection with the store's settings.
fn open_plain(path: &Path, opts: &DbOptions) -> AppResult<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(opts.busy_timeout)?;
    // Room for every statement the stores prepare: with rusqlite's default of
    // 16 the cache thrashes and requests pay for parsing and planning again.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // FULL: an acknowledged commit survives power loss, not only a crash.
    // Group commit pays for the fsync once per batch.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -16000;
         PRAGMA analysis_limit = 400;",
    )?;
    Ok(conn)
}

/// SQLite-only: statistics that describe the tables as they are now. Plans
/// chosen from statistics taken when a table was nearly empty can turn an
/// index lookup into a scan per row, so each connection, when it opens, and
/// the writer on a schedule re-analyze every table whose size changed a lot
/// since its last analysis (0x10000: all tables, not only the ones this
/// connection used). `analysis_limit` bounds each ANALYZE to a sample, so this
/// stays cheap at any size. Best effort: a lock held by another process only
/// postpones it. Returns whether anything was analyzed.
///
/// Debug mode (0x1) lists the ANALYZE statements `optimize` would run; they
/// are run here, so the caller knows whether statistics changed.
pub(crate) fn refresh_statistics(conn: &Connection) -> bool {
    let stale = || -> rusqlite::Result<Vec<String>> {
        let mut stmt = conn.prepare("PRAGMA optimize = 0x10013")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect()
    };
    let mut analyzed = false;
    for sql in stale().unwrap_or_default() {
        analyzed |= sql.starts_with("ANALYZE") && conn.execute_batch(&sql).is_ok();
    }
    analyzed
}

/// The newest schema version this binary knows.
pub fn known_schema_version() -> i32 {
    embedded::migrations::runner().get_migrations().iter().map(|m| m.version()).max().unwrap_or(0)
}

/// Applies pending migrations. Refuses a database that a newer binary migrated.
pub fn migrate(path: &Path) -> AppResult<usize> {
    migrate_conn(&mut open_conn(path, &DbOptions::default(), false)?)
}

fn migrate_conn(conn: &mut Connection) -> AppResult<usize> {
    schema_not_newer(conn)?;
    conn.execute_batch("PRAGMA foreign_keys = OFF;")?;
    let report = embedded::migrations::runner()
        .set_abort_divergent(true)
        .set_abort_missing(true)
        .run(conn)
        .map_err(|e| AppError::Internal(format!("migration failed: {e}")))?;
    conn.execute_batch("PRAGMA foreign_keys = ON;")?;
    let applied = report.applied_migrations().len();
    // Only a migration can leave a reference dangling (writes run with foreign
    // keys on); the check reads every table, so it runs only after one.
    if applied > 0 {
        let violations: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))?;
        if violations > 0 {
            return Err(AppError::Internal(format!("migration left {violations} foreign key violations")));
        }
    }
    Ok(applied)
}

/// The newest applied schema version; an error if a newer binary applied it.
fn schema_not_newer(conn: &Connection) -> AppResult<i32> {
    let newest = applied_versions(conn)?.into_iter().max().unwrap_or(0);
    let known = known_schema_version();
    if newest > known {
        return Err(AppError::Internal(format!(
            "the database schema is at version {newest}, newer than this binary knows ({known}); \
             run a meshcloud at least as new as the one that last migrated it"
        )));
    }
    Ok(newest)
}

fn applied_versions(conn: &Connection) -> AppResult<Vec<i32>> {
    let exists: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'refinery_schema_history'",
        [],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(vec![]);
    }
    let mut stmt = conn.prepare("SELECT version FROM refinery_schema_history")?;
    let versions = stmt.query_map([], |r| r.get(0))?.collect::<Result<Vec<i32>, _>>()?;
    Ok(versions)
}

/// `PRAGMA integrity_check` and a foreign-key check; returns the problems found.
pub fn check(path: &Path) -> AppResult<Vec<String>> {
    if !path.exists() {
        return Err(AppError::validation(format!("no database at {}", path.display())));
    }
    let conn = open_conn(path, &DbOptions::default(), true)?;
    let mut problems = Vec::new();
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    for row in stmt.query_map([], |r| r.get::<_, String>(0))? {
        let row = row?;
        if row != "ok" {
            problems.push(row);
        }
    }
    let mut fk = conn.prepare("SELECT \"table\", rowid, parent FROM pragma_foreign_key_check")?;
    for row in
        fk.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?, r.get::<_, String>(2)?)))?
    {
        let (table, rowid, parent) = row?;
        problems.push(format!("{table} row {rowid:?} references a missing {parent}"));
    }
    Ok(problems)
}

/// Fails unless the database at `path` exists and is at exactly this
/// binary's schema: tools that run next to a server never migrate it.
pub fn require_current_schema(path: &Path) -> AppResult<()> {
    if !path.exists() {
        return Err(AppError::validation(format!("no database at {}", path.display())));
    }
    let conn = open_conn(path, &DbOptions::default(), true)?;
    let newest = schema_not_newer(&conn)?;
    let known = known_schema_version();
    if newest < known {
        return Err(AppError::validation(format!(
            "the database schema is at version {newest}, older than this binary's {known}; run `meshcloud migrate` first"
        )));
    }
    Ok(())
}

impl Db {
    /// Opens the store at `path` the server's way: checks its integrity if it
    /// was not closed cleanly (see [`dirty`]), migrates it, and marks it open
    /// until [`Db::close`]. Only one process may do this at a time.
    pub fn open(path: &Path, opts: DbOptions) -> AppResult<Db> {
        let unclean = dirty::is_dirty(path);
        if !unclean {
            dirty::create(path)?;
        }
        let mut conn = open_conn(path, &opts, false)?;
        if unclean {
            // Before migrating: a damaged file is refused before anything writes to it.
            dirty::quick_check(&conn, "the database was not closed cleanly")?;
        }
        // The marker must be on disk before this process's first commit. A
        // migration commits now; otherwise the writer syncs it before its
        // first commit that changes rows, so that a start with nothing to
        // write waits for no fsync. A marker found at start was synced by the
        // run that made it.
        let mut sync_marker = None;
        if !unclean {
            if schema_not_newer(&conn)? < known_schema_version() {
                dirty::sync(path)?;
            } else {
                let path = path.to_path_buf();
                sync_marker = Some(Box::new(move || dirty::sync(&path)) as writer::BeforeFirstCommit);
            }
        }
        migrate_conn(&mut conn)?;
        Self::start(path, opts, conn, true, sync_marker)
    }

    /// Opens a store that must already be at this binary's schema (the tools'
    /// way). Its integrity is checked when the marker is there (a server
    /// holds it, or none closed it cleanly); the marker is left as it is.
    pub fn open_existing(path: &Path, opts: DbOptions) -> AppResult<Db> {
        require_current_schema(path)?;
        let conn = open_conn(path, &opts, false)?;
        if dirty::is_dirty(path) {
            dirty::quick_check(&conn, "the database is open or was not closed cleanly")?;
        }
        Self::start(path, opts, conn, false, None)
    }

    fn start(
        path: &Path,
        opts: DbOptions,
        writer_conn: Connection,
        owns_marker: bool,
        before_first_commit: Option<writer::BeforeFirstCommit>,
    ) -> AppResult<Db> {
        // After the integrity check, before the readers open: they load what it took.
        refresh_statistics(&writer_conn);
        let readers = (0..opts.readers.max(1))
            .map(|_| Ok(Reader { conn: open_store_conn(path, &opts, true, true)?, stats: 0 }))
            .collect::<AppResult<Vec<_>>>()?;
        let n = readers.len();
        let stats = Arc::new(AtomicU64::new(0));
        let writer = writer::WriterHandle::start(
            writer_conn,
            opts.wait_timeout,
            before_first_commit,
            opts.optimize_every,
            stats.clone(),
        )?;
        Ok(Db {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                opts,
                writer,
                readers: Mutex::new(readers),
                read_permits: Arc::new(Semaphore::new(n)),
                owns_marker,
                stats,
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` in a write transaction (group-committed). Returns only after the
    /// commit is durable, or with the error that kept it from happening.
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> AppResult<T> + Send + 'static,
    {
        self.inner.writer.submit(f).await
    }

    /// Runs `f` in a read transaction on a pooled reader, off the async threads.
    pub async fn read<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> AppResult<T> + Send + 'static,
    {
        self.with_reader(move |c| run_read(c, f)).await
    }

    /// Runs `f` on a pooled reader outside any transaction (for statements
    /// such as `VACUUM INTO` that manage their own).
    async fn with_reader<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> AppResult<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        let permit = tokio::time::timeout(inner.opts.wait_timeout, inner.read_permits.clone().acquire_owned())
            .await
            .map_err(|_| AppError::busy())?
            .map_err(|_| AppError::busy())?;
        let reader = inner
            .readers
            .lock()
            .map_err(|_| AppError::internal("reader pool poisoned"))?
            .pop()
            .ok_or_else(|| AppError::internal("reader pool empty with a permit held"))?;
        // The lease travels with the blocking task, so the connection goes back
        // to the pool even when the awaiting request is cancelled or `f` panics.
        let mut lease = Lease { conn: Some(reader), inner, _permit: permit };
        tokio::task::spawn_blocking(move || {
            lease.refresh();
            let conn = &lease.conn.as_ref().ok_or_else(|| AppError::internal("lease without a connection"))?.conn;
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(conn)))
                .map_err(|_| AppError::internal("panic in a read"))?
        })
        .await
        .map_err(|e| AppError::internal(format!("reader task failed: {e}")))?
    }

    /// Checks that a reader can answer; used by `/readyz`.
    pub async fn ping(&self) -> AppResult<()> {
        self.read(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?)).await.map(|_| ())
    }

    /// Writes a consistent copy of the live database to `out` (which must not exist).
    pub async fn backup_to(&self, out: PathBuf) -> AppResult<()> {
        self.with_reader(move |c| backup_with(c, &out)).await
    }

    /// Waits for queued writes and stops the writer thread; the last connection
    /// to close checkpoints the WAL. A server's store is then marked clean.
    pub fn close(&self) {
        self.inner.writer.stop();
        if let Ok(mut pool) = self.inner.readers.lock() {
            pool.clear();
        }
        if self.inner.owns_marker {
            dirty::mark_clean(&self.inner.path);
        }
    }
}

/// A reader connection on loan; returned to the pool on drop, with any
/// transaction a panic left open rolled back, before the permit is released.
struct Lease {
    conn: Option<Reader>,
    inner: Arc<Inner>,
    _permit: OwnedSemaphorePermit,
}

impl Lease {
    /// Replaces a reader that predates the writer's last analysis (see
    /// `Reader`); if a new connection cannot be opened, the old one serves.
    fn refresh(&mut self) {
        let now = self.inner.stats.load(Ordering::Acquire);
        if let Some(r) = self.conn.as_mut()
            && r.stats != now
            && let Ok(conn) = reopen_reader(&self.inner.path, &self.inner.opts)
        {
            *r = Reader { conn, stats: now };
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(r) = self.conn.take() {
            if !r.conn.is_autocommit() {
                let _ = r.conn.execute_batch("ROLLBACK");
            }
            if let Ok(mut pool) = self.inner.readers.lock() {
                pool.push(r);
            }
        }
    }
}

fn run_read<T>(conn: &Connection, f: impl FnOnce(&Connection) -> AppResult<T>) -> AppResult<T> {
    // Prepared once per connection: parsing these on every read showed in profiles.
    conn.prepare_cached("BEGIN DEFERRED")?.execute([])?;
    let result = f(conn);
    // A read-only transaction has nothing to keep; ending it releases the snapshot.
    let end = conn.prepare_cached(if result.is_ok() { "COMMIT" } else { "ROLLBACK" }).and_then(|mut s| s.execute([]));
    if end.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    result
}

fn backup_with(conn: &Connection, out: &Path) -> AppResult<()> {
    let target = out.to_str().ok_or_else(|| AppError::validation("backup path is not valid UTF-8"))?;
    // Created empty and private first: the copy holds password hashes.
    let mut create = std::fs::OpenOptions::new();
    create.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut create, 0o600);
    create.open(out).map_err(|e| AppError::validation(format!("cannot create {}: {e}", out.display())))?;
    // VACUUM INTO cannot run inside a transaction and needs a writable connection
    // handle (it writes only the target file).
    conn.execute_batch("PRAGMA query_only = OFF;")?;
    let r = conn.execute("VACUUM INTO ?1", [target]);
    conn.execute_batch("PRAGMA query_only = ON;")?;
    if r.is_err() {
        let _ = std::fs::remove_file(out);
    }
    r?;
    Ok(())
}

/// Removes rows soft-deleted before `cutoff` from each of `tables` (names
/// from the caller's code, never from input); returns how many went.
pub fn purge_soft_deleted(conn: &Conn, tables: &[&'static str], cutoff: &crate::time::Timestamp) -> AppResult<usize> {
    let cutoff = crate::time::to_db(cutoff);
    let mut n = 0;
    for t in tables {
        n += conn
            .prepare_cached(&format!("DELETE FROM {t} WHERE deleted_at IS NOT NULL AND deleted_at < ?1"))?
            .execute([&cutoff])?;
    }
    Ok(n)
}

#[cfg(test)]
mod migration_v020_tests;
#[cfg(test)]
mod migration_v027_tests;

#[cfg(test)]
mod tests {
    use super::*;

    async fn scratch() -> (tempfile::TempDir, Db) {
        let dir = tempfile::TempDir::new().expect("tmp");
        let db = Db::open(&dir.path().join("t.db"), DbOptions::default()).expect("open");
        db.write(|c| Ok(c.execute_batch("CREATE TABLE t (n INTEGER NOT NULL) STRICT")?)).await.expect("ddl");
        (dir, db)
    }

    #[tokio::test]
    async fn purge_takes_only_rows_deleted_before_the_cutoff() {
        let (_dir, db) = scratch().await;
        let now = crate::time::now();
        let (old, recent) = (now - chrono::Duration::days(40), now - chrono::Duration::days(1));
        let (old, recent) = (crate::time::to_db(&old), crate::time::to_db(&recent));
        let n = db
            .write(move |c| {
                c.execute_batch("CREATE TABLE s (id INTEGER PRIMARY KEY, deleted_at TEXT) STRICT")?;
                c.execute("INSERT INTO s (deleted_at) VALUES (NULL), (?1), (?2)", [&old, &recent])?;
                purge_soft_deleted(c, &["s"], &(crate::time::now() - chrono::Duration::days(30)))
            })
            .await
            .expect("purge");
        assert_eq!(n, 1);
        let left: i64 = db.read(|c| Ok(c.query_row("SELECT count(*) FROM s", [], |r| r.get(0))?)).await.expect("count");
        assert_eq!(left, 2, "live and recently deleted rows stay");
    }

    async fn stored(db: &Db) -> Vec<i64> {
        db.read(|c| {
            let mut s = c.prepare("SELECT n FROM t ORDER BY n")?;
            Ok(s.query_map([], |r| r.get(0))?.collect::<Result<Vec<i64>, _>>()?)
        })
        .await
        .expect("read")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn failing_and_panicking_jobs_do_not_undo_their_neighbours() {
        let (_dir, db) = scratch().await;
        let mut handles = vec![];
        for n in 0..300i64 {
            let db = db.clone();
            handles.push(tokio::spawn(async move {
                db.write(move |c| {
                    c.execute("INSERT INTO t (n) VALUES (?1)", [n])?;
                    match n % 5 {
                        0 => Err(AppError::validation("refused after writing")),
                        1 if n % 7 == 0 => panic!("job {n} panics after writing"),
                        _ => Ok(n),
                    }
                })
                .await
            }));
        }
        let mut acked = vec![];
        for h in handles {
            if let Ok(Ok(n)) = h.await {
                acked.push(n);
            }
        }
        let expected: Vec<i64> = (0..300).filter(|n| n % 5 != 0 && !(n % 5 == 1 && n % 7 == 0)).collect();
        acked.sort();
        assert_eq!(acked, expected);
        assert_eq!(stored(&db).await, expected, "exactly the acknowledged writes are stored");
        db.close();
    }

    #[tokio::test]
    async fn reads_see_committed_writes_and_the_pool_survives_a_panic() {
        let (_dir, db) = scratch().await;
        db.write(|c| Ok(c.execute("INSERT INTO t (n) VALUES (1)", [])?)).await.expect("write");
        for _ in 0..10 {
            let r = db.read(|_| -> AppResult<()> { panic!("reader panics") }).await;
            assert!(matches!(r, Err(AppError::Internal(_))));
        }
        // Every reader is back in the pool, none left inside a transaction.
        for _ in 0..10 {
            assert_eq!(stored(&db).await, vec![1]);
        }
        db.close();
        assert!(matches!(db.write(|_| Ok(())).await, Err(AppError::Unavailable { .. })), "closed stores refuse writes");
    }

    #[test]
    fn a_server_store_is_marked_from_open_to_clean_close_and_tools_leave_the_mark() {
        let dir = tempfile::TempDir::new().expect("tmp");
        let path = dir.path().join("t.db");
        let db = Db::open(&path, DbOptions::default()).expect("open");
        assert!(dirty::is_dirty(&path), "marked while open");
        db.close();
        assert!(!dirty::is_dirty(&path), "clean after close");
        let tool = Db::open_existing(&path, DbOptions::default()).expect("tool");
        tool.close();
        assert!(!dirty::is_dirty(&path), "a tool neither marks nor needs a check");
        drop(Db::open(&path, DbOptions::default()).expect("open"));
        assert!(dirty::is_dirty(&path), "a store never closed leaves the mark");
        let tool = Db::open_existing(&path, DbOptions::default()).expect("tool on a marked store");
        tool.close();
        assert!(dirty::is_dirty(&path), "a tool leaves the mark where it was");
        Db::open(&path, DbOptions::default()).expect("checked and reopened").close();
        assert!(!dirty::is_dirty(&path));
    }

    #[tokio::test]
    async fn the_writer_runs_its_hook_before_the_first_commit_that_changes_rows() {
        let (_dir, db) = scratch().await;
        let path = db.path().to_path_buf();
        db.close();
        let ran = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let hook = {
            let ran = ran.clone();
            Box::new(move || {
                ran.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Ok(())
            }) as writer::BeforeFirstCommit
        };
        let conn = open_conn(&path, &DbOptions::default(), false).expect("conn");
        let w = writer::WriterHandle::start(
            conn,
            Duration::from_secs(5),
            Some(hook),
            1000,
            Arc::new(std::sync::atomic::AtomicU64::new(0)),
        )
        .expect("writer");
        let count = || ran.load(std::sync::atomic::Ordering::SeqCst);
        w.submit(|c| Ok(c.query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0))?)).await.expect("read");
        w.submit(|c| Ok(c.execute("UPDATE t SET n = n + 1 WHERE n < 0", [])?)).await.expect("no rows");
        assert_eq!(count(), 0, "nothing changed, nothing to sync");
        w.submit(|c| Ok(c.execute("INSERT INTO t (n) VALUES (1)", [])?)).await.expect("insert");
        assert_eq!(count(), 1, "synced before the commit that wrote");
        w.submit(|c| Ok(c.execute("INSERT INTO t (n) VALUES (2)", [])?)).await.expect("insert");
        assert_eq!(count(), 1, "once");
        w.stop();
    }

    /// V017: built-in roles take the reference's names; custom roles that
    /// would then look like a built-in one (any case, former names too) are
    /// renamed, others and bindings keep.
    #[test]
    fn built_in_roles_are_renamed_and_look_alikes_set_apart() {
        let dir = tempfile::TempDir::new().expect("tmp");
        let path = dir.path().join("t.db");
        let mut conn = Connection::open(&path).expect("open");
        embedded::migrations::runner().set_target(refinery::Target::Version(14)).run(&mut conn).expect("to V014");
        let t = "'2026-01-01T00:00:00.000000Z'";
        conn.execute_batch(&format!(
            "INSERT INTO users (id, uuid, email, user_id, created_at, updated_at) VALUES (1, 'u', 'a@b.c', 'a', {t}, {t});
             INSERT INTO organizations (id, uuid, name, owner_id, created_at, updated_at) VALUES (1, 'o', 'O', 1, {t}, {t});
             INSERT INTO roles (uuid, org_id, role_name, created_at, updated_at) VALUES
               ('r1', 1, 'Member', {t}, {t}), ('r2', 1, 'admin', {t}, {t}), ('r3', 1, 'Organization Admin', {t}, {t}),
               ('r4', 1, 'auditor', {t}, {t}), ('r5', 1, 'workspace_admin', {t}, {t}),
               ('r6', 1, 'admin (custom)', {t}, {t});
             INSERT INTO role_bindings (uuid, org_id, role_id, user_id, created_at)
               SELECT 'b1', 1, id, 1, {t} FROM roles WHERE role_name = 'member' AND org_id IS NULL;"
        ))
        .expect("seed");
        drop(conn);
        migrate(&path).expect("migrate");
        let conn = Connection::open(&path).expect("open");
        let names = |org: &str| -> Vec<String> {
            let sql = format!("SELECT role_name FROM roles WHERE org_id {org} ORDER BY role_name");
            let mut stmt = conn.prepare(&sql).expect("prepare");
            stmt.query_map([], |r| r.get(0)).expect("query").collect::<Result<_, _>>().expect("rows")
        };
        assert_eq!(names("IS NULL"), ["admin", "organization admin", "user", "workspace admin"]);
        let r2: i64 = conn.query_row("SELECT id FROM roles WHERE uuid = 'r2'", [], |r| r.get(0)).expect("r2");
        let taken = format!("admin (custom {r2})");
        assert_eq!(
            names("= 1"),
            [
                "Member (custom)",
                "Organization Admin (custom)",
                taken.as_str(),
                "admin (custom)",
                "auditor",
                "workspace_admin (custom)"
            ],
            "a name already taken gets the row id"
        );
        let bound: String = conn
            .query_row("SELECT r.role_name FROM role_bindings b JOIN roles r ON r.id = b.role_id", [], |r| r.get(0))
            .expect("binding");
        assert_eq!(bound, "user", "the binding follows the renamed role");
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::TempDir::new().expect("tmp");
        let path = dir.path().join("t.db");
        migrate(&path).expect("migrate");
        require_current_schema(&path).expect("current");
        let conn = Connection::open(&path).expect("open");
        conn.execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (9999, 'future', '', '0')",
            [],
        )
        .expect("insert");
        assert!(migrate(&path).is_err());
        assert!(require_current_schema(&path).is_err());
    }
}
