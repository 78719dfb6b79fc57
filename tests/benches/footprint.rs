//! Footprint benchmark, against the release binary as a child process: the
//! server CPU of one authenticated point read, and the size on disk of
//! 110,000 environments with their audit events, with where the bytes go.
//! Run: `bench/footprint.sh` (builds the release binary first).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::child::Server;
use common::{CONCURRENCY, header, run};

use std::sync::Arc;

const READS: usize = 40_000;

/// Environments seeded: 110,000, or `MESHCLOUD_BENCH_SEED` (e.g. fewer while profiling).
fn seed_count() -> usize {
    std::env::var("MESHCLOUD_BENCH_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(110_000)
}

/// Bytes per table and index of the stopped server's database, largest first.
fn breakdown(db: &std::path::Path) -> Vec<(String, u64)> {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut stmt = c.prepare("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64))).unwrap().collect::<Result<_, _>>().unwrap()
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let tmp = tempfile::TempDir::new().unwrap();
        let dir = tmp.path().join("data");
        let s = Server::start(&dir, &[]).await;
        let bearer = s.admin_bearer().await;
        let org = s.first_org(&bearer).await;
        let ids = Arc::new(s.seed_environments(&bearer, &org, 0..seed_count()).await);

        let reads = |s: &Server, bearer: &str, name: &str, path: String| {
            let (http, url, b) = (s.http.clone(), format!("{}{path}", s.base), bearer.to_string());
            let ids = ids.clone();
            let name = name.to_string();
            async move {
                run(name, READS, move |i| {
                    let url = url.replace("{id}", &ids[(i * 7) % ids.len()]);
                    let (http, b) = (http.clone(), b.clone());
                    async move { http.get(url).header("authorization", b).send().await.unwrap().status().as_u16() }
                })
                .await
            }
        };
        println!("\nserver CPU per request (the server process alone), {CONCURRENCY} clients");
        header();
        let cpu0 = s.cpu();
        let st =
            reads(&s, &bearer, "get environment by id", "/api/environments/{id}".into()).await.with_cpu(s.cpu() - cpu0);
        let env_cpu = st.cpu_per_req_ms();
        st.print();
        let cpu0 = s.cpu();
        let st = reads(&s, &bearer, "get organization by id", format!("/api/identity/orgs/{org}")).await;
        st.with_cpu(s.cpu() - cpu0).print();
        let cpu0 = s.cpu();
        let st = run("/healthz (the HTTP floor)", READS, {
            let (http, url) = (s.http.clone(), format!("{}/healthz", s.base));
            move |_| {
                let (http, url) = (http.clone(), url.clone());
                async move { http.get(url).send().await.unwrap().status().as_u16() }
            }
        })
        .await;
        st.with_cpu(s.cpu() - cpu0).print();
        s.stop().await;

        // The default log level writes a line per request.
        let s = Server::start(&dir, &[("MESHCLOUD_LOG", "info")]).await;
        let cpu0 = s.cpu();
        let st = reads(&s, &bearer, "get environment by id, MESHCLOUD_LOG=info", "/api/environments/{id}".into())
            .await
            .with_cpu(s.cpu() - cpu0);
        let env_cpu_info = st.cpu_per_req_ms();
        st.print();
        println!(
            "point read: {env_cpu:.3} ms of server CPU, {env_cpu_info:.3} ms logging each request \
             (before: 0.10 ms; goal: 0.06 ms)"
        );

        s.stop().await;
        let db = dir.join("meshcloud.db");
        let size: u64 = ["meshcloud.db", "meshcloud.db-wal"]
            .iter()
            .map(|f| std::fs::metadata(dir.join(f)).map(|m| m.len()).unwrap_or(0))
            .sum();
        println!("\nsize on disk after a graceful stop, {} environments with their audit events", seed_count());
        let parts = breakdown(&db);
        for (name, bytes) in parts.iter().take(16) {
            println!("  {name:<40} {:>7.2} MB", *bytes as f64 / 1e6);
        }
        println!(
            "size: {:.1} MB, {:.0} bytes per environment (before: 96 MB; goal: under 40 MB)",
            size as f64 / 1e6,
            size as f64 / seed_count() as f64
        );
    });
}
