//! API7 organizations: create, init, read, subscribe, the upcoming invoice,
//! the customer portal redirect and `/user/me`, with who may do what.

use serde_json::{Value, json};

use crate::support::*;

const ORGS: &str = "/api/v1/orgs";

/// The row id of a seeded plan.
async fn plan_row(w: &World, name: &str, cadence: &str) -> String {
    let (name, cadence) = (name.to_string(), cadence.to_string());
    sql(&w.s.data_dir, move |c| {
        c.query_row("SELECT id FROM billing_plans WHERE name = ?1 AND cadence = ?2", [name, cadence], |r| {
            r.get::<_, i64>(0)
        })
        .expect("plan")
        .to_string()
    })
    .await
}

async fn org_count(w: &World) -> i64 {
    sql(&w.s.data_dir, |c| c.query_row("SELECT count(*) FROM organizations", [], |r| r.get(0)).expect("count")).await
}

async fn user_row(w: &World, uuid: &str) -> String {
    let uuid = uuid.to_string();
    sql(&w.s.data_dir, move |c| {
        c.query_row("SELECT id FROM users WHERE uuid = ?1", [uuid], |r| r.get::<_, i64>(0)).expect("user").to_string()
    })
    .await
}

fn is_id(v: &Value) -> bool {
    v.as_str().is_some_and(|s| !s.is_empty() && !s.starts_with('0') && s.bytes().all(|b| b.is_ascii_digit()))
}

fn is_time(v: &Value) -> bool {
    v.as_str().is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok())
}

#[tokio::test]
async fn create_answers_the_organization_with_its_default_plan() {
    let w = world().await;
    let free = plan_row(&w, "Free", "monthly").await;
    let org = w.alice.post(ORGS, json!({"name": "Acme Labs"})).await.api7();
    assert!(is_id(&org["id"]), "{org}");
    assert_eq!(org["name"], "Acme Labs");
    assert!(is_time(&org["created_at"]) && is_time(&org["updated_at"]), "{org}");
    assert_eq!(org["plan_id"], free.as_str());
    assert_eq!(org["plan_expire_time"], "9999-12-31T23:59:59Z");
    assert_eq!(org["subscription_started_at"], Value::Null);
    assert_eq!(org["owner_id"], w.alice_id.as_str());
    let keys: Vec<&String> = org.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 8, "exactly the reference's fields: {org}");

    // It is a core organization, alice its admin, on every face.
    let id = org["id"].as_str().unwrap();
    assert_eq!(w.alice.get(&format!("{ORGS}/{id}")).await.api7(), org);
    let members = w.alice.get(&format!("{ORGS}/{id}/members")).await.api7();
    assert_eq!(members["count"], 1);
    assert_eq!(members["list"][0]["roles"][0]["name"], "organization admin");
    assert_eq!(members["list"][0]["roles"][0]["owner"], true);
    let uuid = sql(&w.s.data_dir, {
        let id = id.to_string();
        move |c| c.query_row("SELECT uuid FROM organizations WHERE id = ?1", [id], |r| r.get::<_, String>(0)).unwrap()
    })
    .await;
    let l5 = w.alice.get(&format!("/api/identity/orgs/{uuid}")).await;
    assert_eq!(l5.status, 200, "{}", l5.text);
    assert!(l5.text.contains("Acme Labs"), "{}", l5.text);
}

#[tokio::test]
async fn create_refuses_bad_names_and_strangers() {
    let w = world().await;
    let before = org_count(&w).await;
    for body in [json!({"name": ""}), json!({"name": "  \t "}), json!({"name": "x".repeat(33)}), json!({})] {
        let e = w.alice.post(ORGS, body.clone()).await.api7_error(400, 1);
        assert!(!e.is_empty(), "{body}");
    }
    w.s.anon().post(ORGS, json!({"name": "x"})).await.api7_error(401, 6);
    assert_eq!(org_count(&w).await, before, "nothing created on a refusal");
    // 32 characters (not bytes) and inner spaces are fine.
    let name = "é".repeat(32);
    assert_eq!(w.carol.post(ORGS, json!({"name": name})).await.api7()["name"], name.as_str());
}

#[tokio::test]
async fn create_follows_the_installation_setting() {
    let s = Server::start_with(|c| c.allow_user_org_creation = false).await;
    let (_, erin) = s.user("erin@e.example", None).await;
    erin.post(ORGS, json!({"name": "x"})).await.api7_error(403, 7);
    erin.post(&format!("{ORGS}/init"), json!({"name": "x"})).await.api7_error(403, 7);
    assert_eq!(erin.get("/api/v1/user/me").await.api7()["org_ids"], json!([]));
    s.admin().await.post(ORGS, json!({"name": "x"})).await.api7();
}

