//! Start-up reads the whole database only when it was not closed cleanly: a
//! marker next to it lives from start to clean close, so a kill leaves it and
//! the next start checks integrity (and refuses a damaged file).

use std::path::Path;
use std::time::Duration;

use serde_json::json;

use crate::support::*;

const CHECKING: &str = "checking the database's integrity";

fn marker(dir: &Path) -> std::path::PathBuf {
    dir.join("meshcloud.db-dirty")
}

#[tokio::test]
async fn integrity_is_checked_after_a_kill_and_not_after_a_clean_stop() {
    let tmp = tempfile::TempDir::new().unwrap();
    let dir = tmp.path().join("data");
    let p = Process::start(&dir).await;
    assert!(!p.logged(CHECKING), "a new data dir has nothing to check");
    assert!(marker(&dir).exists(), "marked while a server has it open");
    // A tool next to the server leaves the marker alone.
    let token = cli_ok(&dir, &["token", "create", "--email", ADMIN_EMAIL, "--name", "t"]);
    p.api(&token).create_org(json!({"name": "before-kill"})).await;
    assert!(marker(&dir).exists());

    p.kill();
    assert!(marker(&dir).exists(), "a kill leaves the marker");
    let p = Process::start(&dir).await;
    assert!(p.logged(CHECKING), "the start after a kill checks");
    assert!(p.logged("the database passed its integrity check"));

    let status = p.terminate().await;
    assert!(status.success(), "{status:?}");
    assert!(!marker(&dir).exists(), "a clean stop removes the marker");
    // Tools on a cleanly stopped data dir do not mark it either.
    cli_ok(&dir, &["token", "create", "--email", ADMIN_EMAIL, "--name", "offline"]);
    assert!(!marker(&dir).exists());
    let jobs_before = system_jobs(&dir);
    let p = Process::start(&dir).await;
    assert!(!p.logged(CHECKING), "the start after a clean stop does not check");
    assert_eq!(system_jobs(&dir), jobs_before, "registering unchanged system jobs writes nothing");
    assert_eq!(p.api(&token).get("/api/identity/orgs?search=before-kill").await.json()["total_count"], 1);
}

/// Sends `GET /healthz` on a connection made as soon as `addr` accepts one
/// (it may wait in the listen backlog while the server starts) and waits for
/// the answer's status line.
async fn first_answer(addr: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut sock =
        poll("the listener", Duration::from_secs(30), || async { tokio::net::TcpStream::connect(addr).await.ok() })
            .await;
    sock.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut buf = vec![0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(30), sock.read(&mut buf)).await.unwrap().unwrap();
    String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_stop_right_after_the_first_answer_is_graceful() {
    let tmp = tempfile::TempDir::new().unwrap();
    let dir = tmp.path().join("data");
    for round in 0..8 {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let addr = format!("127.0.0.1:{port}");
        let p = Process::launch_on(&dir, &addr);
        assert_eq!(first_answer(&addr).await, "HTTP/1.1 200 OK", "round {round}");
        // SIGTERM at once. The handler is installed before start-up, so the
        // signal never takes its default action of ending the process there.
        let logs = p.logs.clone();
        let status = p.terminate().await;
        assert!(status.success(), "round {round}: {status:?}");
        assert!(logs.lock().unwrap().iter().any(|m| m.contains("shutdown requested")), "round {round}");
        assert!(!marker(&dir).exists(), "round {round}: a graceful stop leaves no marker: {:?}", logs.lock().unwrap());
    }
}

/// The system jobs as stored, with the time each was last changed.
fn system_jobs(dir: &Path) -> Vec<(String, String, String)> {
    let c = rusqlite::Connection::open(dir.join("meshcloud.db")).unwrap();
    let mut stmt = c
        .prepare("SELECT name, cron_expression, updated_at FROM schedules WHERE kind = 'system' ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
}

/// Overwrites the first page of `table`'s b-tree with garbage, after folding
/// the write-ahead log into the file so that the damage is what SQLite reads.
fn damage(db: &Path, table: &str) {
    let (root, page_size) = {
        let c = rusqlite::Connection::open(db).unwrap();
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
        let root: i64 =
            c.query_row("SELECT rootpage FROM sqlite_master WHERE name = ?1", [table], |r| r.get(0)).unwrap();
        let size: i64 = c.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
        (root as u64, size as u64)
    };
    use std::io::{Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new().write(true).open(db).unwrap();
    f.seek(SeekFrom::Start((root - 1) * page_size)).unwrap();
    f.write_all(&vec![0xA5; page_size as usize]).unwrap();
    f.sync_all().unwrap();
}

#[tokio::test]
async fn a_damaged_database_is_refused_after_an_unclean_shutdown() {
    let tmp = tempfile::TempDir::new().unwrap();
    let dir = tmp.path().join("data");
    let p = Process::start(&dir).await;
    let token = cli_ok(&dir, &["token", "create", "--email", ADMIN_EMAIL, "--name", "t"]);
    for i in 0..20 {
        p.api(&token).create_org(json!({"name": format!("org-{i}")})).await;
    }
    p.kill();
    damage(&dir.join("meshcloud.db"), "events");

    for attempt in ["first", "second"] {
        let (status, stderr) = serve_refused(&dir).await;
        assert!(!status.success(), "{attempt} start after the damage served");
        assert!(stderr.contains("failed its integrity check"), "{attempt}: {stderr}");
        assert!(marker(&dir).exists(), "a refused start keeps the marker, so the next one checks too");
    }
    let check = cli(&dir, &["check-db"], None);
    assert!(!check.status.success(), "check-db reports it too");
}

#[tokio::test]
async fn a_restored_database_is_checked_at_its_first_start() {
    let tmp = tempfile::TempDir::new().unwrap();
    let dir = tmp.path().join("data");
    let p = Process::start(&dir).await;
    let out = tmp.path().join("backup.db");
    cli_ok(&dir, &["backup", "--out", out.to_str().unwrap()]);
    assert!(p.terminate().await.success());

    let restored = tmp.path().join("restored");
    cli_ok(&restored, &["restore", "--from", out.to_str().unwrap()]);
    assert!(marker(&restored).exists());
    let p = Process::start(&restored).await;
    assert!(p.logged(CHECKING));
    assert!(p.terminate().await.success());
    assert!(!marker(&restored).exists());
}
