//! Stale planner statistics: the sequence that used to stop the server.
//!
//! Against the release binary as a child process: a fresh install, 10,000
//! environments, one graceful stop (statistics taken then say organizations
//! and users hold one row), a start, then the admin creates 10,000
//! organizations and an ordinary user is added to each. Then the server's
//! own CPU per request for a page of organizations and a get by id, as the
//! admin and as that member, and the latency of each user's first request
//! after the start (a credential read plus a whole grant resolution over
//! 10,000 memberships); again after a kill -9 and a start, and after a
//! graceful restart. Every answer must be 2xx: the non-2xx column counts them.
//! Run: `bench/stale-stats.sh` (builds the release binary first).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::CONCURRENCY;
use common::child::{self, Server};
use serde_json::{Value, json};

const ENVS: usize = 10_000;
const ORGS: usize = 10_000;
const READS: usize = 2_000;
const MEMBER: &str = "member@example.com";
const MEMBER_PASSWORD: &str = "member-password-1";

/// The figures before the change (server CPU per request).
const BEFORE_LIST_MS: f64 = 820.0;
const BEFORE_GET_MS: f64 = 707.0;
const BEFORE_GRANTS: &str = "8.1 s of CPU per resolution (503 after 5 s)";

#[derive(Clone)]
struct Caller {
    http: reqwest::Client,
    base: Arc<str>,
    bearer: Arc<str>,
}

impl Caller {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base)).header("authorization", &*self.bearer);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}

/// `total` calls of `f(i)` over `CONCURRENCY` clients: latencies and how
/// many answers were not 2xx.
async fn fan_out<F, Fut>(total: usize, f: F) -> (Vec<Duration>, usize)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = u16> + Send,
{
    let f = Arc::new(f);
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|w| {
            let f = f.clone();
            tokio::spawn(async move {
                let (mut lat, mut bad) = (vec![], 0);
                let mut i = w;
                while i < total {
                    let t = Instant::now();
                    let status = f(i).await;
                    lat.push(t.elapsed());
                    bad += usize::from(!(200..300).contains(&status));
                    i += CONCURRENCY;
                }
                (lat, bad)
            })
        })
        .collect();
    let (mut lat, mut bad) = (vec![], 0);
    for t in tasks {
        let (l, b) = t.await.unwrap();
        lat.extend(l);
        bad += b;
    }
    lat.sort();
    (lat, bad)
}

fn pct(lat: &[Duration], q: f64) -> f64 {
    lat[((lat.len() as f64 * q) as usize).min(lat.len() - 1)].as_secs_f64() * 1e3
}

/// Reads `path(i)` `READS` times as `who` and prints one row.
async fn measure(
    s: &Server,
    phase: &str,
    who: &Caller,
    what: &str,
    path: impl Fn(usize) -> String + Send + Sync + 'static,
) -> usize {
    let who = who.clone();
    let cpu0 = s.cpu();
    let (lat, bad) = fan_out(READS, move |i| {
        let (who, path) = (who.clone(), path(i));
        async move { who.send(reqwest::Method::GET, &path, None).await.0 }
    })
    .await;
    let cpu = (s.cpu() - cpu0).as_secs_f64() * 1e3 / READS as f64;
    println!("{phase:<22} {what:<28} {cpu:>10.3} {:>9.3} {:>9.3} {bad:>8}", pct(&lat, 0.5), pct(&lat, 0.99));
    bad
}

/// The first request of each caller after a start: reads its credential and
/// resolves its grants (nothing is cached yet).
async fn first_requests(s: &Server, phase: &str, callers: &[(&str, &Caller)]) -> usize {
    let mut bad = 0;
    for (name, c) in callers {
        let cpu0 = s.cpu();
        let t = Instant::now();
        let (status, _) =
            c.send(reqwest::Method::GET, "/api/identity/orgs/0196a000-0000-7000-8000-000000000000", None).await;
        let ms = t.elapsed().as_secs_f64() * 1e3;
        // An org nobody belongs to: 404 is the answer that proves the
        // credential and its grants resolved.
        bad += usize::from(status != 404);
        let cpu = (s.cpu() - cpu0).as_secs_f64() * 1e3;
        println!(
            "{phase:<22} {:<28} {cpu:>10.0} {ms:>9.1} {:>9} {:>8}",
            format!("first request, {name}"),
            "",
            usize::from(status != 404)
        );
    }
    bad
}

async fn measure_all(s: &Server, phase: &str, admin: &Caller, member: &Caller, orgs: &Arc<Vec<String>>) -> usize {
    let mut bad = first_requests(s, phase, &[("admin", admin), ("member", member)]).await;
    let page = |_| "/api/identity/orgs?pagesize=25".to_string();
    bad += measure(s, phase, admin, "list 25, admin", page).await;
    let o = orgs.clone();
    bad += measure(s, phase, admin, "get by id, admin", move |i| {
        format!("/api/identity/orgs/{}", o[(i * 7919) % o.len()])
    })
    .await;
    bad += measure(s, phase, member, "list 25, member", page).await;
    let o = orgs.clone();
    bad += measure(s, phase, member, "get by id, member", move |i| {
        format!("/api/identity/orgs/{}", o[(i * 7919) % o.len()])
    })
    .await;
    bad
}

