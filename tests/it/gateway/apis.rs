//! API7 APIs of an application (`/api/v1/apps/{app_id}/apis…`,
//! docs/gateway.md "Applications and APIs").

use serde_json::{Value, json};

use super::applications::{app_body, config_version, create_app, events, setup};
use crate::support::*;

fn api_body(name: &str) -> Value {
    json!({"name": name, "description": format!("{name} API"), "paths": [{"path": "/pets", "path_type": "Exact"}]})
}

/// A world, its control plane and one application of it.
async fn with_app() -> (World, String, String) {
    let (w, cp) = setup().await;
    let app = create_app(&w, &cp, app_body("shop", "shop.example.com")).await;
    let id = app["id"].as_str().unwrap().to_string();
    (w, cp, id)
}

#[tokio::test]
async fn create_get_and_the_payload_shape() {
    let (w, cp, app) = with_app().await;
    let before = config_version(&w, &cp).await;
    let mut body = api_body("list-pets");
    body["methods"] = json!(["GET", "HEAD"]);
    body["labels"] = json!(["v1"]);
    body["plugins"] = json!({"limit-count": {"count": 10}});
    body["strip_path_prefix"] = json!(true);
    body["type"] = json!("WebSocket");
    body["id"] = json!("777");
    let api = w.alice.post(&format!("/api/v1/apps/{app}/apis"), body).await.api7();
    let id = api["id"].as_str().expect("a string id").to_string();
    assert_ne!(id, "777");
    assert_eq!(api["app_id"], json!(app));
    assert_eq!(api["status"], 50);
    assert_eq!(api["name"], "list-pets");
    assert_eq!(api["description"], "list-pets API");
    assert_eq!(api["methods"], json!(["GET", "HEAD"]));
    assert_eq!(api["paths"], json!([{"path": "/pets", "path_type": "Exact"}]));
    assert_eq!(api["strip_path_prefix"], true);
    assert_eq!(api["policies"], json!({"limit-count": {"count": 10}}));
    assert_eq!(api["labels"], json!(["v1"]));
    assert_eq!(api["active"], 0);
    assert_eq!(api["type"], "WebSocket");
    assert!(api["created_at"].as_str().is_some_and(|t| t.ends_with('Z')) && api["updated_at"].is_string());
    assert_eq!(config_version(&w, &cp).await, before + 1);
    assert_eq!(events(&w, "api", "create").await, 1);
    assert_eq!(w.carol.get(&format!("/api/v1/apps/{app}/apis/{id}")).await.api7(), api);

    // Defaults: every method (null), Prefix, Rest, not stripped.
    let plain = w
        .alice
        .post(&format!("/api/v1/apps/{app}/apis"), json!({"name": "all", "paths": [{"path": "/"}]}))
        .await
        .api7();
    assert_eq!(plain["methods"], Value::Null);
    assert_eq!(plain["paths"], json!([{"path": "/", "path_type": "Prefix"}]));
    assert_eq!((plain["type"].as_str(), plain["strip_path_prefix"].as_bool()), (Some("Rest"), Some(false)));
    assert_eq!(plain["description"], "");
    assert_eq!(plain["policies"], json!({}));

    // Found only under its own application.
    let other = create_app(&w, &cp, app_body("other", "other.example.com")).await;
    let other = other["id"].as_str().unwrap();
    w.alice.get(&format!("/api/v1/apps/{other}/apis/{id}")).await.api7_error(404, 4);
    w.alice.get(&format!("/api/v1/apps/{app}/apis/424242")).await.api7_error(404, 4);
    w.alice.get("/api/v1/apps/424242/apis").await.api7_error(404, 4);
    w.alice.get(&format!("/api/v1/apps/{app}/apis/01")).await.api7_error(400, 1);
    w.alice.get("/api/v1/apps/-1/apis").await.api7_error(400, 1);
    w.alice.post("/api/v1/apps/424242/apis", api_body("x")).await.api7_error(404, 4);
}

