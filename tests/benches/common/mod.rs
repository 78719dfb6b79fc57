//! The load harness both benchmarks share: `total` calls spread over
//! `CONCURRENCY` clients, latency percentiles and CPU per request.

use std::sync::Arc;
use std::time::{Duration, Instant};

pub const CONCURRENCY: usize = 16;

pub struct Stats {
    name: String,
    n: usize,
    elapsed: Duration,
    lat: Vec<Duration>,
    cpu: Duration,
}

fn cpu_time() -> Duration {
    // utime + stime of this process (client and server both run here).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, r)| r.split_whitespace().collect()).unwrap_or_default();
    let ticks: u64 = fields.get(11).and_then(|u| u.parse().ok()).unwrap_or(0)
        + fields.get(12).and_then(|s| s.parse().ok()).unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

impl Stats {
    pub fn print(mut self) {
        self.lat.sort();
        let pct = |p: f64| self.lat[((self.lat.len() as f64 * p) as usize).min(self.lat.len() - 1)];
        println!(
            "{:<46} {:>7} {:>9.0} {:>9.3} {:>9.3} {:>10.3}",
            self.name,
            self.n,
            self.n as f64 / self.elapsed.as_secs_f64(),
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            self.cpu.as_secs_f64() * 1e3 / self.n as f64,
        );
    }
}

pub fn header() {
    println!("{:<46} {:>7} {:>9} {:>9} {:>9} {:>10}", "workload", "req", "req/s", "p50 ms", "p99 ms", "cpu/req ms");
}

/// `total` calls of `f(i)` spread over `CONCURRENCY` clients; every answer must be 2xx.
pub async fn run<F, Fut>(name: impl Into<String>, total: usize, f: F) -> Stats
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = u16> + Send,
{
    let name = name.into();
    let f = Arc::new(f);
    let cpu0 = cpu_time();
    let start = Instant::now();
    let mut tasks = vec![];
    for w in 0..CONCURRENCY {
        let (f, name) = (f.clone(), name.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = vec![];
            let mut i = w;
            while i < total {
                let t = Instant::now();
                let status = f(i).await;
                assert!((200..300).contains(&status), "{name}: status {status}");
                lat.push(t.elapsed());
                i += CONCURRENCY;
            }
            lat
        }));
    }
    let mut lat = vec![];
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    Stats { name, n: total, elapsed: start.elapsed(), lat, cpu: cpu_time() - cpu0 }
}
