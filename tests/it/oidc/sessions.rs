//! OIDC sessions end with the browser session they came from, and users see
//! and revoke them per client; the POST variants of userinfo and
//! authorization answer like their GET variants.

use serde_json::{Value, json};

use crate::support::oidc::*;
use crate::support::{ADMIN_EMAIL, ADMIN_PASSWORD, Server};

async fn trusted_client(srv: &Server, name: &str) -> Registered {
    register(srv, json!({"name": name, "redirectUris": [REDIRECT], "trusted": true})).await
}

/// A code for `c` from a browser already signed in (silent authorization).
async fn silent_code(b: &mut Browser, c: &Registered) -> String {
    let p =
        b.get(&authorize_url(&c.client_id, REDIRECT, &[("prompt", "none"), ("scope", "openid meshcloud:api")])).await;
    assert_eq!(p.status, 302, "{}", p.body);
    query_param(&p.location.expect("location"), "code").expect("code")
}

/// Signs the browser out the way the UI does (cookie and CSRF header).
async fn sign_out(srv: &Server, b: &Browser) {
    let cookie = b.cookie.clone().expect("signed in");
    let web = srv.anon().header("cookie", &cookie);
    let csrf = web.get("/api/meshcloud/session").await.json()["csrf_token"].as_str().expect("csrf").to_string();
    let out = web.header("x-csrf-token", &csrf).post_empty("/api/meshcloud/logout").await;
    assert_eq!(out.status, 204, "{}", out.text);
}

