//! Scoped access tokens: meshcloud's APIs take an OAuth access token only
//! with `meshcloud:api`, which only clients a provider admin trusts get.
//! Security tokens and service-account tokens are not affected.

use serde_json::{Value, json};

use crate::support::Server;
use crate::support::oidc::*;

/// Registers a client with `trusted` as given.
async fn client(srv: &Server, trusted: bool) -> Registered {
    register(srv, json!({"name": "dashboard", "redirectUris": [REDIRECT], "trusted": trusted})).await
}

/// Signs the admin in with `scope` and exchanges the code.
async fn tokens_with_scope(srv: &Server, c: &Registered, scope: &str) -> Value {
    let mut b = Browser::new(&srv.base);
    let page = b.get(&authorize_url(&c.client_id, REDIRECT, &[("scope", scope)])).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let state = page_state(&page.body);
    let done = b
        .post_form(
            "/oauth2/v2/login",
            &[("state", &state), ("email", crate::support::ADMIN_EMAIL), ("password", crate::support::ADMIN_PASSWORD)],
        )
        .await;
    let code = query_param(&done.location.expect("location"), "code").expect("code");
    let (status, t) = exchange(srv, c, &code).await;
    assert_eq!(status, 200, "{t}");
    t
}

/// Every face refuses the token, each in its own format.
async fn refused_by_every_api(srv: &Server, access: &str) {
    let api = srv.with_token(access);
    api.get("/api/identity/orgs").await.assert_l5_error(401, crate::support::L5_UNAUTHORIZED);
    api.get("/api/integrations/connections").await.assert_l5_error(401, crate::support::L5_UNAUTHORIZED);
    api.get("/api/events").await.assert_l5_error(401, crate::support::L5_UNAUTHORIZED);
    let acl = api.get("/api/v1/acl").await;
    assert_eq!((acl.status, acl.json()["error"].as_str()), (403, Some("forbidden")), "{}", acl.text);
    let own = api.get("/api/meshcloud/session").await;
    assert_eq!((own.status, own.json()["error"].as_str()), (403, Some("forbidden")), "{}", own.text);
    // RFC 6750 §3.1: the scope the token lacks.
    for r in [&acl, &own] {
        let challenge = r.header("www-authenticate").unwrap_or_default();
        assert_eq!(challenge, r#"Bearer error="insufficient_scope", scope="meshcloud:api""#, "{}", r.text);
    }
}

#[tokio::test]
async fn a_relying_partys_token_reads_userinfo_and_no_api() {
    let srv = Server::start().await;
    let c = client(&srv, false).await;
    let t = tokens_with_scope(&srv, &c, "openid email profile").await;
    assert_eq!(t["scope"], "openid email profile");
    let access = t["access_token"].as_str().expect("access");
    let info = srv.with_token(access).get("/oauth2/v2/userinfo").await;
    assert_eq!(info.status, 200, "{}", info.text);
    assert_eq!(info.json()["email"], crate::support::ADMIN_EMAIL);
    refused_by_every_api(&srv, access).await;
    // The admin's own security token is unchanged.
    assert_eq!(srv.admin().await.get("/api/identity/orgs").await.status, 200);
}

#[tokio::test]
async fn only_trusted_clients_get_the_api_scope() {
    let srv = Server::start().await;
    let d = srv.anon().get("/.well-known/openid-configuration").await.json();
    assert!(d["scopes_supported"].as_array().expect("scopes").contains(&json!("meshcloud:api")), "{d}");

    // An untrusted client asking for it gets an error at its redirect URI.
    let untrusted = client(&srv, false).await;
    let mut b = Browser::new(&srv.base);
    let p = b.get(&authorize_url(&untrusted.client_id, REDIRECT, &[("scope", "openid meshcloud:api")])).await;
    assert_eq!(p.status, 302, "{}", p.body);
    let loc = p.location.expect("location");
    assert_eq!(query_param(&loc, "error").as_deref(), Some("invalid_scope"), "{loc}");

    let trusted = client(&srv, true).await;
    let t = tokens_with_scope(&srv, &trusted, "openid meshcloud:api").await;
    assert_eq!(t["scope"], "openid meshcloud:api");
    let api = srv.with_token(t["access_token"].as_str().expect("access"));
    assert_eq!(api.get("/api/identity/orgs").await.status, 200);
    assert_eq!(api.get("/api/v1/acl").await.status, 200);
    assert_eq!(api.get("/oauth2/v2/userinfo").await.status, 200);
    // A trusted client still gets the API scope only when it asks for it.
    let t = tokens_with_scope(&srv, &trusted, "openid").await;
    refused_by_every_api(&srv, t["access_token"].as_str().expect("access")).await;
}

#[tokio::test]
async fn taking_trust_away_ends_api_access_at_once() {
    let srv = Server::start().await;
    let admin = srv.admin().await;
    let c = client(&srv, true).await;
    let t = tokens_with_scope(&srv, &c, "openid meshcloud:api").await;
    let access = t["access_token"].as_str().expect("access");
    assert_eq!(srv.with_token(access).get("/api/identity/orgs").await.status, 200);

    // A change that does not name `trusted` keeps it.
    let path = format!("/api/meshcloud/oauth/clients/{}", c.id);
    let r = admin.put(&path, json!({"name": "renamed", "redirectUris": [REDIRECT]})).await;
    assert_eq!((r.status, &r.json()["trusted"]), (200, &json!(true)), "{}", r.text);
    assert_eq!(srv.with_token(access).get("/api/identity/orgs").await.status, 200);

    let r = admin.put(&path, json!({"name": "renamed", "redirectUris": [REDIRECT], "trusted": false})).await;
    assert_eq!((r.status, &r.json()["trusted"]), (200, &json!(false)), "{}", r.text);
    // The client's access tokens are revoked.
    assert_eq!(srv.with_token(access).get("/oauth2/v2/userinfo").await.status, 401);
    srv.with_token(access).get("/api/identity/orgs").await.assert_l5_error(401, crate::support::L5_UNAUTHORIZED);
    // The session goes on without the scope: a refresh gives a token for
    // userinfo only.
    let refresh = t["refresh_token"].as_str().expect("refresh");
    let (status, again) = token(&srv, &c, &[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["scope"], "openid");
    let newer = again["access_token"].as_str().expect("access");
    assert_eq!(srv.with_token(newer).get("/oauth2/v2/userinfo").await.status, 200);
    refused_by_every_api(&srv, newer).await;
}

/// A change of a client keeps what it leaves out; `null` clears.
#[tokio::test]
async fn a_client_change_keeps_what_it_leaves_out() {
    let srv = Server::start().await;
    let admin = srv.admin().await;
    let body = json!({"name": "portal", "redirectUris": [REDIRECT], "onboardingUri": "https://portal.example/join"});
    let c = admin.post("/api/meshcloud/oauth/clients", body).await.expect(201);
    let path = format!("/api/meshcloud/oauth/clients/{}", c["id"].as_str().expect("id"));
    let renamed = admin.put(&path, json!({"name": "portal 2", "redirectUris": [REDIRECT]})).await.expect(200);
    assert_eq!(renamed["onboardingUri"], "https://portal.example/join", "{renamed}");
    assert_eq!(renamed["name"], "portal 2");
    let cleared =
        admin.put(&path, json!({"name": "portal 2", "redirectUris": [REDIRECT], "onboardingUri": null})).await;
    assert!(cleared.expect(200)["onboardingUri"].is_null());
}
