//! Lists benchmark, against the release binary as a child process: one org
//! grown to 10,000, 100,000 and 1,000,000 environments through the API, and
//! at each size the server's own CPU per request for the first, a middle and
//! the last page of 25 (by name and `-created_at`), a selective search
//! (0.01 % of the rows) and a 1 % search; then the cost of a create with and
//! without the search-index and page-bucket triggers.
//! Run: `bench/lists.sh` (builds the release binary first).
//! `MESHCLOUD_BENCH_SIZES=10000,100000` stops earlier; `MESHCLOUD_BENCH_DIR`
//! (an empty or missing directory) keeps the data dir.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::child::Server;
use common::{CONCURRENCY, Stats, run};

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Value, json};

const PAGE: usize = 25;
/// Descriptions name one of 100 zones (1 % of the rows each) and one of
/// 10,000 racks (0.01 %).
const WIDE: &str = "zone-07";
const NARROW: &str = "rack-0042";

/// The figures before this change, per size: a middle page, a search.
fn before(size: usize) -> (f64, f64) {
    match size {
        10_000 => (0.40, 5.4),
        100_000 => (1.6, 72.0),
        1_000_000 => (14.7, 879.0),
        _ => (f64::NAN, f64::NAN),
    }
}

#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    base: Arc<str>,
    bearer: Arc<str>,
    org: Arc<str>,
}

