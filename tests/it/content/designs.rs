//! Save, get, clone, delete, bulk delete, download and versions of designs:
//! success and error shapes.

use reqwest::Method;
use serde_json::{Value, json};

use super::{BASE, create, doc, save};
use crate::support::*;

/// The design object's fields; `catalogData` only once the catalog has data for it.
const FIELDS: [&str; 8] =
    ["id", "name", "user_id", "visibility", "location", "patternFile", "created_at", "updated_at"];

#[track_caller]
fn assert_design_shape(v: &Value) {
    let keys: Vec<&str> = v.as_object().expect("object").keys().map(String::as_str).collect();
    for f in FIELDS {
        assert!(keys.contains(&f), "no {f} in {v}");
    }
    assert_eq!(keys.len(), FIELDS.len(), "unexpected fields in {v}");
}

#[tokio::test]
async fn save_creates_a_design_that_get_answers() {
    let w = world().await;
    let v = save(&w.alice, &w.org_a, json!({"name": "web", "patternData": doc("ignored")})).await;
    assert_design_shape(&v);
    let id = v["id"].as_str().expect("id");
    assert_eq!((v["name"].as_str(), v["visibility"].as_str()), (Some("web"), Some("private")));
    assert_eq!(v["user_id"], w.alice_id.as_str());
    let file = &v["patternFile"];
    // The document carries the design's id, name and version; what the
    // family does not type comes back as sent.
    assert_eq!(
        (file["id"].as_str(), file["name"].as_str(), file["version"].as_str()),
        (Some(id), Some("web"), Some("0.0.1"))
    );
    assert_eq!(file["preferences"], json!({"layers": {"services": true}}));
    assert_eq!(file["components"][0]["styles"]["primaryColor"], "#00B39F");
    assert_eq!(file["relationships"][0]["subType"], "network");

    let got = w.alice.get(&format!("{BASE}/{id}")).await.expect(200);
    assert_design_shape(&got);
    assert_eq!(got, v);

    // The name may come from the document alone.
    let v = save(&w.alice, &w.org_a, json!({"patternData": doc("from-doc")})).await;
    assert_eq!(v["name"], "from-doc");
}

#[tokio::test]
async fn bad_saves_are_400_naming_the_field_and_store_nothing() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let cases = [
        (json!({"patternData": {"components": []}}), "name"),
        (json!({"name": " ", "patternData": {}}), "name"),
        (json!({"name": "x".repeat(256), "patternData": {}}), "name"),
        (json!({"name": "n", "patternData": [1, 2]}), "patternData"),
        (json!({"name": "n", "patternData": {"components": "nope"}}), "patternData"),
        (json!({"name": "n", "patternData": {"relationships": [{"selectors": 3}]}}), "patternData"),
        (json!({"name": "n", "patternData": {"version": "1.2"}}), "patternData.version"),
        (json!({"name": "n", "patternData": {}, "visibility": "secret"}), "visibility"),
        (json!({"name": "n", "patternData": {"id": "not-a-uuid"}}), "patternData.id"),
        (json!({"name": "n", "id": "nope"}), "id"),
        (json!({"name": "n", "url": "https://example.com/d.yaml"}), "url"),
    ];
    for (body, field) in cases {
        let r = api.post(BASE, body.clone()).await;
        r.assert_l5_error(400, L5_BAD_REQUEST);
        assert!(r.text.contains(field), "{body}: {:?} does not name {field}", r.text);
    }
    api.raw(Method::POST, BASE, "{").await.assert_l5_error(400, L5_BAD_REQUEST);
    let list = api.get(BASE).await.expect(200);
    assert_eq!(list["total_count"], 0, "{list}");
}

