//! The writer thread: drains the queue into batches, runs each job in a
//! savepoint inside one `BEGIN IMMEDIATE` transaction, commits once, then
//! answers every job of the batch.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use crate::{AppError, AppResult};

/// Jobs taken into one commit at most; bounds the latency a batch adds.
const MAX_BATCH: usize = 256;
/// Queue capacity; a full queue means the writer is behind, so callers wait
/// (up to the wait timeout) instead of piling up memory.
const QUEUE: usize = 1024;

type Finish = Box<dyn FnOnce(AppResult<()>) + Send>;

/// Runs on the writer thread before the first commit that changes rows
/// (see `Db::open`).
pub(super) type BeforeFirstCommit = Box<dyn FnOnce() -> AppResult<()> + Send>;

/// A queued write. `run` executes it and hands back what to tell the caller
/// once the commit outcome is known; `abort` answers without running it.
trait WriteJob: Send {
    fn run(self: Box<Self>, conn: &Connection) -> (bool, Finish);
    fn abort(self: Box<Self>, err: AppError);
}

struct Typed<T, F> {
    f: F,
    reply: oneshot::Sender<AppResult<T>>,
}

impl<T, F> WriteJob for Typed<T, F>
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> AppResult<T> + Send + 'static,
{
    fn run(self: Box<Self>, conn: &Connection) -> (bool, Finish) {
        let Typed { f, reply } = *self;
        let result = f(conn);
        let ok = result.is_ok();
        (
            ok,
            Box::new(move |commit| {
                let _ = reply.send(commit.and(result));
            }),
        )
    }

    fn abort(self: Box<Self>, err: AppError) {
        let _ = self.reply.send(Err(err));
    }
}

struct Job {
    deadline: Instant,
    work: Box<dyn WriteJob>,
}

pub(super) struct WriterHandle {
    tx: Mutex<Option<mpsc::Sender<Job>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    wait_timeout: Duration,
}

impl WriterHandle {
    pub(super) fn start(
        conn: Connection,
        wait_timeout: Duration,
        before_first_commit: Option<BeforeFirstCommit>,
        optimize_every: u32,
        stats: Arc<AtomicU64>,
    ) -> AppResult<WriterHandle> {
        let (tx, rx) = mpsc::channel(QUEUE);
        let thread = std::thread::Builder::new()
            .name("meshcloud-writer".into())
            .spawn(move || writer_loop(conn, rx, before_first_commit, optimize_every, &stats))
            .map_err(|e| AppError::internal(format!("cannot start the writer thread: {e}")))?;
        Ok(WriterHandle { tx: Mutex::new(Some(tx)), thread: Mutex::new(Some(thread)), wait_timeout })
    }

    pub(super) async fn submit<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> AppResult<T> + Send + 'static,
    {
        let sender = self
            .tx
            .lock()
            .map_err(|_| AppError::internal("writer queue poisoned"))?
            .clone()
            .ok_or(AppError::Unavailable { retry_after_secs: 5 })?;
        let (reply, reply_rx) = oneshot::channel::<AppResult<T>>();
        let work = Box::new(Typed { f, reply });
        let deadline = Instant::now() + self.wait_timeout;
        sender.send_timeout(Job { deadline, work }, self.wait_timeout).await.map_err(|_| AppError::busy())?;
        // The writer answers every job it accepts (one past its deadline with
        // "busy"), so this wait ends; a dropped reply means the job panicked.
        reply_rx.await.map_err(|_| AppError::internal("write job panicked"))?
    }

    /// Closes the queue and waits for the writer to finish what it accepted.
    pub(super) fn stop(&self) {
        if let Ok(mut tx) = self.tx.lock() {
            tx.take();
        }
        let handle = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(h) = handle {
            let _ = h.join();
        }
    }
}

/// How often statistics are refreshed while writes keep coming.
const OPTIMIZE_AFTER: Duration = Duration::from_secs(3600);

