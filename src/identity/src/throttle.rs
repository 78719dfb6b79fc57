//! Sign-in throttling by growing delays, as Keycloak's temporary lockout does.
//!
//! Failures are counted per (account, address) pair and per address. Past a
//! number of free failures, the next attempt of that key must wait a delay
//! that doubles with every further failure, up to a cap; an attempt before
//! then is refused (429, `Retry-After`) without checking the password and
//! without telling whether the account exists. Failures of an account from
//! every address together only slow it down: past their free tries each
//! attempt on the account is held for a growing delay before its password is
//! checked, and then judged, so guessing spread over many addresses is
//! slowed while the correct password from another address is never refused.
//! Counts are forgiven after a quiet period, and a success clears its pair
//! and its account. The counts are kept in the database as well, so a
//! restart forgets nothing.
//!
//! An attempt not yet judged takes a place of both keys, so a burst of
//! parallel guesses cannot all slip through before the first is judged. When
//! the places are taken by attempts in flight, a new attempt waits for one to
//! be judged instead of being refused: a burst of correct sign-ins queues and
//! succeeds, while guesses still meet the delays.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use meshcloud_kernel::db::Db;
use meshcloud_kernel::{AppError, AppResult};
use tokio::sync::Notify;

use crate::store::signin::{self, FailureRow};

/// How one kind of key is throttled.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Failures before the first delay.
    pub free: u32,
    /// The delay after `free` failures; it doubles with each further one.
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// Failures are forgiven this long after the last one.
    pub reset: Duration,
}

/// A pair of account and address: five tries, then 30 s doubling up to
/// 15 minutes (Keycloak's default wait ceiling), forgiven after 12 hours
/// without a failure (Keycloak's failure reset time).
pub const PAIR: Policy = Policy {
    free: 5,
    first_delay: Duration::from_secs(30),
    max_delay: Duration::from_secs(15 * 60),
    reset: Duration::from_secs(12 * 3600),
};

/// An account, from whichever addresses: 20 tries, then each attempt is held
/// 1 s, doubling up to 10 s (a hold, never a refusal: the owner signs in,
/// slowly), forgiven after 12 hours without a failure.
pub const ACCOUNT: Policy = Policy {
    free: 20,
    first_delay: Duration::from_secs(1),
    max_delay: Duration::from_secs(10),
    reset: Duration::from_secs(12 * 3600),
};

/// An address, whoever's accounts it tries: many people may share it (a
/// proxy, an office), so the delays start later, stay shorter and are
/// forgiven sooner: 50 tries, then 10 s doubling up to 5 minutes.
pub const ADDRESS: Policy = Policy {
    free: 50,
    first_delay: Duration::from_secs(10),
    max_delay: Duration::from_secs(5 * 60),
    reset: Duration::from_secs(3600),
};

impl Policy {
    fn delay_ms(&self, failures: u32) -> i64 {
        if failures < self.free {
            return 0;
        }
        let doubled = self.first_delay.saturating_mul(1u32 << (failures - self.free).min(20));
        i64::try_from(doubled.min(self.max_delay).as_millis()).unwrap_or(i64::MAX)
    }

    fn reset_ms(&self) -> i64 {
        i64::try_from(self.reset.as_millis()).unwrap_or(i64::MAX)
    }
}

/// The keys of an attempt: its pair, its address (both refuse while their
/// delay runs) and its account (which holds instead).
type Keys = [String; 3];

pub struct Throttle {
    /// For the pair, the address and the account.
    policies: [Policy; 3],
    /// How long an attempt waits for a place before it gets a 503.
    wait: Duration,
    keys: Mutex<HashMap<String, Entry>>,
    judged: Notify,
    /// Where the counts are kept across restarts (`None` in unit tests).
    db: Option<Db>,
}

#[derive(Default)]
struct Entry {
    failures: u32,
    /// Unix milliseconds.
    last_failure: i64,
    in_flight: usize,
}

/// Bounds memory under a spray of distinct keys.
const MAX_KEYS: usize = 100_000;

enum Admission {
    Admitted,
    Wait,
    Refused(AppError),
}

