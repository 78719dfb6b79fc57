//! The events API (docs/ops.md, "Events"): the org's audit log as
//! `/api/events*` reads it and `/events*` (agents) writes and manages it.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

const EVENT_FIELDS: [&str; 16] = [
    "id",
    "user_id",
    "org_id",
    "system_id",
    "category",
    "action",
    "acted_upon",
    "severity",
    "status",
    "description",
    "metadata",
    "firstName",
    "lastName",
    "email",
    "created_at",
    "updated_at",
];

fn filter(f: Value) -> String {
    format!("filter={}", enc(&f.to_string()))
}

/// `/api/events/list?<query>` in `org`, as `api`.
async fn list(api: &Api, org: &str, query: &str) -> Value {
    api.ctx(org).get(&format!("/api/events/list?{query}")).await.expect(200)
}

async fn data(api: &Api, org: &str, query: &str) -> Vec<Value> {
    list(api, org, query).await["data"].as_array().expect("data").clone()
}

fn ids(items: &[Value]) -> Vec<String> {
    strs(&json!(items), "id")
}

/// The strings of a JSON array of strings.
fn str_list(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap_or_else(|| panic!("not a string: {s}")).to_string())
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Reports an event in `org` and returns its id. `action` must be unique
/// in the org: `POST /events` answers no body, so the id is looked up by it.
async fn report(api: &Api, org: &str, mut body: Value) -> String {
    if body.get("category").is_none() {
        body["category"] = json!("agent");
    }
    let action = body["action"].as_str().expect("action").to_string();
    api.ctx(org).post("/events", body).await.expect(201);
    let found = data(api, org, &filter(json!({"action": action}))).await;
    assert_eq!(found.len(), 1, "one event with action {action}: {found:?}");
    found[0]["id"].as_str().expect("id").to_string()
}

async fn audit(api: &Api, org: &str, query: &str) -> u64 {
    let v = api.ctx(org).get(&format!("/api/events{query}")).await.expect(200);
    v["audit"].as_u64().unwrap_or_else(|| panic!("no audit count: {v}"))
}

#[tokio::test]
async fn mutations_are_logged_with_actor_and_target() {
    let w = world().await;
    let team = w.alice.create_team(&w.org_a, "audited-team").await;
    let env = w.alice.create_env(&w.org_a, "audited-env").await;

    // No header: alice's only org is the context.
    let v = w.alice.get("/api/events/list?pagesize=all").await.expect(200);
    let items = v["data"].as_array().expect("data").clone();
    for e in &items {
        for f in EVENT_FIELDS {
            // An event without an actor has no address to show.
            let absent = f == "email" && e["user_id"] == NIL_UUID;
            assert!(e.get(f).is_some() || absent, "event lacks {f}: {e}");
        }
        assert_eq!(e["org_id"], w.org_a.as_str(), "only org A's events: {e}");
    }
    let find = |category: &str, target: &str| {
        let pos = items.iter().position(|e| e["category"] == category && e["acted_upon"] == target);
        pos.unwrap_or_else(|| panic!("no {category} event on {target}: {v}"))
    };
    let (t, e) = (find("team", &team), find("environment", &env));
    for i in [t, e] {
        let ev = &items[i];
        assert_eq!(ev["action"], "create", "{ev}");
        assert_eq!(ev["email"], "alice@a.example", "{ev}");
        assert_eq!(ev["user_id"], w.alice_id.as_str(), "{ev}");
        assert_eq!((ev["status"].as_str(), ev["severity"].as_str()), (Some("unread"), Some("informational")), "{ev}");
    }
    assert!(e < t, "newest first: the environment was created after the team");

    // Org B does not see org A's log, and org A's log holds nothing of B.
    let b = w.admin.ctx(&w.org_b).get("/api/events/list?pagesize=all").await.expect(200);
    assert!(!b.to_string().contains(&team), "{b}");
    let env_b = w.admin.create_env(&w.org_b, "b-env").await;
    let a = list(&w.alice, &w.org_a, "pagesize=all").await;
    assert!(!a.to_string().contains(&env_b), "{a}");
    let b = list(&w.dave, &w.org_b, &filter(json!({"acted_upon": env_b}))).await;
    assert_eq!(b["data"][0]["email"], ADMIN_EMAIL, "{b}");
}