/// Probes a grant: `Some(the refreshed tokens)` while its access token works
/// on userinfo and the API and its refresh token refreshes; `None` once all
/// are refused. (A refresh rotates, so probe the tokens it returns next.)
async fn probe(srv: &Server, c: &Registered, t: &Value) -> Option<Value> {
    let api = srv.with_token(t["access_token"].as_str().expect("access"));
    let userinfo = api.get("/oauth2/v2/userinfo").await.status;
    let orgs = api.get("/api/identity/orgs").await.status;
    let refresh = t["refresh_token"].as_str().expect("refresh");
    let (status, next) = token(srv, c, &[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
    match (userinfo, orgs, status) {
        (401, 401, 400) => None,
        (200, 200, 200) => Some(next),
        other => panic!("half ended: {other:?} {next}"),
    }
}

#[tokio::test]
async fn signing_out_ends_the_oidc_sessions_of_that_browser_only() {
    let srv = Server::start().await;
    let (portal, grafana) = (trusted_client(&srv, "portal").await, trusted_client(&srv, "grafana").await);
    // Browser A signs in on the provider's page for the portal.
    let mut a = Browser::new(&srv.base);
    let page = a.get(&authorize_url(&portal.client_id, REDIRECT, &[("scope", "openid meshcloud:api")])).await;
    let state = page_state(&page.body);
    let form = [("state", state.as_str()), ("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)];
    let done = a.post_form("/oauth2/v2/login", &form).await;
    let code = query_param(&done.location.expect("location"), "code").expect("code");
    let (_, a_portal) = exchange(&srv, &portal, &code).await;
    // Browser B, the same user signed in to the UI, reaches grafana silently.
    let mut b = Browser::new(&srv.base);
    let login =
        srv.anon().post("/api/meshcloud/login", json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})).await;
    b.cookie = login.header("set-cookie").and_then(|c| c.split(';').next().map(str::to_string));
    let code = silent_code(&mut b, &grafana).await;
    let (_, b_grafana) = exchange(&srv, &grafana, &code).await;
    // A holds a code it has not redeemed yet.
    let unredeemed = silent_code(&mut a, &grafana).await;
    let a_portal = probe(&srv, &portal, &a_portal).await.expect("signed in");

    sign_out(&srv, &a).await;
    assert!(probe(&srv, &portal, &a_portal).await.is_none(), "A's session ends at once");
    let (status, e) = exchange(&srv, &grafana, &unredeemed).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")), "{e}");
    let b_grafana = probe(&srv, &grafana, &b_grafana).await.expect("B is another browser");

    // Refreshed tokens still belong to the browser that signed in.
    sign_out(&srv, &b).await;
    assert!(probe(&srv, &grafana, &b_grafana).await.is_none());
}

#[tokio::test]
async fn users_list_and_revoke_their_oidc_sessions() {
    let srv = Server::start().await;
    let c = trusted_client(&srv, "portal").await;
    let mut b = Browser::new(&srv.base);
    let page = b.get(&authorize_url(&c.client_id, REDIRECT, &[("scope", "openid meshcloud:api")])).await;
    let state = page_state(&page.body);
    let form = [("state", state.as_str()), ("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)];
    let done = b.post_form("/oauth2/v2/login", &form).await;
    let code = query_param(&done.location.expect("location"), "code").expect("code");
    let (_, t) = exchange(&srv, &c, &code).await;
    let t = probe(&srv, &c, &t).await.expect("signed in");
    let admin = srv.admin().await;

    let sessions = admin.get("/api/identity/tokens?isOAuth=true").await;
    assert_eq!(sessions.status, 200, "{}", sessions.text);
    let list = sessions.json();
    let items = list["tokens"].as_array().expect("tokens");
    let oidc: Vec<&Value> = items.iter().filter(|t| t["name"] == "portal").collect();
    assert_eq!(oidc.len(), 1, "{list}");
    assert_eq!(oidc[0]["is_oauth"], true);
    assert!(oidc[0]["purpose"].as_str().expect("purpose").contains("meshcloud:api"), "{list}");
    assert!(items.iter().any(|t| t["name"] == "web session"), "the browser's web session is listed too: {list}");
    assert_eq!(list["total_count"], items.len());
    let id = oidc[0]["id"].as_str().expect("id").to_string();
    // Security tokens are a separate list.
    let plain = admin.get("/api/identity/tokens").await.json();
    assert!(plain["tokens"].as_array().expect("tokens").iter().all(|t| t["id"] != id.as_str()), "{plain}");
    let one = admin.get(&format!("/api/identity/tokens/{id}")).await;
    assert_eq!((one.status, &one.json()["name"]), (200, &json!("portal")), "{}", one.text);
    let searched = admin.get("/api/identity/tokens?isOAuth=true&search=PORT").await.json();
    assert_eq!(searched["total_count"], 1, "{searched}");

    // Nobody else can see or end it.
    let (_, other) = srv.user("someone@example.com", None).await;
    assert_eq!(other.get(&format!("/api/identity/tokens/{id}")).await.status, 404);
    // Revoking names the token in the query, where the reference documents no 404.
    assert_eq!(other.delete(&format!("/api/identity/tokens?tokenId={id}")).await.status, 400);
    let t = probe(&srv, &c, &t).await.expect("still signed in");

    let revoked = admin.delete(&format!("/api/identity/tokens?tokenId={id}")).await;
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    let rest = revoked.json();
    assert!(rest["tokens"].as_array().expect("tokens").iter().all(|t| t["id"] != id.as_str()), "{rest}");
    assert!(probe(&srv, &c, &t).await.is_none());
    assert_eq!(admin.delete(&format!("/api/identity/tokens?tokenId={id}")).await.status, 400);
}

#[tokio::test]
async fn userinfo_takes_a_post_with_only_a_bearer_header() {
    let srv = Server::start().await;
    let c = register_client(&srv, REDIRECT).await;
    let (_, code) = admin_code(&srv, &c).await;
    let (_, t) = exchange(&srv, &c, &code).await;
    let access = t["access_token"].as_str().expect("access");
    let http = crate::support::client();
    let url = format!("{}/oauth2/v2/userinfo", srv.base);
    let r = http.post(&url).bearer_auth(access).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.json::<Value>().await.expect("json")["sub"], ADMIN_EMAIL);
    // A body that is not a form is a JSON error of the face.
    let r = http.post(&url).bearer_auth(access).json(&json!({"access_token": access})).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(r.json::<Value>().await.expect("json")["error"], "invalid_request");
}

#[tokio::test]
async fn a_posted_authorization_request_fails_with_pages_like_the_get() {
    let srv = Server::start().await;
    let c = register_client(&srv, REDIRECT).await;
    let http = no_redirects();
    let url = format!("{}/oauth2/v2/authorization", srv.base);
    let page = |r: reqwest::Response| async move {
        let status = r.status().as_u16();
        let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        (status, ct, r.text().await.unwrap_or_default())
    };
    for (what, req) in [
        ("no body", http.post(&url)),
        ("json", http.post(&url).json(&json!({"client_id": c.client_id}))),
        ("form without client", http.post(&url).form(&[("response_type", "code")])),
    ] {
        let (status, ct, body) = page(req.send().await.expect("post")).await;
        assert_eq!(status, 400, "{what}: {body}");
        assert!(ct.starts_with("text/html") && body.contains("<html"), "{what}: {ct} {body}");
    }
    let form = [
        ("response_type", "code"),
        ("client_id", c.client_id.as_str()),
        ("redirect_uri", REDIRECT),
        ("scope", "openid"),
    ];
    let (status, _, body) = page(http.post(&url).form(&form).send().await.expect("post")).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("name=\"password\""), "the sign-in page");
}
