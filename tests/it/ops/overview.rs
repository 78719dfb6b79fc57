//! `GET /api/meshcloud/orgs/{orgId}/overview` (docs/ops.md, "Organization
//! overview"): an organization's counts, connections per status and events
//! per day, as the dashboard reads them.

use serde_json::{Value, json};

use crate::support::*;

fn path(org: &str, query: &str) -> String {
    format!("/api/meshcloud/orgs/{org}/overview{query}")
}

async fn overview(api: &Api, org: &str, query: &str) -> Value {
    api.get(&path(org, query)).await.expect(200)
}

fn num(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("no {key}: {v}"))
}

/// `(day, count)` of the answer's `events`.
fn days(v: &Value) -> Vec<(String, u64)> {
    v["events"]
        .as_array()
        .unwrap_or_else(|| panic!("no events: {v}"))
        .iter()
        .map(|d| (d["day"].as_str().expect("day").to_string(), d["count"].as_u64().expect("count")))
        .collect()
}

fn today() -> String {
    rfc3339_in(0)[..10].to_string()
}

/// Asserts a meshcloud-face error: status and a JSON `{error, message}`.
#[track_caller]
fn meshcloud_error(r: &Resp, status: u16) {
    assert_eq!(r.status, status, "body: {}", r.text);
    let v = r.json();
    assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{v}");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
}

/// Reports an agent event in `org`.
async fn report(api: &Api, org: &str, action: &str) {
    api.ctx(org).post("/events", json!({"category": "agent", "action": action})).await.expect(201);
}

#[tokio::test]
async fn counts_match_what_was_created_and_other_orgs_do_not_count() {
    let w = world().await;
    let (a, b) = (&w.org_a, &w.org_b);
    let before = overview(&w.alice, a, "").await;
    assert_eq!(num(&before, "members"), 2, "alice and carol: {before}");

    for name in ["t1", "t2"] {
        w.alice.create_team(a, name).await;
    }
    let ws: Vec<String> = {
        let mut v = vec![];
        for name in ["w1", "w2", "w3"] {
            v.push(w.alice.create_workspace(a, name).await);
        }
        v
    };
    w.alice.delete(&format!("/api/workspaces/{}", ws[2])).await.expect_204();
    for name in ["e1", "e2"] {
        w.alice.create_env(a, name).await;
    }
    for (name, status) in [("c1", "connected"), ("c2", "connected"), ("c3", "registered")] {
        w.alice.create_connection(a, connection_body(name, "kubernetes", status)).await;
    }
    // The same in org B, which org A's overview must not count.
    w.admin.create_team(b, "tb").await;
    w.admin.create_workspace(b, "wb").await;
    w.admin.create_env(b, "eb").await;
    w.admin.create_connection(b, connection_body("cb", "kubernetes", "connected")).await;

    let after = overview(&w.alice, a, "").await;
    assert_eq!(after["organizationId"], json!(a));
    assert_eq!(num(&after, "members"), 2, "{after}");
    assert_eq!(num(&after, "teams"), num(&before, "teams") + 2, "{after}");
    assert_eq!(num(&after, "workspaces"), num(&before, "workspaces") + 2, "a deleted one does not count: {after}");
    assert_eq!(num(&after, "environments"), num(&before, "environments") + 2, "{after}");
    let before_conn = |s: &str| before["connections"][s].as_u64().unwrap_or(0);
    assert_eq!(after["connections"]["connected"].as_u64(), Some(before_conn("connected") + 2), "{after}");
    assert_eq!(after["connections"]["registered"].as_u64(), Some(before_conn("registered") + 1), "{after}");

    // Each count agrees with the owning family's own list.
    let teams = w.alice.get(&format!("/api/identity/orgs/{a}/teams")).await.expect(200);
    assert_eq!(teams["total_count"].as_u64(), Some(num(&after, "teams")), "{teams}");
    let listed = w.alice.ctx(a).get("/api/workspaces").await.expect(200);
    assert_eq!(listed["total_count"].as_u64(), Some(num(&after, "workspaces")), "{listed}");

    // Org B sees its own.
    let ob = overview(&w.dave, b, "").await;
    assert_eq!(num(&ob, "members"), 2, "the admin who created it and dave: {ob}");
    assert_eq!(ob["connections"]["connected"].as_u64(), Some(1), "{ob}");
    assert_eq!(ob["connections"].get("registered"), None, "{ob}");
}

