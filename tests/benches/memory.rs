//! Memory benchmark, against the release binary as a child process: resident
//! memory idle at start, after a burst of sign-ins (argon2id, right and wrong
//! passwords, several accounts) with point reads and list pages, and after
//! idling again; and 50 parallel correct sign-ins of one account, which queue
//! behind the sign-in throttle instead of failing.
//! Run: `bench/memory.sh` (builds the release binary first).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::child::{self, Server};
use common::{CONCURRENCY, header, run};

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

const ACCOUNTS: usize = 8;
const SIGN_INS: usize = 2_000;
/// Every fifth sign-in of the burst sends a wrong password.
const WRONG_EVERY: usize = 5;
const PARALLEL_ONE_ACCOUNT: usize = 50;
const ENVIRONMENTS: usize = 2_000;
const READS: usize = 20_000;
const PAGES: usize = 2_000;
const IDLE_AFTER: Duration = Duration::from_secs(30);

fn password(account: usize) -> String {
    format!("account-password-{account}")
}

fn email(account: usize) -> String {
    format!("user{account}@example.com")
}

/// Creates the accounts with the binary's own CLI, next to the running server.
fn create_accounts(s: &Server) {
    for a in 0..ACCOUNTS {
        use std::io::Write;
        let mut cli = std::process::Command::new(child::binary())
            .args(["user", "create", "--data-dir"])
            .arg(&s.data_dir)
            .args(["--email", &email(a), "--password-stdin"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        cli.stdin.take().unwrap().write_all(password(a).as_bytes()).unwrap();
        assert!(cli.wait().unwrap().success(), "user create {}", email(a));
    }
}

/// One sign-in from its own client address (the server trusts
/// `X-Forwarded-For` here, so the per-address limit does not end the burst).
async fn sign_in(http: &reqwest::Client, base: &str, i: usize, account: usize, right: bool) -> u16 {
    let pw = if right { password(account) } else { "not-the-password".to_string() };
    http.post(format!("{base}/api/meshcloud/login"))
        .header("x-forwarded-for", format!("10.{}.{}.{}", i >> 16 & 255, i >> 8 & 255, i & 255))
        .json(&json!({"email": email(account), "password": pw}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn mb(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let tmp = tempfile::TempDir::new().unwrap();
        let dir = tmp.path().join("data");
        let env = [("MESHCLOUD_TRUST_FORWARDED_FOR", "true")];

        // The first start hashes the admin's password; its buffer is freed
        // after 10 s without sign-ins.
        let s = Server::start(&dir, &env).await;
        tokio::time::sleep(Duration::from_secs(12)).await;
        let first = s.rss_kib();
        s.stop().await;
        let s = Server::start(&dir, &env).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let idle = s.rss_kib();

        let bearer = s.admin_bearer().await;
        create_accounts(&s);
        let org = s.first_org(&bearer).await;
        let ids = Arc::new(s.seed_environments(&bearer, &org, 0..ENVIRONMENTS).await);

        println!(
            "\n{PARALLEL_ONE_ACCOUNT} correct sign-ins of one account sent at once (its throttle admits 10 at a time)"
        );
        let started = Instant::now();
        let mut tasks = vec![];
        for i in 0..PARALLEL_ONE_ACCOUNT {
            let (http, base) = (s.http.clone(), s.base.clone());
            tasks.push(tokio::spawn(async move {
                let t = Instant::now();
                let status = http
                    .post(format!("{base}/api/meshcloud/login"))
                    .header("x-forwarded-for", format!("192.0.2.{i}"))
                    .json(&json!({"email": email(0), "password": password(0)}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16();
                (status, t.elapsed())
            }));
        }
        let mut lat = vec![];
        let mut ok = 0;
        for t in tasks {
            let (status, l) = t.await.unwrap();
            ok += usize::from(status == 200);
            lat.push(l);
        }
        lat.sort();
        println!(
            "  {ok} of {PARALLEL_ONE_ACCOUNT} answered 200 in {:.2} s; latency p50 {:.0} ms, max {:.0} ms \
             (before: 10 succeeded, 40 got 429)",
            started.elapsed().as_secs_f64(),
            lat[lat.len() / 2].as_secs_f64() * 1e3,
            lat[lat.len() - 1].as_secs_f64() * 1e3,
        );
        assert_eq!(ok, PARALLEL_ONE_ACCOUNT, "every correct sign-in succeeds");

        println!("\nserver CPU per request (the server process alone), {CONCURRENCY} clients");
        header();
        let cpu0 = s.cpu();
        let burst = run(format!("sign-in, {ACCOUNTS} accounts, 1 in {WRONG_EVERY} wrong"), SIGN_INS, {
            let (http, base) = (s.http.clone(), s.base.clone());
            move |i| {
                let (http, base) = (http.clone(), base.clone());
                async move {
                    let right = i % WRONG_EVERY != 0;
                    let status = sign_in(&http, &base, i, i % ACCOUNTS, right).await;
                    // The expected answer counts as success; anything else fails the run.
                    if status == if right { 200 } else { 401 } { 200 } else { status }
                }
            }
        })
        .await;
        burst.with_cpu(s.cpu() - cpu0).print();
        let after_burst = s.rss_kib();

        let get = |path: String, total: usize, name: &str| {
            let (http, base, bearer, ids, org) =
                (s.http.clone(), s.base.clone(), bearer.clone(), ids.clone(), org.clone());
            let name = name.to_string();
            async move {
                run(name, total, move |i| {
                    let url = format!(
                        "{base}{}",
                        path.replace("{id}", &ids[(i * 7) % ids.len()]).replace("{page}", &(i % 80).to_string())
                    );
                    let (http, bearer, org) = (http.clone(), bearer.clone(), org.clone());
                    async move {
                        http.get(url)
                            .header("authorization", bearer)
                            .header("layer5-current-orgid", org)
                            .send()
                            .await
                            .unwrap()
                            .status()
                            .as_u16()
                    }
                })
                .await
            }
        };
        let cpu0 = s.cpu();
        let st = get("/api/environments/{id}".into(), READS, "get environment by id").await;
        st.with_cpu(s.cpu() - cpu0).print();
        let cpu0 = s.cpu();
        let st = get("/api/environments?page={page}&pagesize=25".into(), PAGES, "list environments, 25 per page").await;
        st.with_cpu(s.cpu() - cpu0).print();

        let after_load = s.rss_kib();
        let peak = s.peak_rss_kib();
        tokio::time::sleep(IDLE_AFTER).await;
        let after_idle = s.rss_kib();
        s.stop().await;

        println!("\nresident memory of the server (MB)            now    before    goal");
        let row = |what: &str, now: u64, before: &str, goal: &str| {
            println!("  {what:<42} {:>6.1} {before:>9} {goal:>7}", mb(now));
        };
        row("idle at start (after a restart)", idle, "28", "< 20");
        row("idle after the first start (12 s)", first, "28", "< 20");
        row("after the sign-in burst", after_burst, "1400", "< 80");
        row("after the burst and the read load", after_load, "1400", "< 80");
        row(&format!("after {} s idle", IDLE_AFTER.as_secs()), after_idle, "1400", "< 80");
        row("peak (VmHWM)", peak, "", "");
    });
}
