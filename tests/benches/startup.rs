//! Start-up benchmark, against the release binary as a child process: the
//! time from spawning `meshcloud serve` to the first 200 on `/healthz`, on a
//! data dir holding 110,000 and one holding 1,000,000 environments (seeded
//! through the API, so each has its audit event), after a graceful stop and
//! after `kill -9` (when the start checks the database's integrity).
//! Run: `bench/startup.sh` (builds the release binary first).
//! `MESHCLOUD_BENCH_DIR=/some/dir` keeps the seeded data dirs there and
//! reuses them on the next run; `MESHCLOUD_BENCH_SIZES=110000` picks sizes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::child::Server;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

/// Starts measured per case; the median is shown with the range.
const CLEAN_RUNS: usize = 7;
const KILLED_RUNS: usize = 3;

/// Before and goal (ms) for each size, from the issue.
fn figures(size: usize) -> (&'static str, &'static str) {
    match size {
        110_000 => ("210", "< 50"),
        1_000_000 => ("2400", "< 100"),
        _ => ("", ""),
    }
}

fn environments(db: &Path) -> usize {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    c.query_row("SELECT count(*) FROM environments", [], |r| r.get::<_, i64>(0)).unwrap() as usize
}

/// A data dir with `size` environments, seeded (or topped up) through the API
/// and stopped gracefully.
async fn prepare(root: &Path, size: usize) -> PathBuf {
    let dir = root.join(format!("env-{size}"));
    let have = if dir.join("meshcloud.db").exists() { environments(&dir.join("meshcloud.db")) } else { 0 };
    if have < size {
        let s = Server::start(&dir, &[]).await;
        let bearer = s.admin_bearer().await;
        let orgs: Value = s
            .http
            .get(format!("{}/api/identity/orgs", s.base))
            .header("authorization", &bearer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let org = orgs["organizations"][0]["id"].as_str().unwrap().to_string();
        s.seed_environments(&bearer, &org, have..size).await;
        s.stop().await;
    }
    dir
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Median, min and max of the runs, in ms.
fn summary(mut runs: Vec<Duration>) -> (f64, f64, f64) {
    runs.sort();
    (ms(runs[runs.len() / 2]), ms(runs[0]), ms(runs[runs.len() - 1]))
}

fn main() {
    let sizes: Vec<usize> = std::env::var("MESHCLOUD_BENCH_SIZES")
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|_| vec![110_000, 1_000_000]);
    let tmp = tempfile::TempDir::new().unwrap();
    let root = std::env::var("MESHCLOUD_BENCH_DIR").map(PathBuf::from).unwrap_or_else(|_| tmp.path().to_path_buf());
    std::fs::create_dir_all(&root).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut rows = vec![];
        for &size in &sizes {
            println!("data dir with {size} environments");
            let dir = prepare(&root, size).await;
            let bytes = std::fs::metadata(dir.join("meshcloud.db")).unwrap().len();
            // The first start after seeding warms the page cache, as any
            // earlier run of the server would have; it is not counted.
            Server::start(&dir, &[]).await.stop().await;
            let mut clean = vec![];
            for _ in 0..CLEAN_RUNS {
                let s = Server::start(&dir, &[]).await;
                clean.push(s.ready_in);
                s.stop().await;
            }
            let mut killed = vec![];
            for _ in 0..KILLED_RUNS {
                Server::start(&dir, &[]).await.kill();
                let s = Server::start(&dir, &[]).await;
                killed.push(s.ready_in);
                s.stop().await;
            }
            rows.push((size, bytes, summary(clean), summary(killed)));
        }
        println!("\nspawn to first 200 on /healthz (ms; median of the runs, min–max; page cache warm)");
        println!(
            "  {:<10} {:>8}   {:<28} {:<26} {:>7} {:>6}",
            "environments", "db MB", "after a graceful stop", "after kill -9 (checks)", "before", "goal"
        );
        for (size, bytes, (c, cmin, cmax), (k, kmin, kmax)) in rows {
            let (before, goal) = figures(size);
            println!(
                "  {size:<12} {:>8.0}   {:<28} {:<26} {before:>7} {goal:>6}",
                bytes as f64 / 1e6,
                format!("{c:.1} ({cmin:.1}–{cmax:.1})"),
                format!("{k:.0} ({kmin:.0}–{kmax:.0})"),
            );
        }
    });
}
