//! Web sign-in: cookie, CSRF, logout, sessions listed as OAuth entries, throttling.

use reqwest::Method;
use serde_json::json;

use crate::support::*;

async fn login(s: &Server, email: &str, password: &str) -> Resp {
    s.anon().post("/api/meshcloud/login", json!({"email": email, "password": password})).await
}

fn session_cookie(r: &Resp) -> String {
    let set = r.header("set-cookie").expect("set-cookie");
    set.split(';').next().unwrap().to_string()
}

#[tokio::test]
async fn login_sets_a_hardened_cookie_and_session_works() {
    let s = Server::start().await;
    let r = login(&s, "Admin@Example.com", ADMIN_PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"), "credentials are never cached");
    let set = r.header("set-cookie").unwrap();
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(attr), "cookie lacks {attr}: {set}");
    }
    let v = r.json();
    assert_eq!(v["user"]["email"], ADMIN_EMAIL);
    assert_ne!(v["user"]["last_login_time"], "0001-01-01T00:00:00Z");
    let csrf = v["csrf_token"].as_str().unwrap().to_string();
    let cookie = session_cookie(&r);
    let web = s.anon().header("cookie", &cookie);

    assert_eq!(web.get("/api/identity/users/profile").await.status, 200, "the cookie authenticates");
    let session = web.get("/api/meshcloud/session").await.json();
    assert_eq!(session["csrf_token"], csrf.as_str());

    // State-changing requests with the cookie need the CSRF header.
    web.post_empty("/api/identity/tokens?name=x").await.assert_l5_error(401, L5_UNAUTHORIZED);
    let wrong = web.clone().header("x-csrf-token", "nope");
    wrong.post_empty("/api/identity/tokens?name=x").await.assert_l5_error(401, L5_UNAUTHORIZED);
    let good = web.clone().header("x-csrf-token", &csrf);
    assert_eq!(good.post_empty("/api/identity/tokens?name=x").await.status, 200);

    // A GET that issues a token needs it too.
    let me = good.get("/api/identity/users/profile").await.json();
    let infinite = format!("/api/identity/tokens/infinite?userId={}&provider=x", me["id"].as_str().unwrap());
    web.get(&infinite).await.assert_l5_error(401, L5_UNAUTHORIZED);
    assert_eq!(good.get(&infinite).await.status, 200);
    // On meshcloud's own face the refusal is a JSON 403.
    let no_csrf = web.post_empty("/api/meshcloud/logout").await;
    assert_eq!(no_csrf.status, 403);
    assert_eq!(no_csrf.json()["error"], "forbidden");

    // The session shows up among the caller's OAuth-style sessions.
    let sessions = good.get("/api/identity/tokens?isOAuth=true").await.json();
    assert_eq!(sessions["total_count"], 1);
    assert_eq!(sessions["tokens"][0]["is_oauth"], true);

    // Logout revokes it.
    let out = good.post_empty("/api/meshcloud/logout").await;
    assert_eq!(out.status, 204);
    assert!(out.header("set-cookie").unwrap().contains("Max-Age=0"));
    web.get("/api/identity/users/profile").await.assert_l5_error(401, L5_UNAUTHORIZED);
    let again = web.get("/api/meshcloud/session").await;
    assert_eq!(again.status, 401);
    assert_eq!(again.json()["error"], "unauthenticated", "meshcloud's own API answers JSON errors");
}

#[tokio::test]
async fn wrong_credentials_are_indistinguishable() {
    let s = Server::start().await;
    let wrong_password = login(&s, ADMIN_EMAIL, "not-the-password").await;
    let unknown_user = login(&s, "nobody@example.com", "whatever-password").await;
    for r in [&wrong_password, &unknown_user] {
        assert_eq!(r.status, 401);
        assert!(r.content_type().starts_with("application/json"));
        assert_eq!(r.json()["error"], "unauthenticated");
        assert!(r.header("set-cookie").is_none());
    }
    assert_eq!(wrong_password.text, unknown_user.text);
    let r = s.anon().raw(Method::POST, "/api/meshcloud/login", "{not json").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_request");
}

/// A sign-in of `email` from `ip` (as forwarded by a trusted proxy).
async fn login_from(s: &Server, ip: &str, email: &str, password: &str) -> Resp {
    let api = s.anon().header("x-forwarded-for", ip);
    api.post("/api/meshcloud/login", json!({"email": email, "password": password})).await
}

