//! The store seen from outside: every mutation leaves an audit row in the same
//! transaction, and a locked database answers 503 with Retry-After, never 500.

use std::time::Duration;

use serde_json::json;

use crate::support::*;

fn events(dir: &std::path::Path) -> Vec<(String, String, Option<String>)> {
    let conn = rusqlite::Connection::open(dir.join("meshcloud.db")).unwrap();
    let mut stmt = conn.prepare("SELECT category, action, acted_upon FROM events ORDER BY id").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
}

#[tokio::test]
async fn every_mutation_is_audited() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let id = admin.create_org(json!({"name": "audited"})).await;
    admin.put(&format!("/api/identity/orgs/{id}"), json!({"description": "changed"})).await;
    let (token, _) = admin.create_token("audit-me").await;
    admin.delete(&format!("/api/identity/tokens?tokenId={token}")).await;
    admin.delete(&format!("/api/identity/orgs/{id}")).await;
    // A refused change leaves no trace.
    admin.put(&format!("/api/identity/orgs/{id}"), json!({"name": "ghost"})).await;

    let log = events(&s.data_dir);
    let of = |cat: &str, act: &str, on: &str| {
        log.iter().filter(|e| e.0 == cat && e.1 == act && e.2.as_deref() == Some(on)).count()
    };
    assert_eq!(of("organization", "create", &id), 1, "{log:?}");
    assert_eq!(of("organization", "update", &id), 1);
    assert_eq!(of("organization", "delete", &id), 1);
    assert_eq!(of("token", "create", &token), 1);
    assert_eq!(of("token", "revoke", &token), 1);
    assert!(log.iter().any(|e| e.0 == "user" && e.1 == "create"), "bootstrap is audited too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_store_answers_503_and_changes_nothing() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let before = admin.get("/api/identity/orgs").await.json()["total_count"].as_u64().unwrap();
    let path = s.data_dir.join("meshcloud.db");
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.execute_batch("BEGIN EXCLUSIVE").unwrap();
        locked_tx.send(()).unwrap();
        let _ = release_rx.recv_timeout(Duration::from_secs(60));
        conn.execute_batch("ROLLBACK").unwrap();
    });
    locked_rx.recv().unwrap();
    let r = admin.post("/api/identity/orgs", json!({"name": "blocked"})).await;
    assert_eq!(r.status, 503, "{}", r.text);
    assert!(r.header("retry-after").is_some());
    assert!(r.text.starts_with("Service unavailable"));
    release_tx.send(()).unwrap();
    holder.join().unwrap();

    // Reads kept working; once the lock is gone writes do too, and the refused one left nothing.
    let after = admin.get("/api/identity/orgs?search=blocked").await.json();
    assert_eq!(after["total_count"], 0);
    admin.create_org(json!({"name": "unblocked"})).await;
    assert_eq!(admin.get("/api/identity/orgs").await.json()["total_count"].as_u64().unwrap(), before + 1);
}
