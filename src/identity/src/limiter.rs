//! A per-address budget for anonymous writes (sign-up requests, onboarding):
//! a token bucket per client address. Past the burst, one write per refill
//! period; the rest get 429 with the time until the next token.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use meshcloud_kernel::{AppError, AppResult};

pub struct AddressLimiter {
    burst: f64,
    refill: Duration,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

/// Bounds memory under a spray of distinct addresses.
const MAX_KEYS: usize = 100_000;

impl AddressLimiter {
    pub fn new(burst: u32, refill: Duration) -> Self {
        AddressLimiter { burst: f64::from(burst), refill, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one write from the address's budget, or refuses it.
    pub fn take(&self, address: &str) -> AppResult<()> {
        let now = Instant::now();
        let per_sec = 1.0 / self.refill.as_secs_f64().max(0.001);
        let mut map = self.buckets.lock().map_err(|_| AppError::busy())?;
        if map.len() >= MAX_KEYS {
            let burst = self.burst;
            map.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * per_sec < burst);
        }
        let (tokens, at) = map.entry(address.to_string()).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * per_sec).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            return Ok(());
        }
        let secs = ((1.0 - *tokens) / per_sec).ceil().max(1.0);
        Err(AppError::RateLimited { retry_after_secs: secs as u64 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_refusals_per_address() {
        let l = AddressLimiter::new(3, Duration::from_secs(6));
        for _ in 0..3 {
            l.take("a").expect("within the burst");
        }
        assert!(matches!(l.take("a"), Err(AppError::RateLimited { retry_after_secs: 6 })));
        l.take("b").expect("another address has its own budget");
    }
}
