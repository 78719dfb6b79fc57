//! The load harness the benchmarks share: `total` calls spread over
//! `CONCURRENCY` clients, latency percentiles and CPU per request.
// Each benchmark uses its own part of the harness.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, Instant};

pub mod child;

pub const CONCURRENCY: usize = 16;

/// Writes a plans file beside `data_dir` whose default plan limits nothing,
/// and returns its path: the benchmarks grow one organization far past what
/// the seeded Free plan allows, as an installation with such a plan would.
pub fn unlimited_plans(data_dir: &std::path::Path) -> std::path::PathBuf {
    let parent = data_dir.parent().unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(parent).unwrap();
    let path = parent.join(format!("bench-plans-{}.json", std::process::id()));
    let features: serde_json::Map<String, serde_json::Value> = meshcloud_kernel::entitle::Feature::ALL
        .iter()
        .map(|f| (f.wire().to_string(), 9_999_999_999i64.into()))
        .collect();
    let plans = serde_json::json!({"plans": [{"name": "Free", "cadence": "monthly", "unit": "free",
        "price_per_unit": 0, "default": true, "features": features}]});
    std::fs::write(&path, plans.to_string()).unwrap();
    path
}

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
    /// The CPU figure replaced by `cpu`, e.g. the server's own time read
    /// from `child::Server::cpu` around the run.
    pub fn with_cpu(mut self, cpu: Duration) -> Stats {
        self.cpu = cpu;
        self
    }

    /// CPU per request in milliseconds.
    pub fn cpu_per_req_ms(&self) -> f64 {
        self.cpu.as_secs_f64() * 1e3 / self.n as f64
    }

    /// The latency at quantile `q` (0.0–1.0).
    pub fn quantile(&self, q: f64) -> Duration {
        let mut lat = self.lat.clone();
        lat.sort();
        lat[((lat.len() as f64 * q) as usize).min(lat.len() - 1)]
    }

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

/// A server started in-process for a benchmark, and a bearer token of its admin.
pub struct Bench {
    pub http: reqwest::Client,
    pub base: String,
    pub bearer: String,
}

/// Starts meshcloud on 127.0.0.1:0 with its data in `dir` (system jobs off
/// unless `tweak` turns them on), signs the admin in and issues a token.
pub async fn start(dir: std::path::PathBuf, tweak: impl FnOnce(&mut meshcloud::config::Config)) -> Bench {
    let mut config = meshcloud::config::Config {
        data_dir: dir,
        admin_email: "bench@example.com".into(),
        admin_password: Some("bench-password".into()),
        purge_schedule: String::new(),
        token_cleanup_schedule: String::new(),
        event_retention_schedule: String::new(),
        backup_schedule: String::new(),
        log: "warn".into(),
        ..Default::default()
    };
    config.plans_file = Some(unlimited_plans(&config.data_dir));
    tweak(&mut config);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(meshcloud::server::serve(listener, config, std::future::pending()));
    let http = reqwest::Client::builder().pool_max_idle_per_host(CONCURRENCY).build().unwrap();
    while http.get(format!("{base}/healthz")).send().await.is_err() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let bearer = sign_in_bearer(&http, &base, "bench@example.com", "bench-password").await;
    Bench { http, base, bearer }
}

/// Signs `email` in at `base` and issues a bearer token for it (`Bearer mc_…`).
pub async fn sign_in_bearer(http: &reqwest::Client, base: &str, email: &str, password: &str) -> String {
    let login = http
        .post(format!("{base}/api/meshcloud/login"))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200, "login of {email}");
    let cookie = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let csrf = login.json::<serde_json::Value>().await.unwrap()["csrf_token"].as_str().unwrap().to_string();
    let created = http
        .post(format!("{base}/api/identity/tokens?name=bench"))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    format!("Bearer {}", created["tokens"][0]["access_token"].as_str().unwrap())
}