#[tokio::test]
async fn init_creates_the_first_organization_once() {
    let w = world().await;
    let (_, erin) = w.s.user("erin@e.example", None).await;
    let me = erin.get("/api/v1/user/me").await.api7();
    assert_eq!(me["org_ids"], json!([]));
    assert_eq!(erin.post(&format!("{ORGS}/init"), json!({"name": "First"})).await.api7(), Value::Null);
    let me = erin.get("/api/v1/user/me").await.api7();
    assert_eq!(me["org_ids"].as_array().unwrap().len(), 1, "{me}");
    assert_eq!(me["organizations"][0]["name"], "First");
    let before = org_count(&w).await;
    erin.post(&format!("{ORGS}/init"), json!({"name": "Second"})).await.api7();
    // alice owns A already; carol belongs to A without owning it.
    w.alice.post(&format!("{ORGS}/init"), json!({"name": "Again"})).await.api7();
    assert_eq!(org_count(&w).await, before, "idempotent for owners");
    w.carol.post(&format!("{ORGS}/init"), json!({"name": "Carol's"})).await.api7();
    assert_eq!(org_count(&w).await, before + 1, "a member who owns nothing gets one");
    let me = w.carol.get("/api/v1/user/me").await.api7();
    assert_eq!(me["org_ids"].as_array().unwrap().len(), 2, "{me}");
    erin.post(&format!("{ORGS}/init"), json!({"name": " "})).await.api7_error(400, 1);
    w.s.anon().post(&format!("{ORGS}/init"), json!({"name": "x"})).await.api7_error(401, 6);
}

#[tokio::test]
async fn get_permission_matrix() {
    let w = world().await;
    let a = w.org_num(&w.org_a).await;
    let path = format!("{ORGS}/{a}");
    for who in [&w.admin, &w.alice, &w.carol] {
        let org = who.get(&path).await.api7();
        assert_eq!(org["id"], a.as_str());
        assert_eq!(org["name"], "A");
    }
    w.dave.get(&path).await.api7_error(404, 4);
    w.s.anon().get(&path).await.api7_error(401, 6);
    w.alice.get(&format!("{ORGS}/999999")).await.api7_error(404, 4);
    for bad in ["abc", "0", "01", "-1"] {
        w.alice.get(&format!("{ORGS}/{bad}")).await.api7_error(400, 1);
    }
    // A member whose roles hold no organization read key.
    w.alice.give_role_with_keys(&w.org_a, "gw-only", &["gateway.controlplanes.read"], &w.carol_id).await;
    w.carol.get(&path).await.api7_error(403, 7);
    // A deleted organization is gone.
    let r = w.alice.delete(&format!("/api/identity/orgs/{}", w.org_a)).await;
    assert!(r.status < 300, "{r:?}");
    w.alice.get(&path).await.api7_error(404, 4);
}

