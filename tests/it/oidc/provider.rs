//! The OIDC provider: discovery, the code flow with PKCE as a browser does it,
//! ID tokens checked against the JWKS, userinfo, refresh rotation and reuse,
//! code reuse, and the errors that must not redirect.

use serde_json::Value;

use crate::support::oidc::*;
use crate::support::{ADMIN_EMAIL, ADMIN_PASSWORD, Server};

#[tokio::test]
async fn discovery_names_this_server_and_es512() {
    let srv = Server::start().await;
    let d = srv.anon().get("/.well-known/openid-configuration").await;
    assert_eq!(d.status, 200);
    let d = d.json();
    assert_eq!(d["issuer"], srv.base.as_str());
    assert_eq!(d["token_endpoint"], format!("{}/oauth2/v2/token", srv.base));
    assert_eq!(d["jwks_uri"], format!("{}/oauth2/v2/jwks", srv.base));
    assert_eq!(d["id_token_signing_alg_values_supported"], serde_json::json!(["ES512"]));
    assert_eq!(d["code_challenge_methods_supported"], serde_json::json!(["plain", "S256"]));
    assert_eq!(d["request_parameter_supported"], false);
    let keys = srv.anon().get("/oauth2/v2/jwks").await;
    assert_eq!(keys.status, 200);
    let k = &keys.json()["keys"][0];
    assert_eq!((k["kty"].as_str(), k["crv"].as_str(), k["use"].as_str()), (Some("EC"), Some("P-521"), Some("sig")));
    assert!(keys.header("cache-control").is_some_and(|c| c.contains("no-store")));
}

#[tokio::test]
async fn code_flow_with_pkce_issues_verifiable_tokens() {
    let srv = Server::start().await;
    let c = register_client(&srv, REDIRECT).await;
    let (mut browser, code) = admin_code(&srv, &c).await;
    assert!(browser.cookie.as_deref().is_some_and(|v| v.starts_with("meshcloud_session=")));

    let (status, t) = exchange(&srv, &c, &code).await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 3600);
    let access = t["access_token"].as_str().expect("access");
    assert!(t["refresh_token"].is_string());
    let claims = verify_id_token(&srv, t["id_token"].as_str().expect("id_token")).await;
    assert_eq!(claims["iss"], srv.base.as_str());
    assert_eq!(claims["aud"], serde_json::json!([c.client_id]));
    assert_eq!(claims["azp"], c.client_id.as_str());
    assert_eq!(claims["sub"], ADMIN_EMAIL);
    assert_eq!(claims["email"], ADMIN_EMAIL);
    assert_eq!(claims["email_verified"], true);
    assert_eq!(claims["nonce"], "n-456");
    assert_eq!(claims["at_hash"], at_hash(access).as_str());
    let now = chrono_now();
    assert!(claims["exp"].as_i64().expect("exp") > now && claims["iat"].as_i64().expect("iat") <= now + 5);
    assert!(claims["auth_time"].as_i64().expect("auth_time") <= now + 5);

    // userinfo by GET and POST; without `meshcloud:api` the token is no
    // credential for meshcloud's APIs.
    let api = srv.with_token(access);
    let info = api.get("/oauth2/v2/userinfo").await;
    assert_eq!(info.status, 200, "{}", info.text);
    assert_eq!(info.json()["sub"], ADMIN_EMAIL);
    assert_eq!(info.json()["email_verified"], true);
    let posted = reqwest::Client::new()
        .post(format!("{}/oauth2/v2/userinfo", srv.base))
        .form(&[("access_token", access)])
        .send()
        .await
        .expect("post");
    assert_eq!(posted.status(), 200);
    assert_eq!(posted.json::<Value>().await.expect("json")["sub"], ADMIN_EMAIL);
    assert_eq!(api.get("/api/identity/orgs").await.status, 401);
    assert_eq!(api.get("/api/v1/acl").await.status, 403);

    // The browser is signed in now: the next authorization is silent.
    let again = browser.get(&authorize_url(&c.client_id, REDIRECT, &[("prompt", "none")])).await;
    assert_eq!(again.status, 302, "{}", again.body);
    assert!(query_param(&again.location.expect("loc"), "code").is_some());
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs() as i64
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_refresh_token_ends_the_session() {
    let srv = Server::start().await;
    let c = register_client(&srv, REDIRECT).await;
    let (_, code) = admin_code(&srv, &c).await;
    let (_, first) = exchange(&srv, &c, &code).await;
    let old_refresh = first["refresh_token"].as_str().expect("refresh").to_string();
    let old_access = first["access_token"].as_str().expect("access").to_string();

    let (status, second) = token(&srv, &c, &[("grant_type", "refresh_token"), ("refresh_token", &old_refresh)]).await;
    assert_eq!(status, 200, "{second}");
    assert!(second["id_token"].is_null(), "no ID token on refresh");
    let new_access = second["access_token"].as_str().expect("access").to_string();
    assert_ne!(new_access, old_access);
    // One session per user and client: the previous access token is gone.
    assert_eq!(srv.with_token(&old_access).get("/oauth2/v2/userinfo").await.status, 401);
    assert_eq!(srv.with_token(&new_access).get("/oauth2/v2/userinfo").await.status, 200);

    let (status, reuse) = token(&srv, &c, &[("grant_type", "refresh_token"), ("refresh_token", &old_refresh)]).await;
    assert_eq!(status, 400);
    assert_eq!(reuse["error"], "invalid_grant");
    assert_eq!(reuse["error_description"], "refresh token reuse");
    // Reuse ends the whole session: the current tokens stop working too.
    let r = srv.with_token(&new_access).get("/oauth2/v2/userinfo").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"], "access_denied");
    let newest = second["refresh_token"].as_str().expect("refresh");
    let (status, _) = token(&srv, &c, &[("grant_type", "refresh_token"), ("refresh_token", newest)]).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_reused_code_is_refused_and_revokes_what_it_gave() {
    let srv = Server::start().await;
    let c = register_client(&srv, REDIRECT).await;
    let (_, code) = admin_code(&srv, &c).await;
    let (status, t) = exchange(&srv, &c, &code).await;
    assert_eq!(status, 200);
    let access = t["access_token"].as_str().expect("access");
    assert_eq!(srv.with_token(access).get("/oauth2/v2/userinfo").await.status, 200);
    let (status, again) = exchange(&srv, &c, &code).await;
    assert_eq!(status, 400);
    assert_eq!(again["error"], "invalid_grant");
    assert_eq!(srv.with_token(access).get("/oauth2/v2/userinfo").await.status, 401);
    let refresh = t["refresh_token"].as_str().expect("refresh");
    let (status, _) = token(&srv, &c, &[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
    assert_eq!(status, 400, "the refresh token went with the code");
}

#[tokio::test]
async fn token_endpoint_errors() {
    let srv = Server::start().await;
    let c = register_client(&srv, REDIRECT).await;
    let (_, code) = admin_code(&srv, &c).await;

    let (status, e) = token(
        &srv,
        &c,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &"x".repeat(43)),
        ],
    )
    .await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_client")), "{e}");
    assert_eq!(e["error_description"], "code_verifier invalid");

    let (status, e) = token(
        &srv,
        &c,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:9/other"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")));

    let (status, e) = token(&srv, &c, &[("grant_type", "password"), ("username", "a"), ("password", "b")]).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_request")));
    assert_eq!(e["error_description"], "token grant type is not supported");

    let wrong = Registered { secret: "nope".into(), id: c.id.clone(), client_id: c.client_id.clone() };
    let (status, e) = exchange(&srv, &wrong, &code).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_client")));

    // client_secret_post works as well; the code is still unused after the failures above.
    let resp = reqwest::Client::new()
        .post(format!("{}/oauth2/v2/token", srv.base))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_id", &c.client_id),
            ("client_secret", &c.secret),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
}

