//! Badges: an org's own, created and updated by POST, awarded to its users.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

const BADGE_FIELDS: [&str; 9] =
    ["id", "org_id", "name", "label", "description", "image_url", "created_at", "updated_at", "deleted_at"];
const BADGES: &str = "/api/organizations/badges";

fn badge(org: &str, name: &str, label: &str) -> Value {
    json!({"name": name, "label": label, "description": "", "image_url": "https://example.com/badge.png", "org_id": org})
}

async fn labels(api: &Api) -> Vec<String> {
    let v = api.get("/api/identity/badges").await.expect(200);
    let map = v["badges"].as_object().unwrap_or_else(|| panic!("badges is an object: {v}"));
    for (label, b) in map {
        assert_eq!(b["label"], label.as_str(), "keyed by label: {v}");
    }
    let mut l: Vec<String> = map.keys().cloned().collect();
    l.sort();
    l
}

#[tokio::test]
async fn crud_round_trip() {
    let w = world().await;
    let mut body = badge(&w.org_a, "Early Adopter", "");
    body["description"] = json!("first in");
    let r = w.alice.post(BADGES, body).await;
    let b = r.expect(201);
    for f in BADGE_FIELDS {
        assert!(b.get(f).is_some(), "badge lacks {f}: {b}");
    }
    assert_eq!(b["org_id"], w.org_a.as_str());
    assert_eq!(b["name"], "Early Adopter");
    assert_eq!(b["description"], "first in");
    assert!(b["deleted_at"].is_null());
    let label = b["label"].as_str().unwrap().to_string();
    assert!(!label.is_empty(), "the label is generated from the name");
    let id = b["id"].as_str().unwrap().to_string();
    let path = format!("{BADGES}/{id}");

    assert_eq!(w.carol.get(&path).await.expect(200), b);
    let mut change = badge(&w.org_a, "Early Bird", &label);
    change["id"] = json!(id);
    change["description"] = json!("changed");
    let updated = w.alice.post(BADGES, change).await.expect(201);
    assert_eq!(updated["id"], id.as_str(), "an id updates in place");
    assert_eq!((updated["name"].as_str(), updated["description"].as_str()), (Some("Early Bird"), Some("changed")));
    assert_eq!(updated["label"], label.as_str());

    let mentor = w.alice.post(BADGES, badge(&w.org_a, "Mentor", "mentor")).await.expect(201);
    assert_eq!(mentor["label"], "mentor");
    let mut want = vec![label.clone(), "mentor".to_string()];
    want.sort();
    assert_eq!(labels(&w.carol).await, want);
    assert_eq!(labels(&w.admin.ctx(&w.org_a)).await, want, "the org in context");
    assert!(labels(&w.dave).await.is_empty(), "org B has none");

    w.alice.delete(&path).await.expect_204();
    w.alice.get(&path).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.delete(&path).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(labels(&w.carol).await, ["mentor"]);
    // The label of a deleted badge is free again.
    w.alice.post(BADGES, badge(&w.org_a, "Again", &label)).await.expect(201);
}

