//! Infrastructure load benchmark: one organization holding 100,000 environments,
//! driven over loopback HTTP by concurrent clients against the in-process server.
//! Measures list pages with their total (across the whole page range, by name,
//! newest first and with a search), get-by-id and create.
//! Run: `cargo bench -p meshcloud-tests --bench infra` (release build).
//! `MESHCLOUD_BENCH_DIR=/some/empty/dir` keeps the seeded data dir for
//! inspecting query plans afterwards; by default it lives in a temp dir.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{CONCURRENCY, Stats, header, run};

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Value, json};

const SEED: usize = 100_000;
const PAGE_SIZE: usize = 25;
const PAGES: usize = SEED / PAGE_SIZE;
/// Descriptions cycle through this many zones, so one zone is 1 % of the rows.
const ZONES: usize = 100;
const SEARCH: &str = "zone-07";

#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    base: Arc<str>,
    bearer: Arc<str>,
    org: Arc<str>,
}

impl Client {
    async fn create(&self, i: usize) -> reqwest::Response {
        // A permutation of the seed order, so that name order is not creation order.
        let name = format!("env-{:06}-{i}", (i * 7919) % SEED);
        let description = format!("cluster in zone-{:02}", i % ZONES);
        self.http
            .post(format!("{}/api/environments", self.base))
            .header("authorization", &*self.bearer)
            .json(&json!({"name": name, "description": description, "organization_id": &*self.org}))
            .send()
            .await
            .unwrap()
    }

    async fn get(&self, path_and_query: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path_and_query}", self.base))
            .header("authorization", &*self.bearer)
            .header("layer5-current-orgid", &*self.org)
            .send()
            .await
            .unwrap()
    }
}

/// Creates `SEED` environments with the same concurrency as the workloads and
/// answers their ids; timed on its own so it never mixes with the create workload.
async fn seed(c: &Client) -> Vec<String> {
    let start = Instant::now();
    let mut tasks = vec![];
    for w in 0..CONCURRENCY {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            let mut ids = vec![];
            let mut i = w;
            while i < SEED {
                let res = c.create(i).await;
                assert_eq!(res.status(), 201, "seed {i}");
                let env: Value = res.json().await.unwrap();
                ids.push(env["id"].as_str().unwrap().to_string());
                i += CONCURRENCY;
            }
            ids
        }));
    }
    let mut ids = Vec::with_capacity(SEED);
    for t in tasks {
        ids.extend(t.await.unwrap());
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "seeded {SEED} environments in one org in {secs:.1} s ({:.0} creates/s, not part of the table)",
        SEED as f64 / secs
    );
    ids
}

async fn page(c: &Client, query: &str) -> Value {
    let res = c.get(&format!("/api/environments?pagesize={PAGE_SIZE}&{query}")).await;
    assert_eq!(res.status(), 200, "{query}");
    res.json().await.unwrap()
}

/// A list workload over `pages` pages of `query`, visiting them in a scattered
/// order so that cheap early offsets and expensive late ones are both sampled.
async fn list(c: &Client, name: &str, total: usize, query: String, pages: usize) -> Stats {
    let c = c.clone();
    run(name, total, move |i| {
        let c = c.clone();
        // 997 is prime and coprime with the page counts used here, so `i` walks every page.
        let url = format!("/api/environments?pagesize={PAGE_SIZE}&page={}{query}", (i * 997) % pages);
        async move { c.get(&url).await.status().as_u16() }
    })
    .await
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let tmp = tempfile::TempDir::new().unwrap();
        let dir = std::env::var_os("MESHCLOUD_BENCH_DIR").map_or_else(|| tmp.path().join("data"), Into::into);
        let common::Bench { http, base, bearer } = common::start(dir.clone(), |_| {}).await;
        let org: Value = http
            .post(format!("{base}/api/identity/orgs"))
            .header("authorization", &bearer)
            .json(&json!({"name": "infra-bench"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let org = org["organizations"][0]["id"].as_str().unwrap().to_string();
        let c = Client { http, base: base.into(), bearer: bearer.into(), org: org.into() };

        println!("meshcloud infrastructure benchmark, {CONCURRENCY} concurrent clients over loopback");
        if std::env::var_os("MESHCLOUD_BENCH_DIR").is_some() {
            println!("data dir kept at {}", dir.display());
        }
        let ids = Arc::new(seed(&c).await);

        // The workloads below are only meaningful if the lists hold what was seeded.
        let first = page(&c, "page=0").await;
        assert_eq!(first["total_count"], SEED);
        assert_eq!(first["environments"].as_array().unwrap().len(), PAGE_SIZE);
        let last = page(&c, &format!("page={}", PAGES - 1)).await;
        assert_eq!(last["environments"].as_array().unwrap().len(), PAGE_SIZE);
        let found = page(&c, &format!("search={SEARCH}")).await;
        assert_eq!(found["total_count"], SEED / ZONES);
        let search_pages = SEED / ZONES / PAGE_SIZE;

        println!();
        header();
        list(&c, &format!("list 25 + total, by name, pages 0-{}", PAGES - 1), 3000, String::new(), PAGES).await.print();
        let name = format!("list 25 + total, -created_at, pages 0-{}", PAGES - 1);
        list(&c, &name, 3000, "&order=-created_at".into(), PAGES).await.print();
        let name = format!("list 25 + total, search={SEARCH}, pages 0-{}", search_pages - 1);
        list(&c, &name, 500, format!("&search={SEARCH}"), search_pages).await.print();
        // The two ends of the range tell the count's cost apart from the skip's.
        list(&c, "list 25 + total, by name, page 0 only", 2000, String::new(), 1).await.print();
        let c2 = c.clone();
        run(format!("list 25 + total, by name, page {} only", PAGES - 1), 2000, move |_| {
            let c = c2.clone();
            let url = format!("/api/environments?pagesize={PAGE_SIZE}&page={}", PAGES - 1);
            async move { c.get(&url).await.status().as_u16() }
        })
        .await
        .print();

        let (c2, ids2) = (c.clone(), ids.clone());
        run("get environment by id", 20_000, move |i| {
            let c = c2.clone();
            // Scattered over the whole table rather than a hot handful of rows.
            let url = format!("/api/environments/{}", ids2[(i * 7919) % ids2.len()]);
            async move { c.get(&url).await.status().as_u16() }
        })
        .await
        .print();

        let c2 = c.clone();
        run("create environment (group commit)", 4000, move |i| {
            let c = c2.clone();
            async move { c.create(SEED + i).await.status().as_u16() }
        })
        .await
        .print();
    });
}