#[tokio::test]
async fn list_pages_orders_and_searches() {
    let w = world().await;
    let mut posted = vec![];
    for (action, description) in [("p-c", "first"), ("p-a", "the needle here"), ("p-e", "third"), ("p-b", "fourth")] {
        posted.push(
            report(&w.alice, &w.org_a, json!({"category": "paging", "action": action, "description": description}))
                .await,
        );
    }
    posted.push(report(&w.alice, &w.org_a, json!({"category": "needlework", "action": "p-d"})).await);
    let only = filter(json!({"category": ["paging", "needlework"]}));

    let v = list(&w.alice, &w.org_a, &only).await;
    let newest_first: Vec<String> = posted.iter().rev().cloned().collect();
    assert_eq!(ids(&page_items(&v, "data", 0, 10, 5)), newest_first);

    let v = list(&w.alice, &w.org_a, &format!("{only}&pagesize=2&page=1")).await;
    assert_eq!(ids(&page_items(&v, "data", 1, 2, 5)), newest_first[2..4]);
    let v = list(&w.alice, &w.org_a, &format!("{only}&pagesize=2&page=2")).await;
    assert_eq!(ids(&page_items(&v, "data", 2, 2, 5)), newest_first[4..]);

    let v = list(&w.alice, &w.org_a, &format!("{only}&order=action")).await;
    assert_eq!(strs(&v["data"], "action"), ["p-a", "p-b", "p-c", "p-d", "p-e"]);
    let v = list(&w.alice, &w.org_a, &format!("{only}&order={}", enc("action desc"))).await;
    assert_eq!(strs(&v["data"], "action"), ["p-e", "p-d", "p-c", "p-b", "p-a"]);
    let v = list(&w.alice, &w.org_a, &format!("{only}&order=created_at")).await;
    assert_eq!(ids(v["data"].as_array().unwrap()), posted, "oldest first");
    let v = list(&w.alice, &w.org_a, &format!("{only}&order=category")).await;
    assert_eq!(v["data"][0]["category"], "needlework");

    // Description, category and action all match; nothing else in the org does.
    let v = list(&w.alice, &w.org_a, "search=needle").await;
    assert_eq!(sorted(ids(&page_items(&v, "data", 0, 10, 2))), sorted(vec![posted[1].clone(), posted[4].clone()]));
    let v = list(&w.alice, &w.org_a, "search=p-e").await;
    assert_eq!(ids(&page_items(&v, "data", 0, 10, 1)), [posted[2].clone()]);

    // The reference documents no 400 here: what the list cannot understand is its default.
    for odd in ["order=secret", "order=action%20sideways", "page=x", "pagesize=some"] {
        let v = w.alice.ctx(&w.org_a).get(&format!("/api/events/list?{odd}")).await.expect(200);
        assert_eq!((v["page"].as_u64(), v["page_size"].as_u64()), (Some(0), Some(10)), "{odd}: {v}");
    }
}