#[tokio::test]
async fn every_validation_rule_is_a_400_naming_the_field() {
    let (w, cp, app) = with_app().await;
    let before = config_version(&w, &cp).await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({"name": null}), "name"),
        (json!({"name": ""}), "name"),
        (json!({"name": "n".repeat(65)}), "name"),
        (json!({"description": "d".repeat(257)}), "description"),
        (json!({"methods": ["get"]}), "methods"),
        (json!({"methods": ["FETCH"]}), "methods"),
        (json!({"methods": ["GET", "GET"]}), "methods"),
        (json!({"methods": "GET"}), "methods"),
        (json!({"paths": null}), "paths"),
        (json!({"paths": []}), "paths"),
        (json!({"paths": (0..65).map(|i| json!({"path": format!("/p{i}")})).collect::<Vec<_>>()}), "paths"),
        (json!({"paths": [{"path": "pets"}]}), "paths[0].path"),
        (json!({"paths": [{"path_type": "Exact"}]}), "paths[0].path"),
        (json!({"paths": [{"path": "/a", "path_type": "Regex"}]}), "paths[0].path_type"),
        (json!({"strip_path_prefix": 1}), "strip_path_prefix"),
        (json!({"active": 3}), "active"),
        (json!({"type": "GraphQL"}), "type"),
        (json!({"labels": ["ok", "not ok"]}), "labels"),
        (json!({"policies": {"p": "x"}}), "policies.p"),
    ];
    for (patch, field) in cases {
        let mut body = api_body("x");
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                body.as_object_mut().unwrap().remove(k);
            } else {
                body[k] = v.clone();
            }
        }
        let err = w.alice.post(&format!("/api/v1/apps/{app}/apis"), body).await.api7_error(400, 1);
        assert!(err.contains(field), "{patch}: {err}");
    }
    assert_eq!(w.alice.get(&format!("/api/v1/apps/{app}/apis")).await.api7()["count"], 0);
    assert_eq!(config_version(&w, &cp).await, before);
}

#[tokio::test]
async fn put_patch_publish_and_delete() {
    let (w, cp, app) = with_app().await;
    let mut body = api_body("pets");
    body["labels"] = json!(["a"]);
    body["methods"] = json!(["GET"]);
    let api = w.alice.post(&format!("/api/v1/apps/{app}/apis"), body).await.api7();
    let path = format!("/api/v1/apps/{app}/apis/{}", api["id"].as_str().unwrap());

    let v0 = config_version(&w, &cp).await;
    let put = w.alice.put(&path, json!({"name": "pets2", "paths": [{"path": "/v2/pets"}]})).await.api7();
    assert_eq!((put["id"].clone(), put["name"].clone()), (api["id"].clone(), json!("pets2")));
    assert_eq!(put["labels"], json!([]), "a full replacement: {put}");
    assert_eq!(put["methods"], Value::Null);
    assert_eq!(put["created_at"], api["created_at"]);
    assert_eq!(config_version(&w, &cp).await, v0 + 1);
    w.alice.put(&path, json!({"name": "x"})).await.api7_error(400, 1);

    let off = w.alice.patch_b64(&path, json!({"active": 1})).await.api7();
    assert_eq!((off["active"].as_i64(), off["name"].as_str()), (Some(1), Some("pets2")));
    let on = w.alice.patch(&path, json!({"active": 0})).await.api7();
    assert_eq!(on["active"], 0);
    let merged =
        w.alice.patch(&path, json!({"methods": ["POST"], "policies": {"cors": {}}, "description": "d"})).await.api7();
    assert_eq!(merged["methods"], json!(["POST"]));
    assert_eq!(merged["policies"], json!({"cors": {}}));
    assert_eq!(merged["paths"], put["paths"]);
    let all_methods = w.alice.patch(&path, json!({"methods": null})).await.api7();
    assert_eq!(all_methods["methods"], Value::Null, "null removes: every method again");
    let before = w.alice.get(&path).await.api7();
    for (patch, field) in
        [(json!({"paths": null}), "paths"), (json!({"active": 2}), "active"), (json!({"type": "X"}), "type")]
    {
        let err = w.alice.patch(&path, patch.clone()).await.api7_error(400, 1);
        assert!(err.contains(field), "{patch}: {err}");
    }
    w.alice.patch(&path, json!(42)).await.api7_error(400, 1);
    assert_eq!(w.alice.get(&path).await.api7(), before);
    assert_eq!(config_version(&w, &cp).await, v0 + 5);
    assert_eq!(events(&w, "api", "update").await, 5);

    let v1 = config_version(&w, &cp).await;
    assert_eq!(w.alice.delete(&path).await.api7(), Value::Null);
    w.alice.get(&path).await.api7_error(404, 4);
    w.alice.delete(&path).await.api7_error(404, 4);
    w.alice.patch(&path, json!({"active": 1})).await.api7_error(404, 4);
    assert_eq!(config_version(&w, &cp).await, v1 + 1);
    assert_eq!(events(&w, "api", "delete").await, 1);
}

#[tokio::test]
async fn delete_all_empties_one_application() {
    let (w, cp, app) = with_app().await;
    let other = create_app(&w, &cp, app_body("other", "other.example.com")).await;
    let other = other["id"].as_str().unwrap();
    for n in ["a", "b", "c"] {
        w.alice.post(&format!("/api/v1/apps/{app}/apis"), api_body(n)).await.api7();
    }
    w.alice.post(&format!("/api/v1/apps/{other}/apis"), api_body("kept")).await.api7();
    let v = config_version(&w, &cp).await;
    assert_eq!(w.alice.delete(&format!("/api/v1/apps/{app}/apis")).await.api7(), Value::Null);
    assert_eq!(w.alice.get(&format!("/api/v1/apps/{app}/apis")).await.api7()["count"], 0);
    assert_eq!(w.alice.get(&format!("/api/v1/apps/{other}/apis")).await.api7()["count"], 1, "another app's APIs stay");
    assert_eq!(config_version(&w, &cp).await, v + 1);
    // On an application without APIs it is still a success.
    w.alice.delete(&format!("/api/v1/apps/{app}/apis")).await.api7();
    w.alice.delete("/api/v1/apps/424242/apis").await.api7_error(404, 4);
    w.carol.delete(&format!("/api/v1/apps/{other}/apis")).await.api7_error(403, 7);
    w.dave.delete(&format!("/api/v1/apps/{other}/apis")).await.api7_error(404, 4);
    w.s.anon().delete(&format!("/api/v1/apps/{other}/apis")).await.api7_error(401, 6);
    assert_eq!(w.alice.get(&format!("/api/v1/apps/{other}/apis")).await.api7()["count"], 1);
}