#[tokio::test]
async fn labels_are_unique_and_input_is_checked() {
    let w = world().await;
    w.alice.post(BADGES, badge(&w.org_a, "Mentor", "mentor")).await.expect(201);
    w.alice.post(BADGES, badge(&w.org_a, "Other mentor", "mentor")).await.assert_l5_error(400, L5_BAD_REQUEST);
    // Labels are unique per org only.
    w.admin.post(BADGES, badge(&w.org_b, "Mentor", "mentor")).await.expect(201);

    let mut no_org = badge(&w.org_a, "x", "x");
    no_org.as_object_mut().unwrap().remove("org_id");
    for body in [badge(&w.org_a, "", "empty"), badge("not-a-uuid", "x", "x"), no_org] {
        w.alice.post(BADGES, body).await.assert_l5_error(400, L5_BAD_REQUEST);
    }
    w.alice.raw(Method::POST, BADGES, "{").await.assert_l5_error(400, L5_BAD_REQUEST);
    w.alice
        .raw(Method::POST, BADGES, r#"{"name": ["x"], "org_id": "00000000-0000-0000-0000-000000000000"}"#)
        .await
        .assert_l5_error(400, L5_BAD_REQUEST);
    let mut ghost = badge(&w.org_a, "ghost", "ghost");
    ghost["id"] = json!(uuid::Uuid::now_v7());
    // The reference documents no 404 for this POST: an unknown id is a bad body.
    w.alice.post(BADGES, ghost).await.assert_l5_error(400, L5_BAD_REQUEST);
    let r = w.alice.post(BADGES, badge(&uuid::Uuid::now_v7().to_string(), "ghost", "ghost")).await;
    r.assert_l5_error(400, "Invalid request body or request param: org_id, id: no such organization or badge");
    assert_eq!(labels(&w.alice).await, ["mentor"]);
    w.alice.get(&format!("{BADGES}/not-a-uuid")).await.assert_l5_error(404, L5_NOT_FOUND);

    // Another org's badge is out of reach, even by id.
    let b_badge = w.admin.ctx(&w.org_b).get("/api/identity/badges").await.expect(200)["badges"]["mentor"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    w.alice.get(&format!("{BADGES}/{b_badge}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.delete(&format!("{BADGES}/{b_badge}")).await.assert_l5_error(404, L5_NOT_FOUND);
    let mut steal = badge(&w.org_a, "stolen", "stolen");
    steal["id"] = json!(b_badge);
    w.alice.post(BADGES, steal).await.assert_l5_error(400, L5_BAD_REQUEST);
}

#[tokio::test]
async fn awarding_badges() {
    let w = world().await;
    let early = w.alice.post(BADGES, badge(&w.org_a, "Early", "early")).await.expect(201);
    w.alice.post(BADGES, badge(&w.org_a, "Mentor", "mentor")).await.expect(201);
    let award = |body: Value| {
        let alice = w.alice.clone();
        async move { alice.put("/api/identity/users/badges", body).await }
    };
    let early_id = early["id"].as_str().unwrap();

    let v = award(json!({"user_id": w.carol_id, "badges": ["mentor", early_id], "notify": false})).await.expect(200);
    assert_eq!(v["user_id"], w.carol_id.as_str());
    let mut got = badge_labels(&v["badges"]);
    got.sort();
    assert_eq!(got, ["early", "mentor"], "by label or id: {v}");

    let v = award(json!({"user_id": w.carol_id, "badges": ["mentor"]})).await.expect(200);
    assert_eq!(badge_labels(&v["badges"]), ["mentor"], "the set is replaced: {v}");

    // Without user_id: the caller.
    let v = award(json!({"badges": ["early"]})).await.expect(200);
    assert_eq!(v["user_id"], w.alice_id.as_str());

    award(json!({"user_id": w.carol_id, "badges": ["no-such-badge"]})).await.assert_l5_error(400, L5_BAD_REQUEST);
    // Not a member of the org: a bad `user_id` (the reference documents no 404 here).
    award(json!({"user_id": w.dave_id, "badges": ["mentor"]})).await.assert_l5_error(400, L5_BAD_REQUEST);
    award(json!({"user_id": w.carol_id, "badges": "mentor"})).await.assert_l5_error(400, L5_BAD_REQUEST);
    w.carol
        .put("/api/identity/users/badges", json!({"user_id": w.carol_id, "badges": ["early"]}))
        .await
        .assert_l5_error(401, L5_UNAUTHORIZED);
    w.s.anon().put("/api/identity/users/badges", json!({"badges": []})).await.assert_l5_error(401, L5_UNAUTHORIZED);
    let v = award(json!({"user_id": w.carol_id, "badges": []})).await.expect(200);
    assert_eq!(v["badges"], json!([]));

    // Org B's badges are not org A's to award.
    let b_badge = w.admin.post(BADGES, badge(&w.org_b, "B only", "b-only")).await.expect(201);
    let r = award(json!({"user_id": w.carol_id, "badges": [b_badge["id"], "b-only"]})).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
}

/// An update cannot carry a badge into an org its editor does not run.
#[tokio::test]
async fn a_badge_stays_in_its_org() {
    let w = world().await;
    let b = w.alice.post(BADGES, badge(&w.org_a, "Mentor", "mentor")).await.expect(201);
    let mut moved = badge(&w.org_b, "Mentor", "mentor");
    moved["id"] = b["id"].clone();
    let r = w.alice.post(BADGES, moved).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    let now = w.alice.get(&format!("{BADGES}/{}", b["id"].as_str().unwrap())).await.expect(200);
    assert_eq!(now["org_id"], w.org_a.as_str());
    assert!(labels(&w.dave).await.is_empty());
}

/// Badges in an assignment answer, whether listed by label or as badge objects.
fn badge_labels(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("badges array: {v}"))
        .iter()
        .map(|b| b.as_str().map(str::to_string).unwrap_or_else(|| b["label"].as_str().unwrap_or_default().to_string()))
        .collect()
}