#[tokio::test]
async fn every_filter_key_narrows_the_list() {
    let w = world().await;
    let target = uuid::Uuid::now_v7().to_string();
    let e1 = report(&w.alice, &w.org_a, json!({"category": "f-x", "action": "f-1", "severity": "critical"})).await;
    let e2 = report(
        &w.alice,
        &w.org_a,
        json!({"category": "f-y", "action": "f-2", "severity": "warning", "status": "read", "acted_upon": target}),
    )
    .await;
    let e3 = report(&w.admin, &w.org_a, json!({"category": "f-z", "action": "f-3", "severity": "error"})).await;
    let e4 = report(&w.alice, &w.org_a, json!({"category": "f-x", "action": "f-4"})).await;
    let all = vec![e1.clone(), e2.clone(), e3.clone(), e4.clone()];
    let within = |f: Value| kept_by(&w, &all, f);
    let set = |v: &[&String]| sorted(v.iter().map(|s| s.to_string()).collect());

    assert_eq!(within(json!({"category": "f-x"})).await, set(&[&e1, &e4]));
    assert_eq!(within(json!({"category": ["f-y", "f-z"]})).await, set(&[&e2, &e3]));
    assert_eq!(within(json!({"action": "f-3"})).await, set(&[&e3]));
    assert_eq!(within(json!({"action": ["f-1", "f-2"]})).await, set(&[&e1, &e2]));
    assert_eq!(within(json!({"severity": "critical"})).await, set(&[&e1]));
    assert_eq!(within(json!({"severity": ["warning", "error"]})).await, set(&[&e2, &e3]));
    assert_eq!(within(json!({"severity": "informational"})).await, set(&[&e4]), "the default severity");
    assert_eq!(within(json!({"status": "read"})).await, set(&[&e2]));
    assert_eq!(within(json!({"status": "unread"})).await, set(&[&e1, &e3, &e4]));
    assert_eq!(within(json!({"user_id": w.admin_id})).await, set(&[&e3]));
    assert_eq!(within(json!({"user_id": w.alice_id})).await, set(&[&e1, &e2, &e4]));
    assert_eq!(within(json!({"acted_upon": target})).await, set(&[&e2]));
    assert_eq!(within(json!({"category": "f-x", "severity": "critical"})).await, set(&[&e1]), "keys combine");

    // `from` is inclusive and `to` exclusive, to the stored precision.
    let time_of = |id: &str, items: &[Value]| {
        items.iter().find(|e| e["id"] == id).expect("listed")["created_at"].as_str().expect("created_at").to_string()
    };
    let items = data(&w.alice, &w.org_a, "pagesize=all").await;
    let (t2, t4) = (time_of(&e2, &items), time_of(&e4, &items));
    assert_eq!(within(json!({"from": t2})).await, set(&[&e2, &e3, &e4]));
    assert_eq!(within(json!({"to": t2})).await, set(&[&e1]));
    assert_eq!(within(json!({"from": t2, "to": t4})).await, set(&[&e2, &e3]));
    assert_eq!(within(json!({"from": rfc3339_in(3600)})).await, set(&[]));
    assert_eq!(within(json!({"to": "2000-01-01T02:00:00+02:00"})).await, set(&[]), "offsets are accepted");

    // Filters have a total of their own, not the org's count.
    let v = list(&w.alice, &w.org_a, &filter(json!({"category": "f-x"}))).await;
    assert_eq!(v["total_count"], 2, "{v}");

    // The reference documents no 400 for these lists: a filter they cannot
    // understand is ignored, and the answer is the unfiltered one.
    for odd in [
        json!({"colour": "red"}),
        json!({"from": "yesterday"}),
        json!({"to": "2026-13-45T00:00:00Z"}),
        json!({"severity": "loud"}),
        json!({"severity": ["error", "loud"]}),
        json!({"status": "maybe"}),
        json!({"user_id": "alice"}),
        json!({"category": 7}),
        json!(["category"]),
    ] {
        for path in ["/api/events/list", "/api/events/summary"] {
            let plain = w.alice.ctx(&w.org_a).get(path).await.expect(200);
            let v = w.alice.ctx(&w.org_a).get(&format!("{path}?{}", filter(odd.clone()))).await.expect(200);
            assert_eq!(v["total_count"], plain["total_count"], "{path} with filter {odd}: {v}");
        }
    }
    w.alice.ctx(&w.org_a).get("/api/events/list?filter=%7Bnot%20json").await.expect(200);
}

/// The ids among `all` that the list keeps with filter `f`.
async fn kept_by(w: &World, all: &[String], f: Value) -> Vec<String> {
    let got = ids(&data(&w.alice, &w.org_a, &format!("pagesize=all&{}", filter(f))).await);
    sorted(got.into_iter().filter(|i| all.contains(i)).collect())
}

