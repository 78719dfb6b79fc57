//! An acknowledged write is never lost: kill -9 in the middle of a stream of
//! creates, restart, and every create that got a 201 is there.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::sync::Mutex;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_creates_survive_kill_9() {
    let tmp = tempfile::TempDir::new().unwrap();
    let dir = tmp.path().join("data");
    let mut p = Process::start(&dir).await;
    let token = cli_ok(&dir, &["token", "create", "--email", ADMIN_EMAIL, "--name", "crash"]);
    let api = p.api(&token);
    assert_eq!(api.get("/api/identity/orgs").await.status, 200);

    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut writers = Vec::new();
    for w in 0..8 {
        let api = api.clone();
        let acked = acked.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..200 {
                let r = api.post("/api/identity/orgs", json!({"name": format!("w{w}-{i}")})).await;
                if r.status != 201 {
                    break;
                }
                acked.lock().await.push(r.json()["organizations"][0]["id"].as_str().unwrap().to_string());
            }
        }));
    }
    // Kill once a good number of creates were acknowledged, mid-stream.
    poll("150 acknowledged creates", Duration::from_secs(60), || async {
        (acked.lock().await.len() >= 150).then_some(())
    })
    .await;
    p.child.kill().unwrap(); // SIGKILL
    p.child.wait().unwrap();
    for w in writers {
        // Requests in flight at the kill fail on the client side; that is the point.
        let _ = tokio::time::timeout(Duration::from_secs(40), w).await;
    }
    let acked = acked.lock().await.clone();
    assert!(acked.len() >= 150);

    let check = cli(&dir, &["check-db"], None);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    let p2 = Process::start(&dir).await;
    let api = p2.api(&token);
    let mut present = std::collections::HashSet::new();
    let mut page = 0;
    loop {
        let v = api.get(&format!("/api/identity/orgs?pagesize=500&page={page}")).await.json();
        let items = v["organizations"].as_array().unwrap();
        if items.is_empty() {
            break;
        }
        present.extend(items.iter().map(|o| o["id"].as_str().unwrap().to_string()));
        page += 1;
    }
    let lost: Vec<&String> = acked.iter().filter(|id| !present.contains(*id)).collect();
    assert!(lost.is_empty(), "{} of {} acknowledged creates were lost", lost.len(), acked.len());
}

#[tokio::test]
async fn sigterm_stops_cleanly() {
    let tmp = tempfile::TempDir::new().unwrap();
    let dir = tmp.path().join("data");
    let mut p = Process::start(&dir).await;
    let token = cli_ok(&dir, &["token", "create", "--email", ADMIN_EMAIL, "--name", "t"]);
    let id = p.api(&token).create_org(json!({"name": "before-term"})).await;
    let pid = p.child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = poll("the process to stop on SIGTERM", Duration::from_secs(30), || {
        std::future::ready(p.child.try_wait().unwrap())
    })
    .await;
    assert!(status.success(), "exit status {status:?}");
    // A clean close leaves no write-ahead log behind.
    let wal = dir.join("meshcloud.db-wal");
    assert!(!wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0);
    let p2 = Process::start(&dir).await;
    assert_eq!(p2.api(&token).get(&format!("/api/identity/orgs/{id}")).await.status, 200);
}