fn create_member(dir: &std::path::Path) -> String {
    let mut cmd = Command::new(child::binary())
        .args(["user", "create", "--data-dir"])
        .arg(dir)
        .args(["--email", MEMBER, "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    cmd.stdin.take().unwrap().write_all(MEMBER_PASSWORD.as_bytes()).unwrap();
    let out = cmd.wait_with_output().unwrap();
    assert!(out.status.success(), "user create");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn main() {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap().block_on(async {
        let tmp = tempfile::TempDir::new().unwrap();
        let dir =
            std::env::var("MESHCLOUD_BENCH_DIR").map(std::path::PathBuf::from).unwrap_or(tmp.path().to_path_buf());
        let s = Server::start(&dir, &[]).await;
        let caller = |s: &Server, bearer: String| Caller {
            http: s.http.clone(),
            base: s.base.clone().into(),
            bearer: bearer.into(),
        };
        let admin_bearer = s.admin_bearer().await;
        let admin = caller(&s, admin_bearer.clone());
        let (_, v) = admin.send(reqwest::Method::GET, "/api/identity/orgs?pagesize=1", None).await;
        let default_org = v["organizations"][0]["id"].as_str().unwrap().to_string();
        let member_id = create_member(&dir);
        let member_bearer = s.bearer_of(MEMBER, MEMBER_PASSWORD).await;

        let t = Instant::now();
        let a = admin.clone();
        let org: Arc<str> = default_org.into();
        let (_, mut bad) = fan_out(ENVS, move |i| {
            let (a, org) = (a.clone(), org.clone());
            async move {
                let body = json!({"name": format!("env-{i:05}"), "description": "", "organization_id": &*org});
                a.send(reqwest::Method::POST, "/api/environments", Some(body)).await.0
            }
        })
        .await;
        println!("seeded {ENVS} environments in {:.1} s; graceful stop", t.elapsed().as_secs_f64());
        s.stop().await;

        let s = Server::start(&dir, &[]).await;
        let admin = caller(&s, admin_bearer.clone());
        let member = caller(&s, member_bearer.clone());
        let t = Instant::now();
        let ids = Arc::new(std::sync::Mutex::new(Vec::with_capacity(ORGS)));
        let (a, out) = (admin.clone(), ids.clone());
        let (_, b) = fan_out(ORGS, move |i| {
            let (a, out) = (a.clone(), out.clone());
            async move {
                let body = json!({"name": format!("org-{i:05}")});
                let (status, v) = a.send(reqwest::Method::POST, "/api/identity/orgs", Some(body)).await;
                if let Some(id) = v["organizations"][0]["id"].as_str() {
                    out.lock().unwrap().push(id.to_string());
                }
                if i % 1000 == 999 {
                    eprintln!("  {} organizations at {:.1} s", i + 1, t.elapsed().as_secs_f64());
                }
                status
            }
        })
        .await;
        bad += b;
        let orgs = Arc::new(std::mem::take(&mut *ids.lock().unwrap()));
        assert_eq!(orgs.len(), ORGS, "every organization was created");
        println!("the admin created {ORGS} organizations in {:.1} s ({b} non-2xx)", t.elapsed().as_secs_f64());
        let t = Instant::now();
        let (a, o, uid) = (admin.clone(), orgs.clone(), Arc::<str>::from(member_id.as_str()));
        let (_, b) = fan_out(ORGS, move |i| {
            let (a, path) = (a.clone(), format!("/api/identity/orgs/{}/users/{uid}", o[i]));
            async move {
                if i % 1000 == 999 {
                    eprintln!("  member added to {} organizations at {:.1} s", i + 1, t.elapsed().as_secs_f64());
                }
                a.send(reqwest::Method::POST, &path, None).await.0
            }
        })
        .await;
        bad += b;
        println!("the member was added to each in {:.1} s ({b} non-2xx)\n", t.elapsed().as_secs_f64());

        println!(
            "{:<22} {:<28} {:>10} {:>9} {:>9} {:>8}",
            "phase", "workload", "cpu/req ms", "p50 ms", "p99 ms", "non-2xx"
        );
        bad += measure_all(&s, "after 10k orgs", &admin, &member, &orgs).await;
        s.kill();
        let s = Server::start(&dir, &[]).await;
        let (admin, member) = (caller(&s, admin_bearer.clone()), caller(&s, member_bearer.clone()));
        bad += measure_all(&s, "after kill -9", &admin, &member, &orgs).await;
        s.stop().await;
        let s = Server::start(&dir, &[]).await;
        let (admin, member) = (caller(&s, admin_bearer.clone()), caller(&s, member_bearer.clone()));
        bad += measure_all(&s, "after graceful restart", &admin, &member, &orgs).await;
        s.stop().await;

        println!();
        println!("non-2xx answers (503s included) over the whole sequence: {bad} (goal: 0)");
        println!(
            "before: list {BEFORE_LIST_MS} ms and get {BEFORE_GET_MS} ms of CPU per request, every request 503 \
             after the 5 s wait; grants {BEFORE_GRANTS}"
        );
        println!(
            "goal: no 503 and plans independent of statistics; the issue's 0.53 ms (list) and 0.13 ms (get) were \
             measured before the 10k orgs existed: a page for a user in 10k orgs counts its 10k memberships"
        );
        assert_eq!(bad, 0, "every answer was 2xx");
    });
}