impl Client {
    async fn org(s: &Server, bearer: &str, name: &str) -> Client {
        let v: Value = s
            .http
            .post(format!("{}/api/identity/orgs", s.base))
            .header("authorization", bearer)
            .json(&json!({"name": name}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let org = v["organizations"][0]["id"].as_str().unwrap();
        Client { http: s.http.clone(), base: s.base.as_str().into(), bearer: bearer.into(), org: org.into() }
    }

    async fn create(&self, i: usize) -> u16 {
        // Name order is not creation order.
        let body = json!({
            "name": format!("env-{:07}-{i}", (i * 7919) % 1_000_003),
            "description": format!("cluster in zone-{:02} rack-{:04}", i % 100, i % 10_000),
            "organization_id": &*self.org,
        });
        let res = self
            .http
            .post(format!("{}/api/environments", self.base))
            .header("authorization", &*self.bearer)
            .json(&body)
            .send()
            .await
            .unwrap();
        res.status().as_u16()
    }

    async fn get(&self, query: &str) -> Value {
        let res = self
            .http
            .get(format!("{}/api/environments?pagesize={PAGE}&{query}", self.base))
            .header("authorization", &*self.bearer)
            .header("layer5-current-orgid", &*self.org)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{query}");
        res.json().await.unwrap()
    }
}

/// Creates environments `from..to` with `CONCURRENCY` clients; answers creates per second.
async fn grow(c: &Client, from: usize, to: usize) -> f64 {
    let start = Instant::now();
    let mut tasks = vec![];
    for w in 0..CONCURRENCY {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            let mut i = from + w;
            while i < to {
                assert_eq!(c.create(i).await, 201, "create {i}");
                i += CONCURRENCY;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    (to - from) as f64 / start.elapsed().as_secs_f64()
}

/// `n` requests of `query` with the server's own CPU.
async fn measure(s: &Server, c: &Client, n: usize, query: String) -> Stats {
    let cpu0 = s.cpu();
    let c = c.clone();
    let st = run(query.clone(), n, move |_| {
        let (c, query) = (c.clone(), query.clone());
        async move {
            c.get(&query).await;
            200
        }
    })
    .await;
    st.with_cpu(s.cpu() - cpu0)
}

fn row(name: &str, st: &Stats, before: &str, goal: &str) {
    println!("{name:<44} {:>10.3} {before:>12} {goal:>24}", st.cpu_per_req_ms());
}

async fn stage(s: &Server, c: &Client, size: usize, rate: f64) {
    let first = c.get("page=0").await;
    assert_eq!(first["total_count"], size);
    let wide = c.get(&format!("search={WIDE}")).await;
    assert_eq!(wide["total_count"], size / 100);
    let narrow = c.get(&format!("search={NARROW}")).await;
    assert_eq!(narrow["total_count"], size / 10_000);
    let (mid, search) = before(size);
    let last = (size - 1) / PAGE;
    let (pages, searches) = (2_000, if size >= 1_000_000 { 100 } else { 400 });

    println!("\n{size} environments in one org (grown at {rate:.0} creates/s); server CPU per request, ms");
    println!("{:<44} {:>10} {:>12} {:>24}", "workload", "now", "before", "goal");
    for order in ["", "&order=-created_at"] {
        let label = if order.is_empty() { "by name" } else { "-created_at" };
        let p0 = measure(s, c, pages, format!("page=0{order}")).await;
        row(&format!("page 0, {label}"), &p0, "", "");
        let goal = format!("<= {:.3} (2x page 0)", 2.0 * p0.cpu_per_req_ms());
        let st = measure(s, c, pages, format!("page={}{order}", last / 2)).await;
        row(&format!("page {} (middle), {label}", last / 2), &st, &format!("{mid:.2}"), &goal);
        let st = measure(s, c, pages, format!("page={last}{order}")).await;
        row(&format!("page {last} (last), {label}"), &st, "", &goal);
    }
    let st = measure(s, c, searches, format!("search={NARROW}")).await;
    row(&format!("search={NARROW} (0.01 %), page 0"), &st, &format!("{search:.1} (scan)"), "< 10 at 1M");
    let st = measure(s, c, searches, format!("search={WIDE}")).await;
    row(&format!("search={WIDE} (1 %), page 0"), &st, &format!("{search:.1}"), "");
    let st = measure(s, c, searches, format!("search={WIDE}&page={}", size / 100 / PAGE / 2)).await;
    row(&format!("search={WIDE} (1 %), middle page"), &st, "", "");
}

/// A server on a fresh data dir, without the triggers of the search indexes
/// and page buckets when `triggers` is false, and a client of a new org in it.
async fn fresh(dir: &std::path::Path, triggers: bool) -> (Server, Client) {
    let mut s = Server::start(dir, &[]).await;
    if !triggers {
        s.stop().await;
        let c = rusqlite::Connection::open(dir.join("meshcloud.db")).unwrap();
        let names: Vec<String> = c
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'
                    AND (name LIKE '%\\_search\\_%' ESCAPE '\\' OR name LIKE '%\\_pages\\_%' ESCAPE '\\')",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(names.len() > 20, "{names:?}");
        for n in names {
            c.execute_batch(&format!("DROP TRIGGER {n}")).unwrap();
        }
        drop(c);
        s = Server::start(dir, &[]).await;
    }
    let bearer = s.admin_bearer().await;
    let c = Client::org(&s, &bearer, "writes").await;
    grow(&c, 0, 2_000).await;
    (s, c)
}

/// Creates per second and server CPU per create, with and without the
/// triggers, in alternating rounds (the machine's load varies): the medians.
async fn write_cost(tmp: &std::path::Path) -> [(f64, f64); 2] {
    const ROUNDS: usize = 5;
    const CREATES: usize = 6_000;
    let servers = [fresh(&tmp.join("with"), true).await, fresh(&tmp.join("without"), false).await];
    let mut seen: [Vec<(f64, f64)>; 2] = [vec![], vec![]];
    for round in 0..ROUNDS {
        for (k, (s, c)) in servers.iter().enumerate() {
            let from = 2_000 + round * CREATES;
            let cpu0 = s.cpu();
            let rate = grow(c, from, from + CREATES).await;
            seen[k].push((rate, (s.cpu() - cpu0).as_secs_f64() * 1e3 / CREATES as f64));
        }
    }
    let median = |v: &mut Vec<(f64, f64)>| {
        v.sort_by(|a, b| a.1.total_cmp(&b.1));
        v[v.len() / 2]
    };
    let out = [median(&mut seen[0]), median(&mut seen[1])];
    for (s, _) in servers {
        s.stop().await;
    }
    out
}

fn main() {
    let sizes: Vec<usize> = std::env::var("MESHCLOUD_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,100000,1000000".into())
        .split(',')
        .map(|s| s.trim().parse().expect("MESHCLOUD_BENCH_SIZES: sizes separated by commas"))
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let tmp = tempfile::TempDir::new().unwrap();
        let kept = std::env::var_os("MESHCLOUD_BENCH_DIR");
        let dir = kept.clone().map_or_else(|| tmp.path().join("data"), Into::into);
        println!("meshcloud lists benchmark: one org, {CONCURRENCY} clients, the release binary as a child process");
        if kept.is_some() {
            println!("data dir kept at {}", dir.display());
        }
        let s = Server::start(&dir, &[]).await;
        let bearer = s.admin_bearer().await;
        let c = Client::org(&s, &bearer, "lists-bench").await;
        let mut have = 0;
        for size in sizes {
            let rate = grow(&c, have, size).await;
            have = size;
            stage(&s, &c, size, rate).await;
        }
        s.stop().await;

        println!(
            "\ncreate environment (with its audit event), {CONCURRENCY} clients, fresh orgs growing to 32,000, \
             alternating rounds of 6,000: medians"
        );
        let [(with_rate, with_cpu), (without_rate, without_cpu)] = write_cost(tmp.path()).await;
        println!("{:<44} {:>10} {:>12}", "", "creates/s", "cpu/create ms");
        println!("{:<44} {with_rate:>10.0} {with_cpu:>12.3}", "with the search and page triggers");
        println!("{:<44} {without_rate:>10.0} {without_cpu:>12.3}", "without them");
        println!(
            "the triggers cost {:.3} ms of server CPU per create ({:+.0} %)",
            with_cpu - without_cpu,
            (with_cpu / without_cpu - 1.0) * 100.0
        );
    });
}
