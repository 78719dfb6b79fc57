//! argon2's working memory, reused: one buffer per hashing permit, freed
//! again once sign-ins have been idle for a while.
//!
//! Letting argon2 allocate its 19 MiB per check leaves freed buffers on the
//! allocator's heaps (glibc raises its mmap threshold after the first free and
//! keeps per-thread arenas), so a burst of sign-ins grew the process by the
//! burst's size for good. Here at most one buffer per permit exists at a time.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argon2::{Block, Params};

/// Blocks (1 KiB each) the default parameters use: m = 19456 KiB.
pub(super) const BLOCKS: usize = Params::DEFAULT_M_COST as usize;

/// Each buffer reserves more than glibc's largest dynamic mmap threshold
/// (32 MiB), so that it is always a mapping of its own that goes back to the
/// system when freed; only the 19 MiB argon2 writes become resident.
const RESERVED: usize = 33 * 1024;

/// How long sign-ins must be idle before the buffers are freed.
pub(super) const IDLE_RELEASE: Duration = Duration::from_secs(10);

pub(super) struct Pool {
    state: Mutex<State>,
    idle: Duration,
}

struct State {
    free: Vec<Vec<Block>>,
    in_use: usize,
    last_used: Instant,
    sweeping: bool,
    /// Buffers allocated so far (tests check the pool bounds them).
    allocated: usize,
}

impl Pool {
    pub(super) fn new(idle: Duration) -> Arc<Pool> {
        Arc::new(Pool {
            state: Mutex::new(State {
                free: Vec::new(),
                in_use: 0,
                last_used: Instant::now(),
                sweeping: false,
                allocated: 0,
            }),
            idle,
        })
    }

    /// Runs `f` with a buffer of at least [`BLOCKS`] blocks, taken from the
    /// pool (or allocated when the pool has none free) and returned after,
    /// also when `f` panics.
    pub(super) fn with_memory<R>(&self, f: impl FnOnce(&mut [Block]) -> R) -> R {
        let pooled = match self.state.lock() {
            Ok(mut s) => {
                s.in_use += 1;
                let buf = s.free.pop();
                s.allocated += usize::from(buf.is_none());
                buf
            }
            Err(_) => None,
        };
        let mut lease = Lease { pool: self, buf: pooled.unwrap_or_else(allocate) };
        f(&mut lease.buf)
    }

    /// Starts the task that frees the buffers once the pool has been idle
    /// for `idle`, unless one is already waiting. Needs a Tokio runtime.
    pub(super) fn arm_release(self: &Arc<Self>) {
        let start = match self.state.lock() {
            Ok(mut s) => !std::mem::replace(&mut s.sweeping, true),
            Err(_) => false,
        };
        if !start {
            return;
        }
        let pool = self.clone();
        tokio::spawn(async move {
            let mut wait = pool.idle;
            loop {
                tokio::time::sleep(wait).await;
                match pool.release_if_idle() {
                    Some(left) => wait = left,
                    None => break,
                }
            }
        });
    }

    /// Frees the buffers if none is in use and none was used for `idle`;
    /// otherwise answers how long to wait before looking again.
    fn release_if_idle(&self) -> Option<Duration> {
        let Ok(mut s) = self.state.lock() else { return None };
        let since = s.last_used.elapsed();
        if s.in_use > 0 || since < self.idle {
            return Some(self.idle.saturating_sub(since).max(Duration::from_millis(10)));
        }
        s.free = Vec::new();
        s.sweeping = false;
        None
    }

    #[cfg(test)]
    pub(super) fn counts(&self) -> (usize, usize) {
        self.state.lock().map(|s| (s.free.len(), s.allocated)).unwrap_or_default()
    }
}

/// A buffer on loan; back to the pool on drop.
struct Lease<'a> {
    pool: &'a Pool,
    buf: Vec<Block>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Ok(mut s) = self.pool.state.lock() {
            s.in_use = s.in_use.saturating_sub(1);
            s.last_used = Instant::now();
            s.free.push(std::mem::take(&mut self.buf));
        }
    }
}

fn allocate() -> Vec<Block> {
    let mut buf = Vec::with_capacity(RESERVED);
    buf.resize(BLOCKS, Block::new());
    buf
}
