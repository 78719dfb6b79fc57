//! Sign-up requests: anyone may ask, without learning who exists; provider
//! admins (and org admins, for their org) decide.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

const REQUESTS: &str = "/api/identity/users/request";
const NOTIFICATION: &str = "/api/identity/users/request/notification";

async fn ask(s: &Server, email: &str, org: Option<&str>) -> Resp {
    let mut body = json!({"email": email, "first_name": "New", "last_name": "Comer", "password": "newcomer-password-1", "message": "let me in"});
    if let Some(org) = org {
        body["org_id"] = json!(org);
    }
    s.anon().post(REQUESTS, body).await
}

/// The request of `email` as `api` lists it, if it does.
async fn listed(api: &Api, email: &str) -> Option<Value> {
    let v = api.get(&format!("{REQUESTS}?pagesize=500")).await.expect(200);
    v["data"].as_array().expect("data").iter().find(|r| r["email"] == email).cloned()
}

async fn request_id(api: &Api, email: &str) -> String {
    let r = listed(api, email).await.unwrap_or_else(|| panic!("{email} is not listed"));
    r["id"].as_str().expect("id").to_string()
}

async fn login(s: &Server, email: &str, password: &str) -> Resp {
    s.anon().post("/api/meshcloud/login", json!({"email": email, "password": password})).await
}

#[tokio::test]
async fn asking_reveals_nothing() {
    let w = world().await;
    let fresh = ask(&w.s, "new@n.example", Some(&w.org_a)).await;
    assert_eq!(fresh.status, 201, "{}", fresh.text);
    let again = ask(&w.s, "new@n.example", Some(&w.org_a)).await;
    let existing = ask(&w.s, "carol@a.example", Some(&w.org_a)).await;
    let other = ask(&w.s, "other@n.example", None).await;
    // The answer may echo the address; otherwise it does not depend on who exists.
    let without_email = |r: &Resp, email: &str| {
        let mut v = r.json();
        if let Some(o) = v.as_object_mut()
            && let Some(e) = o.remove("email")
        {
            assert_eq!(e, email);
        }
        v
    };
    let want = without_email(&fresh, "new@n.example");
    for (r, email) in [(&again, "new@n.example"), (&existing, "carol@a.example"), (&other, "other@n.example")] {
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(without_email(r, email), want, "{email}");
    }
    let v = w.admin.get(&format!("{REQUESTS}?pagesize=500")).await.expect(200);
    assert_eq!(strs(&v["data"], "email").iter().filter(|e| *e == "new@n.example").count(), 1);

    for body in [json!({}), json!({"email": "not-an-address"}), json!({"email": "x@y.example", "password": 5})] {
        w.s.anon().post(REQUESTS, body).await.assert_l5_error(400, L5_BAD_REQUEST);
    }
    w.s.anon().raw(Method::POST, REQUESTS, "{").await.assert_l5_error(400, L5_BAD_REQUEST);
}

#[tokio::test]
async fn approval_creates_a_member_who_can_sign_in() {
    let w = world().await;
    let r = w.admin.get(NOTIFICATION).await;
    assert_eq!(r.status, 204, "nothing pending: {}", r.text);
    assert!(r.text.is_empty());

    ask(&w.s, "new@n.example", Some(&w.org_a)).await.expect(201);
    let note = w.admin.get(NOTIFICATION).await.expect(200);
    assert_eq!(note["pending"], 1, "{note}");
    assert!(note.get("latest").is_some(), "{note}");

    let page = w.admin.get(REQUESTS).await.expect(200);
    assert_eq!(page["total_count"], 1);
    assert!(page.get("page").is_some() && page.get("page_size").is_some());
    let req = &page["data"][0];
    assert_eq!(req["email"], "new@n.example");
    assert_eq!(req["first_name"], "New");
    assert_eq!(req["message"], "let me in");
    assert!(!req.as_object().unwrap().keys().any(|k| k.contains("password")), "no password material: {req}");
    let id = req["id"].as_str().unwrap().to_string();

    assert_login_refused(&login(&w.s, "new@n.example", "newcomer-password-1").await);
    w.admin.post("/api/identity/users/request/approve", json!({"id": id})).await.expect(200);

    let r = login(&w.s, "new@n.example", "newcomer-password-1").await;
    assert_eq!(r.status, 200, "the password given with the request works: {}", r.text);
    let cookie = r.header("set-cookie").unwrap().split(';').next().unwrap().to_string();
    let me = w.s.anon().header("cookie", &cookie);
    let orgs = me.get("/api/identity/orgs").await.expect(200);
    assert_eq!(strs(&orgs["organizations"], "id"), [w.org_a.as_str()]);
    let new_id = me.get("/api/identity/users/profile").await.expect(200)["id"].as_str().unwrap().to_string();
    assert_eq!(w.alice.roles_of(&w.org_a, &new_id).await, ["user"]);

    let r = w.admin.get(NOTIFICATION).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let twice = w.admin.post("/api/identity/users/request/approve", json!({"id": id})).await;
    assert!((400..500).contains(&twice.status), "approving twice: {} {}", twice.status, twice.text);
    assert!(twice.content_type().starts_with("text/plain"));
}