#[tokio::test]
async fn untrusted_redirects_get_a_page_and_the_rest_go_back_to_the_client() {
    let srv = Server::start().await;
    let c = register_client(&srv, REDIRECT).await;
    let mut b = Browser::new(&srv.base);

    for (extra, why) in [
        (vec![("redirect_uri", "http://evil.example/cb")], "mismatched redirect_uri"),
        (vec![("client_id", "unknown-client")], "unknown client"),
    ] {
        let p = b.get(&authorize_url(&c.client_id, REDIRECT, &extra)).await;
        assert_eq!(p.status, 400, "{why}");
        assert!(p.location.is_none(), "{why}: no redirect");
        assert!(p.body.contains("<html"), "{why}");
    }
    for (extra, code) in [
        (vec![("response_type", "token")], "unsupported_response_type"),
        (vec![("request", "eyJ")], "request_not_supported"),
        (vec![("request_uri", "https://x")], "request_uri_not_supported"),
        (vec![("code_challenge_method", "S512")], "invalid_request"),
        (vec![("prompt", "none")], "interaction_required"),
    ] {
        let p = b.get(&authorize_url(&c.client_id, REDIRECT, &extra)).await;
        assert_eq!(p.status, 302, "{code}: {}", p.body);
        let loc = p.location.expect("location");
        assert!(loc.starts_with(REDIRECT));
        assert_eq!(query_param(&loc, "error").as_deref(), Some(code));
        assert_eq!(query_param(&loc, "state").as_deref(), Some("st-123"));
    }

    // A wrong password shows the page again; nothing is issued.
    let page = b.get(&authorize_url(&c.client_id, REDIRECT, &[])).await;
    let state = page_state(&page.body);
    let p = b
        .post_form("/oauth2/v2/login", &[("state", &state), ("email", ADMIN_EMAIL), ("password", "wrong-one-1")])
        .await;
    assert_eq!(p.status, 401);
    assert!(p.location.is_none() && p.set_cookie.is_none());
    // A forged state is refused.
    let p = b
        .post_form("/oauth2/v2/login", &[("state", "forged"), ("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)])
        .await;
    assert_eq!(p.status, 400);
}

#[tokio::test]
async fn the_ui_session_signs_in_to_clients_and_the_reverse() {
    let srv = Server::start().await;
    let c = register_client(&srv, REDIRECT).await;
    // Signed in to the UI: the authorization is silent.
    let login = reqwest::Client::new()
        .post(format!("{}/api/meshcloud/login", srv.base))
        .json(&serde_json::json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);
    let cookie = login.headers().get("set-cookie").and_then(|v| v.to_str().ok()).expect("cookie").to_string();
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    let mut b = Browser::new(&srv.base);
    b.cookie = cookie.split(';').next().map(str::to_string);
    let p = b.get(&authorize_url(&c.client_id, REDIRECT, &[("prompt", "none")])).await;
    assert_eq!(p.status, 302);
    let code = query_param(&p.location.expect("loc"), "code").expect("code");
    assert_eq!(exchange(&srv, &c, &code).await.0, 200);
    // max_age=0 asks for a fresh sign-in: the page, not a code.
    let p = b.get(&authorize_url(&c.client_id, REDIRECT, &[("max_age", "0")])).await;
    assert!(p.status == 200 || query_param(p.location.as_deref().unwrap_or("http://x/"), "code").is_some());

    // Signed in through the provider's page: the UI session works.
    let mut fresh = Browser::new(&srv.base);
    sign_in(&mut fresh, &c.client_id, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let s = fresh.get("/api/meshcloud/session").await;
    assert_eq!(s.status, 200, "{}", s.body);
    assert!(s.body.contains(ADMIN_EMAIL));
}

#[tokio::test]
async fn clients_are_managed_by_provider_admins_only() {
    let srv = Server::start().await;
    let c = register_client(&srv, REDIRECT).await;
    let admin = srv.admin().await;
    let list = admin.get("/api/meshcloud/oauth/clients").await;
    assert_eq!(list.status, 200);
    assert!(list.json()[0]["clientSecret"].is_null(), "the secret is shown once");
    let (_, member) = srv.user("member@example.com", None).await;
    assert_eq!(member.get("/api/meshcloud/oauth/clients").await.status, 403);
    let bad = admin
        .post("/api/meshcloud/oauth/clients", serde_json::json!({"name": "x", "redirectUris": ["not a url"]}))
        .await;
    assert_eq!(bad.status, 400);
    // A new secret replaces the old at once.
    let rotated = admin.post_empty(&format!("/api/meshcloud/oauth/clients/{}/secret", c.id)).await;
    assert_eq!(rotated.status, 200);
    let (_, code) = admin_code(&srv, &c).await;
    assert_eq!(exchange(&srv, &c, &code).await.1["error"], "invalid_client");
    // Deleting the client ends its sessions.
    let c2 = Registered { secret: rotated.json()["clientSecret"].as_str().expect("s").into(), ..c };
    let (_, code) = admin_code(&srv, &c2).await;
    let (status, t) = exchange(&srv, &c2, &code).await;
    assert_eq!(status, 200);
    assert_eq!(admin.delete(&format!("/api/meshcloud/oauth/clients/{}", c2.id)).await.status, 204);
    let access = t["access_token"].as_str().expect("access");
    assert_eq!(srv.with_token(access).get("/oauth2/v2/userinfo").await.status, 401);
}

#[tokio::test]
async fn the_cli_registers_clients() {
    let srv = Server::start().await;
    let dir = srv.data_dir.clone();
    let out = tokio::task::spawn_blocking(move || {
        crate::support::cli_ok(
            &dir,
            &["client", "create", "--name", "cli-portal", "--redirect-uri", REDIRECT, "--trusted"],
        )
    })
    .await
    .expect("join");
    let c: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(c["trusted"], true);
    let reg = Registered {
        id: c["id"].as_str().expect("id").into(),
        client_id: c["clientId"].as_str().expect("clientId").into(),
        secret: c["clientSecret"].as_str().expect("secret").into(),
    };
    let (_, code) = admin_code(&srv, &reg).await;
    assert_eq!(exchange(&srv, &reg, &code).await.0, 200);
    let bad = crate::support::cli(&srv.data_dir, &["client", "create", "--name", "x", "--redirect-uri", "nope"], None);
    assert!(!bad.status.success());
}

#[tokio::test]
async fn client_credentials_act_as_the_clients_service_account() {
    let srv = Server::start().await;
    let admin = srv.admin().await;
    let orgs = admin.get("/api/v1/organizations").await;
    let org = orgs.json()[0]["metadata"]["id"].as_str().expect("org").to_string();
    let sa = admin
        .post(
            &format!("/api/v1/organizations/{org}/serviceaccounts"),
            serde_json::json!({"metadata": {"name": "robot"}, "spec": {"groupIDs": []}}),
        )
        .await;
    assert_eq!(sa.status, 201, "{}", sa.text);
    let sa_id = sa.json()["metadata"]["id"].as_str().expect("sa").to_string();
    let r = admin
        .post(
            "/api/meshcloud/oauth/clients",
            serde_json::json!({"name": "robot-client", "redirectUris": [REDIRECT], "serviceAccountId": sa_id,
                               "trusted": true}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let c = r.json();
    let robot = Registered {
        id: c["id"].as_str().expect("id").into(),
        client_id: c["clientId"].as_str().expect("cid").into(),
        secret: c["clientSecret"].as_str().expect("s").into(),
    };
    let (status, t) = token(&srv, &robot, &[("grant_type", "client_credentials")]).await;
    assert_eq!(status, 200, "{t}");
    assert!(t["refresh_token"].is_null() && t["id_token"].is_null());
    assert_eq!(t["scope"], "meshcloud:api", "a trusted client's default scope");
    let acl = srv
        .with_token(t["access_token"].as_str().expect("access"))
        .get(&format!("/api/v1/organizations/{org}/acl"))
        .await;
    assert_eq!(acl.status, 200, "{}", acl.text);

    // An untrusted client acting as the account gets no API scope.
    let r = admin
        .put(
            &format!("/api/meshcloud/oauth/clients/{}", robot.id),
            serde_json::json!({"name": "robot-client", "redirectUris": [REDIRECT], "serviceAccountId": sa_id,
                               "trusted": false}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (status, u) = token(&srv, &robot, &[("grant_type", "client_credentials"), ("scope", "meshcloud:api")]).await;
    assert_eq!(status, 200, "{u}");
    assert!(u["scope"].is_null(), "{u}");
    let acl = srv
        .with_token(u["access_token"].as_str().expect("access"))
        .get(&format!("/api/v1/organizations/{org}/acl"))
        .await;
    assert_eq!(acl.status, 403, "{}", acl.text);

    let plain = register_client(&srv, REDIRECT).await;
    let (status, e) = token(&srv, &plain, &[("grant_type", "client_credentials")]).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("unauthorized_client")));

    // The account deleted: the client no longer acts as anyone.
    let r = admin.delete(&format!("/api/v1/organizations/{org}/serviceaccounts/{sa_id}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (status, e) = token(&srv, &robot, &[("grant_type", "client_credentials")]).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("unauthorized_client")), "{e}");
    let got = admin.get(&format!("/api/meshcloud/oauth/clients/{}", robot.id)).await;
    assert!(got.json()["serviceAccountId"].is_null(), "{}", got.text);
}

#[tokio::test]
async fn a_rotated_signing_key_stays_published_for_the_tokens_it_signed() {
    let srv = Server::start().await;
    let c = register_client(&srv, REDIRECT).await;
    let (_, code) = admin_code(&srv, &c).await;
    let (_, t) = exchange(&srv, &c, &code).await;
    let old_token = t["id_token"].as_str().expect("id_token").to_string();
    let old_kid = srv.anon().get("/oauth2/v2/jwks").await.json()["keys"][0]["kid"].as_str().expect("kid").to_string();

    // The key is past its rotation age at the next start.
    let tmp = srv.stop().await;
    let db = rusqlite::Connection::open(tmp.path().join("data").join("meshcloud.db")).expect("open");
    db.execute("UPDATE signing_keys SET created_at = '2020-01-01T00:00:00.000000Z'", []).expect("age the key");
    drop(db);
    let srv = Server::start_in(tmp, |_| {}).await;

    let keys = srv.anon().get("/oauth2/v2/jwks").await.json();
    let kids: Vec<&str> = keys["keys"].as_array().expect("keys").iter().filter_map(|k| k["kid"].as_str()).collect();
    assert_eq!(kids.len(), 2, "{keys}");
    assert!(kids.contains(&old_kid.as_str()));
    verify_id_token(&srv, &old_token).await;
    let (_, code) = admin_code(&srv, &c).await;
    let (_, t) = exchange(&srv, &c, &code).await;
    let header = t["id_token"].as_str().expect("id").split('.').next().expect("header").to_string();
    use base64::Engine;
    let header: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header).expect("b64"))
            .expect("json");
    assert_ne!(header["kid"], old_kid.as_str(), "new tokens use the new key");
}