#[tokio::test]
async fn subscription_through_the_billing_engine() {
    let w = world().await;
    let a = w.org_num(&w.org_a).await;
    let subs = format!("{ORGS}/{a}/subscriptions");
    let upcoming = format!("{ORGS}/{a}/invoices/upcoming");
    // Without a subscription: a zero invoice.
    let zero = w.alice.get(&upcoming).await.api7();
    assert_eq!(
        zero,
        json!({"amount_due": 0, "subtotal": 0, "currency": "usd", "period_start": null, "period_end": null, "lines": []})
    );

    // Refusals change nothing.
    for body in [json!({"plan": ""}), json!({"plan": "Gold"}), json!({}), json!({"plan": "999999"})] {
        w.alice.post(&subs, body).await.api7_error(400, 1);
    }
    w.carol.post(&subs, json!({"plan": "Team Designer"})).await.api7_error(403, 7);
    w.dave.post(&subs, json!({"plan": "Team Designer"})).await.api7_error(404, 4);
    w.s.anon().post(&subs, json!({"plan": "Team Designer"})).await.api7_error(401, 6);
    let free = plan_row(&w, "Free", "monthly").await;
    assert_eq!(w.alice.get(&format!("{ORGS}/{a}")).await.api7()["plan_id"], free.as_str());

    // By name: the monthly Team Designer, trialing for 14 days.
    let org = w.alice.post(&subs, json!({"plan": "team designer"})).await.api7();
    assert_eq!(org["plan_id"], plan_row(&w, "Team Designer", "monthly").await.as_str());
    assert!(is_time(&org["subscription_started_at"]), "{org}");
    let expire = chrono::DateTime::parse_from_rfc3339(org["plan_expire_time"].as_str().unwrap()).unwrap();
    let days = (expire.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_days();
    assert!((13..=14).contains(&days), "the trial's end: {org}");
    assert_eq!(w.alice.get(&format!("{ORGS}/{a}")).await.api7(), org);
    let inv = w.alice.get(&upcoming).await.api7();
    assert_eq!(inv["currency"], "usd");
    assert_eq!(inv["subtotal"], 1500);
    assert_eq!(inv["amount_due"], 1500);
    assert_eq!(inv["period_start"], org["plan_expire_time"], "the first charge follows the trial");
    assert_eq!(inv["lines"].as_array().unwrap().len(), 1);
    assert_eq!(inv["lines"][0]["amount"], 1500);
    assert!(inv["lines"][0]["description"].as_str().unwrap().contains("Team Designer"), "{inv}");
    // The engine's rule: one live subscription.
    w.alice.post(&subs, json!({"plan": "Free"})).await.api7_error(400, 1);

    // By row id and by name with cadence, in org B (the provider admin is no member of it).
    let b = w.org_num(&w.org_b).await;
    let annual = plan_row(&w, "Team Designer", "annually").await;
    let org =
        w.admin.post(&format!("{ORGS}/{b}/subscriptions"), json!({"plan": "Team Designer (annually)"})).await.api7();
    assert_eq!(org["plan_id"], annual.as_str());

    // Who reads the upcoming invoice.
    w.admin.get(&upcoming).await.api7();
    w.carol.get(&upcoming).await.api7_error(403, 7);
    w.dave.get(&upcoming).await.api7_error(404, 4);
    w.s.anon().get(&upcoming).await.api7_error(401, 6);
    w.alice.get(&format!("{ORGS}/x/invoices/upcoming")).await.api7_error(400, 1);
}

#[tokio::test]
async fn customer_portal_redirects_to_the_billing_page() {
    let w = world().await;
    let a = w.org_num(&w.org_a).await;
    let path = format!("{ORGS}/{a}/customer_portal");
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let as_user = |token: &str| Api::new(&w.s.base, http.clone(), Some(token));
    let alice = as_user(&w.s.token_for("alice@a.example", "portal").await);
    let r = alice.get(&path).await;
    assert_eq!(r.status, 302, "{}", r.text);
    let location = r.header("location").expect("Location");
    assert!(location.ends_with(&format!("/billing?org={}", w.org_a)), "{location}");
    assert!(location.starts_with("http://") || location.starts_with('/'), "{location}");
    let admin = as_user(&w.s.token_for(ADMIN_EMAIL, "portal").await);
    assert_eq!(admin.get(&path).await.status, 302);
    let carol = as_user(&w.s.token_for("carol@a.example", "portal").await);
    carol.get(&path).await.api7_error(403, 7);
    let dave = as_user(&w.s.token_for("dave@b.example", "portal").await);
    dave.get(&path).await.api7_error(404, 4);
    Api::new(&w.s.base, http.clone(), None).get(&path).await.api7_error(401, 6);
    alice.get(&format!("{ORGS}/0/customer_portal")).await.api7_error(400, 1);
}

#[tokio::test]
async fn user_me_lists_active_memberships() {
    let w = world().await;
    let me = w.alice.get("/api/v1/user/me").await.api7();
    assert_eq!(me["id"], user_row(&w, &w.alice_id).await.as_str());
    assert_eq!(me["email"], "alice@a.example");
    assert_eq!(me["avatar_url"], "");
    assert!(is_time(&me["created_at"]) && is_time(&me["updated_at"]), "{me}");
    let a = w.org_num(&w.org_a).await;
    assert_eq!(me["org_ids"], json!([a]));
    assert_eq!(me["organizations"], json!([{"id": a, "uuid": w.org_a, "name": "A"}]));
    let b = w.org_num(&w.org_b).await;
    let admin = w.admin.get("/api/v1/user/me").await.api7();
    assert!(admin["org_ids"].as_array().unwrap().contains(&json!(b)), "{admin}");
    assert!(!admin["org_ids"].as_array().unwrap().contains(&json!(a)), "not a member of A: {admin}");
    // Errors render in the API7 envelope.
    w.s.anon().get("/api/v1/user/me").await.api7_error(401, 6);
    w.alice.get("/api/v1/user/nope").await.api7_error(404, 4);
}

#[tokio::test]
async fn a_subscription_ending_with_its_period_has_no_upcoming_invoice() {
    let w = world().await;
    let c = w.alice.post(ORGS, json!({"name": "C"})).await.api7();
    let id = c["id"].as_str().unwrap().to_string();
    let free = plan_row(&w, "Free", "monthly").await;
    let org = w.alice.post(&format!("{ORGS}/{id}/subscriptions"), json!({"plan": free})).await.api7();
    assert_eq!(org["plan_id"], free.as_str());
    assert_ne!(org["plan_expire_time"], "9999-12-31T23:59:59Z", "an active subscription's period ends: {org}");
    assert!(is_time(&org["subscription_started_at"]), "{org}");
    let upcoming = format!("{ORGS}/{id}/invoices/upcoming");
    let inv = w.alice.get(&upcoming).await.api7();
    assert_eq!(inv["amount_due"], 0);
    assert_eq!(inv["lines"].as_array().unwrap().len(), 1, "the free renewal's line: {inv}");
    assert_eq!(inv["period_start"], org["plan_expire_time"]);
    let sub = sql(&w.s.data_dir, {
        let id = id.clone();
        move |c| {
            c.query_row("SELECT uuid FROM billing_subscriptions WHERE org_id = ?1", [id], |r| r.get::<_, String>(0))
                .unwrap()
        }
    })
    .await;
    w.alice.post_empty(&format!("/api/entitlement/subscriptions/{sub}/cancel")).await.expect(200);
    let zero = w.alice.get(&upcoming).await.api7();
    assert_eq!(zero["lines"], json!([]));
    assert_eq!(zero["period_start"], Value::Null);
}