enum Change {
    Upsert(FailureRow),
    Delete(String),
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn hashed(parts: &[&str]) -> String {
    let digest = meshcloud_kernel::crypto::sha256(parts.join("\n").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl Throttle {
    pub fn new(policies: [Policy; 3], wait: Duration, db: Option<Db>) -> Self {
        Throttle { policies, wait, keys: Mutex::new(HashMap::new()), judged: Notify::new(), db }
    }

    /// Reads the stored counts that are not forgiven yet (at start-up).
    pub async fn load(&self) -> AppResult<usize> {
        let Some(db) = &self.db else { return Ok(0) };
        let longest = self.policies.iter().map(Policy::reset_ms).max().unwrap_or(0);
        let since = now_ms().saturating_sub(longest);
        let rows = db.read(move |c| signin::since(c, since)).await?;
        let n = rows.len();
        let mut map = self.keys.lock().map_err(|_| AppError::internal("throttle poisoned"))?;
        for r in rows {
            let e = map.entry(r.key).or_default();
            e.failures = r.failures;
            e.last_failure = r.last_failure;
        }
        Ok(n)
    }

    /// Removes stored counts every policy has forgiven.
    pub async fn purge(&self) -> AppResult<usize> {
        let Some(db) = &self.db else { return Ok(0) };
        let longest = self.policies.iter().map(Policy::reset_ms).max().unwrap_or(0);
        let before = now_ms().saturating_sub(longest);
        db.write(move |c| signin::purge(c, before)).await
    }

    /// Admits a sign-in attempt, waits (at most the configured wait) while
    /// attempts in flight hold every place, or refuses it: 429 while a delay
    /// runs, 503 when the wait ends first. The attempt counts as a failure
    /// unless [`Attempt::succeed`] is called.
    pub async fn begin(&self, account: &str, ip: &str) -> Result<Attempt<'_>, AppError> {
        let keys = [hashed(&["pair", account, ip]), hashed(&["address", ip]), hashed(&["account", account])];
        let deadline = tokio::time::Instant::now() + self.wait;
        loop {
            // Registered before looking, so a judgment in between is not missed.
            let judged = self.judged.notified();
            tokio::pin!(judged);
            judged.as_mut().enable();
            match self.admit(&keys) {
                Admission::Admitted => {
                    let hold = self.hold(&keys[2]);
                    // Admitted first, so the attempt keeps its places while held.
                    let attempt = Attempt { throttle: self, keys, judged: false };
                    if !hold.is_zero() {
                        tokio::time::sleep(hold).await;
                    }
                    return Ok(attempt);
                }
                Admission::Refused(e) => return Err(e),
                Admission::Wait => {}
            }
            if tokio::time::timeout_at(deadline, judged).await.is_err() {
                return Err(AppError::busy());
            }
        }
    }

    /// How long an attempt on the account waits before it is judged.
    fn hold(&self, account: &str) -> Duration {
        let policy = self.policies[2];
        let Ok(map) = self.keys.lock() else { return Duration::ZERO };
        match map.get(account) {
            Some(e) if now_ms() - e.last_failure < policy.reset_ms() => {
                Duration::from_millis(u64::try_from(policy.delay_ms(e.failures)).unwrap_or(0))
            }
            _ => Duration::ZERO,
        }
    }

    fn admit(&self, keys: &Keys) -> Admission {
        let now = now_ms();
        let Ok(mut map) = self.keys.lock() else { return Admission::Refused(AppError::busy()) };
        if map.len() >= MAX_KEYS {
            let longest = self.policies.iter().map(Policy::reset_ms).max().unwrap_or(0);
            map.retain(|_, e| e.in_flight > 0 || now - e.last_failure < longest);
        }
        let mut wait = false;
        for (key, policy) in keys.iter().zip(self.policies).take(2) {
            let Some(entry) = map.get_mut(key) else { continue };
            if now - entry.last_failure >= policy.reset_ms() {
                entry.failures = 0;
            }
            let places = if entry.failures >= policy.free {
                let ready = entry.last_failure.saturating_add(policy.delay_ms(entry.failures));
                if now < ready {
                    let secs = u64::try_from((ready - now + 999) / 1000).unwrap_or(1).max(1);
                    return Admission::Refused(AppError::RateLimited { retry_after_secs: secs });
                }
                // Past the delay: one attempt at a time, judged before the next.
                1
            } else {
                (policy.free - entry.failures) as usize
            };
            wait |= entry.in_flight >= places;
        }
        if wait {
            return Admission::Wait;
        }
        for key in &keys[..2] {
            map.entry(key.clone()).or_default().in_flight += 1;
        }
        Admission::Admitted
    }

    fn judge(&self, keys: &Keys, succeeded: bool) -> Vec<Change> {
        let now = now_ms();
        let mut changes = vec![];
        if let Ok(mut map) = self.keys.lock() {
            for (i, (key, policy)) in keys.iter().zip(self.policies).enumerate() {
                // The pair and the address were taken a place of at admission.
                if i < 2 {
                    let Some(entry) = map.get_mut(key) else { continue };
                    entry.in_flight = entry.in_flight.saturating_sub(1);
                }
                if !succeeded {
                    let entry = map.entry(key.clone()).or_default();
                    if now - entry.last_failure >= policy.reset_ms() {
                        entry.failures = 0;
                    }
                    entry.failures = entry.failures.saturating_add(1);
                    entry.last_failure = now;
                    changes.push(Change::Upsert(FailureRow {
                        key: key.clone(),
                        failures: entry.failures,
                        last_failure: now,
                    }));
                }
            }
            // A success clears its pair and its account; the address keeps
            // its own count.
            for key in [&keys[0], &keys[2]] {
                if succeeded && let Some(entry) = map.get_mut(key) {
                    if entry.failures > 0 {
                        changes.push(Change::Delete(key.clone()));
                    }
                    entry.failures = 0;
                }
            }
            for key in keys {
                if map.get(key).is_some_and(|e| e.in_flight == 0 && e.failures == 0) {
                    map.remove(key);
                }
            }
        }
        self.judged.notify_waiters();
        changes
    }

    async fn persist(db: Option<Db>, changes: Vec<Change>) {
        let Some(db) = db.filter(|_| !changes.is_empty()) else { return };
        let stored = db
            .write(move |c| {
                for change in &changes {
                    match change {
                        Change::Upsert(row) => signin::upsert(c, row)?,
                        Change::Delete(key) => signin::delete(c, key)?,
                    }
                }
                Ok(())
            })
            .await;
        if let Err(e) = stored {
            // The count in memory holds until the next restart.
            tracing::warn!(error = %e, "could not store sign-in failures");
        }
    }
}

/// An admitted sign-in attempt. Dropped without being judged (an error, a
/// request given up) it is recorded as a failure.
pub struct Attempt<'a> {
    throttle: &'a Throttle,
    keys: Keys,
    judged: bool,
}

impl Attempt<'_> {
    /// The password was right: clears the pair's failures.
    pub async fn succeed(mut self) {
        self.finish(true).await;
    }