#[tokio::test]
async fn counts_follow_status_changes_and_deletes() {
    let w = world().await;
    let mut posted = vec![];
    for i in 0..4 {
        posted.push(report(&w.alice, &w.org_a, json!({"action": format!("count-{i}")})).await);
    }
    let everything = data(&w.alice, &w.org_a, "pagesize=all").await;
    let total = everything.len() as u64;
    let unread = everything.iter().filter(|e| e["status"] == "unread").count() as u64;
    assert_eq!(audit(&w.alice, &w.org_a, "?cumulative=true").await, total);
    assert_eq!(audit(&w.alice, &w.org_a, "?cumulative=false").await, unread);
    assert_eq!(audit(&w.alice, &w.org_a, "").await, unread, "unread is the default");
    assert_eq!(list(&w.alice, &w.org_a, "").await["total_count"], total);

    // Status changes are not logged: the total stays, the unread count drops.
    let r = w.carol.ctx(&w.org_a).put("/events/status", json!({"ids": &posted[..2], "status": "read"})).await;
    assert_eq!(sorted(str_list(&r.expect(200)["updated"])), sorted(posted[..2].to_vec()));
    assert_eq!(audit(&w.alice, &w.org_a, "?cumulative=true").await, total);
    assert_eq!(audit(&w.alice, &w.org_a, "").await, unread - 2);

    // Deleting one read and one unread event is itself one (unread) event.
    let gone = vec![posted[0].clone(), posted[2].clone()];
    let r = w.alice.ctx(&w.org_a).post("/events/delete", json!({"ids": gone})).await;
    assert_eq!(sorted(str_list(&r.expect(200)["deleted"])), sorted(gone.clone()));
    let total = total - 2 + 1;
    assert_eq!(audit(&w.alice, &w.org_a, "?cumulative=true").await, total);
    assert_eq!(audit(&w.alice, &w.org_a, "").await, unread - 2 - 1 + 1);
    let v = list(&w.alice, &w.org_a, "pagesize=all").await;
    assert_eq!(v["total_count"], total, "{v}");
    assert_eq!(v["data"].as_array().unwrap().len() as u64, total);
    assert!(ids(v["data"].as_array().unwrap()).iter().all(|i| !gone.contains(i)));
    let deletion = &v["data"][0];
    assert_eq!(
        (deletion["user_id"].as_str(), deletion["status"].as_str()),
        (Some(w.alice_id.as_str()), Some("unread"))
    );
    assert!(deletion["metadata"].to_string().contains(&gone[0]), "the deletion names what it deleted: {deletion}");

    w.alice.ctx(&w.org_a).delete(&format!("/events/{}", posted[1])).await.expect_204();
    let v = list(&w.alice, &w.org_a, "pagesize=all").await;
    let listed = v["data"].as_array().unwrap().len() as u64;
    assert!(!ids(v["data"].as_array().unwrap()).contains(&posted[1]));
    assert_eq!(v["total_count"], listed, "{v}");
    assert_eq!(audit(&w.alice, &w.org_a, "?cumulative=true").await, listed);
    // A flag is set by `true` or `1` only (the reference documents no 400 here).
    assert_eq!(audit(&w.alice, &w.org_a, "?cumulative=perhaps").await, audit(&w.alice, &w.org_a, "").await);
}

