//! Users' schedules (`/user/schedules`), the runner that fires them, and the
//! system jobs it runs (docs/ops.md, "Schedules" and "The runner").
//!
//! Timing: the tests that watch firings run the server's scheduler on a
//! manual clock and step it from window to window (`tick_to`, `run_job`),
//! so what fired, and at which instant of the runner's clock, is exact and
//! nothing sleeps through cron windows in real time.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use tempfile::TempDir;

use crate::support::scheduler::*;
use crate::support::*;

const SCHEDULE_FIELDS: [&str; 9] =
    ["id", "name", "user_id", "cron_expression", "created_at", "updated_at", "enabled", "next_run_at", "last_run_at"];

fn now() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs_f64()
}

/// Days since 1970-01-01 of a civil date (H. Hinnant).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Seconds since the epoch of an RFC 3339 time (`Z` or `±hh:mm`).
fn epoch(t: &str) -> f64 {
    let bad = || -> ! { panic!("not an RFC 3339 time: {t:?}") };
    let n = |s: &str| s.parse::<i64>().unwrap_or_else(|_| bad());
    if t.len() < 20 || &t[10..11] != "T" {
        bad();
    }
    let days = days_from_civil(n(&t[0..4]), n(&t[5..7]), n(&t[8..10]));
    let secs = n(&t[11..13]) * 3600 + n(&t[14..16]) * 60 + n(&t[17..19]);
    let rest = &t[19..];
    let zone_at = rest.find(['Z', 'z', '+', '-']).unwrap_or_else(|| bad());
    let frac: f64 = if zone_at > 0 { format!("0{}", &rest[..zone_at]).parse().unwrap_or_else(|_| bad()) } else { 0.0 };
    let zone = &rest[zone_at..];
    let offset = if zone.eq_ignore_ascii_case("z") {
        0
    } else {
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        sign * (n(&zone[1..3]) * 3600 + n(&zone[4..6]) * 60)
    };
    (days * 86_400 + secs - offset) as f64 + frac
}

/// 0 = Sunday … 6 = Saturday, of the UTC date of `t`.
fn weekday(t: &str) -> i64 {
    ((epoch(t) as i64).div_euclid(86_400) + 4).rem_euclid(7)
}

async fn create(api: &Api, name: &str, cron: &str) -> Value {
    api.post("/user/schedules", json!({"name": name, "cron_expression": cron})).await.expect(200)
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id: {v}")).to_string()
}

/// The `fired` events of schedule `id` in `org`, newest first.
async fn fired(api: &Api, org: &str, id: &str) -> Vec<Value> {
    let f = json!({"category": "schedule", "action": "fired", "acted_upon": id});
    let v =
        api.ctx(org).get(&format!("/api/events/list?pagesize=all&filter={}", enc(&f.to_string()))).await.expect(200);
    v["data"].as_array().expect("data").clone()
}

fn due_at(e: &Value) -> String {
    e["metadata"]["due_at"].as_str().unwrap_or_else(|| panic!("a fired event names its due time: {e}")).to_string()
}

