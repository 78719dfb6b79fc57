//! Permission resolution off the request path.
//!
//! Against the release binary as a child process, with the default 10 s
//! credential TTL: an ordinary user (not a provider admin) creates 10,000
//! organizations, so it holds grants in 10,000 orgs. Then 16 concurrent
//! clients, using two credentials of that user, read organizations by id for
//! 40 s. Before, each credential's grants were recomputed by every request
//! that found them expired: a stall every 10 s. Prints p50, p99 and max per
//! 5 s window and overall, and the server's CPU per request.
//! Run: `bench/grants.sh` (builds the release binary first).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::CONCURRENCY;
use common::child::{self, Server};
use serde_json::json;

const ORGS: usize = 10_000;
const RUN: Duration = Duration::from_secs(40);
const WINDOW: Duration = Duration::from_secs(5);
const USER: &str = "many@example.com";
const PASSWORD: &str = "many-orgs-password-1";
const BEFORE: &str = "p99 1.8-2.4 s every 10 s (each credential's grants recomputed by every request at expiry)";

fn create_user(dir: &std::path::Path) {
    let mut cmd = Command::new(child::binary())
        .args(["user", "create", "--data-dir"])
        .arg(dir)
        .args(["--email", USER, "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    cmd.stdin.take().unwrap().write_all(PASSWORD.as_bytes()).unwrap();
    assert!(cmd.wait().unwrap().success(), "user create");
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn row(name: &str, lat: &mut [Duration], bad: usize) {
    lat.sort();
    let pct = |q: f64| ms(lat[((lat.len() as f64 * q) as usize).min(lat.len() - 1)]);
    let max = lat.last().copied().map(ms).unwrap_or(0.0);
    println!("{name:<14} {:>8} {:>9.3} {:>9.3} {:>9.3} {bad:>8}", lat.len(), pct(0.5), pct(0.99), max);
}

fn main() {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap().block_on(async {
        let tmp = tempfile::TempDir::new().unwrap();
        let s = Server::start(tmp.path(), &[]).await;
        create_user(tmp.path());
        let bearers: Vec<Arc<str>> = vec![
            s.bearer_of(USER, PASSWORD).await.into(),
            s.bearer_of(USER, PASSWORD).await.into(),
        ];
        let base: Arc<str> = s.base.clone().into();
        let t = Instant::now();
        let ids = Arc::new(std::sync::Mutex::new(Vec::with_capacity(ORGS)));
        let tasks: Vec<_> = (0..CONCURRENCY)
            .map(|w| {
                let (http, base, bearer, ids) = (s.http.clone(), base.clone(), bearers[0].clone(), ids.clone());
                tokio::spawn(async move {
                    let mut i = w;
                    while i < ORGS {
                        let res = http
                            .post(format!("{base}/api/identity/orgs"))
                            .header("authorization", &*bearer)
                            .json(&json!({"name": format!("org-{i:05}")}))
                            .send()
                            .await
                            .unwrap();
                        assert_eq!(res.status(), 201);
                        let v: serde_json::Value = res.json().await.unwrap();
                        ids.lock().unwrap().push(v["organizations"][0]["id"].as_str().unwrap().to_string());
                        i += CONCURRENCY;
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        let orgs = Arc::new(std::mem::take(&mut *ids.lock().unwrap()));
        println!("an ordinary user created {ORGS} organizations in {:.1} s", t.elapsed().as_secs_f64());
        println!(
            "{CONCURRENCY} clients, 2 credentials of that user, GET /api/identity/orgs/{{id}} for {} s (credential TTL 10 s)\n",
            RUN.as_secs()
        );

        let cpu0 = s.cpu();
        let start = Instant::now();
        let tasks: Vec<_> = (0..CONCURRENCY)
            .map(|w| {
                let (http, base, bearer, orgs) = (s.http.clone(), base.clone(), bearers[w % 2].clone(), orgs.clone());
                tokio::spawn(async move {
                    let mut seen = vec![];
                    let mut i = w;
                    while start.elapsed() < RUN {
                        let url = format!("{base}/api/identity/orgs/{}", orgs[(i * 7919) % orgs.len()]);
                        let t = Instant::now();
                        let status = http.get(url).header("authorization", &*bearer).send().await.unwrap().status();
                        seen.push((t - start, t.elapsed(), status.is_success()));
                        i += CONCURRENCY;
                    }
                    seen
                })
            })
            .collect();
        let mut all = vec![];
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        let cpu = s.cpu() - cpu0;
        println!("{:<14} {:>8} {:>9} {:>9} {:>9} {:>8}", "window", "req", "p50 ms", "p99 ms", "max ms", "non-2xx");
        let windows = RUN.as_secs().div_ceil(WINDOW.as_secs());
        for k in 0..windows {
            let (from, to) = (WINDOW * k as u32, WINDOW * (k as u32 + 1));
            let mut lat: Vec<Duration> = all.iter().filter(|(at, _, _)| *at >= from && *at < to).map(|x| x.1).collect();
            let bad = all.iter().filter(|(at, _, ok)| *at >= from && *at < to && !ok).count();
            if !lat.is_empty() {
                row(&format!("{:>2}-{:>2} s", from.as_secs(), to.as_secs()), &mut lat, bad);
            }
        }
        let mut lat: Vec<Duration> = all.iter().map(|x| x.1).collect();
        let bad = all.iter().filter(|x| !x.2).count();
        row("overall", &mut lat, bad);
        println!(
            "\nserver CPU per request: {:.3} ms; {:.0} requests/s",
            ms(cpu) / all.len() as f64,
            all.len() as f64 / RUN.as_secs_f64()
        );
        println!("before: {BEFORE}");
        println!("goal: no stall, p99 within a few ms in every window");
        s.stop().await;
        assert_eq!(bad, 0, "every answer was 2xx");
    });
}