#[tokio::test]
async fn summary_counts_per_actor() {
    let w = world().await;
    let tag = json!({"category": "summed"});
    for i in 0..3 {
        let status = if i == 0 { "unread" } else { "read" };
        report(&w.alice, &w.org_a, json!({"category": "summed", "action": format!("s-a{i}"), "status": status})).await;
    }
    for i in 0..2 {
        report(&w.admin, &w.org_a, json!({"category": "summed", "action": format!("s-p{i}")})).await;
    }
    let q = filter(tag.clone());
    let v = w.carol.ctx(&w.org_a).get(&format!("/api/events/summary?{q}")).await.expect(200);
    let rows = page_items(&v, "data", 0, 10, 2);
    for f in ["user_id", "firstName", "lastName", "email", "total", "unread", "last_event_at"] {
        assert!(rows[0].get(f).is_some(), "summary row lacks {f}: {}", rows[0]);
    }
    let counts: Vec<(String, u64, u64)> = rows
        .iter()
        .map(|r| {
            (r["email"].as_str().unwrap().to_string(), r["total"].as_u64().unwrap(), r["unread"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(counts, [("alice@a.example".to_string(), 3, 1), (ADMIN_EMAIL.to_string(), 2, 2)], "most events first");
    assert_eq!(rows[0]["user_id"], w.alice_id.as_str());
    let alice_latest = data(&w.alice, &w.org_a, &filter(json!({"category": "summed", "user_id": w.alice_id}))).await;
    assert_eq!(rows[0]["last_event_at"], alice_latest[0]["created_at"]);

    let order = |o: &str| {
        let (carol, org, q) = (w.carol.clone(), w.org_a.clone(), q.clone());
        let o = enc(o);
        async move {
            let v = carol.ctx(&org).get(&format!("/api/events/summary?{q}&order={o}")).await.expect(200);
            strs(&v["data"], "email")
        }
    };
    assert_eq!(order("unread desc").await, [ADMIN_EMAIL, "alice@a.example"]);
    assert_eq!(order("total").await, [ADMIN_EMAIL, "alice@a.example"]);
    assert_eq!(order("-last_event_at").await, [ADMIN_EMAIL, "alice@a.example"]);
    w.carol.ctx(&w.org_a).get("/api/events/summary?order=email").await.expect(200);
    let v = w.carol.ctx(&w.org_a).get(&format!("/api/events/summary?{q}&search=s-p")).await.expect(200);
    assert_eq!(strs(&json!(page_items(&v, "data", 0, 10, 1)), "email"), [ADMIN_EMAIL]);
    let v = w.carol.ctx(&w.org_a).get(&format!("/api/events/summary?{q}&pagesize=1&page=1")).await.expect(200);
    assert_eq!(strs(&json!(page_items(&v, "data", 1, 1, 2)), "email"), [ADMIN_EMAIL]);

    // Unfiltered, each row agrees with the list narrowed to that actor.
    let v = w.carol.ctx(&w.org_a).get("/api/events/summary?pagesize=all").await.expect(200);
    let rows = v["data"].as_array().unwrap();
    assert_eq!(v["total_count"].as_u64(), Some(rows.len() as u64));
    let mut sum = 0;
    for r in rows {
        let user = &r["user_id"];
        let of_user = if user.is_null() { json!({}) } else { json!({"user_id": user}) };
        let mut unread = of_user.clone();
        unread["status"] = json!("unread");
        if !user.is_null() {
            let total = list(&w.carol, &w.org_a, &filter(of_user)).await["total_count"].clone();
            assert_eq!(r["total"], total, "{r}");
            let unread = list(&w.carol, &w.org_a, &filter(unread)).await["total_count"].clone();
            assert_eq!(r["unread"], unread, "{r}");
        }
        sum += r["total"].as_u64().unwrap();
    }
    assert_eq!(sum, audit(&w.carol, &w.org_a, "?cumulative=true").await, "every event counts for one actor");
}

#[tokio::test]
async fn types_are_the_catalogue_and_the_reported_pairs() {
    let w = world().await;
    w.alice.create_team(&w.org_a, "typed").await;
    for action in ["t-1", "t-2"] {
        report(&w.alice, &w.org_a, json!({"category": "typed", "action": action})).await;
    }
    // The same pair again: listed once.
    w.alice.ctx(&w.org_a).post("/events", json!({"category": "typed", "action": "t-1"})).await.expect(201);
    w.admin.ctx(&w.org_b).post("/events", json!({"category": "only-in-b", "action": "x"})).await.expect(201);

    let v = w.carol.ctx(&w.org_a).get("/api/events/types").await.expect(200);
    let pairs = v.as_array().unwrap_or_else(|| panic!("a top-level array: {v}"));
    let mut seen: Vec<(String, String)> = vec![];
    for p in pairs {
        // The catalogue's kinds carry a description; reported ones do not.
        let fields: Vec<&String> = p.as_object().unwrap().keys().collect();
        let described = p["category"] != "typed";
        assert_eq!(fields.len(), if described { 3 } else { 2 }, "{p}");
        assert_eq!(p["description"].is_string(), described, "{p}");
        let pair = (p["category"].as_str().expect("category").into(), p["action"].as_str().expect("action").into());
        assert!(!seen.contains(&pair), "{pair:?} listed twice: {v}");
        seen.push(pair);
    }
    // Every kind meshcloud records is listed, whether the org has one yet or not.
    for want in [("typed", "t-1"), ("typed", "t-2"), ("team", "create"), ("oauth_client", "rotate_secret")] {
        assert!(seen.contains(&(want.0.into(), want.1.into())), "{want:?} missing: {v}");
    }
    assert!(!v.to_string().contains("only-in-b"), "{v}");
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "ordered by category and action");
    let paged = w.carol.ctx(&w.org_a).get("/api/events/types?page=1&pagesize=1").await.expect(200);
    assert_eq!(paged, v, "page and pagesize are ignored");
}

#[tokio::test]
async fn agents_report_events() {
    let w = world().await;
    let target = uuid::Uuid::now_v7().to_string();
    let body = json!({
        "category": "agent", "action": "heartbeat", "description": "cluster alive", "severity": "alert",
        "status": "unread", "system_id": "meshery-42", "acted_upon": target, "metadata": {"k": [1, 2]}
    });
    let r = w.alice.ctx(&w.org_a).post("/events", body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(r.text.is_empty(), "the reference's 201 has no body: {:?}", r.text);
    let v = list(&w.carol, &w.org_a, &filter(json!({"action": "heartbeat"}))).await;
    let e = &page_items(&v, "data", 0, 10, 1)[0];
    assert_eq!(e["system_id"], "meshery-42");
    assert_eq!((e["severity"].as_str(), e["status"].as_str()), (Some("alert"), Some("unread")));
    assert_eq!((e["category"].as_str(), e["description"].as_str()), (Some("agent"), Some("cluster alive")));
    assert_eq!(e["acted_upon"], target.as_str());
    assert_eq!(e["metadata"], json!({"k": [1, 2]}));
    assert_eq!((e["user_id"].as_str(), e["org_id"].as_str()), (Some(w.alice_id.as_str()), Some(w.org_a.as_str())));

    w.alice.ctx(&w.org_a).post("/events", json!({"category": "agent", "action": "bare"})).await.expect(201);
    let e = &data(&w.alice, &w.org_a, &filter(json!({"action": "bare"}))).await[0];
    assert_eq!((e["severity"].as_str(), e["status"].as_str()), (Some("informational"), Some("unread")), "{e}");
    assert_eq!(e["system_id"], NIL_UUID, "never null: {e}");

    let before = audit(&w.alice, &w.org_a, "?cumulative=true").await;
    for bad in [
        json!({"action": "no-category"}),
        json!({"category": "agent"}),
        json!({"category": " ", "action": "blank"}),
        json!({"category": "agent", "action": "x", "severity": "loud"}),
        json!({"category": "agent", "action": "x", "status": "seen"}),
        json!({"category": "agent", "action": "x", "acted_upon": "not-a-uuid"}),
    ] {
        let r = w.alice.ctx(&w.org_a).post("/events", bad.clone()).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
        r.assert_l5_error(400, L5_BAD_REQUEST);
    }
    assert_eq!(audit(&w.alice, &w.org_a, "?cumulative=true").await, before, "nothing was stored");
}

#[tokio::test]
async fn bulk_calls_answer_only_what_they_changed() {
    let w = world().await;
    let a1 = report(&w.alice, &w.org_a, json!({"action": "bulk-1"})).await;
    let a2 = report(&w.alice, &w.org_a, json!({"action": "bulk-2"})).await;
    let b1 = report(&w.admin, &w.org_b, json!({"action": "bulk-b"})).await;
    let unknown = uuid::Uuid::now_v7().to_string();
    let mixed = json!([a1, b1, unknown, a2]);

    let r = w.alice.ctx(&w.org_a).put("/events/status", json!({"ids": mixed, "status": "read"})).await;
    assert_eq!(sorted(str_list(&r.expect(200)["updated"])), sorted(vec![a1.clone(), a2.clone()]));
    let b = data(&w.dave, &w.org_b, &filter(json!({"action": "bulk-b"}))).await;
    assert_eq!(b[0]["status"], "unread", "another org's event is left alone");
    let v = data(&w.alice, &w.org_a, &filter(json!({"action": ["bulk-1", "bulk-2"]}))).await;
    assert!(v.iter().all(|e| e["status"] == "read"), "{v:?}");
    w.alice
        .ctx(&w.org_a)
        .put("/events/status", json!({"ids": [a1], "status": "done"}))
        .await
        .assert_l5_error(400, L5_BAD_REQUEST);

    let r = w.alice.ctx(&w.org_a).post("/events/delete", json!({"ids": mixed})).await;
    assert_eq!(sorted(str_list(&r.expect(200)["deleted"])), sorted(vec![a1.clone(), a2.clone()]));
    assert_eq!(data(&w.dave, &w.org_b, &filter(json!({"action": "bulk-b"}))).await.len(), 1);
    assert!(data(&w.alice, &w.org_a, &filter(json!({"action": ["bulk-1", "bulk-2"]}))).await.is_empty());
    // Already deleted: nothing to answer, nothing changes.
    let r = w.alice.ctx(&w.org_a).post("/events/delete", json!({"ids": [a1]})).await;
    assert_eq!(r.expect(200)["deleted"], json!([]));
    let r = w.alice.ctx(&w.org_a).put("/events/status", json!({"ids": [a1], "status": "unread"})).await;
    assert_eq!(r.expect(200)["updated"], json!([]));
    for bad in [json!({}), json!({"ids": ["nope"]}), json!({"ids": "x"})] {
        w.alice.ctx(&w.org_a).post("/events/delete", bad).await.assert_l5_error(400, L5_BAD_REQUEST);
    }
}

#[tokio::test]
async fn single_event_delete_and_status() {
    let w = world().await;
    let a = report(&w.alice, &w.org_a, json!({"action": "single-a"})).await;
    let b = report(&w.admin, &w.org_b, json!({"action": "single-b"})).await;

    let r = w.carol.ctx(&w.org_a).put(&format!("/events/{a}/status"), json!({"status": "read"})).await;
    let v = r.expect(200);
    assert_eq!((v["event_id"].as_str(), v["status"].as_str()), (Some(a.as_str()), Some("read")), "{v}");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    assert_eq!(data(&w.alice, &w.org_a, &filter(json!({"action": "single-a"}))).await[0]["status"], "read");
    let v = w.carol.ctx(&w.org_a).put(&format!("/events/{a}/status"), json!({"status": "unread"})).await.expect(200);
    assert_eq!(v["status"], "unread");
    w.carol
        .ctx(&w.org_a)
        .put(&format!("/events/{a}/status"), json!({"status": "archived"}))
        .await
        .assert_l5_error(400, L5_BAD_REQUEST);

    // Another org's event does not exist for alice, header or not.
    for api in [w.alice.clone(), w.alice.ctx(&w.org_a)] {
        api.put(&format!("/events/{b}/status"), json!({"status": "read"})).await.assert_l5_error(404, L5_NOT_FOUND);
        api.delete(&format!("/events/{b}")).await.assert_l5_error(404, L5_NOT_FOUND);
    }
    assert_eq!(data(&w.dave, &w.org_b, &filter(json!({"action": "single-b"}))).await[0]["status"], "unread");

    w.alice.ctx(&w.org_a).delete(&format!("/events/{a}")).await.expect_204();
    w.alice.ctx(&w.org_a).delete(&format!("/events/{a}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice
        .ctx(&w.org_a)
        .put(&format!("/events/{a}/status"), json!({"status": "read"}))
        .await
        .assert_l5_error(404, L5_NOT_FOUND);
    assert!(data(&w.alice, &w.org_a, &filter(json!({"action": "single-a"}))).await.is_empty());
    let unknown = uuid::Uuid::now_v7();
    w.alice.delete(&format!("/events/{unknown}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.delete("/events/not-a-uuid").await.assert_l5_error(404, L5_NOT_FOUND);
}

/// "Every call acts in the org in context": an event of org A, addressed by
/// id while the header names org C, is another org's event.
#[tokio::test]
async fn single_event_calls_act_in_the_org_in_context() {
    let w = world().await;
    let org_c = w.alice.create_org(json!({"name": "C"})).await;
    let a = report(&w.alice, &w.org_a, json!({"action": "in-a"})).await;
    let mut problems = vec![];
    let in_c = w.alice.ctx(&org_c);
    // The bulk calls leave it out in C.
    let r = in_c.put("/events/status", json!({"ids": [a], "status": "read"})).await;
    assert_eq!(r.expect(200)["updated"], json!([]));
    let r = in_c.put(&format!("/events/{a}/status"), json!({"status": "read"})).await;
    if r.status != 404 {
        problems.push(format!("PUT /events/{a}/status (header: org C) -> {} {}", r.status, r.text));
    }
    let r = in_c.delete(&format!("/events/{a}")).await;
    if r.status != 404 {
        problems.push(format!("DELETE /events/{a} (header: org C) -> {} {:?}", r.status, r.text));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let e = data(&w.alice, &w.org_a, &filter(json!({"action": "in-a"}))).await;
    assert_eq!((e.len(), e[0]["status"].as_str()), (1, Some("unread")), "untouched: {e:?}");
}

/// Expected statuses for: provider admin, org A admin, org A member, org B
/// member (with org A in the header), anonymous.
type Expect = [u16; 5];
const CALLERS: [&str; 5] = ["provider admin", "org admin", "member", "other org's member", "anonymous"];

#[tokio::test]
async fn permission_matrix() {
    let w = world().await;
    let anon = w.s.anon();
    let callers = [&w.admin, &w.alice, &w.carol, &w.dave, &anon];
    const READ: Expect = [200, 200, 200, 404, 401];
    const MANAGE: Expect = [200, 200, 401, 404, 401];
    let cases: [(Method, &str, Option<&str>, Expect); 10] = [
        (Method::GET, "/api/events?cumulative=true", None, READ),
        (Method::GET, "/api/events/list", None, READ),
        (Method::GET, "/api/events/summary", None, READ),
        (Method::GET, "/api/events/types", None, READ),
        (Method::POST, "/events", Some(r#"{"category": "m", "action": "m"}"#), [201, 201, 401, 404, 401]),
        (Method::POST, "/events/delete", Some(r#"{"ids": ["<event>"]}"#), MANAGE),
        (Method::PUT, "/events/status", Some(r#"{"ids": ["<event>"], "status": "read"}"#), READ),
        (Method::DELETE, "/events/<event>", None, [204, 204, 401, 404, 401]),
        (Method::PUT, "/events/<event>/status", Some(r#"{"status": "read"}"#), READ),
        (Method::GET, "/api/events/list?filter=%7B%22status%22%3A%22read%22%7D", None, READ),
    ];
    let mut n = 0;
    let mut failures = vec![];
    for (method, path, body, expect) in &cases {
        for (i, api) in callers.iter().enumerate() {
            // A fresh event of org A per call, so allowed deletes never starve the next caller.
            n += 1;
            let event = report(&w.admin, &w.org_a, json!({"action": format!("matrix-{n}")})).await;
            let path = path.replace("<event>", &event);
            let body = body.map(|b| RawBody::Text(b.replace("<event>", &event)));
            let r = api.ctx(&w.org_a).send(method.clone(), &path, body).await;
            let want = expect[i];
            let wording = match want {
                401 => Some(L5_UNAUTHORIZED),
                404 => Some(L5_NOT_FOUND),
                _ => None,
            };
            let wording_ok =
                wording.is_none_or(|t| r.text.starts_with(t) && r.content_type().starts_with("text/plain"));
            // A denied change must not have happened.
            let after = data(&w.admin, &w.org_a, &filter(json!({"action": format!("matrix-{n}")}))).await;
            let untouched = want < 300 || (after.len() == 1 && after[0]["status"] == "unread");
            if r.status != want || !wording_ok || !untouched {
                failures.push(format!(
                    "{method} {path} as {}: expected {want}, got {} {:?}{}",
                    CALLERS[i],
                    r.status,
                    r.text.chars().take(160).collect::<String>(),
                    if untouched { "" } else { " (and the event changed)" }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{} deviation(s):\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test]
async fn an_event_without_an_actor_has_no_email_field() {
    // carol was added to org A by the CLI's code path: no actor, so no address.
    let w = world().await;
    let v = data(&w.alice, &w.org_a, "pagesize=all").await;
    let (system, by_user): (Vec<&Value>, Vec<&Value>) = v.iter().partition(|e| e["user_id"] == NIL_UUID);
    assert!(!system.is_empty(), "the fixture records an event without an actor: {v:?}");
    // The upstream types `email` as `format: email`: "" would not be one.
    assert!(system.iter().all(|e| e.get("email").is_none()), "{system:?}");
    let alice = by_user.iter().find(|e| e["user_id"] == w.alice_id.as_str()).expect("alice's own events");
    assert_eq!(alice["email"], "alice@a.example");
}

/// Events meshcloud records itself have no user and no agent: their
/// `user_id` and `system_id` are the nil UUID, never null.
#[tokio::test]
async fn system_events_have_nil_ids_not_null() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let org = admin.get("/api/identity/orgs").await.expect(200)["organizations"][0]["id"].as_str().unwrap().to_string();
    let all = data(&admin, &org, "pagesize=500").await;
    let boot = all
        .iter()
        .find(|e| e["description"] == "default organization created")
        .unwrap_or_else(|| panic!("no bootstrap event in {all:?}"));
    assert_eq!((boot["user_id"].as_str(), boot["system_id"].as_str()), (Some(NIL_UUID), Some(NIL_UUID)), "{boot}");
    for e in &all {
        assert!(!e["user_id"].is_null() && !e["system_id"].is_null(), "{e}");
    }
}
