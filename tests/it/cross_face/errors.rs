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

/// Refusals by the framework (a method the path does not serve, a body too
/// large, of the wrong media type, or that does not parse, a query parameter
/// of the wrong type) come in the face's own error format with a status the
/// face documents: no 405, 413 or 415 on the Layer5 and Identity faces.
#[tokio::test]
async fn wrong_method_and_oversized_bodies() {
    let s = Server::start().await;
    let admin = s.admin().await;
    admin.send(Method::PATCH, "/api/identity/orgs", None).await.assert_l5_error(404, L5_NOT_FOUND);
    let big = format!(r#"{{"name": "{}"}}"#, "x".repeat(9 * 1024 * 1024));
    let r = admin.raw(Method::POST, "/api/identity/orgs", &big).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert_eq!(org_count(&admin).await, 1);
}

async fn send_typed(s: &Server, token: &str, method: Method, path: &str, content_type: &str, body: &str) -> Resp {
    let r = client()
        .request(method, format!("{}{path}", s.base))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body.to_string())
        .send()
        .await
        .expect("request");
    Resp { status: r.status().as_u16(), headers: r.headers().clone(), text: r.text().await.expect("body") }
}

#[tokio::test]
async fn framework_errors_use_each_face_format() {
    let s = Server::start().await;
    let token = s.token_for(ADMIN_EMAIL, "errors").await;
    let admin = s.with_token(&token);
    let before = org_count(&admin).await;

    // Layer5: text/plain, 400 for a body of another media type.
    let r = send_typed(&s, &token, Method::POST, "/api/identity/orgs", "text/plain", r#"{"name": "x"}"#).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("Content-Type"), "says why: {}", r.text);
    // Lists document no 400: a page that is not a number is the first one.
    assert_eq!(admin.get("/api/identity/orgs?page=x").await.expect(200)["page"], 0);
    admin.send(Method::PATCH, "/api/environments", None).await.assert_l5_error(404, L5_NOT_FOUND);
    // A JSON body sent without a Content-Type is read as JSON.
    let r = client()
        .post(format!("{}/api/identity/orgs", s.base))
        .bearer_auth(&token)
        .body(r#"{"name": "untyped"}"#)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 201);
    assert_eq!(org_count(&admin).await, before + 1);

    // Identity: JSON {error, error_description}, 400 / 404.
    for (method, ctype, body, status, code) in [
        (Method::POST, "text/plain", "{}", 400, "invalid_request"),
        (Method::POST, "application/json", "{", 400, "invalid_request"),
        (Method::PATCH, "application/json", "{}", 404, "not_found"),
    ] {
        let r = send_typed(&s, &token, method.clone(), "/api/v1/organizations", ctype, body).await;
        assert_eq!(r.status, status, "{method} {ctype} {body}: {}", r.text);
        assert!(r.content_type().starts_with("application/json"), "{}", r.content_type());
        assert_eq!(r.json()["error"], code, "{}", r.text);
        assert!(r.json()["error_description"].is_string());
    }

    // meshcloud's own face: JSON {error, message}; it keeps 405.
    let r = send_typed(&s, &token, Method::POST, "/api/meshcloud/oauth/clients", "text/plain", "{}").await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.json()["error"], "invalid_request");
    assert!(r.json()["message"].is_string());
    let r = send_typed(&s, &token, Method::PATCH, "/api/meshcloud/oauth/clients", "application/json", "{}").await;
    assert_eq!(r.status, 405, "{}", r.text);
    assert_eq!(r.json()["error"], "method_not_allowed");
    assert_eq!(org_count(&admin).await, before + 1, "no refused request created anything");
}

#[tokio::test]
async fn every_response_has_a_request_id() {
    let s = Server::start().await;
    let r = s.anon().get("/api/identity/orgs").await;
    assert_eq!(r.header("x-request-id").map(|v| v.len()), Some(32));
    let mine = s.anon().header("x-request-id", "trace-me-123").get("/healthz").await;
    assert_eq!(mine.header("x-request-id").as_deref(), Some("trace-me-123"));
}
