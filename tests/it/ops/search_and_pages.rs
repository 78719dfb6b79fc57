//! Searches of the event log and of schedules answer exactly the rows a
//! case-insensitive substring match finds, through the search indexes; pages
//! anywhere in a large event log are the plain order's.

use serde_json::{Value, json};

use crate::support::*;

/// Texts with LIKE's and FTS5's syntax, quotes, mixed case and letters
/// outside ASCII; "cross-ab"/"cd-col" put "abcd" across two columns.
const TEXTS: &[(&str, &str)] = &[
    ("Alpha%Beta", "first of 100% pure"),
    ("under_score", "50_50 split"),
    ("quote\"d", "says \"hi\""),
    ("o'brien", "it's"),
    ("MiXeD CaSe", "UPPER lower"),
    ("été", "ÉTÉ hiver"),
    ("cross-ab", "cd-col"),
];

fn searches() -> Vec<String> {
    let mut s: Vec<String> = TRICKY_SEARCHES.iter().map(|s| s.to_string()).collect();
    s.extend(
        ["Alpha%Beta", "100% pure", "says \"hi\"", "hiver", "ab", "ross-abc", "agent", "create"].map(String::from),
    );
    s
}

const EVENTS: &str = "/api/events/list";
const EVENT_FIELDS: &[&str] = &["description", "category", "action"];

async fn check_events(api: &Api) {
    let (all, _) = every_item(api, EVENTS, "data", 500).await;
    for s in searches() {
        check_search(api, EVENTS, "data", EVENT_FIELDS, &all, &s).await;
    }
}

#[tokio::test]
async fn event_and_schedule_searches_find_exactly_the_substring_matches() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    for (i, (a, b)) in TEXTS.iter().enumerate() {
        // The same texts in org B, which org A's log never shows.
        for (who, org) in [(&w.alice, &w.org_a), (&w.admin, &w.org_b)] {
            let body = json!({"category": "agent", "action": format!("{}-{i}", b.replace(' ', "-").to_lowercase()), "description": a});
            who.ctx(org).post("/events", body).await.expect(201);
        }
        w.alice.create_env(&w.org_a, a).await;
        w.alice.post("/user/schedules", json!({"name": a, "cron_expression": "0 0 1 1 *"})).await.expect(200);
        w.carol.post("/user/schedules", json!({"name": b, "cron_expression": "0 0 1 7 *"})).await.expect(200);
    }
    check_events(&api).await;
    for api in [&w.alice, &w.carol] {
        let (all, _) = every_item(api, "/user/schedules", "schedules", 500).await;
        for s in searches() {
            check_search(api, "/user/schedules", "schedules", &["name", "cron_expression"], &all, &s).await;
        }
    }

    // Deleted events leave the search; read ones stay.
    let (all, _) = every_item(&api, EVENTS, "data", 500).await;
    let ids: Vec<&str> = all.iter().map(|e| e["id"].as_str().expect("id")).collect();
    api.post("/events/delete", json!({"ids": &ids[..3]})).await.expect(200);
    api.put("/events/status", json!({"ids": &ids[3..6], "status": "read"})).await.expect(200);
    check_events(&api).await;
}

/// Pages of an event log larger than a bucket (about 1,000 events) equal the
/// same pages read the plain way (a filter matching every event is answered
/// by LIMIT/OFFSET), in every anchored order, after events change.
#[tokio::test]
async fn deep_event_pages_are_the_plain_orders_pages() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    const EVENTS_MADE: usize = 2_300;
    let mut made = tokio::task::JoinSet::new();
    for c in 0..16 {
        let api = api.clone();
        made.spawn(async move {
            for i in (c..EVENTS_MADE).step_by(16) {
                let body =
                    json!({"category": format!("cat-{}", i % 7), "action": format!("act-{i}"), "description": "bulk"});
                api.post("/events", body).await.expect(201);
            }
        });
    }
    made.join_all().await;
    let everything = format!("filter={}", enc(&json!({"from": "2000-01-01T00:00:00Z"}).to_string()));
    let compare = |label: &'static str| {
        let (api, everything) = (api.clone(), everything.clone());
        async move {
            for order in [
                "",
                "order=created_at",
                "order=-created_at",
                "order=category",
                "order=-category",
                "order=status",
                "order=-status",
            ] {
                let total =
                    api.get(&format!("{EVENTS}?{order}")).await.expect(200)["total_count"].as_u64().expect("total");
                let last = (total - 1) / 25;
                for page in [0, 1, 40, 41, last / 2, last - 1, last, last + 1] {
                    let q = format!("{EVENTS}?{order}&pagesize=25&page={page}");
                    let anchored = api.get(&q).await.expect(200);
                    let plain = api.get(&format!("{q}&{everything}")).await.expect(200);
                    assert_eq!(anchored["total_count"], plain["total_count"], "{label} {q}");
                    let ids = |v: &Value| strs(&v["data"], "id");
                    assert_eq!(ids(&anchored), ids(&plain), "{label} {q}");
                }
            }
        }
    };
    compare("after reporting").await;
    let (all, _) = every_item(&api, EVENTS, "data", 500).await;
    let ids: Vec<&str> = all.iter().map(|e| e["id"].as_str().expect("id")).collect();
    for chunk in ids.chunks(100).step_by(3) {
        let (read, gone) = chunk.split_at(chunk.len() / 2);
        api.put("/events/status", json!({"ids": read, "status": "read"})).await.expect(200);
        api.post("/events/delete", json!({"ids": gone})).await.expect(200);
    }
    compare("after reading and deleting").await;
}
