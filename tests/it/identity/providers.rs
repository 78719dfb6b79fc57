//! Upstream sign-in providers: an organization's own (CRUD, secret sealed
//! and never echoed) and the global ones (listed to everyone, managed by
//! provider admins through meshcloud's own API).

use serde_json::{Value, json};

use crate::support::*;

const SECRET: &str = "s3cr3t-Value-that-must-not-leak-7f9a";

fn providers(org: &str) -> String {
    format!("/api/v1/organizations/{org}/oauth2providers")
}

fn body(name: &str, issuer: &str, secret: Option<&str>) -> Value {
    let mut spec = json!({"type": "google", "issuer": issuer, "clientID": "client-123"});
    if let Some(s) = secret {
        spec["clientSecret"] = json!(s);
    }
    json!({"metadata": {"name": name, "description": "corporate IdP"}, "spec": spec})
}

#[track_caller]
fn identity_error(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status, status, "body: {}", r.text);
    assert_eq!(r.json()["error"], code, "{}", r.text);
    assert!(r.json()["error_description"].is_string(), "{}", r.text);
}

/// Every byte the store holds on disk (database and write-ahead log).
fn store_bytes(data_dir: &std::path::Path) -> Vec<u8> {
    let mut all = vec![];
    for f in ["meshcloud.db", "meshcloud.db-wal"] {
        if let Ok(b) = std::fs::read(data_dir.join(f)) {
            all.extend(b);
        }
    }
    all
}

#[tokio::test]
async fn org_providers_crud_and_the_secret_stays_secret() {
    let w = world().await;
    let path = providers(&w.org_a);
    let r = w.alice.post(&path, body("corp", "https://idp.example.com", Some(SECRET))).await;
    let p = r.expect(201);
    assert!(!r.text.contains(SECRET) && p["spec"].get("clientSecret").is_none(), "{p}");
    assert_eq!(p["spec"], json!({"type": "google", "issuer": "https://idp.example.com", "clientID": "client-123"}));
    assert_eq!(p["metadata"]["organizationId"], w.org_a.as_str());
    let id = p["metadata"]["id"].as_str().expect("id").to_string();

    let list = w.alice.get(&path).await;
    assert!(!list.text.contains(SECRET), "{}", list.text);
    assert_eq!(list.json().as_array().map(Vec::len), Some(1));
    let raw = store_bytes(&w.s.data_dir);
    assert!(!raw.is_empty());
    assert!(!raw.windows(SECRET.len()).any(|win| win == SECRET.as_bytes()), "the secret is stored in plaintext");

    // PUT without a secret keeps it; 200 without a body.
    let r = w.alice.put(&format!("{path}/{id}"), body("corp-2", "https://login.example.com/tenant", None)).await;
    assert_eq!((r.status, r.text.as_str()), (200, ""));
    let list = w.alice.get(&path).await.expect(200);
    assert_eq!(list[0]["metadata"]["name"], "corp-2");
    assert_eq!(list[0]["spec"]["issuer"], "https://login.example.com/tenant");

    // Validation and conflicts, with nothing changed.
    identity_error(&w.alice.post(&path, body("ftp", "ftp://idp.example.com", None)).await, 400, "invalid_request");
    identity_error(&w.alice.post(&path, body("bad", "not a url", None)).await, 400, "invalid_request");
    let no_client = json!({"metadata": {"name": "x"}, "spec": {"issuer": "https://a.example"}});
    identity_error(&w.alice.post(&path, no_client).await, 400, "invalid_request");
    identity_error(&w.alice.post(&path, body("corp-2", "https://idp.example.com", None)).await, 409, "conflict");
    assert_eq!(w.alice.get(&path).await.expect(200).as_array().map(Vec::len), Some(1));

    // Members without the key and outsiders.
    identity_error(&w.carol.get(&path).await, 403, "forbidden");
    identity_error(&w.dave.get(&path).await, 403, "forbidden");
    identity_error(&w.dave.delete(&format!("{path}/{id}")).await, 403, "forbidden");
    identity_error(&w.dave.get(&providers(&w.org_b)).await, 403, "forbidden");

    let r = w.alice.delete(&format!("{path}/{id}")).await;
    assert_eq!((r.status, r.text.as_str()), (200, ""));
    identity_error(&w.alice.delete(&format!("{path}/{id}")).await, 404, "not_found");
    assert_eq!(w.alice.get(&path).await.expect(200), json!([]));
}

#[tokio::test]
async fn global_providers_are_listed_to_all_and_managed_by_provider_admins() {
    let w = world().await;
    let admin_path = "/api/meshcloud/oauth2providers";
    let r = w.alice.post(admin_path, body("google", "https://accounts.google.com", Some(SECRET))).await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = w.admin.post(admin_path, body("google", "https://accounts.google.com", Some(SECRET))).await;
    let p = r.expect(201);
    assert!(!r.text.contains(SECRET));
    let id = p["metadata"]["id"].as_str().expect("id").to_string();
    assert!(p["metadata"].get("organizationId").is_none(), "{p}");

    let r = w.dave.get("/api/v1/oauth2providers").await;
    let list = r.expect(200);
    assert!(!r.text.contains(SECRET));
    assert_eq!(
        strs(&json!(list.as_array().expect("list").iter().map(|p| &p["metadata"]).collect::<Vec<_>>()), "name"),
        ["google"]
    );
    assert_eq!(list[0]["spec"]["issuer"], "https://accounts.google.com");
    identity_error(&w.s.anon().get("/api/v1/oauth2providers").await, 401, "access_denied");
    // Global providers are not an organization's.
    assert_eq!(w.alice.get(&providers(&w.org_a)).await.expect(200), json!([]));

    assert_eq!(w.alice.delete(&format!("{admin_path}/{id}")).await.status, 403);
    assert_eq!(w.admin.delete(&format!("{admin_path}/{id}")).await.status, 204);
    assert_eq!(w.dave.get("/api/v1/oauth2providers").await.expect(200), json!([]));
}

/// A refused provider name is the provider's, said so: the sign-in page shows
/// the organization too, and a bare "metadata.name" read as its name.
#[tokio::test]
async fn a_bad_provider_name_is_blamed_on_the_provider() {
    let w = world().await;
    let path = providers(&w.org_a);
    let ok = w.alice.post(&path, body("corp", "https://idp.example.com", None)).await.expect(201);
    let id = ok["metadata"]["id"].as_str().expect("id").to_string();
    for r in [
        w.alice.post(&path, body("Corporate SSO", "https://idp.example.com", None)).await,
        w.alice.put(&format!("{path}/{id}"), body("-corp", "https://idp.example.com", None)).await,
        w.admin.post("/api/meshcloud/oauth2providers", body("a b", "https://idp.example.com", None)).await,
    ] {
        assert_eq!(r.status, 400, "{}", r.text);
        let said = r.json();
        let text = said["error_description"].as_str().or(said["message"].as_str()).unwrap_or_default().to_string();
        assert!(text.starts_with("metadata.name (the provider's name) must be 1-63"), "{text}");
    }
    let list = w.alice.get(&path).await.expect(200);
    assert_eq!(
        strs(&json!(list.as_array().expect("list").iter().map(|p| &p["metadata"]).collect::<Vec<_>>()), "name"),
        ["corp"]
    );
}
