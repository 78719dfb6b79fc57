//! Identity e-mail sign-up: a user added as `pending` is mailed a one-time
//! link (delivered over SMTP to a loopback mail server); opening it activates
//! the membership. Links die with use, expiry, activation or removal.

use serde_json::{Value, json};

use crate::identity::groups::{create_group, identity_role};
use crate::support::oidc::no_redirects;
use crate::support::smtp_sink::{Received, SmtpSink};
use crate::support::*;

fn users(org: &str) -> String {
    format!("/api/v1/organizations/{org}/users")
}

fn user_body(subject: &str, state: &str, groups: &[&str]) -> Value {
    json!({"spec": {"subject": subject, "state": state, "groupIDs": groups}})
}

async fn mailing_world(sink: &SmtpSink) -> World {
    let url = sink.url.clone();
    world_with(move |c| {
        c.smtp_url = Some(url);
        c.mail_from = Some("Cloud <cloud@example.com>".into());
        c.mail_schedule = "* * * * * *".into();
    })
    .await
}

/// The sign-up link in a message.
fn link_in(m: &Received) -> String {
    let text = m.text();
    let line = text.lines().find(|l| l.contains("/api/v1/signup?token="));
    line.unwrap_or_else(|| panic!("no link in {text}")).trim().to_string()
}

/// Opens `link` as a browser would, without following the redirect.
async fn open(link: &str) -> (u16, Option<String>, Option<String>, String) {
    let http = no_redirects();
    let r = http.get(link).send().await.expect("get");
    let h = |n: &str| r.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
    let (location, cache) = (h("location"), h("cache-control"));
    let content_type = h("content-type").unwrap_or_default();
    let status = r.status().as_u16();
    let body = r.text().await.expect("body");
    if status == 400 {
        assert!(content_type.starts_with("text/html"), "{content_type}");
    }
    (status, location, cache, body)
}

