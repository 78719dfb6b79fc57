//! Sign-in throttling: failures are counted per account and per client address
//! in a sliding window; past the limit, attempts are refused without checking
//! the password (and without telling whether the account exists).
//!
//! An attempt not yet judged takes a place under the same limit, so a burst of
//! parallel guesses cannot all slip through before the first is judged. When
//! the places are taken by attempts in flight rather than by failures, a new
//! attempt waits for one to be judged instead of being refused: a burst of
//! correct sign-ins queues and succeeds, while guesses still stop at the limit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use meshcloud_kernel::AppError;
use tokio::sync::Notify;

pub struct Throttle {
    window: Duration,
    per_account: usize,
    per_ip: usize,
    /// How long an attempt waits for a place before it gets a 503.
    wait: Duration,
    keys: Mutex<HashMap<String, Entry>>,
    judged: Notify,
}

#[derive(Default)]
struct Entry {
    failures: Vec<Instant>,
    in_flight: usize,
}

/// Bounds memory under a spray of distinct keys.
const MAX_KEYS: usize = 100_000;

enum Admission {
    Admitted,
    Wait,
    Refused(AppError),
}

impl Throttle {
    pub fn new(window: Duration, per_account: usize, per_ip: usize, wait: Duration) -> Self {
        Throttle { window, per_account, per_ip, wait, keys: Mutex::new(HashMap::new()), judged: Notify::new() }
    }

    /// Admits a sign-in attempt, waits (at most the configured wait) while
    /// attempts in flight hold every place, or refuses it: 429 when failures
    /// alone reach a limit, 503 when the wait ends first. The attempt counts
    /// as a failure unless [`Attempt::succeed`] is called.
    pub async fn begin(&self, account: &str, ip: &str) -> Result<Attempt<'_>, AppError> {
        let keys = [format!("a:{account}"), format!("i:{ip}")];
        let deadline = tokio::time::Instant::now() + self.wait;
        loop {
            // Registered before looking, so a judgment in between is not missed.
            let judged = self.judged.notified();
            tokio::pin!(judged);
            judged.as_mut().enable();
            match self.admit(&keys) {
                Admission::Admitted => return Ok(Attempt { throttle: self, keys, succeeded: false }),
                Admission::Refused(e) => return Err(e),
                Admission::Wait => {}
            }
            if tokio::time::timeout_at(deadline, judged).await.is_err() {
                return Err(AppError::busy());
            }
        }
    }

    fn admit(&self, keys: &[String; 2]) -> Admission {
        let now = Instant::now();
        let Ok(mut map) = self.keys.lock() else { return Admission::Refused(AppError::busy()) };
        if map.len() >= MAX_KEYS {
            let window = self.window;
            map.retain(|_, e| e.in_flight > 0 || e.failures.last().is_some_and(|t| now.duration_since(*t) < window));
        }
        let mut wait = false;
        for (key, limit) in keys.iter().zip([self.per_account, self.per_ip]) {
            let Some(entry) = map.get_mut(key) else { continue };
            entry.failures.retain(|t| now.duration_since(*t) < self.window);
            if entry.failures.len() >= limit {
                let oldest = entry.failures.first().copied().unwrap_or(now);
                let left = self.window.saturating_sub(now.duration_since(oldest));
                return Admission::Refused(AppError::RateLimited { retry_after_secs: left.as_secs().max(1) });
            }
            wait |= entry.failures.len() + entry.in_flight >= limit;
        }
        if wait {
            return Admission::Wait;
        }
        for key in keys {
            map.entry(key.clone()).or_default().in_flight += 1;
        }
        Admission::Admitted
    }

    fn judge(&self, keys: &[String; 2], succeeded: bool) {
        let now = Instant::now();
        if let Ok(mut map) = self.keys.lock() {
            for key in keys {
                if let Some(entry) = map.get_mut(key) {
                    entry.in_flight = entry.in_flight.saturating_sub(1);
                    if !succeeded {
                        entry.failures.push(now);
                    }
                }
            }
            // A success clears the account's failures; the address keeps its own.
            if succeeded && let Some(entry) = map.get_mut(&keys[0]) {
                entry.failures.clear();
            }
            for key in keys {
                if map.get(key).is_some_and(|e| e.in_flight == 0 && e.failures.is_empty()) {
                    map.remove(key);
                }
            }
        }
        self.judged.notify_waiters();
    }
}

/// An admitted sign-in attempt. Dropped without [`Attempt::succeed`] (a wrong
/// password, an error, a request given up) it is recorded as a failure.
pub struct Attempt<'a> {
    throttle: &'a Throttle,
    keys: [String; 2],
    succeeded: bool,
}

impl Attempt<'_> {
    pub fn succeed(mut self) {
        self.succeeded = true;
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        self.throttle.judge(&self.keys, self.succeeded);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(per_account: usize, per_ip: usize) -> Throttle {
        Throttle::new(Duration::from_secs(60), per_account, per_ip, Duration::from_millis(200))
    }

    #[tokio::test]
    async fn blocks_after_limit_and_clears_on_success() {
        let t = throttle(3, 100);
        for _ in 0..3 {
            drop(t.begin("a", "ip").await.expect("admitted"));
        }
        assert!(matches!(t.begin("a", "ip").await, Err(AppError::RateLimited { .. })));
        assert!(t.begin("b", "ip").await.is_ok());
        let t = throttle(3, 100);
        for _ in 0..2 {
            drop(t.begin("a", "ip").await.expect("admitted"));
        }
        t.begin("a", "ip").await.expect("third").succeed();
        for _ in 0..3 {
            drop(t.begin("a", "ip").await.expect("a success cleared the account's failures"));
        }
        assert!(t.begin("a", "ip").await.is_err());
    }

    #[tokio::test]
    async fn attempts_in_flight_take_places_and_later_ones_wait() {
        let t = throttle(2, 100);
        let first = t.begin("a", "ip").await.expect("first");
        let second = t.begin("a", "ip").await.expect("second");
        // Two attempts in flight, neither judged: a third waits, then gives up.
        assert!(matches!(t.begin("a", "ip").await, Err(AppError::Unavailable { .. })));
        let (third, ()) = tokio::join!(t.begin("a", "ip"), async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            first.succeed();
        });
        third.expect("admitted once the first succeeded").succeed();
        drop(second);
        // One failure counted: one place left for the account.
        let fourth = t.begin("a", "ip").await.expect("fourth");
        let (fifth, ()) = tokio::join!(t.begin("a", "ip"), async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            drop(fourth);
        });
        assert!(
            matches!(fifth, Err(AppError::RateLimited { .. })),
            "two judged failures reach the limit: the waiting attempt is refused"
        );
    }

    #[tokio::test]
    async fn blocks_per_address() {
        let t = throttle(100, 2);
        drop(t.begin("a", "ip").await.expect("a"));
        t.begin("b", "ip").await.expect("b").succeed();
        drop(t.begin("c", "ip").await.expect("c"));
        assert!(matches!(t.begin("d", "ip").await, Err(AppError::RateLimited { .. })));
        assert!(t.begin("d", "other").await.is_ok());
    }
}