#[tokio::test]
async fn an_id_no_design_has_creates_the_design_with_it() {
    let w = world().await;
    let id = uuid::Uuid::new_v4().to_string();
    let v = save(&w.alice, &w.org_a, json!({"name": "n", "patternData": {"id": id}})).await;
    assert_eq!((v["id"].as_str(), v["patternFile"]["id"].as_str()), (Some(id.as_str()), Some(id.as_str())));
    // Saved again by that id: the same design.
    let v = save(&w.alice, &w.org_a, json!({"name": "n2", "patternData": {"id": id}})).await;
    assert_eq!((v["id"].as_str(), v["name"].as_str()), (Some(id.as_str()), Some("n2")));
    assert_eq!(w.alice.ctx(&w.org_a).get(BASE).await.expect(200)["total_count"], 1);
    // Another org's design, or a deleted one, is not found: never taken over.
    let theirs = super::create(&w.admin, &w.org_b, "b's", "private").await;
    let body = json!({"name": "mine now", "patternData": {"id": theirs}});
    w.alice.ctx(&w.org_a).post(BASE, body).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.delete(&format!("{BASE}/{id}")).await.expect_204();
    let body = json!({"name": "again", "patternData": {"id": id}});
    w.alice.ctx(&w.org_a).post(BASE, body).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(w.admin.get(&format!("{BASE}/{theirs}")).await.expect(200)["name"], "b's");
}

#[tokio::test]
async fn pattern_data_may_be_meshery_s_pattern_record() {
    let w = world().await;
    let id = uuid::Uuid::new_v4().to_string();
    let record = json!({"id": id, "name": "wrapped", "visibility": "public", "catalogData": {},
                        "user_id": NIL_UUID, "location": {}, "patternFile": doc("inner")});
    let v = save(&w.alice, &w.org_a, json!({"patternData": record})).await;
    assert_eq!(
        (v["id"].as_str(), v["name"].as_str(), v["visibility"].as_str()),
        (Some(id.as_str()), Some("wrapped"), Some("public"))
    );
    assert_eq!(strs(&v["patternFile"]["components"], "displayName"), ["web", "web-svc"]);
    // The document as YAML text, as Meshery's own records carry it.
    let yaml = "name: yaml-design\nversion: 0.0.1\ncomponents:\n  - id: c1\n    displayName: web\n    component: {kind: Deployment, version: apps/v1}\n";
    let v = save(&w.alice, &w.org_a, json!({"patternData": {"patternFile": yaml}})).await;
    assert_eq!(
        (v["name"].as_str(), v["patternFile"]["components"][0]["component"]["kind"].as_str()),
        (Some("yaml-design"), Some("Deployment"))
    );
    let r = w.alice.ctx(&w.org_a).post(BASE, json!({"patternData": {"patternFile": "a: [b"}})).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("patternData.patternFile"), "{}", r.text);
}