async fn state_of(api: &Api, org: &str, subject: &str) -> String {
    let list = api.get(&users(org)).await.expect(200);
    let u = list.as_array().unwrap().iter().find(|u| u["spec"]["subject"] == subject).cloned();
    u.unwrap_or_else(|| panic!("{subject} not in {list}"))["spec"]["state"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_pending_user_activates_through_the_mailed_link() {
    let mut sink = SmtpSink::start().await;
    let w = mailing_world(&sink).await;
    let org = &w.org_a;
    let member = identity_role(&w.alice, org, "user").await;
    let g = create_group(&w.alice, org, "devs", &[], &[&member]).await;
    let erin = w.alice.post(&users(org), user_body("erin@a.example", "pending", &[&g])).await.expect(201);
    assert_eq!(erin["spec"]["state"], "pending");

    let m = sink.next(20).await.expect("the sign-up mail is delivered");
    assert_eq!(m.to, ["erin@a.example"]);
    assert_eq!(m.from, "cloud@example.com");
    assert!(m.header("Subject").is_some_and(|s| s.contains('A')), "{:?}", m.header("Subject"));
    assert!(m.header("Message-ID").is_some(), "{}", m.data);
    let link = link_in(&m);
    assert!(link.starts_with(&format!("{}/api/v1/signup?token=", w.s.base)), "{link}");
    assert_eq!(state_of(&w.alice, org, "erin@a.example").await, "pending");

    let (status, location, cache, _) = open(&link).await;
    assert_eq!(status, 302);
    assert_eq!(location.as_deref(), Some("/"));
    assert_eq!(cache.as_deref(), Some("no-store"));
    assert_eq!(state_of(&w.alice, org, "erin@a.example").await, "active");

    // Single use.
    let (status, _, cache, body) = open(&link).await;
    assert_eq!(status, 400);
    assert_eq!(cache.as_deref(), Some("no-store"));
    assert!(body.contains("not valid"), "{body}");
    // No token, a made-up one, one far too long: the same page, nothing changes.
    for bad in ["", "?token=", "?token=nope", &format!("?token={}", "x".repeat(5000))] {
        let (status, _, _, body) = open(&format!("{}/api/v1/signup{bad}", w.s.base)).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    // Nothing else was mailed.
    assert!(sink.next(2).await.is_none());
}

#[tokio::test]
async fn links_die_with_activation_removal_and_expiry() {
    let mut sink = SmtpSink::start().await;
    let w = mailing_world(&sink).await;
    let org = &w.org_a;

    // Activated by an admin first: the link is void.
    let frank = w.alice.post(&users(org), user_body("frank@a.example", "pending", &[])).await.expect(201);
    let frank_path = format!("{}/{}", users(org), frank["metadata"]["id"].as_str().unwrap());
    let first = link_in(&sink.next(20).await.expect("mail for frank"));
    w.alice.put(&frank_path, user_body("frank@a.example", "active", &[])).await.expect(200);
    assert_eq!(open(&first).await.0, 400);

    // Put back to pending: a fresh link that works.
    w.alice.put(&frank_path, user_body("frank@a.example", "pending", &[])).await.expect(200);
    let second = link_in(&sink.next(20).await.expect("a second mail for frank"));
    assert_ne!(first, second);
    assert_eq!(open(&second).await.0, 302);
    assert_eq!(state_of(&w.alice, org, "frank@a.example").await, "active");

    // Suspended while pending: the link does not activate.
    let s = w.alice.post(&users(org), user_body("sam@a.example", "pending", &[])).await.expect(201);
    let link = link_in(&sink.next(20).await.expect("mail for sam"));
    let sam_path = format!("{}/{}", users(org), s["metadata"]["id"].as_str().unwrap());
    w.alice.put(&sam_path, user_body("sam@a.example", "suspended", &[])).await.expect(200);
    assert_eq!(open(&link).await.0, 400);
    assert_eq!(state_of(&w.alice, org, "sam@a.example").await, "suspended");

    // Removed from the organization: the link is gone with the membership.
    let gina = w.alice.post(&users(org), user_body("gina@a.example", "pending", &[])).await.expect(201);
    let link = link_in(&sink.next(20).await.expect("mail for gina"));
    let r = w.alice.delete(&format!("{}/{}", users(org), gina["metadata"]["id"].as_str().unwrap())).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(open(&link).await.0, 400);

    // Expired (the lifetime is hours; age the stored link instead of waiting).
    w.alice.post(&users(org), user_body("hal@a.example", "pending", &[])).await.expect(201);
    let link = link_in(&sink.next(20).await.expect("mail for hal"));
    let db = rusqlite::Connection::open(w.s.data_dir.join("meshcloud.db")).expect("open");
    db.busy_timeout(std::time::Duration::from_secs(5)).expect("timeout");
    let n = db.execute("UPDATE signup_tokens SET expires_at = '2000-01-01T00:00:00.000000Z'", []).expect("age");
    assert_eq!(n, 1);
    assert_eq!(open(&link).await.0, 400);
    assert_eq!(state_of(&w.alice, org, "hal@a.example").await, "pending");
}

#[tokio::test]
async fn without_a_mail_server_pending_users_wait_for_an_admin() {
    let w = world().await;
    let org = &w.org_a;
    w.alice.post(&users(org), user_body("ivy@a.example", "pending", &[])).await.expect(201);
    let db = rusqlite::Connection::open(w.s.data_dir.join("meshcloud.db")).expect("open");
    let queued: i64 = db.query_row("SELECT count(*) FROM mail_outbox", [], |r| r.get(0)).expect("count");
    let links: i64 = db.query_row("SELECT count(*) FROM signup_tokens", [], |r| r.get(0)).expect("count");
    assert_eq!((queued, links), (0, 0), "nothing is queued that could never be sent");
    assert_eq!(state_of(&w.alice, org, "ivy@a.example").await, "pending");
}

#[tokio::test]
async fn an_unreachable_mail_server_loses_no_invitation() {
    // A port nothing listens on: the create is still acknowledged and the
    // message waits in the outbox, sealed, for the next attempt.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let w = world_with(move |c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        c.mail_schedule = "* * * * * *".into();
    })
    .await;
    w.alice.post(&users(&w.org_a), user_body("jo@a.example", "pending", &[])).await.expect(201);
    let db = rusqlite::Connection::open(w.s.data_dir.join("meshcloud.db")).expect("open");
    let attempts: i64 = poll("a delivery attempt", std::time::Duration::from_secs(10), || {
        let attempts: i64 = db.query_row("SELECT attempts FROM mail_outbox", [], |r| r.get(0)).expect("queued");
        std::future::ready((attempts > 0).then_some(attempts))
    })
    .await;
    assert_eq!(attempts, 1, "one failed attempt, then back-off");
    let (body, error): (Vec<u8>, Option<String>) =
        db.query_row("SELECT body, last_error FROM mail_outbox", [], |r| Ok((r.get(0)?, r.get(1)?))).expect("row");
    assert!(!String::from_utf8_lossy(&body).contains("signup?token="), "the link is sealed at rest");
    assert!(error.is_some());
}