    /// The password was wrong; stored before the answer goes out.
    pub async fn fail(mut self) {
        self.finish(false).await;
    }

    async fn finish(&mut self, ok: bool) {
        self.judged = true;
        let changes = self.throttle.judge(&self.keys, ok);
        Throttle::persist(self.throttle.db.clone(), changes).await;
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if self.judged {
            return;
        }
        let changes = self.throttle.judge(&self.keys, false);
        if !changes.is_empty()
            && let Ok(rt) = tokio::runtime::Handle::try_current()
        {
            rt.spawn(Throttle::persist(self.throttle.db.clone(), changes));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(free: u32, first_ms: u64) -> Policy {
        Policy {
            free,
            first_delay: Duration::from_millis(first_ms),
            max_delay: Duration::from_secs(60),
            reset: Duration::from_secs(3600),
        }
    }

    fn throttle(pair: Policy, address: Policy) -> Throttle {
        Throttle::new([pair, address, policy(1000, 60_000)], Duration::from_millis(200), None)
    }

    #[tokio::test]
    async fn delays_grow_per_pair_and_a_success_clears_them() {
        let t = throttle(policy(3, 60_000), policy(100, 60_000));
        for _ in 0..3 {
            t.begin("a", "ip").await.expect("admitted").fail().await;
        }
        assert!(matches!(t.begin("a", "ip").await, Err(AppError::RateLimited { retry_after_secs: 60 })));
        assert!(t.begin("b", "ip").await.is_ok(), "another account from the same address");
        assert!(t.begin("a", "other").await.is_ok(), "the same account from another address");
        let t = throttle(policy(3, 60_000), policy(100, 60_000));
        for _ in 0..2 {
            t.begin("a", "ip").await.expect("admitted").fail().await;
        }
        t.begin("a", "ip").await.expect("third").succeed().await;
        for _ in 0..3 {
            t.begin("a", "ip").await.expect("a success cleared the pair's failures").fail().await;
        }
        assert!(t.begin("a", "ip").await.is_err());
    }

    #[tokio::test]
    async fn the_delay_doubles_and_one_attempt_goes_through_after_it() {
        let p = policy(2, 300);
        assert_eq!((p.delay_ms(1), p.delay_ms(2), p.delay_ms(3), p.delay_ms(4)), (0, 300, 600, 1200));
        assert_eq!(p.delay_ms(40), 60_000, "capped");
        let t = throttle(p, policy(100, 300));
        for _ in 0..2 {
            t.begin("a", "ip").await.expect("free").fail().await;
        }
        assert!(t.begin("a", "ip").await.is_err(), "within the first delay");
        tokio::time::sleep(Duration::from_millis(400)).await;
        let first = t.begin("a", "ip").await.expect("the delay has passed");
        let (second, ()) = tokio::join!(t.begin("a", "ip"), async {
            tokio::time::sleep(Duration::from_millis(30)).await;
            first.fail().await;
        });
        assert!(
            matches!(second, Err(AppError::RateLimited { .. })),
            "a second attempt waited for the first, which failed: the longer delay applies"
        );
    }

    #[tokio::test]
    async fn attempts_in_flight_take_places_and_later_ones_wait() {
        let t = throttle(policy(2, 60_000), policy(100, 60_000));
        let first = t.begin("a", "ip").await.expect("first");
        let second = t.begin("a", "ip").await.expect("second");
        // Two attempts in flight, neither judged: a third waits, then gives up.
        assert!(matches!(t.begin("a", "ip").await, Err(AppError::Unavailable { .. })));
        let (third, ()) = tokio::join!(t.begin("a", "ip"), async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            first.succeed().await;
        });
        third.expect("admitted once the first succeeded").succeed().await;
        drop(second);
        // One failure counted (the dropped attempt): one place left.
        let fourth = t.begin("a", "ip").await.expect("fourth");
        let (fifth, ()) = tokio::join!(t.begin("a", "ip"), async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            drop(fourth);
        });
        assert!(
            matches!(fifth, Err(AppError::RateLimited { .. })),
            "two judged failures reach the free tries: the waiting attempt meets the delay"
        );
    }

