//! Passwords on meshcloud's own face: a user changes their own (the old one
//! required, other sessions ended, this one kept), a provider admin resets
//! another user's, and `meshcloud user set-password` does it from the shell.

use serde_json::json;

use crate::support::oidc::{Browser, REDIRECT, exchange, register_client, sign_in};
use crate::support::*;

const EMAIL: &str = "pat@example.com";
const NEW_PASSWORD: &str = "a-new-password-2";

async fn login(s: &Server, email: &str, password: &str) -> Resp {
    s.anon().post("/api/meshcloud/login", json!({"email": email, "password": password})).await
}

/// Signs in with a password and returns a client carrying the session cookie
/// and its CSRF header, as the UI sends them.
async fn web(s: &Server, email: &str, password: &str) -> Api {
    let r = login(s, email, password).await;
    let v = r.expect(200);
    let cookie = r.header("set-cookie").expect("set-cookie").split(';').next().unwrap().to_string();
    s.anon().header("cookie", &cookie).header("x-csrf-token", v["csrf_token"].as_str().expect("csrf"))
}

fn change(old: &str, new: &str) -> serde_json::Value {
    json!({"oldPassword": old, "newPassword": new})
}

#[track_caller]
fn meshcloud_error(r: &Resp, status: u16, code: &str) -> String {
    assert_eq!(r.status, status, "body: {}", r.text);
    let v = r.json();
    assert_eq!(v["error"], code, "{v}");
    v["message"].as_str().expect("message").to_string()
}

