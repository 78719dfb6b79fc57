//! The browser endpoints' edges: forms posted from other sites, pages that
//! must not be cached, exact redirect URIs, and userinfo only for access
//! tokens.

use crate::support::oidc::*;
use crate::support::{ADMIN_EMAIL, ADMIN_PASSWORD, Server};

/// Posts the sign-in form with the given Origin and Sec-Fetch-Site headers.
async fn post_login(srv: &Server, state: &str, origin: Option<&str>, fetch_site: Option<&str>) -> reqwest::Response {
    let http = no_redirects();
    let mut req = http.post(format!("{}/oauth2/v2/login", srv.base)).form(&[
        ("state", state),
        ("email", ADMIN_EMAIL),
        ("password", ADMIN_PASSWORD),
    ]);
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    if let Some(f) = fetch_site {
        req = req.header("sec-fetch-site", f);
    }
    req.send().await.expect("post")
}

#[tokio::test]
async fn a_sign_in_form_posted_from_another_site_signs_nobody_in() {
    let srv = Server::start().await;
    let c = register_client(&srv, REDIRECT).await;
    let mut b = Browser::new(&srv.base);
    let state = page_state(&b.get(&authorize_url(&c.client_id, REDIRECT, &[])).await.body);
    for (origin, site) in [(Some("https://evil.example"), None), (None, Some("cross-site")), (Some("null"), None)] {
        let r = post_login(&srv, &state, origin, site).await;
        assert_eq!(r.status().as_u16(), 400, "{origin:?} {site:?}");
        assert!(r.headers().get("set-cookie").is_none() && r.headers().get("location").is_none());
        assert!(r.text().await.expect("body").contains("another site"));
    }
    // From the page itself (the issuer's origin) it works.
    let r = post_login(&srv, &state, Some(&srv.base), Some("same-origin")).await;
    assert_eq!(r.status().as_u16(), 302);
    assert!(r.headers().get("set-cookie").is_some());
}

#[tokio::test]
async fn browser_pages_are_html_and_uncached() {
    let srv = Server::start().await;
    let c = register_client(&srv, REDIRECT).await;
    let http = no_redirects();
    let mut b = Browser::new(&srv.base);
    let state = page_state(&b.get(&authorize_url(&c.client_id, REDIRECT, &[])).await.body);
    // A wrong password: the page again, which carries the sealed request.
    let r = http
        .post(format!("{}/oauth2/v2/login", srv.base))
        .form(&[("state", state.as_str()), ("email", ADMIN_EMAIL), ("password", "wrong-one-1")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(r.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    // No state at all: the error page, not JSON.
    let r =
        http.post(format!("{}/oauth2/v2/login", srv.base)).form(&[("email", ADMIN_EMAIL)]).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.expect("body").contains("<html"));
    // The redirect URI is compared exactly as sent.
    let p = b.get(&authorize_url(&c.client_id, &format!("{REDIRECT} "), &[])).await;
    assert_eq!(p.status, 400);
    assert!(p.location.is_none());
}

#[tokio::test]
async fn userinfo_answers_for_access_tokens_only() {
    let srv = Server::start().await;
    let admin = srv.admin().await;
    // A Layer5 security token is a credential, not an access token of a client.
    let r = admin.get("/oauth2/v2/userinfo").await;
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(r.json()["error"], "access_denied");
    let c = register_client(&srv, REDIRECT).await;
    let (_, code) = admin_code(&srv, &c).await;
    let (_, t) = exchange(&srv, &c, &code).await;
    let r = srv.with_token(t["access_token"].as_str().expect("access")).get("/oauth2/v2/userinfo").await;
    assert_eq!(r.status, 200, "{}", r.text);
}