#[tokio::test]
async fn denial_creates_nobody() {
    let w = world().await;
    ask(&w.s, "new@n.example", None).await.expect(201);
    let id = request_id(&w.admin, "new@n.example").await;
    w.admin.post("/api/identity/users/request/deny", json!({"id": id})).await.expect(200);
    assert_eq!(w.admin.get(NOTIFICATION).await.status, 204);
    assert_login_refused(&login(&w.s, "new@n.example", "newcomer-password-1").await);
    let late = w.admin.post("/api/identity/users/request/approve", json!({"id": id})).await;
    assert!((400..500).contains(&late.status), "approving a denied request: {} {}", late.status, late.text);
    assert_login_refused(&login(&w.s, "new@n.example", "newcomer-password-1").await);

    // By address, too.
    ask(&w.s, "other@n.example", None).await.expect(201);
    w.admin.post("/api/identity/users/request/approve", json!({"email": "other@n.example"})).await.expect(200);
    assert_eq!(login(&w.s, "other@n.example", "newcomer-password-1").await.status, 200);
    for body in [json!({}), json!({"id": "not-a-uuid"})] {
        w.admin.post("/api/identity/users/request/approve", body).await.assert_l5_error(400, L5_BAD_REQUEST);
    }
    let missing = json!({"id": uuid::Uuid::now_v7()});
    w.admin.post("/api/identity/users/request/deny", missing).await.assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn who_sees_and_decides() {
    let w = world().await;
    ask(&w.s, "to-a@n.example", Some(&w.org_a)).await.expect(201);
    ask(&w.s, "to-b@n.example", Some(&w.org_b)).await.expect(201);
    ask(&w.s, "nowhere@n.example", None).await.expect(201);

    for api in [&w.carol, &w.dave] {
        api.get(REQUESTS).await.assert_l5_error(401, L5_UNAUTHORIZED);
        api.get(NOTIFICATION).await.assert_l5_error(401, L5_UNAUTHORIZED);
    }
    w.s.anon().get(REQUESTS).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.s.anon().get(NOTIFICATION).await.assert_l5_error(401, L5_UNAUTHORIZED);
    // Organization admins do not turn requests into accounts by default ...
    w.alice.get(REQUESTS).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.alice.get(NOTIFICATION).await.assert_l5_error(401, L5_UNAUTHORIZED);

    // ... unless a provider admin gives them the sign-up keys in their org.
    let kc = w.admin.create_keychain(&w.org_a, "sign-ups").await;
    for code in ["identity.signup_requests.read", "identity.signup_requests.decide"] {
        let key = w.admin.key_id(code).await;
        w.admin.post_empty(&format!("/api/auth/keychains/{kc}/{key}")).await.expect_204();
    }
    let role = w.admin.create_role(&w.org_a, "sign-up desk").await;
    w.admin.post_empty(&format!("/api/identity/orgs/{}/roles/{role}/keychains/{kc}", w.org_a)).await.expect(200);
    let holder = json!({"email": "alice@a.example", "roleNames": ["sign-up desk"]});
    w.admin.ctx(&w.org_a).post("/api/identity/roles", holder).await.expect(201);

    // Now alice sees and decides A's requests only.
    let mine = w.alice.get(&format!("{REQUESTS}?pagesize=500")).await.expect(200);
    assert_eq!(strs(&mine["data"], "email"), ["to-a@n.example"]);
    assert_eq!(w.alice.get(NOTIFICATION).await.expect(200)["pending"], 1);
    let to_a = request_id(&w.admin, "to-a@n.example").await;
    let to_b = request_id(&w.admin, "to-b@n.example").await;
    let nowhere = request_id(&w.admin, "nowhere@n.example").await;

    w.carol
        .post("/api/identity/users/request/approve", json!({"id": to_a}))
        .await
        .assert_l5_error(401, L5_UNAUTHORIZED);
    w.s.anon()
        .post("/api/identity/users/request/approve", json!({"id": to_a}))
        .await
        .assert_l5_error(401, L5_UNAUTHORIZED);
    // A request alice may not decide is, to her, indistinguishable from none.
    let approve = "/api/identity/users/request/approve";
    let unknown = w.alice.post(approve, json!({"id": uuid::Uuid::now_v7()})).await;
    unknown.assert_l5_error(404, L5_NOT_FOUND);
    let no_address = w.alice.post(approve, json!({"email": "nobody@n.example"})).await;
    no_address.assert_l5_error(404, L5_NOT_FOUND);
    for (what, body, like) in [
        ("another org's request", json!({"id": to_b}), &unknown),
        ("a request naming no org", json!({"id": nowhere}), &unknown),
        ("another org's request by address", json!({"email": "to-b@n.example"}), &no_address),
        ("a request naming no org by address", json!({"email": "nowhere@n.example"}), &no_address),
    ] {
        for path in [approve, "/api/identity/users/request/deny"] {
            let r = w.alice.post(path, body.clone()).await;
            assert_eq!((r.status, &r.text), (like.status, &like.text), "{path}: {what}");
        }
    }
    assert_eq!(w.admin.get(NOTIFICATION).await.expect(200)["pending"], 3, "refusals decided nothing");

    w.alice.post("/api/identity/users/request/approve", json!({"id": to_a})).await.expect(200);
    let r = w.alice.get(NOTIFICATION).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(w.admin.get(NOTIFICATION).await.expect(200)["pending"], 2);
    let all = w.admin.get(&format!("{REQUESTS}?pagesize=500")).await.expect(200);
    assert!(all["total_count"].as_u64().unwrap() >= 3, "provider admins see every request: {all}");
}

/// Anyone may file a request in an existing user's name; approving it must
/// not hand the account to whoever chose the password.
#[tokio::test]
async fn a_request_cannot_take_over_an_account() {
    let w = world().await;
    let body = json!({"email": "carol@a.example", "password": "attacker-password-1", "org_id": w.org_b});
    w.s.anon().post(REQUESTS, body).await.expect(201);
    if let Some(req) = listed(&w.admin, "carol@a.example").await {
        let r = w.admin.post("/api/identity/users/request/approve", json!({"id": req["id"]})).await;
        assert!(r.status == 200 || (400..500).contains(&r.status), "{} {}", r.status, r.text);
    }
    assert_login_refused(&login(&w.s, "carol@a.example", "attacker-password-1").await);
    assert_eq!(login(&w.s, "carol@a.example", "user-password-1").await.status, 200, "her own password still works");
    let b = w.admin.get(&format!("/api/identity/orgs/{}/users?pagesize=500", w.org_b)).await.expect(200);
    assert!(!strs(&b["data"], "email").contains(&"carol@a.example".to_string()), "nobody joins an org for her: {b}");
}

/// Two admins approving the same request at once create one account.
#[tokio::test]
async fn concurrent_approvals_decide_once() {
    let w = world().await;
    ask(&w.s, "new@n.example", Some(&w.org_a)).await.expect(201);
    let id = request_id(&w.admin, "new@n.example").await;
    let approve = "/api/identity/users/request/approve";
    let (a, b) = tokio::join!(w.admin.post(approve, json!({"id": id})), w.alice.post(approve, json!({"id": id})));
    let ok = [&a, &b].iter().filter(|r| r.status == 200).count();
    assert_eq!(ok, 1, "{a:?} {b:?}");
    let loser = if a.status == 200 { &b } else { &a };
    assert!((400..500).contains(&loser.status), "{loser:?}");
    let users = w.admin.get(&format!("/api/identity/orgs/{}/users?pagesize=500", w.org_a)).await.expect(200);
    assert_eq!(strs(&users["data"], "email").iter().filter(|e| *e == "new@n.example").count(), 1);
}

/// meshcloud's own login answers JSON errors.
#[track_caller]
fn assert_login_refused(r: &Resp) {
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(r.json()["error"], "unauthenticated");
}

/// A request from `ip` (as a trusted proxy forwards it).
async fn ask_from(s: &Server, ip: &str, email: &str) -> Resp {
    s.anon().header("x-forwarded-for", ip).post(REQUESTS, json!({"email": email})).await
}

#[tokio::test]
async fn anonymous_requests_are_limited_per_address() {
    let s = Server::start_with(|c| c.trust_forwarded_for = true).await;
    for i in 0..10 {
        assert_eq!(ask_from(&s, "10.0.0.1", &format!("n{i}@n.example")).await.status, 201);
    }
    let r = ask_from(&s, "10.0.0.1", "n10@n.example").await;
    r.assert_l5_error(429, "Too many requests");
    assert!(r.header("retry-after").unwrap().parse::<u64>().unwrap() > 0);
    assert_eq!(ask_from(&s, "10.0.0.2", "n10@n.example").await.status, 201, "another address has its own budget");
    let admin = s.admin().await;
    assert!(listed(&admin, "n10@n.example").await.is_some());
    let total = admin.get(&format!("{REQUESTS}?pagesize=500")).await.expect(200)["total_count"].clone();
    assert_eq!(total, 11, "the refused request stored nothing");
}

#[tokio::test]
async fn pending_requests_are_capped() {
    let s = Server::start_with(|c| {
        c.trust_forwarded_for = true;
        c.max_pending_signups = 3;
    })
    .await;
    for i in 0..3 {
        assert_eq!(ask_from(&s, &format!("10.0.1.{i}"), &format!("p{i}@p.example")).await.status, 201);
    }
    let full = ask_from(&s, "10.0.1.9", "late@p.example").await;
    full.assert_l5_error(429, "Too many requests");
    assert!(full.header("retry-after").is_some());
    // A decision makes room.
    let admin = s.admin().await;
    let id = request_id(&admin, "p0@p.example").await;
    assert_eq!(admin.post(&format!("{REQUESTS}/deny"), json!({"id": id})).await.status, 200);
    assert_eq!(ask_from(&s, "10.0.1.9", "late@p.example").await.status, 201);
}

#[tokio::test]
async fn anonymous_bodies_are_small() {
    let s = Server::start().await;
    let big = json!({"email": "big@b.example", "message": "x".repeat(70 * 1024)});
    let r = s.anon().post(REQUESTS, big).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("too large"), "{}", r.text);
    // Fields stay bounded too.
    let long = json!({"email": "long@b.example", "message": "x".repeat(2001)});
    s.anon().post(REQUESTS, long).await.assert_l5_error(400, L5_BAD_REQUEST);
    assert_eq!(s.anon().post(REQUESTS, json!({"email": "ok@b.example", "message": "hi"})).await.status, 201);
}