#[tokio::test]
async fn unknown_and_malformed_ids() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let nobody = uuid::Uuid::new_v4();
    for path in [
        format!("{BASE}/{nobody}"),
        format!("{BASE}/download/{nobody}"),
        format!("{BASE}/{nobody}/versions"),
        format!("{BASE}/{nobody}/versions/0.0.1"),
    ] {
        api.get(&path).await.assert_l5_error(404, L5_NOT_FOUND);
    }
    api.delete(&format!("{BASE}/{nobody}")).await.assert_l5_error(404, L5_NOT_FOUND);
    api.post_empty(&format!("{BASE}/clone/{nobody}")).await.assert_l5_error(404, L5_NOT_FOUND);
    // An id that is no UUID names no design.
    api.get(&format!("{BASE}/not-a-uuid")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.s.anon().get(&format!("{BASE}/{nobody}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
}

#[tokio::test]
async fn a_changed_document_gets_the_next_version_and_the_previous_is_kept() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let first = save(&w.alice, &w.org_a, json!({"name": "web", "patternData": doc("web")})).await;
    let id = first["id"].as_str().expect("id").to_string();

    // Saving the same document again (with its id inside) changes nothing.
    let mut same = first["patternFile"].clone();
    let again = save(&w.alice, &w.org_a, json!({"name": "web", "patternData": same.clone()})).await;
    assert_eq!(again, first, "an unchanged save bumps nothing");

    // A change: the next patch version, whatever version the client sent.
    same["components"][0]["configuration"]["spec"]["replicas"] = json!(3);
    same["version"] = json!("7.7.7");
    let second = save(&w.alice, &w.org_a, json!({"name": "web", "patternData": same.clone()})).await;
    assert_eq!((second["id"].as_str(), second["patternFile"]["version"].as_str()), (Some(id.as_str()), Some("0.0.2")));
    assert_eq!(second["patternFile"]["components"][0]["configuration"]["spec"]["replicas"], 3);

    // The body's `id` names the design too; a rename is a change.
    let mut renamed = same.clone();
    renamed.as_object_mut().expect("object").remove("id");
    let third = save(&w.alice, &w.org_a, json!({"id": id, "name": "web2", "patternData": renamed})).await;
    assert_eq!((third["name"].as_str(), third["patternFile"]["version"].as_str()), (Some("web2"), Some("0.0.3")));

    // A visibility change alone is no new version.
    let public = save(
        &w.alice,
        &w.org_a,
        json!({"id": id, "name": "web2", "visibility": "public", "patternData": third["patternFile"]}),
    )
    .await;
    assert_eq!(
        (public["visibility"].as_str(), public["patternFile"]["version"].as_str()),
        (Some("public"), Some("0.0.3"))
    );

    let versions = api.get(&format!("{BASE}/{id}/versions")).await.expect(200);
    let items = page_items(&versions, "versions", 0, 10, 3);
    assert_eq!(strs(&versions["versions"], "version"), ["0.0.3", "0.0.2", "0.0.1"]);
    assert_eq!(strs(&versions["versions"], "name"), ["web2", "web", "web"]);
    assert!(items.iter().all(|v| v.get("patternFile").is_none() && v["created_at"].is_string()), "{versions}");
    let paged = api.get(&format!("{BASE}/{id}/versions?pagesize=1&page=1")).await.expect(200);
    assert_eq!(strs(&paged["versions"], "version"), ["0.0.2"]);

    let v1 = api.get(&format!("{BASE}/{id}/versions/0.0.1")).await.expect(200);
    assert_eq!(v1["patternFile"], first["patternFile"], "a kept version is the document as it was");
    let v2 = api.get(&format!("{BASE}/{id}/versions/v0.0.2")).await.expect(200);
    assert_eq!(v2["patternFile"]["components"][0]["configuration"]["spec"]["replicas"], 3);
    api.get(&format!("{BASE}/{id}/versions/0.0.9")).await.assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn save_false_answers_without_storing() {
    let w = world().await;
    let v = save(&w.alice, &w.org_a, json!({"name": "dry", "save": false, "patternData": doc("dry")})).await;
    assert_eq!((v["name"].as_str(), v["id"].as_str()), (Some("dry"), Some(NIL_UUID)));
    assert_eq!(w.alice.ctx(&w.org_a).get(BASE).await.expect(200)["total_count"], 0);
    let id = create(&w.alice, &w.org_a, "kept", "private").await;
    let mut changed = doc("kept");
    changed["id"] = json!(id);
    changed["components"] = json!([]);
    let v = save(&w.alice, &w.org_a, json!({"name": "kept", "save": false, "patternData": changed})).await;
    assert_eq!(v["patternFile"]["version"], "0.0.2", "the version it would get");
    let stored = w.alice.get(&format!("{BASE}/{id}")).await.expect(200);
    assert_eq!(stored["patternFile"]["version"], "0.0.1");
    assert_eq!(stored["patternFile"]["components"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn download_is_yaml_of_the_document() {
    let w = world().await;
    let id = create(&w.alice, &w.org_a, "web app", "private").await;
    let r = w.alice.get(&format!("{BASE}/download/{id}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.content_type().starts_with("application/yaml"), "{}", r.content_type());
    assert!(r.header("content-disposition").is_some_and(|d| d.contains("web_app.yaml")));
    let parsed: Value = serde_saphyr::from_str(&r.text).expect("YAML");
    let got = w.alice.get(&format!("{BASE}/{id}")).await.expect(200);
    assert_eq!(parsed, got["patternFile"], "the YAML parses back to the document");
}

#[tokio::test]
async fn clone_makes_a_private_copy_owned_by_the_caller() {
    let w = world().await;
    let id = create(&w.alice, &w.org_a, "web", "public").await;
    let mut changed = doc("web");
    changed["id"] = json!(id);
    changed["components"] = json!([]);
    save(&w.alice, &w.org_a, json!({"name": "web", "patternData": changed})).await;

    w.make_carol_deputy().await;
    let copy = w.carol.ctx(&w.org_a).post_empty(&format!("{BASE}/clone/{id}")).await.expect(200);
    assert_design_shape(&copy);
    assert_ne!(copy["id"], json!(id));
    assert_eq!((copy["name"].as_str(), copy["visibility"].as_str()), (Some("web (Copy)"), Some("private")));
    assert_eq!(copy["user_id"], w.carol_id.as_str());
    assert_eq!(copy["patternFile"]["id"], copy["id"]);
    assert_eq!(copy["patternFile"]["version"], "0.0.1");
    assert_eq!(copy["patternFile"]["components"], json!([]));
    let copy_id = copy["id"].as_str().expect("id");
    let versions = w.carol.get(&format!("{BASE}/{copy_id}/versions")).await.expect(200);
    assert_eq!(strs(&versions["versions"], "version"), ["0.0.1"], "a copy starts its own history");
    // The original is untouched.
    let original = w.alice.get(&format!("{BASE}/{id}")).await.expect(200);
    assert_eq!(
        (original["patternFile"]["version"].as_str(), original["user_id"].as_str()),
        (Some("0.0.2"), Some(w.alice_id.as_str()))
    );
}

#[tokio::test]
async fn delete_and_bulk_delete() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let mut ids = vec![];
    for (name, visibility) in [("a", "private"), ("b", "private"), ("c", "public"), ("d", "public")] {
        ids.push(create(&w.alice, &w.org_a, name, visibility).await);
    }

    api.delete(&format!("{BASE}/{}", ids[0])).await.expect_204();
    api.get(&format!("{BASE}/{}", ids[0])).await.assert_l5_error(404, L5_NOT_FOUND);
    api.delete(&format!("{BASE}/{}", ids[0])).await.assert_l5_error(404, L5_NOT_FOUND);

    // A caller who may not delete one of them deletes none.
    let body = json!({"patterns": [{"id": ids[3]}, {"id": ids[2]}]});
    w.carol.post(&format!("{BASE}/delete"), body).await.assert_l5_error(401, L5_UNAUTHORIZED);
    api.get(&format!("{BASE}/{}", ids[2])).await.expect(200);
    for bad in [json!({"patterns": [{"id": "x"}]}), json!({"patterns": [{}]}), json!({"nothing": []})] {
        api.post(&format!("{BASE}/delete"), bad).await.assert_l5_error(400, L5_BAD_REQUEST);
    }

    // Ids of designs already gone (or never there) are passed over.
    let gone = json!([{"id": ids[1]}, {"id": ids[0]}, {"id": ids[2]}, {"id": uuid::Uuid::new_v4().to_string()}]);
    let r = api.post(&format!("{BASE}/delete"), json!({"patterns": gone})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.is_empty(), "no body: {}", r.text);
    for id in &ids[1..3] {
        api.get(&format!("{BASE}/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    }
    let left = api.get(BASE).await.expect(200);
    assert_eq!(strs(&left["patterns"], "id"), [ids[3].clone()]);
    // Nothing to delete is no error.
    let r = api.post(&format!("{BASE}/delete"), json!({"patterns": []})).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn every_change_is_in_the_event_log() {
    let w = world().await;
    let id = create(&w.alice, &w.org_a, "audited", "private").await;
    let mut changed = doc("audited");
    changed["id"] = json!(id);
    changed["components"] = json!([]);
    save(&w.alice, &w.org_a, json!({"name": "audited", "patternData": changed.clone()})).await;
    // An unchanged save is no change to log.
    save(&w.alice, &w.org_a, json!({"name": "audited", "patternData": changed})).await;
    let copy = w.alice.ctx(&w.org_a).post_empty(&format!("{BASE}/clone/{id}")).await.expect(200);
    w.alice.delete(&format!("{BASE}/{id}")).await.expect_204();

    let v = w.alice.ctx(&w.org_a).get("/api/events/list?pagesize=all").await.expect(200);
    let seen: Vec<(String, String)> = v["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter(|e| e["category"] == "design")
        .map(|e| (e["action"].as_str().unwrap_or("").to_string(), e["acted_upon"].as_str().unwrap_or("").to_string()))
        .collect();
    let copy = copy["id"].as_str().expect("id").to_string();
    let want = [("delete", &id), ("create", &copy), ("update", &id), ("create", &id)];
    let want: Vec<(String, String)> = want.iter().map(|(a, t)| (a.to_string(), t.to_string())).collect();
    assert_eq!(seen, want, "newest first");
}