#[tokio::test]
async fn list_pages_orders_searches_and_filters_by_labels() {
    let (w, _cp, app) = with_app().await;
    let base = format!("/api/v1/apps/{app}/apis");
    let mut ids = vec![];
    for (name, desc, labels) in [
        ("list", "List all PETS", vec!["read", "v1"]),
        ("create", "new pet", vec!["write", "v1"]),
        ("show", "one", vec!["read"]),
    ] {
        let mut b = api_body(name);
        b["description"] = json!(desc);
        b["labels"] = json!(labels);
        ids.push(w.alice.post(&base, b).await.api7()["id"].as_str().unwrap().to_string());
    }
    w.alice.patch(&format!("{base}/{}", ids[0]), json!({"active": 1})).await.api7();
    let names = |v: &Value| strs(&v["list"], "name");
    let all = w.carol.get(&base).await.api7();
    assert_eq!(
        (all["count"].as_u64(), names(&all)),
        (Some(3), vec!["list".to_string(), "show".into(), "create".into()])
    );
    let asc = w.carol.get(&format!("{base}?order_by=created_at&direction=asc")).await.api7();
    assert_eq!(names(&asc), ["list", "create", "show"]);
    let page = w.carol.get(&format!("{base}?order_by=created_at&direction=asc&page=2&page_size=1")).await.api7();
    assert_eq!((page["count"].as_u64(), names(&page)), (Some(3), vec!["create".to_string()]));
    let past = w.carol.get(&format!("{base}?page=4&page_size=1")).await.api7();
    assert_eq!((past["count"].as_u64(), past["list"].as_array().map(Vec::len)), (Some(3), Some(0)));
    let search = w.carol.get(&format!("{base}?search=pets")).await.api7();
    assert_eq!(names(&search), ["list"]);
    let search = w.carol.get(&format!("{base}?search=PET&order_by=created_at&direction=asc")).await.api7();
    assert_eq!(names(&search), ["list", "create"]);
    let labels = w.carol.get(&format!("{base}?labels=read&labels=v1")).await.api7();
    assert_eq!((labels["count"].as_u64(), names(&labels)), (Some(1), vec!["list".to_string()]));
    let comma = w.carol.get(&format!("{base}?labels=v1,write")).await.api7();
    assert_eq!(names(&comma), ["create"]);
    for bad in ["page=-1", "page_size=abc", "order_by=name", "direction=sideways", "labels=%21"] {
        w.carol.get(&format!("{base}?{bad}")).await.api7_error(400, 1);
    }
}

#[tokio::test]
async fn permissions() {
    let (w, _cp, app) = with_app().await;
    let api = w.alice.post(&format!("/api/v1/apps/{app}/apis"), api_body("pets")).await.api7();
    let list = format!("/api/v1/apps/{app}/apis");
    let one = format!("{list}/{}", api["id"].as_str().unwrap());
    let anon = w.s.anon();
    for who in [&w.alice, &w.carol, &w.admin] {
        who.get(&list).await.api7();
        who.get(&one).await.api7();
    }
    for path in [&list, &one] {
        w.dave.get(path).await.api7_error(404, 4);
        anon.get(path).await.api7_error(401, 6);
    }
    w.carol.post(&list, api_body("x")).await.api7_error(403, 7);
    w.carol.put(&one, api_body("x")).await.api7_error(403, 7);
    w.carol.patch(&one, json!({"active": 1})).await.api7_error(403, 7);
    w.carol.delete(&one).await.api7_error(403, 7);
    w.dave.post(&list, api_body("x")).await.api7_error(404, 4);
    w.dave.put(&one, api_body("x")).await.api7_error(404, 4);
    w.dave.patch(&one, json!({"active": 1})).await.api7_error(404, 4);
    w.dave.delete(&one).await.api7_error(404, 4);
    anon.post(&list, api_body("x")).await.api7_error(401, 6);
    anon.patch(&one, json!({"active": 1})).await.api7_error(401, 6);
    assert_eq!(w.alice.get(&one).await.api7(), api, "unchanged");
    w.admin.patch(&one, json!({"active": 1})).await.api7();
    w.alice.delete(&one).await.api7();
}