/// The vendor's client posts approve and deny with no body and no
/// Content-Type; the request is named by a query parameter.
#[tokio::test]
async fn bodyless_decisions_name_the_request_in_the_query() {
    let w = world().await;
    ask(&w.s, "new@n.example", None).await.expect(201);
    ask(&w.s, "other@n.example", None).await.expect(201);
    let id = request_id(&w.admin, "new@n.example").await;
    let approved = w.admin.post_empty(&format!("/api/identity/users/request/approve?id={id}")).await.expect(200);
    assert_eq!(approved["email"], "new@n.example");
    assert_eq!(login(&w.s, "new@n.example", "newcomer-password-1").await.status, 200);
    let by_email = format!("/api/identity/users/request/deny?email={}", enc("other@n.example"));
    w.admin.post_empty(&by_email).await.expect(200);
    assert_login_refused(&login(&w.s, "other@n.example", "newcomer-password-1").await);
    // Naming nothing, or an id that does not parse, is a 400 in the face's format, not a 415.
    for path in ["/api/identity/users/request/approve", "/api/identity/users/request/deny"] {
        w.admin.post_empty(path).await.assert_l5_error(400, L5_BAD_REQUEST);
        w.admin.post_empty(&format!("{path}?id=not-a-uuid")).await.assert_l5_error(400, L5_BAD_REQUEST);
    }
}

/// Names in an anonymous request are held to the rules of every name: NFC,
/// nothing invisible that could make one look like another.
#[tokio::test]
async fn names_in_a_request_hide_nothing() {
    let s = Server::start().await;
    for hidden in ["Ad\u{200B}min", "\u{202E}nimdA", "A\u{00AD}dmin"] {
        let r = s.anon().post(REQUESTS, json!({"email": "zw@z.example", "first_name": hidden})).await;
        r.assert_l5_error(400, L5_BAD_REQUEST);
    }
    let composed = json!({"email": "nfc@z.example", "first_name": "Jose\u{301}"});
    assert_eq!(s.anon().post(REQUESTS, composed).await.status, 201);
    let admin = s.admin().await;
    let listed = listed(&admin, "nfc@z.example").await.expect("the request is listed");
    assert_eq!(listed["first_name"], "Jos\u{e9}", "stored in NFC: {listed}");
}
