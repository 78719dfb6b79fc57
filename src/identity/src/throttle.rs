//! Sign-in throttling: failures are counted per account and per client address
//! in a sliding window; past the limit, attempts are refused without checking
//! the password (and without telling whether the account exists).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use meshcloud_kernel::AppError;

pub struct Throttle {
    window: Duration,
    per_account: usize,
    per_ip: usize,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

/// Bounds memory under a spray of distinct keys.
const MAX_KEYS: usize = 100_000;

impl Throttle {
    pub fn new(window: Duration, per_account: usize, per_ip: usize) -> Self {
        Throttle { window, per_account, per_ip, failures: Mutex::new(HashMap::new()) }
    }

    /// Admits a sign-in attempt or refuses it. An admitted attempt counts as
    /// a failure until `succeed` says otherwise, so a burst of parallel
    /// attempts cannot all slip through before the first one is judged.
    pub fn begin(&self, account: &str, ip: &str) -> Result<(), AppError> {
        let now = Instant::now();
        let Ok(mut map) = self.failures.lock() else { return Ok(()) };
        if map.len() >= MAX_KEYS {
            let window = self.window;
            map.retain(|_, v| v.last().is_some_and(|t| now.duration_since(*t) < window));
        }
        let keys = [(format!("a:{account}"), self.per_account), (format!("i:{ip}"), self.per_ip)];
        for (key, limit) in &keys {
            if let Some(list) = map.get_mut(key) {
                list.retain(|t| now.duration_since(*t) < self.window);
                if list.len() >= *limit {
                    let oldest = list.first().copied().unwrap_or(now);
                    let wait = self.window.saturating_sub(now.duration_since(oldest));
                    return Err(AppError::RateLimited { retry_after_secs: wait.as_secs().max(1) });
                }
            }
        }
        for (key, _) in keys {
            map.entry(key).or_default().push(now);
        }
        Ok(())
    }

    /// A successful sign-in clears the account's failures and takes back the
    /// attempt it was charged from the address.
    pub fn succeed(&self, account: &str, ip: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&format!("a:{account}"));
            if let Some(list) = map.get_mut(&format!("i:{ip}")) {
                list.pop();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_limit_and_clears_on_success() {
        let t = Throttle::new(Duration::from_secs(60), 3, 100);
        for _ in 0..3 {
            assert!(t.begin("a", "ip").is_ok());
        }
        assert!(matches!(t.begin("a", "ip"), Err(AppError::RateLimited { .. })));
        assert!(t.begin("b", "ip").is_ok());
        t.succeed("a", "ip");
        assert!(t.begin("a", "ip").is_ok());
    }

    #[test]
    fn parallel_attempts_count_before_they_are_judged() {
        let t = Throttle::new(Duration::from_secs(60), 2, 100);
        // Two attempts in flight, neither judged yet: a third is refused.
        assert!(t.begin("a", "ip").is_ok());
        assert!(t.begin("a", "ip").is_ok());
        assert!(t.begin("a", "ip").is_err());
    }

    #[test]
    fn blocks_per_address() {
        let t = Throttle::new(Duration::from_secs(60), 100, 2);
        assert!(t.begin("a", "ip").is_ok());
        assert!(t.begin("b", "ip").is_ok());
        assert!(t.begin("c", "ip").is_err());
        assert!(t.begin("c", "other").is_ok());
        t.succeed("b", "ip");
        assert!(t.begin("c", "ip").is_ok(), "a success gives its attempt back");
    }
}