async fn events(s: &Server, action: &'static str) -> Vec<(Option<i64>, String)> {
    sql(&s.data_dir, move |c| {
        let mut stmt =
            c.prepare("SELECT user_id, acted_upon FROM events WHERE category = 'user' AND action = ?1").unwrap();
        stmt.query_map([action], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    })
    .await
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions_and_keeps_this_one() {
    let s = Server::start().await;
    let (uuid, token) = s.user(EMAIL, None).await;
    let here = web(&s, EMAIL, USER_PASSWORD).await;
    let elsewhere = web(&s, EMAIL, USER_PASSWORD).await;
    // A browser signed in to an OIDC client through a session of its own.
    let client = register_client(&s, REDIRECT).await;
    let mut browser = Browser::new(&s.base);
    let code = sign_in(&mut browser, &client.client_id, EMAIL, USER_PASSWORD).await;
    let (status, grant) = exchange(&s, &client, &code).await;
    assert_eq!(status, 200, "{grant}");
    let access = s.with_token(grant["access_token"].as_str().unwrap());
    assert_eq!(access.get("/oauth2/v2/userinfo").await.status, 200);

    // The session cookie without the CSRF header changes nothing.
    let cookie_only = s.anon().header("cookie", &elsewhere_cookie(&s).await);
    meshcloud_error(
        &cookie_only.put("/api/meshcloud/password", change(USER_PASSWORD, NEW_PASSWORD)).await,
        403,
        "forbidden",
    );

    here.put("/api/meshcloud/password", change(USER_PASSWORD, NEW_PASSWORD)).await.expect_204();

    assert_eq!(here.get("/api/meshcloud/session").await.expect(200)["user"]["email"], EMAIL, "this session stays");
    meshcloud_error(&elsewhere.get("/api/meshcloud/session").await, 401, "unauthenticated");
    assert_eq!(access.get("/oauth2/v2/userinfo").await.status, 401, "the OIDC session ended with its browser's");
    assert_eq!(token.get("/api/identity/users/profile").await.status, 200, "security tokens stay");
    meshcloud_error(&login(&s, EMAIL, USER_PASSWORD).await, 401, "unauthenticated");
    login(&s, EMAIL, NEW_PASSWORD).await.expect(200);

    let me = events(&s, "change_password").await;
    assert_eq!(me.len(), 1, "{me:?}");
    assert_eq!(me[0].1, uuid);
    assert!(me[0].0.is_some(), "the user is the actor");

    // A bearer token changes it too; then every web session ends.
    token.put("/api/meshcloud/password", change(NEW_PASSWORD, "third-password-3")).await.expect_204();
    meshcloud_error(&here.get("/api/meshcloud/session").await, 401, "unauthenticated");
}

/// Another session of `EMAIL` (cookie only).
async fn elsewhere_cookie(s: &Server) -> String {
    let r = login(s, EMAIL, USER_PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.header("set-cookie").unwrap().split(';').next().unwrap().to_string()
}

#[tokio::test]
async fn a_wrong_old_password_changes_nothing_and_counts_as_a_failed_sign_in() {
    let s = Server::start().await;
    let (_, token) = s.user(EMAIL, None).await;
    let here = web(&s, EMAIL, USER_PASSWORD).await;
    let elsewhere = web(&s, EMAIL, USER_PASSWORD).await;
    let wrong = here.put("/api/meshcloud/password", change("not-my-password", NEW_PASSWORD)).await;
    let msg = meshcloud_error(&wrong, 400, "invalid_request");
    assert!(msg.contains("oldPassword"), "{msg}");
    elsewhere.get("/api/meshcloud/session").await.expect(200);
    here.get("/api/meshcloud/session").await.expect(200);
    assert!(events(&s, "change_password").await.is_empty());

    // Guesses meet the sign-in throttle: four more are judged, then the delay runs.
    for _ in 0..4 {
        let r = token.put("/api/meshcloud/password", change("still-not-it", NEW_PASSWORD)).await;
        meshcloud_error(&r, 400, "invalid_request");
    }
    let held = token.put("/api/meshcloud/password", change(USER_PASSWORD, NEW_PASSWORD)).await;
    meshcloud_error(&held, 429, "rate_limited");
    assert!(held.header("retry-after").is_some());
    assert_eq!(login(&s, EMAIL, USER_PASSWORD).await.status, 429, "the same delay holds sign-ins from here");
}

#[tokio::test]
async fn weak_passwords_and_accounts_without_one_are_refused() {
    let s = Server::start().await;
    let (_, token) = s.user(EMAIL, None).await;
    let here = web(&s, EMAIL, USER_PASSWORD).await;
    for weak in ["short", ""] {
        let msg = meshcloud_error(
            &here.put("/api/meshcloud/password", change(USER_PASSWORD, weak)).await,
            400,
            "invalid_request",
        );
        assert!(msg.contains("newPassword") && msg.contains("at least 8"), "{msg}");
    }
    let long = "x".repeat(1025);
    meshcloud_error(&here.put("/api/meshcloud/password", change(USER_PASSWORD, &long)).await, 400, "invalid_request");
    for body in [
        json!({"newPassword": NEW_PASSWORD}),
        json!({"oldPassword": USER_PASSWORD}),
        json!({"oldPassword": 1, "newPassword": NEW_PASSWORD}),
    ] {
        meshcloud_error(&token.put("/api/meshcloud/password", body).await, 400, "invalid_request");
    }
    login(&s, EMAIL, USER_PASSWORD).await.expect(200);

    // An account that signs in through an upstream provider has no password to change.
    let (_, upstream) = s.user("up@example.com", None).await;
    sql(&s.data_dir, |c| c.execute("UPDATE users SET password_hash = NULL WHERE email = 'up@example.com'", []))
        .await
        .unwrap();
    let r = upstream.put("/api/meshcloud/password", change("anything-at-all", NEW_PASSWORD)).await;
    let msg = meshcloud_error(&r, 400, "invalid_request");
    assert!(msg.contains("upstream provider"), "{msg}");

    // A service account has no password to change.
    let admin = s.admin().await;
    let org = admin.create_org(json!({"name": "bots"})).await;
    let sa = admin
        .post(
            &format!("/api/v1/organizations/{org}/serviceaccounts"),
            json!({"metadata": {"name": "ci", "description": ""}, "spec": {"groupIDs": []}}),
        )
        .await
        .expect(201);
    let bot = s.with_token(sa["status"]["accessToken"].as_str().unwrap());
    let msg = meshcloud_error(
        &bot.put("/api/meshcloud/password", change("anything-at-all", NEW_PASSWORD)).await,
        400,
        "invalid_request",
    );
    assert!(msg.contains("service account"), "{msg}");
    let sa_user: String = sql(&s.data_dir, |c| {
        let q = "SELECT u.uuid FROM users u JOIN service_accounts a ON a.user_id = u.id WHERE a.name = 'ci'";
        c.query_row(q, [], |r| r.get(0)).unwrap()
    })
    .await;
    let r = admin.put(&format!("/api/meshcloud/users/{sa_user}/password"), json!({"newPassword": NEW_PASSWORD})).await;
    meshcloud_error(&r, 400, "invalid_request");
}

#[tokio::test]
async fn only_provider_admins_reset_a_password_and_it_ends_every_session() {
    let w = world().await;
    let s = &w.s;
    let carol = web(s, "carol@a.example", USER_PASSWORD).await;
    let path = format!("/api/meshcloud/users/{}/password", w.carol_id);
    let body = json!({"newPassword": NEW_PASSWORD});
    // Alice administers carol's organization, carol is herself: neither is a provider admin.
    for (who, api) in [("org admin", &w.alice), ("the user", &w.carol), ("another org", &w.dave)] {
        let r = api.put(&path, body.clone()).await;
        assert_eq!(r.status, 403, "{who}: {}", r.text);
        meshcloud_error(&r, 403, "forbidden");
    }
    meshcloud_error(&s.anon().put(&path, body.clone()).await, 401, "unauthenticated");
    carol.get("/api/meshcloud/session").await.expect(200);

    let missing = format!("/api/meshcloud/users/{}/password", NIL_UUID);
    meshcloud_error(&w.admin.put(&missing, body.clone()).await, 404, "not_found");
    meshcloud_error(&w.admin.put(&path, json!({"newPassword": "short"})).await, 400, "invalid_request");
    carol.get("/api/meshcloud/session").await.expect(200);

    w.admin.put(&path, body).await.expect_204();
    meshcloud_error(&carol.get("/api/meshcloud/session").await, 401, "unauthenticated");
    assert_eq!(w.carol.get("/api/identity/users/profile").await.status, 200, "security tokens stay");
    meshcloud_error(&login(s, "carol@a.example", USER_PASSWORD).await, 401, "unauthenticated");
    login(s, "carol@a.example", NEW_PASSWORD).await.expect(200);
    let reset = events(s, "reset_password").await;
    assert_eq!(reset.len(), 1, "{reset:?}");
    assert_eq!(reset[0].1, w.carol_id);
}

#[tokio::test]
async fn set_password_on_the_command_line_while_the_server_runs() {
    let s = Server::start().await;
    s.new_user(EMAIL, None).await;
    let session = web(&s, EMAIL, USER_PASSWORD).await;
    let dir = s.data_dir.clone();
    let out =
        tokio::task::spawn_blocking(move || cli(&dir, &["user", "set-password", "--email", "Pat@Example.com"], None))
            .await
            .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{err}");
    assert!(out.stdout.is_empty(), "the password goes to stderr only");
    let generated = err.split("generated password for pat@example.com: ").nth(1).expect(&err).trim().to_string();
    assert!(generated.len() >= 8, "{generated:?}");
    login(&s, EMAIL, &generated).await.expect(200);
    meshcloud_error(&login(&s, EMAIL, USER_PASSWORD).await, 401, "unauthenticated");
    // The running server stops honouring the revoked session within its credential cache's lifetime.
    poll("the ended session to be refused", std::time::Duration::from_secs(30), || async {
        (session.get("/api/meshcloud/session").await.status == 401).then_some(())
    })
    .await;

    let dir = s.data_dir.clone();
    let chosen = tokio::task::spawn_blocking(move || {
        cli(&dir, &["user", "set-password", "--email", EMAIL, "--password-stdin"], Some("chosen-password-4\n"))
    })
    .await
    .unwrap();
    assert!(chosen.status.success(), "{}", String::from_utf8_lossy(&chosen.stderr));
    login(&s, EMAIL, "chosen-password-4").await.expect(200);

    for (args, stdin, says) in [
        (&["user", "set-password", "--email", EMAIL, "--password-stdin"][..], Some("short\n"), "at least 8"),
        (&["user", "set-password", "--email", "nobody@example.com"][..], None, "no user"),
    ] {
        let (dir, args, stdin) = (s.data_dir.clone(), args.iter().map(|a| a.to_string()).collect::<Vec<_>>(), stdin);
        let r = tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            cli(&dir, &args, stdin)
        })
        .await
        .unwrap();
        assert!(!r.status.success());
        assert!(String::from_utf8_lossy(&r.stderr).contains(says), "{}", String::from_utf8_lossy(&r.stderr));
    }
    login(&s, EMAIL, "chosen-password-4").await.expect(200);
    assert_eq!(events(&s, "reset_password").await.len(), 2);
}