fn writer_loop(
    conn: Connection,
    mut rx: mpsc::Receiver<Job>,
    mut before_first_commit: Option<BeforeFirstCommit>,
    optimize_every: u32,
    stats: &AtomicU64,
) {
    let (mut batches, mut since) = (0u32, Instant::now());
    while let Some(first) = rx.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        run_batch(&conn, batch, &mut before_first_commit);
        // Between batches, outside any transaction: a table that grew from a
        // handful of rows to thousands gets statistics saying so while the
        // server runs, not only at the next start. Readers pick them up by
        // reconnecting (see `Reader` in the parent module).
        batches += 1;
        if batches >= optimize_every || since.elapsed() >= OPTIMIZE_AFTER {
            if super::refresh_statistics(&conn) {
                stats.fetch_add(1, Ordering::Release);
            }
            (batches, since) = (0, Instant::now());
        }
    }
    let _ = conn.execute_batch("PRAGMA optimize;");
}

fn run_batch(conn: &Connection, batch: Vec<Job>, before_first_commit: &mut Option<BeforeFirstCommit>) {
    let changes_before = conn.total_changes();
    // Jobs run in this transaction so far, waiting for its commit.
    let mut pending: Vec<Finish> = Vec::with_capacity(batch.len());
    let mut in_tx = false;
    for job in batch {
        if Instant::now() > job.deadline {
            // Waited in the queue longer than the caller was promised.
            job.work.abort(AppError::busy());
            continue;
        }
        if !in_tx {
            if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
                job.work.abort(AppError::from(e));
                continue;
            }
            in_tx = true;
        }
        if let Err(e) = conn.execute_batch("SAVEPOINT job") {
            job.work.abort(AppError::from(e));
            continue;
        }
        match catch_unwind(AssertUnwindSafe(|| job.work.run(conn))) {
            Ok((ok, finish)) => {
                let end = if ok { "RELEASE job" } else { "ROLLBACK TO job; RELEASE job" };
                let _ = conn.execute_batch(end);
                pending.push(finish);
            }
            // The reply went down with the panic; the caller sees "panicked".
            Err(_) => {
                let _ = conn.execute_batch("ROLLBACK TO job; RELEASE job");
            }
        }
        if conn.is_autocommit() {
            // SQLite rolled the whole transaction back (disk full, I/O error):
            // nothing of it is stored. Tell those callers, and start the rest
            // of the batch in a fresh transaction.
            fail_all(&mut pending, "the write transaction was rolled back by the database");
            in_tx = false;
        }
    }
    if !in_tx {
        return;
    }
    index_search_queue(conn);
    if conn.is_autocommit() {
        fail_all(&mut pending, "the write transaction was rolled back by the database");
        return;
    }
    // Rows changed (writes are DML; schema changes are migrations, run before
    // the writer starts): only then does this commit put anything on disk.
    if conn.total_changes() != changes_before
        && let Some(before) = before_first_commit.take()
        && let Err(e) = before()
    {
        tracing::warn!(error = %e, "before the first commit");
    }
    match conn.execute_batch("COMMIT") {
        Ok(()) => pending.drain(..).for_each(|finish| finish(Ok(()))),
        Err(e) => {
            if !conn.is_autocommit() {
                let _ = conn.execute_batch("ROLLBACK");
            }
            let err = AppError::from(e);
            pending.drain(..).for_each(|finish| finish(Err(clone_err(&err))));
        }
    }
}

/// Brings the search indexes up to date with the batch's rows, all or
/// nothing. On failure the rows stay queued (searches still find them) for
/// the next batch, and the batch's own writes commit regardless.
fn index_search_queue(conn: &Connection) {
    if conn.execute_batch("SAVEPOINT search_index").is_err() {
        return;
    }
    match super::search::index_queued(conn) {
        Ok(()) => {
            let _ = conn.execute_batch("RELEASE search_index");
        }
        Err(e) => {
            tracing::warn!("search indexes not brought up to date: {e}");
            let _ = conn.execute_batch("ROLLBACK TO search_index; RELEASE search_index");
        }
    }
}

fn fail_all(pending: &mut Vec<Finish>, why: &str) {
    pending.drain(..).for_each(|finish| finish(Err(AppError::internal(why))));
}

fn clone_err(e: &AppError) -> AppError {
    match e {
        AppError::Unavailable { retry_after_secs } => AppError::Unavailable { retry_after_secs: *retry_after_secs },
        other => AppError::Internal(other.to_string()),
    }
}
