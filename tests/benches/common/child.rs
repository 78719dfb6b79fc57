//! The release binary as a child process, so that CPU time and memory are the
//! server's alone (read from `/proc/<pid>`), and so that a benchmark can stop
//! it gracefully, kill it and start it again on the same data dir.
//!
//! ```ignore
//! let dir = tempfile::TempDir::new().unwrap();
//! let s = child::Server::start(dir.path(), &[]).await;   // waits for /healthz
//! let bearer = s.admin_bearer().await;
//! let cpu0 = s.cpu();
//! let stats = run("get", 20_000, ...).await.with_cpu(s.cpu() - cpu0);
//! let rss = s.rss_kib();
//! s.stop().await;                                         // SIGTERM, waits for exit
//! ```
//!
//! The binary is `MESHCLOUD_BIN`, else `target/release/meshcloud` of this
//! workspace: build it first (`cargo build --release -p meshcloud`; the
//! `bench/*.sh` scripts do).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ADMIN_EMAIL: &str = "bench@example.com";
pub const ADMIN_PASSWORD: &str = "bench-password";

/// The server binary under measurement.
pub fn binary() -> PathBuf {
    if let Ok(p) = std::env::var("MESHCLOUD_BIN") {
        return PathBuf::from(p);
    }
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/meshcloud");
    assert!(bin.exists(), "{} is missing: run `cargo build --release -p meshcloud` first", bin.display());
    bin
}

pub struct Server {
    child: Child,
    pub base: String,
    pub data_dir: PathBuf,
    pub http: reqwest::Client,
    /// From spawning the process to the first 200 on `/healthz`.
    pub ready_in: Duration,
}

impl Server {
    /// Starts `meshcloud serve` on a free loopback port with its data in
    /// `data_dir` (kept across restarts), system jobs off, logging warnings
    /// only to `<data_dir>.log` (appended across restarts); `env` adds or
    /// overrides `MESHCLOUD_*` variables.
    pub async fn start(data_dir: &Path, env: &[(&str, &str)]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let listen = format!("127.0.0.1:{port}");
        let mut cmd = Command::new(binary());
        cmd.args(["serve", "--listen", &listen, "--data-dir"])
            .arg(data_dir)
            .env("MESHCLOUD_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("MESHCLOUD_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("MESHCLOUD_LOG", "warn")
            .env("MESHCLOUD_PURGE_SCHEDULE", "")
            .env("MESHCLOUD_TOKEN_CLEANUP_SCHEDULE", "")
            .env("MESHCLOUD_EVENT_RETENTION_SCHEDULE", "")
            .env("MESHCLOUD_BACKUP_SCHEDULE", "")
            .env("MESHCLOUD_PLANS_FILE", super::unlimited_plans(data_dir))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file(data_dir));
        // The benchmarks' own settings are not the server's (it warns of unknown keys).
        for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("MESHCLOUD_BENCH_")) {
            cmd.env_remove(k);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let http = reqwest::Client::builder().pool_max_idle_per_host(64).build().unwrap();
        let base = format!("http://{listen}");
        let started = Instant::now();
        let mut child = cmd.spawn().unwrap();
        loop {
            if let Ok(r) = http.get(format!("{base}/healthz")).send().await
                && r.status() == 200
            {
                break;
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!(
                    "meshcloud exited before answering /healthz: {status} (see {})",
                    data_dir.with_extension("log").display()
                );
            }
            assert!(started.elapsed() < Duration::from_secs(120), "no /healthz within 120 s");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let ready_in = started.elapsed();
        Server { child, base, data_dir: data_dir.to_path_buf(), http, ready_in }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// User plus system CPU time the server has used so far (10 ms ticks).
    pub fn cpu(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap_or_default();
        let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, r)| r.split_whitespace().collect()).unwrap_or_default();
        let ticks: u64 = fields.get(11).and_then(|u| u.parse().ok()).unwrap_or(0)
            + fields.get(12).and_then(|s| s.parse().ok()).unwrap_or(0);
        Duration::from_millis(ticks * 10)
    }

    /// Resident memory of the server now, in KiB.
    pub fn rss_kib(&self) -> u64 {
        status_kib(self.pid(), "VmRSS:")
    }

    /// The most resident memory the server has had, in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        status_kib(self.pid(), "VmHWM:")
    }

    /// Signs the admin in and issues a bearer token (`Bearer mc_…`).
    pub async fn admin_bearer(&self) -> String {
        self.bearer_of(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    /// Signs `email` in and issues a bearer token for it.
    pub async fn bearer_of(&self, email: &str, password: &str) -> String {
        super::sign_in_bearer(&self.http, &self.base, email, password).await
    }

    /// The id of the first organization `bearer` lists.
    pub async fn first_org(&self, bearer: &str) -> String {
        let orgs: serde_json::Value = self
            .http
            .get(format!("{}/api/identity/orgs", self.base))
            .header("authorization", bearer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        orgs["organizations"][0]["id"].as_str().unwrap().to_string()
    }

    /// Creates environments `range` in `org` through the API with
    /// `CONCURRENCY` clients (names a permutation of the range's order,
    /// descriptions cycling through 100 zones); answers their ids.
    pub async fn seed_environments(&self, bearer: &str, org: &str, range: std::ops::Range<usize>) -> Vec<String> {
        use std::sync::Arc;
        let started = Instant::now();
        let (http, base) = (self.http.clone(), Arc::<str>::from(self.base.as_str()));
        let (bearer, org) = (Arc::<str>::from(bearer), Arc::<str>::from(org));
        let mut tasks = vec![];
        for w in 0..super::CONCURRENCY {
            let (http, base, bearer, org, range) =
                (http.clone(), base.clone(), bearer.clone(), org.clone(), range.clone());
            tasks.push(tokio::spawn(async move {
                let mut ids = vec![];
                for i in (range.start + w..range.end).step_by(super::CONCURRENCY) {
                    let body = serde_json::json!({
                        "name": format!("env-{:07}-{i}", (i * 7919) % range.end),
                        "description": format!("cluster in zone-{:02}", i % 100),
                        "organization_id": &*org,
                    });
                    let res = http
                        .post(format!("{base}/api/environments"))
                        .header("authorization", &*bearer)
                        .json(&body)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(res.status(), 201, "seed {i}");
                    ids.push(res.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_string());
                }
                ids
            }));
        }
        let mut ids = vec![];
        for t in tasks {
            ids.extend(t.await.unwrap());
        }
        let secs = started.elapsed().as_secs_f64();
        println!("  seeded {} environments in {secs:.1} s ({:.0} creates/s)", range.len(), range.len() as f64 / secs);
        ids
    }

    /// SIGTERM, then waits for the process to finish (a graceful stop).
    pub async fn stop(mut self) {
        let pid = self.pid().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success(), "kill -TERM {pid}");
        let started = Instant::now();
        while self.child.try_wait().unwrap().is_none() {
            assert!(started.elapsed() < Duration::from_secs(60), "meshcloud did not stop within 60 s");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// SIGKILL: the process ends wherever it is, as in a crash.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server's log beside its data dir: real writes, as in production, but
/// out of the benchmark's own output.
fn log_file(data_dir: &Path) -> Stdio {
    let path = data_dir.with_extension("log");
    match std::fs::OpenOptions::new().create(true).append(true).open(&path) {
        Ok(f) => Stdio::from(f),
        Err(_) => Stdio::inherit(),
    }
}

fn status_kib(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