#[tokio::test]
async fn failed_logins_delay_the_account_from_that_address_only() {
    let s = Server::start_with(|c| c.trust_forwarded_for = true).await;
    for _ in 0..5 {
        assert_eq!(login_from(&s, "10.0.0.1", ADMIN_EMAIL, "wrong-password").await.status, 401);
    }
    let blocked = login_from(&s, "10.0.0.1", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(blocked.status, 429, "from the guessing address, even the right password waits out the delay");
    let wait = blocked.header("retry-after").unwrap().parse::<u64>().unwrap();
    assert!((1..=30).contains(&wait), "the first delay: {wait}");
    // Another account from the same address is not held up by this one's failures,
    // and the same account from another address signs in: guesses lock nobody out.
    s.user("other@example.com", None).await;
    assert_eq!(login_from(&s, "10.0.0.1", "other@example.com", USER_PASSWORD).await.status, 200);
    assert_eq!(login_from(&s, "10.0.0.2", ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 200);
}

/// Guesses spread over many addresses slow the account down (each attempt is
/// held past twenty failures) but never refuse its owner's right password.
#[tokio::test]
async fn guesses_from_many_addresses_lock_nobody_out() {
    let s = Server::start_with(|c| c.trust_forwarded_for = true).await;
    for n in 1..=4 {
        for _ in 0..5 {
            assert_eq!(login_from(&s, &format!("10.0.1.{n}"), ADMIN_EMAIL, "wrong-password").await.status, 401);
        }
    }
    // Twenty failures: the next attempt is held a second, then judged.
    let r = login_from(&s, "10.0.1.9", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(r.status, 200, "the owner signs in from another address: {}", r.text);
    // The success forgave the account: a guess from a fifth address is judged at once.
    assert_eq!(login_from(&s, "10.0.1.5", ADMIN_EMAIL, "wrong-password").await.status, 401);
}

#[tokio::test]
async fn sign_in_delays_survive_a_restart() {
    let s = Server::start().await;
    for _ in 0..5 {
        assert_eq!(login(&s, ADMIN_EMAIL, "wrong-password").await.status, 401);
    }
    assert_eq!(login(&s, ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 429);
    let tmp = s.stop().await;
    let s = Server::start_in(tmp, |_| {}).await;
    let r = login(&s, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(r.status, 429, "the failures were kept across the restart: {}", r.text);
    assert!(r.header("retry-after").is_some());
}

#[tokio::test]
async fn behind_a_proxy_the_forwarded_address_is_throttled() {
    let s = Server::start_with(|c| c.trust_forwarded_for = true).await;
    let from = |ip: &str| s.anon().header("x-forwarded-for", &format!("203.0.113.9, {ip}"));
    for i in 0..50 {
        let r = from("10.0.0.1")
            .post("/api/meshcloud/login", json!({"email": format!("u{i}@example.com"), "password": "wrong-password"}))
            .await;
        assert_eq!(r.status, 401);
    }
    let r =
        from("10.0.0.1").post("/api/meshcloud/login", json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})).await;
    assert_eq!(r.status, 429, "the address is throttled");
    let r =
        from("10.0.0.2").post("/api/meshcloud/login", json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})).await;
    assert_eq!(r.status, 200, "another client behind the same proxy is not");
}

/// Sends `n` sign-ins of one account at once; returns their statuses, sorted.
async fn parallel_logins(s: &Server, n: usize, password: &str) -> Vec<u16> {
    let mut tasks = vec![];
    for _ in 0..n {
        let (api, password) = (s.anon(), password.to_string());
        tasks.push(tokio::spawn(async move {
            api.post("/api/meshcloud/login", json!({"email": ADMIN_EMAIL, "password": password})).await.status
        }));
    }
    let mut statuses = vec![];
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses.sort();
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_correct_sign_ins_queues_while_guesses_stop_at_the_limit() {
    let s = Server::start().await;
    // More at once than the 5 places an account has from one address: the rest wait their turn.
    assert_eq!(parallel_logins(&s, 50, ADMIN_PASSWORD).await, vec![200; 50]);

    // Four failures, then the right password: it signs in and clears them.
    for _ in 0..4 {
        assert_eq!(login(&s, ADMIN_EMAIL, "wrong-password").await.status, 401);
    }
    assert_eq!(login(&s, ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 200);

    // Six guesses at once: five (the free tries) are judged, the sixth waits
    // for a place and is refused once the five failures start the delay.
    let mut expected = vec![401; 5];
    expected.push(429);
    assert_eq!(parallel_logins(&s, 6, "wrong-password").await, expected);
    let locked = login(&s, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(locked.status, 429, "from this address the right password waits out the delay too");
    assert!(locked.header("retry-after").unwrap().parse::<u64>().unwrap() > 0);
}
