//! Load benchmark: starts meshcloud in-process on 127.0.0.1:0 with a fresh data
//! dir and drives it over loopback HTTP with bounded request counts.
//! Run: `cargo bench -p meshcloud-tests` (release build).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

const CONCURRENCY: usize = 16;

struct Stats {
    name: &'static str,
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
    fn print(mut self) {
        self.lat.sort();
        let pct = |p: f64| self.lat[((self.lat.len() as f64 * p) as usize).min(self.lat.len() - 1)];
        println!(
            "{:<28} {:>6} req  {:>8.0} req/s  p50 {:>7.3} ms  p99 {:>7.3} ms  cpu/req {:>6.3} ms (client+server)",
            self.name,
            self.n,
            self.n as f64 / self.elapsed.as_secs_f64(),
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            self.cpu.as_secs_f64() * 1e3 / self.n as f64,
        );
    }
}

async fn run<F, Fut>(name: &'static str, total: usize, f: F) -> Stats
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = u16> + Send,
{
    let f = Arc::new(f);
    let cpu0 = cpu_time();
    let start = Instant::now();
    let mut tasks = vec![];
    for w in 0..CONCURRENCY {
        let f = f.clone();
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

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let tmp = tempfile::TempDir::new().unwrap();
        let dir = tmp.path().join("data");
        let config = meshcloud::config::Config {
            data_dir: dir.clone(),
            admin_email: "bench@example.com".into(),
            admin_password: Some("bench-password".into()),
            purge_schedule: String::new(),
            log: "warn".into(),
            ..Default::default()
        };
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(meshcloud::server::serve(listener, config, std::future::pending()));
        let http = reqwest::Client::builder().pool_max_idle_per_host(CONCURRENCY).build().unwrap();
        while http.get(format!("{base}/healthz")).send().await.is_err() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let token = http
            .post(format!("{base}/api/meshcloud/login"))
            .json(&json!({"email": "bench@example.com", "password": "bench-password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(token.status(), 200);
        let cookie = token.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        let csrf = token.json::<serde_json::Value>().await.unwrap()["csrf_token"].as_str().unwrap().to_string();
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
        let bearer = format!("Bearer {}", created["tokens"][0]["access_token"].as_str().unwrap());

        println!("meshcloud HTTP benchmark, {CONCURRENCY} concurrent clients over loopback");
        let (h, b, base2) = (http.clone(), bearer.clone(), base.clone());
        run("create org (group commit)", 4000, move |i| {
            let (h, b, base) = (h.clone(), b.clone(), base2.clone());
            async move {
                h.post(format!("{base}/api/identity/orgs"))
                    .header("authorization", b)
                    .json(&json!({"name": format!("org-{i}")}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        })
        .await
        .print();

        let list: serde_json::Value = http
            .get(format!("{base}/api/identity/orgs?pagesize=1"))
            .header("authorization", &bearer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = list["organizations"][0]["id"].as_str().unwrap().to_string();
        let (h, b, base2) = (http.clone(), bearer.clone(), base.clone());
        run("get org by id (point read)", 20000, move |_| {
            let (h, b, url) = (h.clone(), b.clone(), format!("{base2}/api/identity/orgs/{id}"));
            async move { h.get(url).header("authorization", b).send().await.unwrap().status().as_u16() }
        })
        .await
        .print();

        let (h, b, base2) = (http.clone(), bearer.clone(), base.clone());
        run("list orgs page 50/4001", 5000, move |i| {
            let (h, b, url) = (h.clone(), b.clone(), format!("{base2}/api/identity/orgs?page={}&pagesize=50", i % 80));
            async move { h.get(url).header("authorization", b).send().await.unwrap().status().as_u16() }
        })
        .await
        .print();

        let (h, base2) = (http.clone(), base.clone());
        run("healthz (HTTP floor)", 20000, move |_| {
            let (h, url) = (h.clone(), format!("{base2}/healthz"));
            async move { h.get(url).send().await.unwrap().status().as_u16() }
        })
        .await
        .print();
    });
}