    #[tokio::test]
    async fn an_address_gets_delays_across_accounts() {
        let t = throttle(policy(100, 60_000), policy(2, 60_000));
        t.begin("a", "ip").await.expect("a").fail().await;
        t.begin("b", "ip").await.expect("b").succeed().await;
        t.begin("c", "ip").await.expect("c").fail().await;
        assert!(matches!(t.begin("d", "ip").await, Err(AppError::RateLimited { .. })));
        assert!(t.begin("d", "other").await.is_ok());
    }

    #[tokio::test]
    async fn an_account_failing_from_many_addresses_is_held_never_refused() {
        let t =
            Throttle::new([policy(5, 60_000), policy(100, 60_000), policy(3, 250)], Duration::from_millis(200), None);
        for ip in ["a", "b", "c", "d"] {
            t.begin("acct", ip).await.expect("another address is admitted").fail().await;
        }
        // Four failures past three free ones: held twice the first delay.
        assert_eq!(t.hold(&hashed(&["account", "acct"])), Duration::from_millis(500));
        assert_eq!(t.hold(&hashed(&["account", "other"])), Duration::ZERO);
        t.begin("acct", "e").await.expect("held, then admitted").succeed().await;
        assert_eq!(t.hold(&hashed(&["account", "acct"])), Duration::ZERO, "a success clears the account");
    }
}