#[tokio::test]
async fn events_are_counted_per_utc_day_and_zero_filled() {
    let w = world().await;
    let (a, b) = (&w.org_a, &w.org_b);
    let week = overview(&w.alice, a, "?days=7").await;
    let d = days(&week);
    assert_eq!(num(&week, "days"), 7);
    assert_eq!(d.len(), 7, "{week}");
    assert_eq!(d[6].0, today(), "the last entry is today: {week}");
    let total: u64 = d.iter().map(|(_, n)| n).sum();
    let live = w.alice.ctx(a).get("/api/events?cumulative=true").await.expect(200)["audit"].as_u64().expect("audit");
    assert_eq!(total, live, "a fresh org's events all fall in the last week: {week}");
    assert_eq!(days(&overview(&w.alice, a, "").await).len(), 7, "7 is the default");

    for i in 0..3 {
        report(&w.alice, a, &format!("today-{i}")).await;
    }
    for i in 0..2 {
        report(&w.admin, b, &format!("other-{i}")).await;
    }
    // Two events moved into the past: 3 days (inside both windows) and 10
    // days ago (inside 30 only).
    report(&w.alice, a, "three-days-ago").await;
    report(&w.alice, a, "ten-days-ago").await;
    let (three, ten) = (rfc3339_in(-3 * 86_400), rfc3339_in(-10 * 86_400));
    let (t3, t10) = (three.clone(), ten.clone());
    sql(&w.s.data_dir, move |c| {
        let set = "UPDATE events SET created_at = ?1 WHERE action = ?2";
        c.execute(set, rusqlite::params![t3.replace('Z', ".000000Z"), "three-days-ago"]).unwrap();
        c.execute(set, rusqlite::params![t10.replace('Z', ".000000Z"), "ten-days-ago"]).unwrap();
    })
    .await;

    let now = days(&overview(&w.alice, a, "?days=7").await);
    assert_eq!(now.len(), 7);
    assert_eq!(now[6].1, d[6].1 + 3, "three more today, none of org B's: {now:?}");
    let at = |v: &[(String, u64)], day: &str| v.iter().find(|(d, _)| d == day).map(|(_, n)| *n);
    assert_eq!(at(&now, &three[..10]), Some(at(&d, &three[..10]).unwrap_or(0) + 1), "{now:?}");
    assert_eq!(at(&now, &ten[..10]), None, "ten days ago is outside the week: {now:?}");

    let month = overview(&w.alice, a, "?days=30").await;
    let m = days(&month);
    assert_eq!((num(&month, "days"), m.len()), (30, 30), "{month}");
    assert_eq!(m[29].0, today());
    assert_eq!(at(&m, &ten[..10]), Some(1), "{m:?}");
    // One entry per day, consecutive, oldest first; days without events are 0.
    let mut sorted: Vec<String> = m.iter().map(|(d, _)| d.clone()).collect();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, m.iter().map(|(d, _)| d.clone()).collect::<Vec<_>>(), "{m:?}");
    assert!(m.iter().filter(|(_, n)| *n == 0).count() >= 20, "{m:?}");

    // Org B counts its own two reports.
    let ob = days(&overview(&w.dave, b, "").await);
    assert!(ob[6].1 >= 2, "{ob:?}");
}

#[tokio::test]
async fn readers_of_the_org_only() {
    let w = world().await;
    let a = &w.org_a;
    for api in [&w.alice, &w.carol, &w.admin] {
        overview(api, a, "").await;
    }
    // Carol is a plain member: she reads the overview; whether quotas show is
    // up to her quota rights, never an error.
    let v = overview(&w.carol, a, "?days=30").await;
    assert_eq!(num(&v, "members"), 2, "{v}");
    meshcloud_error(&w.dave.get(&path(a, "")).await, 404);
    meshcloud_error(&w.s.anon().get(&path(a, "")).await, 401);
    let unknown = "00000000-0000-4000-8000-000000000000";
    meshcloud_error(&w.alice.get(&path(unknown, "")).await, 404);
}

#[tokio::test]
async fn a_window_other_than_7_or_30_days_is_refused() {
    let w = world().await;
    for bad in ["0", "8", "31", "-7", "week", "7.5"] {
        let r = w.alice.get(&path(&w.org_a, &format!("?days={bad}"))).await;
        meshcloud_error(&r, 400);
        assert!(r.json()["message"].as_str().unwrap().contains("days"), "{}", r.text);
    }
}

#[tokio::test]
async fn quota_usage_is_the_identity_faces() {
    let w = world().await;
    let a = &w.org_a;
    let set = json!({"quotas": [{"kind": "clusters", "quantity": 2}]});
    w.admin.put(&format!("/api/v1/organizations/{a}/quotas"), set).await.expect(200);
    let body = json!({"metadata": {"name": "web"}, "spec": {"groupIDs": []}});
    let p = w.alice.post(&format!("/api/v1/organizations/{a}/projects"), body).await.expect(202);
    let p = p["metadata"]["id"].as_str().expect("id").to_string();
    let alloc = json!({"metadata": {"name": "undefined"},
        "spec": {"kind": "kubernetescluster", "id": "a4e7f6a2-8c1d-4c55-9f3b-0c2b3c1d2e3f",
                 "allocations": [{"kind": "clusters", "committed": 1, "reserved": 0}]}});
    w.alice.post(&format!("/api/v1/organizations/{a}/projects/{p}/allocations"), alloc).await.expect(201);

    let v = overview(&w.alice, a, "").await;
    let quotas = v["quotas"].as_array().unwrap_or_else(|| panic!("no quotas: {v}"));
    let clusters = quotas.iter().find(|q| q["kind"] == "clusters").unwrap_or_else(|| panic!("{v}"));
    assert_eq!(clusters["quantity"], 2, "{v}");
    assert_eq!(clusters["used"], 1, "{v}");
    let theirs = w.alice.get(&format!("/api/v1/organizations/{a}/quotas")).await.expect(200);
    let kinds = |q: &Value| -> Vec<String> { strs(q, "kind") };
    assert_eq!(kinds(&json!(quotas)), kinds(&theirs["quotas"]), "the same kinds as the Identity face: {v}");
}