#[tokio::test]
async fn create_read_update_delete() {
    let w = world().await;
    let before = now();
    let v = create(&w.alice, "nightly", "0 0 * * *").await;
    for f in SCHEDULE_FIELDS {
        assert!(v.get(f).is_some(), "schedule lacks {f}: {v}");
    }
    let id = id_of(&v);
    assert_eq!((v["name"].as_str(), v["cron_expression"].as_str()), (Some("nightly"), Some("0 0 * * *")));
    assert_eq!(v["user_id"], w.alice_id.as_str());
    assert_eq!(v["last_run_at"], Value::Null, "never fired");
    let next = v["next_run_at"].as_str().unwrap_or_else(|| panic!("next_run_at: {v}")).to_string();
    let at = epoch(&next);
    assert!(at > before && at <= now() + 86_400.0, "the next midnight: {next}");
    assert_eq!(at.rem_euclid(86_400.0), 0.0, "at 00:00:00 UTC: {next}");

    let list = w.alice.get("/user/schedules").await.expect(200);
    let items = page_items(&list, "schedules", 0, 10, 1);
    assert_eq!(items[0], v, "the list shows the schedule as created");
    assert_eq!(w.alice.get(&format!("/user/schedules/{id}")).await.expect(200), v);

    // Renaming keeps the next firing; a new expression moves it.
    let renamed =
        w.alice.post("/user/schedules", json!({"id": id, "name": "midnight", "cron_expression": "0 0 * * *"})).await;
    let renamed = renamed.expect(200);
    assert_eq!((id_of(&renamed), renamed["name"].as_str()), (id.clone(), Some("midnight")));
    assert_eq!(renamed["next_run_at"], next.as_str());
    assert_eq!(renamed["created_at"], v["created_at"]);
    let moved =
        w.alice.post("/user/schedules", json!({"id": id, "name": "midnight", "cron_expression": "0 0 1 1 *"})).await;
    let moved = moved.expect(200);
    assert_eq!(moved["cron_expression"], "0 0 1 1 *");
    let new_next = moved["next_run_at"].as_str().expect("next_run_at");
    assert!(new_next.contains("-01-01T00:00:00"), "the next New Year: {new_next}");
    assert_eq!(w.alice.get(&format!("/user/schedules/{id}")).await.expect(200)["next_run_at"], new_next);
    assert_eq!(w.alice.get("/user/schedules").await.expect(200)["total_count"], 1, "updated, not added");

    // An id not in use creates a schedule with that id.
    let chosen = uuid::Uuid::now_v7().to_string();
    let v2 =
        w.alice.post("/user/schedules", json!({"id": chosen, "name": "chosen", "cron_expression": "0 0 * * *"})).await;
    assert_eq!(id_of(&v2.expect(200)), chosen);
    assert_eq!(w.alice.get("/user/schedules").await.expect(200)["total_count"], 2);

    w.alice.delete(&format!("/user/schedules/{id}")).await.expect_204();
    w.alice.get(&format!("/user/schedules/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.delete(&format!("/user/schedules/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    let list = w.alice.get("/user/schedules").await.expect(200);
    assert_eq!(strs(&json!(page_items(&list, "schedules", 0, 10, 1)), "id"), [chosen]);

    // Changes to schedules are in the owner's org's log.
    let f = json!({"category": "schedule", "acted_upon": id});
    let log = w.alice.ctx(&w.org_a).get(&format!("/api/events/list?filter={}", enc(&f.to_string()))).await.expect(200);
    let mut actions = strs(&log["data"], "action");
    actions.sort();
    assert_eq!(actions, ["create", "delete", "update", "update"], "{log}");
}

#[tokio::test]
async fn list_pages_searches_and_orders() {
    let w = world().await;
    for (name, cron) in [("beta", "0 0 1 1 *"), ("alpha", "0 0 1 7 *"), ("gamma", "*/5 * * * * *")] {
        create(&w.alice, name, cron).await;
    }
    let names = |v: &Value| strs(&v["schedules"], "name");
    let v = w.alice.get("/user/schedules?order=name").await.expect(200);
    assert_eq!(names(&v), ["alpha", "beta", "gamma"]);
    let v = w.alice.get(&format!("/user/schedules?order={}", enc("name desc"))).await.expect(200);
    assert_eq!(names(&v), ["gamma", "beta", "alpha"]);
    let v = w.alice.get("/user/schedules?order=name&pagesize=2&page=1").await.expect(200);
    assert_eq!(strs(&json!(page_items(&v, "schedules", 1, 2, 3)), "name"), ["gamma"]);
    let v = w.alice.get("/user/schedules?search=alp").await.expect(200);
    assert_eq!(strs(&json!(page_items(&v, "schedules", 0, 10, 1)), "name"), ["alpha"]);
    let v = w.alice.get("/user/schedules?order=next_run_at").await.expect(200);
    assert_eq!(names(&v)[0], "gamma", "the one every five seconds fires first");
    w.alice.get("/user/schedules?order=user_id").await.expect(200);
    assert_eq!(page_items(&w.carol.get("/user/schedules").await.expect(200), "schedules", 0, 10, 0).len(), 0);
}

#[tokio::test]
async fn out_of_range_numbers_are_named_with_their_range() {
    let w = world().await;
    for (bad, says) in [
        ("61 * * * *", "minute 61 is out of range 0–59"),
        ("0 24 * * *", "hour 24 is out of range 0–23"),
        ("0 0 1-32 * *", "day of month 32 is out of range 1–31"),
        ("0 0 * 13 *", "month 13 is out of range 1–12"),
        ("0 0 * * 8", "weekday 8 is out of range 0–7"),
        ("*/90 * * * *", "minute step 90 is out of range 1–59"),
        ("60 * * * * *", "second 60 is out of range 0–59"),
    ] {
        let r = w.alice.post("/user/schedules", json!({"name": "bad", "cron_expression": bad})).await;
        r.assert_l5_error(400, L5_BAD_REQUEST);
        assert!(r.text.contains(&format!("cron_expression: {says}")), "{bad:?}: {:?}", r.text);
        assert!(!r.text.contains("must be less than"), "{bad:?}: {:?}", r.text);
    }
    // The bounds themselves are allowed.
    create(&w.alice, "edges", "59 23 31 12 7").await;
}

#[tokio::test]
async fn schedules_are_disabled_and_enabled() {
    let w = world().await;
    let v = create(&w.alice, "nightly", "0 0 * * *").await;
    assert_eq!(v["enabled"], true, "{v}");
    let id = id_of(&v);
    let body = |enabled: Option<bool>| {
        let mut b = json!({"id": id, "name": "nightly", "cron_expression": "0 0 * * *"});
        if let Some(e) = enabled {
            b["enabled"] = json!(e);
        }
        b
    };
    let off = w.alice.post("/user/schedules", body(Some(false))).await.expect(200);
    assert_eq!((off["enabled"].clone(), off["next_run_at"].clone()), (json!(false), Value::Null), "{off}");
    // An edit that does not mention `enabled` keeps it off.
    let kept = w.alice.post("/user/schedules", body(None)).await.expect(200);
    assert_eq!((kept["enabled"].clone(), kept["next_run_at"].clone()), (json!(false), Value::Null), "{kept}");
    let listed = w.alice.get("/user/schedules").await.expect(200);
    assert_eq!(page_items(&listed, "schedules", 0, 10, 1)[0]["enabled"], false);
    let on = w.alice.post("/user/schedules", body(Some(true))).await.expect(200);
    assert_eq!(on["enabled"], true);
    assert_eq!(epoch(on["next_run_at"].as_str().expect("fires again")).rem_euclid(86_400.0), 0.0, "{on}");
    // Created disabled: no firing planned.
    let r = w.alice.post("/user/schedules", json!({"name": "later", "cron_expression": "0 0 * * *", "enabled": false}));
    let later = r.await.expect(200);
    assert_eq!((later["enabled"].clone(), later["next_run_at"].clone()), (json!(false), Value::Null), "{later}");
}

#[tokio::test]
async fn expressions_and_names_are_validated() {
    let w = world().await;
    let t = now();
    let v = create(&w.alice, "five", "0 0 * * *").await;
    assert!(v["next_run_at"].is_string(), "{v}");
    let v = create(&w.alice, "six", "*/5 * * * * *").await;
    let next = epoch(v["next_run_at"].as_str().expect("next_run_at"));
    assert!(next > t && next <= now() + 5.0, "within five seconds: {v}");
    let v = create(&w.alice, "seven", "0 0 0 1 1 * 2099").await;
    assert_eq!(v["next_run_at"], "2099-01-01T00:00:00Z");

    for bad in ["whenever", "61 * * * *", "* * * *", "0 0 32 * *", "*/5 * * * * * * *", ""] {
        let r = w.alice.post("/user/schedules", json!({"name": "bad", "cron_expression": bad})).await;
        assert_eq!(r.status, 400, "{bad:?}: {}", r.text);
        r.assert_l5_error(400, L5_BAD_REQUEST);
        let detail = r.text[L5_BAD_REQUEST.len()..].to_lowercase();
        assert!(
            detail.contains("cron") || detail.contains("field"),
            "{bad:?}: the 400 names the problem: {:?}",
            r.text
        );
    }
    for body in
        [json!({"name": "", "cron_expression": "0 0 * * *"}), json!({"name": "   ", "cron_expression": "0 0 * * *"})]
    {
        let r = w.alice.post("/user/schedules", body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        r.assert_l5_error(400, L5_BAD_REQUEST);
        assert!(r.text.contains("name"), "{body}: the 400 names the field: {:?}", r.text);
    }
    for body in [
        json!({"cron_expression": "0 0 * * *"}),
        json!({"name": "no cron"}),
        json!({"name": "x", "cron_expression": "0 0 * * *", "id": "not-a-uuid"}),
        json!({"name": "x", "cron_expression": 5}),
    ] {
        let r = w.alice.post("/user/schedules", body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        r.assert_l5_error(400, L5_BAD_REQUEST);
    }
    // Updates are validated too, and a refused update changes nothing.
    let id = id_of(&create(&w.alice, "kept", "0 0 * * *").await);
    let r = w.alice.post("/user/schedules", json!({"id": id, "name": "kept", "cron_expression": "61 * * * *"})).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert_eq!(w.alice.get(&format!("/user/schedules/{id}")).await.expect(200)["cron_expression"], "0 0 * * *");
    assert_eq!(w.alice.get("/user/schedules").await.expect(200)["total_count"], 4, "only the valid ones exist");
    w.s.anon().get("/user/schedules").await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.s.anon()
        .post("/user/schedules", json!({"name": "x", "cron_expression": "0 0 * * *"}))
        .await
        .assert_l5_error(401, L5_UNAUTHORIZED);
}

/// "The classic 5 fields": in classic cron day-of-week 0 is Sunday and 1 Monday.
#[tokio::test]
async fn classic_weekday_numbers() {
    let w = world().await;
    let mut problems = vec![];
    for (cron, days) in
        [("0 12 * * 1", vec![1]), ("0 0 * * 0", vec![0]), ("0 9 * * 1-5", vec![1, 2, 3, 4, 5]), ("0 6 * * 6", vec![6])]
    {
        let r = w.alice.post("/user/schedules", json!({"name": cron, "cron_expression": cron})).await;
        if r.status != 200 {
            problems.push(format!("POST {{cron_expression: {cron:?}}} -> {} {:?}", r.status, r.text));
            continue;
        }
        let next = r.json()["next_run_at"].as_str().expect("next_run_at").to_string();
        if !days.contains(&weekday(&next)) {
            problems.push(format!(
                "{cron:?}: next_run_at {next} is weekday {} (0 = Sunday), expected one of {days:?}",
                weekday(&next)
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Schedule ids are their owner's: another user's is not found, and the
/// same id chosen by someone else names a schedule of their own (it neither
/// conflicts with nor reveals the first).
#[tokio::test]
async fn another_users_schedule_is_not_found() {
    let w = world().await;
    let mine = create(&w.alice, "alice's", "0 0 * * *").await;
    let id = id_of(&mine);
    let anon = w.s.anon();
    for (who, api) in
        [("member of the same org", &w.carol), ("other org's member", &w.dave), ("provider admin", &w.admin)]
    {
        let r = api.get(&format!("/user/schedules/{id}")).await;
        assert_eq!(r.status, 404, "GET as {who}: {}", r.text);
        r.assert_l5_error(404, L5_NOT_FOUND);
        let r = api.delete(&format!("/user/schedules/{id}")).await;
        assert_eq!(r.status, 404, "DELETE as {who}: {}", r.text);
        r.assert_l5_error(404, L5_NOT_FOUND);
        let list = api.get("/user/schedules?pagesize=all").await.expect(200);
        assert!(!list.to_string().contains(&id), "{who} lists it: {list}");
        let body = json!({"id": id, "name": "their own", "cron_expression": "* * * * *"});
        let theirs = api.post("/user/schedules", body).await.expect(200);
        assert_eq!((id_of(&theirs), theirs["name"].as_str()), (id.clone(), Some("their own")), "as {who}");
        assert_eq!(api.get(&format!("/user/schedules/{id}")).await.expect(200)["name"], "their own", "as {who}");
    }
    assert_eq!(w.alice.get(&format!("/user/schedules/{id}")).await.expect(200), mine, "untouched");
    w.carol.delete(&format!("/user/schedules/{id}")).await.expect_204();
    assert_eq!(w.alice.get(&format!("/user/schedules/{id}")).await.expect(200), mine, "carol deleted her own");
    // `user_id` in the body does not hand a schedule to someone else.
    let given = w
        .alice
        .post("/user/schedules", json!({"name": "for carol?", "cron_expression": "0 0 * * *", "user_id": w.carol_id}))
        .await;
    let given = given.expect(200);
    assert_eq!(given["user_id"], w.alice_id.as_str(), "{given}");
    w.carol.get(&format!("/user/schedules/{}", id_of(&given))).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.delete(&format!("/user/schedules/{}", id_of(&given))).await.expect_204();
    anon.get(&format!("/user/schedules/{id}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    anon.delete(&format!("/user/schedules/{id}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    assert_eq!(w.alice.get(&format!("/user/schedules/{id}")).await.expect(200), mine, "untouched");
    assert_eq!(w.carol.get("/user/schedules").await.expect(200)["total_count"], 0, "nothing handed to carol");
}

fn ms(n: i64) -> chrono::Duration {
    chrono::Duration::milliseconds(n)
}

#[tokio::test]
async fn a_schedule_fires_and_stops_when_deleted() {
    let clock = manual_clock();
    let w = clocked_world(&clock).await;
    let created = now();
    let v = create(&w.alice, "every two seconds", "*/2 * * * * *").await;
    let id = id_of(&v);
    let path = format!("/user/schedules/{id}");
    let due = instant(v["next_run_at"].as_str().expect("next_run_at"));

    // Not before it is due: a pass just short of the window fires nothing.
    tick_to(&clock, due - ms(1)).await;
    let s = w.alice.get(&path).await.expect(200);
    assert_eq!(s["last_run_at"], Value::Null, "fired before it was due: {s}");
    assert!(fired(&w.alice, &w.org_a, &id).await.is_empty(), "fired before it was due");

    tick_to(&clock, due).await;
    let s = w.alice.get(&path).await.expect(200);
    let last = epoch(s["last_run_at"].as_str().unwrap_or_else(|| panic!("the first firing: {s}")));
    assert!(last >= created - 1.0, "{s}");
    assert_eq!(instant(s["last_run_at"].as_str().unwrap()), due, "fired in the pass at its window: {s}");
    assert!(epoch(s["next_run_at"].as_str().expect("next_run_at")) > last, "moved on: {s}");

    let events = fired(&w.alice, &w.org_a, &id).await;
    assert_eq!(events.len(), 1, "one window, one firing: {events:?}");
    for e in &events {
        assert_eq!(
            (e["user_id"].as_str(), e["org_id"].as_str()),
            (Some(w.alice_id.as_str()), Some(w.org_a.as_str())),
            "{e}"
        );
        assert_eq!(e["acted_upon"], id.as_str());
        assert_eq!(instant(&due_at(e)), due, "{e}");
        let due = epoch(&due_at(e));
        assert_eq!(due.fract(), 0.0, "on a two-second window: {e}");
        assert_eq!((due as i64).rem_euclid(2), 0, "on a two-second window: {e}");
    }
    // Also visible to a member through the category filter alone.
    let f = json!({"category": "schedule"});
    let v = w.carol.ctx(&w.org_a).get(&format!("/api/events/list?filter={}", enc(&f.to_string()))).await.expect(200);
    assert!(
        v["data"].as_array().unwrap().iter().any(|e| e["action"] == "fired" && e["acted_upon"] == id.as_str()),
        "{v}"
    );

    w.alice.delete(&path).await.expect_204();
    let after_delete = fired(&w.alice, &w.org_a, &id).await.len();
    // The next two windows pass.
    tick_to(&clock, due + ms(2000)).await;
    tick_to(&clock, due + ms(4500)).await;
    assert_eq!(fired(&w.alice, &w.org_a, &id).await.len(), after_delete, "a deleted schedule does not fire");
}

#[tokio::test]
async fn firings_are_logged_in_the_owners_selected_org() {
    let clock = manual_clock();
    let w = clocked_world(&clock).await;
    let org_c = w.alice.create_org(json!({"name": "C"})).await;
    w.alice.put("/api/identity/users/preferences", json!({"selectedOrganization": org_c})).await.expect(200);
    let v = create(&w.alice, "every second", "*/1 * * * * *").await;
    let id = id_of(&v);
    tick_to(&clock, instant(v["next_run_at"].as_str().expect("next_run_at"))).await;
    assert_eq!(fired(&w.alice, &org_c, &id).await.len(), 1, "a firing logged in org C");
    assert!(fired(&w.alice, &w.org_a, &id).await.is_empty(), "not in alice's first org");
    assert!(fired(&w.carol, &w.org_a, &id).await.is_empty(), "org A's members do not see it");
}

#[tokio::test]
async fn a_restart_fires_missed_windows_once() {
    let clock = manual_clock();
    let s = Server::start_on(TempDir::new().unwrap(), clock.clock(), |_| {}).await;
    let (_, alice) = s.user("alice@a.example", None).await;
    let org = alice.create_org(json!({"name": "A"})).await;
    let v = create(&alice, "every two seconds", "*/2 * * * * *").await;
    let id = id_of(&v);
    let first = instant(v["next_run_at"].as_str().expect("next_run_at"));
    tick_to(&clock, first).await;
    assert_eq!(fired(&alice, &org, &id).await.len(), 1, "a firing before the restart");
    // Stopped half a second after that firing, by the runner's clock.
    let stopped_at = first + ms(500);
    tick_to(&clock, stopped_at).await;
    let data_dir = s.data_dir.clone();
    let tmp = s.stop().await;
    let stopped = epoch(&meshcloud_kernel::time::to_db(&stopped_at));

    // What fired before the stop, read from the database itself.
    let sid = id.clone();
    let before: Vec<(String, String)> = sql(&data_dir, move |c| {
        let mut st = c
            .prepare("SELECT uuid, json_extract(metadata, '$.due_at') FROM events WHERE category = 'schedule' AND action = 'fired' AND acted_upon = ?1")
            .unwrap();
        st.query_map([sid], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    })
    .await;
    assert!(!before.is_empty());
    let last_due_before = before.iter().map(|(_, d)| epoch(d)).fold(f64::MIN, f64::max);
    let known: HashSet<String> = before.iter().map(|(u, _)| u.clone()).collect();

    // Down for at least two windows: the clock starts again five seconds on.
    let restarted_at = stopped_at + ms(5000);
    let restarted = epoch(&meshcloud_kernel::time::to_db(&restarted_at));
    assert!(restarted - stopped >= 4.9);
    let clock = ManualClock::new(restarted_at);
    let s = Server::start_on(tmp, clock.clock(), |_| {}).await;
    let alice = s.with_token(&s.token_for("alice@a.example", "again").await);

    // Caught up at start-up: the runner's first pass, before the clock moved.
    tick_to(&clock, restarted_at).await;
    let v = alice.get(&format!("/user/schedules/{id}")).await.expect(200);
    assert_eq!(instant(v["last_run_at"].as_str().expect("last_run_at")), restarted_at, "{v}");
    assert_eq!(fired(&alice, &org, &id).await.len(), before.len() + 1, "one catch-up firing at start-up");

    // Then two regular windows.
    for _ in 0..2 {
        let v = alice.get(&format!("/user/schedules/{id}")).await.expect(200);
        tick_to(&clock, instant(v["next_run_at"].as_str().expect("next_run_at"))).await;
    }
    let events = fired(&alice, &org, &id).await;
    let regular = events.iter().filter(|e| epoch(&due_at(e)) >= restarted).count();
    assert_eq!(regular, 2, "two regular firings after the restart: {events:?}");
    let elapsed = epoch(&meshcloud_kernel::time::to_db(&clock.now())) - restarted;

    let dues: Vec<String> = events.iter().map(due_at).collect();
    let unique: HashSet<&String> = dues.iter().collect();
    assert_eq!(unique.len(), dues.len(), "a window fired twice: {dues:?}");

    let new: Vec<&Value> = events.iter().filter(|e| !known.contains(e["id"].as_str().unwrap())).collect();
    let catch_up: Vec<&Value> = new.iter().copied().filter(|e| epoch(&due_at(e)) < restarted).collect();
    assert_eq!(catch_up.len(), 1, "missed windows fire once in all, not once each: {catch_up:?}");
    let c = catch_up[0];
    assert!(epoch(&due_at(c)) > last_due_before, "the catch-up is for a window missed while down: {c}");
    let in_downtime = events.iter().filter(|e| (stopped..restarted).contains(&epoch(&due_at(e)))).count();
    assert!(in_downtime <= 1, "{in_downtime} firings for windows of the downtime: {dues:?}");
    // No burst: besides the catch-up, one firing per two seconds since the restart.
    assert!((new.len() as f64) <= 1.0 + elapsed / 2.0 + 1.0, "{} firings in {elapsed:.1} s: {dues:?}", new.len());
    assert_eq!(new.len(), 3, "the catch-up and the two regular windows: {dues:?}");

    let v = alice.get(&format!("/user/schedules/{id}")).await.expect(200);
    assert!(epoch(v["last_run_at"].as_str().expect("last_run_at")) >= restarted, "{v}");
}

#[tokio::test]
async fn token_cleanup_removes_revoked_tokens() {
    let clock = manual_clock();
    let s =
        Server::start_on(TempDir::new().unwrap(), clock.clock(), |c| c.token_cleanup_schedule = "*/1 * * * * *".into())
            .await;
    let admin = s.admin().await;
    let (revoked, _) = admin.create_token("revoked").await;
    let (kept, kept_secret) = admin.create_token("kept").await;
    admin.delete(&format!("/api/identity/tokens?tokenId={revoked}")).await.expect(200);

    let dir = s.data_dir.clone();
    let exists = |id: String| {
        let dir = dir.clone();
        async move {
            sql(&dir, move |c| {
                c.query_row("SELECT count(*) FROM tokens WHERE uuid = ?1", [id], |r| r.get::<_, i64>(0)).unwrap() > 0
            })
            .await
        }
    };
    assert!(exists(revoked.clone()).await, "kept until the job runs");
    run_job(&s, &clock, "token_cleanup").await;
    assert!(!exists(revoked.clone()).await, "the revoked token's row is gone");
    assert!(exists(kept.clone()).await, "a live token is kept");
    assert_eq!(s.with_token(&kept_secret).get("/api/identity/users/profile").await.status, 200);
    assert!(!s.data_dir.join("backups").exists(), "backups are off by default");

    let _tmp = s.stop().await;
    let runs: Vec<(Option<String>, Option<String>, String)> = sql(&dir, |c| {
        let mut st = c
            .prepare(
                "SELECT r.outcome, r.finished_at, r.message FROM schedule_runs r JOIN schedules s ON s.id = r.schedule_id
                  WHERE s.kind = 'system' AND s.name = 'token_cleanup'",
            )
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
    })
    .await;
    assert!(!runs.is_empty(), "runs are recorded");
    for (outcome, finished, message) in &runs {
        assert_eq!(outcome.as_deref(), Some("ok"), "{runs:?}");
        assert!(finished.is_some() && !message.is_empty(), "{runs:?}");
    }
}

fn backups(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return vec![] };
    let mut v: Vec<PathBuf> = entries
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("meshcloud-") && n.ends_with(".db"))
        })
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn backups_keep_the_newest_copies() {
    let clock = manual_clock();
    let s = Server::start_on(TempDir::new().unwrap(), clock.clock(), |c| {
        c.backup_schedule = "*/1 * * * * *".into();
        c.backup_keep = 2;
    })
    .await;
    let admin = s.admin().await;
    let org = admin.create_org(json!({"name": "backed up"})).await;
    let dir = s.data_dir.join("backups");
    let mut seen = HashSet::new();
    for _ in 0..3 {
        run_job(&s, &clock, "backup").await;
        seen.extend(backups(&dir));
    }
    assert!(seen.len() >= 3, "three backups: {seen:?}");
    let data_dir = s.data_dir.clone();
    let _tmp = s.stop().await;

    let left = backups(&dir);
    assert_eq!(left.len(), 2, "backup_keep = 2: {left:?}");
    let mut all: Vec<PathBuf> = seen.into_iter().chain(left.iter().cloned()).collect();
    all.sort();
    all.dedup();
    assert_eq!(left, all[all.len() - 2..], "the newest are kept");
    for copy in left {
        let org = org.clone();
        let (check, orgs) = sql(&data_dir, move |_| {
            let c = rusqlite::Connection::open(&copy).expect("open the copy");
            let check: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
            let orgs: i64 =
                c.query_row("SELECT count(*) FROM organizations WHERE uuid = ?1", [org], |r| r.get(0)).unwrap();
            (check, orgs)
        })
        .await;
        assert_eq!((check.as_str(), orgs), ("ok", 1), "a complete, consistent copy");
    }
}

#[tokio::test]
async fn event_retention_removes_old_events() {
    let s = Server::start().await;
    let (_, alice) = s.user("alice@a.example", None).await;
    let org = alice.create_org(json!({"name": "A"})).await;
    let old = alice.create_team(&org, "old").await;
    let recent = alice.create_team(&org, "recent").await;
    let dir = s.data_dir.clone();
    let tmp = s.stop().await;
    let target = old.clone();
    sql(&dir, move |c| {
        let n = c
            .execute("UPDATE events SET created_at = '2000-01-01T00:00:00.000000Z' WHERE acted_upon = ?1", [target])
            .unwrap();
        assert_eq!(n, 1);
    })
    .await;

    let clock = manual_clock();
    let s = Server::start_on(tmp, clock.clock(), |c| c.event_retention_schedule = "*/1 * * * * *".into()).await;
    let alice = s.with_token(&s.token_for("alice@a.example", "again").await).ctx(&org);
    let on = |team: &str| format!("/api/events/list?filter={}", enc(&json!({"acted_upon": team}).to_string()));
    assert_eq!(alice.get(&on(&old)).await.expect(200)["total_count"], 1, "kept until the job runs");
    run_job(&s, &clock, "event_retention").await;
    assert_eq!(alice.get(&on(&old)).await.expect(200)["total_count"], 0, "the 26-year-old event is gone");
    assert_eq!(alice.get(&on(&recent)).await.expect(200)["total_count"], 1, "recent events stay");
    let v = alice.get("/api/events/list?pagesize=all").await.expect(200);
    let listed = v["data"].as_array().unwrap().len();
    assert_eq!(v["total_count"], listed, "the org's count follows removals: {v}");
    assert_eq!(alice.get("/api/events?cumulative=true").await.expect(200)["audit"], listed);
}

/// A next firing set while the clock was far ahead is brought back at the
/// next start, instead of leaving the schedule silent until then.
#[tokio::test]
async fn a_next_firing_set_too_far_ahead_is_repaired_at_start() {
    let s = Server::start().await;
    let (_, alice) = s.user("alice@a.example", None).await;
    let id = id_of(&create(&alice, "daily", "0 0 * * *").await);
    let data_dir = s.data_dir.clone();
    let tmp = s.stop().await;
    let sid = id.clone();
    sql(&data_dir, move |c| {
        c.execute("UPDATE schedules SET next_run_at = '2036-01-01T00:00:00.000000Z' WHERE uuid = ?1", [sid]).unwrap();
    })
    .await;

    let s = Server::start_in(tmp, |_| {}).await;
    let alice = s.with_token(&s.token_for("alice@a.example", "again").await);
    let next = poll("the repaired next firing", Duration::from_secs(10), || async {
        let v = alice.get(&format!("/user/schedules/{id}")).await.expect(200);
        let next = v["next_run_at"].as_str().unwrap_or("").to_string();
        (!next.starts_with("2036")).then_some(next)
    })
    .await;
    assert!(epoch(&next) - now() <= 86_400.0 + 5.0, "daily: at most a day away, got {next}");
}
