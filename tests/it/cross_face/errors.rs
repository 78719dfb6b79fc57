//! Bad input gets a clear 4xx in the face's format and changes nothing.

use reqwest::Method;
use serde_json::json;

use crate::support::*;

async fn org_count(api: &Api) -> u64 {
    api.get("/api/identity/orgs").await.json()["total_count"].as_u64().unwrap()
}

#[tokio::test]
async fn malformed_and_mistyped_bodies_are_400() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let id = admin.create_org(json!({"name": "target"})).await;
    let before = org_count(&admin).await;
    for body in [
        "{",
        "not json",
        "[]",
        r#"{"name": 5}"#,
        r#"{"name": true}"#,
        r#"{"name": "ok", "description": ["x"]}"#,
        r#"{"name": "ok", "notifyOrgUpdate": "yes"}"#,
        r#"{"name": "ok", "domain": 12}"#,
    ] {
        let r = admin.raw(Method::POST, "/api/identity/orgs", body).await;
        r.assert_l5_error(400, L5_BAD_REQUEST);
        admin.raw(Method::PUT, &format!("/api/identity/orgs/{id}"), body).await.assert_l5_error(400, L5_BAD_REQUEST);
    }
    assert_eq!(org_count(&admin).await, before, "no bad request created anything");
    assert_eq!(admin.get(&format!("/api/identity/orgs/{id}")).await.json()["organizations"][0]["name"], "target");
    admin.raw(Method::PUT, "/api/identity/users/preferences", "{oops").await.assert_l5_error(400, L5_BAD_REQUEST);
}

#[tokio::test]
async fn unknown_api_paths_are_api_404s_not_the_ui() {
    let s = Server::start().await;
    let admin = s.admin().await;
    for path in ["/api/nope", "/api/identity/nothing/here", "/api", "/events/x/y/z"] {
        let r = admin.get(path).await;
        assert_eq!(r.status, 404, "{path}");
        assert!(r.content_type().starts_with("text/plain"), "{path}: {}", r.content_type());
        assert!(!r.text.contains("<html"), "{path} served the UI");
    }
    let own = admin.get("/api/meshcloud/nope").await;
    assert_eq!(own.status, 404);
    assert_eq!(own.json()["error"], "not_found");
}

#[tokio::test]
async fn wrong_method_and_oversized_bodies() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let r = admin.send(Method::PATCH, "/api/identity/orgs", None).await;
    assert_eq!(r.status, 405);
    let big = format!(r#"{{"name": "{}"}}"#, "x".repeat(9 * 1024 * 1024));
    let r = admin.raw(Method::POST, "/api/identity/orgs", &big).await;
    assert_eq!(r.status, 413);
    assert_eq!(org_count(&admin).await, 1);
}

#[tokio::test]
async fn every_response_has_a_request_id() {
    let s = Server::start().await;
    let r = s.anon().get("/api/identity/orgs").await;
    assert_eq!(r.header("x-request-id").map(|v| v.len()), Some(32));
    let mine = s.anon().header("x-request-id", "trace-me-123").get("/healthz").await;
    assert_eq!(mine.header("x-request-id").as_deref(), Some("trace-me-123"));
}
