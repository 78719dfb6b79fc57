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

    pub fn check(&self, account: &str, ip: &str) -> Result<(), AppError> {
        let now = Instant::now();
        let Ok(mut map) = self.failures.lock() else { return Ok(()) };
        for (key, limit) in [(format!("a:{account}"), self.per_account), (format!("i:{ip}"), self.per_ip)] {
            if let Some(list) = map.get_mut(&key) {
                list.retain(|t| now.duration_since(*t) < self.window);
                if list.len() >= limit {
                    let oldest = list.first().copied().unwrap_or(now);
                    let wait = self.window.saturating_sub(now.duration_since(oldest));
                    return Err(AppError::RateLimited { retry_after_secs: wait.as_secs().max(1) });
                }
            }
        }
        Ok(())
    }

    pub fn fail(&self, account: &str, ip: &str) {
        let now = Instant::now();
        let Ok(mut map) = self.failures.lock() else { return };
        if map.len() >= MAX_KEYS {
            let window = self.window;
            map.retain(|_, v| v.last().is_some_and(|t| now.duration_since(*t) < window));
        }
        for key in [format!("a:{account}"), format!("i:{ip}")] {
            map.entry(key).or_default().push(now);
        }
    }

    /// A successful sign-in clears the account's count (not the address's).
    pub fn succeed(&self, account: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&format!("a:{account}"));
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
            assert!(t.check("a", "ip").is_ok());
            t.fail("a", "ip");
        }
        assert!(matches!(t.check("a", "ip"), Err(AppError::RateLimited { .. })));
        assert!(t.check("b", "ip").is_ok());
        t.succeed("a");
        assert!(t.check("a", "ip").is_ok());
    }

    #[test]
    fn blocks_per_address() {
        let t = Throttle::new(Duration::from_secs(60), 100, 2);
        t.fail("a", "ip");
        t.fail("b", "ip");
        assert!(t.check("c", "ip").is_err());
        assert!(t.check("c", "other").is_ok());
    }
}
