//! Environments: CRUD with the reference's single-item page answers, the org
//! a list acts in, connections attached to an environment, what a delete
//! takes with it, and list paging.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

const SCHEMA: &str = "environments.meshery.io/v1beta1";
const ENV_FIELDS: [&str; 10] = [
    "id",
    "schemaVersion",
    "name",
    "description",
    "organization_id",
    "owner",
    "created_at",
    "metadata",
    "updated_at",
    "deleted_at",
];

fn env_path(id: &str) -> String {
    format!("/api/environments/{id}")
}

/// The one environment of a single-item page.
#[track_caller]
fn single(v: &Value) -> Value {
    let items = page_items(v, "environments", 0, 1, 1);
    items[0].clone()
}

async fn names(api: &Api, query: &str) -> Vec<String> {
    let v = api.get(&format!("/api/environments?pagesize=all&order=name{query}")).await.expect(200);
    strs(&v["environments"], "name")
}

#[tokio::test]
async fn crud_round_trip() {
    let w = world().await;
    let r = w
        .alice
        .post("/api/environments", json!({"name": "prod", "description": "live", "organization_id": w.org_a}))
        .await;
    let env = r.expect(201);
    assert!(r.content_type().starts_with("application/json"));
    for f in ENV_FIELDS {
        assert!(env.get(f).is_some(), "environment lacks {f}: {env}");
    }
    assert!(env.get("environments").is_none(), "create answers the bare environment: {env}");
    assert_eq!(env["schemaVersion"], SCHEMA);
    assert_eq!((env["name"].as_str(), env["description"].as_str()), (Some("prod"), Some("live")));
    assert_eq!(env["organization_id"], w.org_a.as_str());
    assert_eq!(env["owner"], w.alice_id.as_str(), "the creator owns the environment");
    assert_eq!(env["metadata"], json!({}));
    assert!(env["deleted_at"].is_null());
    let id = env["id"].as_str().unwrap().to_string();

    // Reading answers the single-item page, to anyone in the org.
    assert_eq!(single(&w.alice.get(&env_path(&id)).await.expect(200)), env);
    assert_eq!(single(&w.carol.get(&env_path(&id)).await.expect(200)), env);
    let with_org = w.carol.get(&format!("{}?orgId={}", env_path(&id), w.org_a)).await.expect(200);
    assert_eq!(single(&with_org), env);
    // Naming another org than the environment's does not find it, even for a provider admin.
    w.admin.get(&format!("{}?orgId={}", env_path(&id), w.org_b)).await.assert_l5_error(404, L5_NOT_FOUND);

    let v = w.alice.put(&env_path(&id), json!({"name": "production", "organization_id": w.org_a})).await.expect(200);
    let updated = single(&v);
    assert_eq!(updated["id"], id.as_str());
    assert_eq!(updated["name"], "production");
    assert_eq!(updated["description"], "live", "a description not sent is kept");
    assert_eq!(updated["schemaVersion"], SCHEMA);
    assert_eq!(updated["created_at"], env["created_at"]);
    assert!(updated["updated_at"].as_str() >= env["updated_at"].as_str());
    let cleared = json!({"name": "production", "description": "", "organization_id": w.org_a});
    assert_eq!(single(&w.alice.put(&env_path(&id), cleared).await.expect(200))["description"], "");
    assert_eq!(single(&w.alice.get(&env_path(&id)).await.expect(200))["name"], "production");

    // Objects do not move between organizations.
    let r = w.admin.put(&env_path(&id), json!({"name": "moved", "organization_id": w.org_b})).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    let now = single(&w.alice.get(&env_path(&id)).await.expect(200));
    assert_eq!((now["name"].as_str(), now["organization_id"].as_str()), (Some("production"), Some(w.org_a.as_str())));
    assert_eq!(names(&w.admin.ctx(&w.org_b), "").await, Vec::<String>::new());

    // Soft delete: gone from lookups, lists and further changes.
    w.alice.delete(&env_path(&id)).await.expect_204();
    w.alice.get(&env_path(&id)).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice
        .put(&env_path(&id), json!({"name": "x", "organization_id": w.org_a}))
        .await
        .assert_l5_error(404, L5_NOT_FOUND);
    w.alice.delete(&env_path(&id)).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.get(&format!("{}/connections", env_path(&id))).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(names(&w.alice.ctx(&w.org_a), "").await, Vec::<String>::new());
    // Its name is free again.
    w.alice.create_env(&w.org_a, "production").await;
    assert_eq!(names(&w.alice.ctx(&w.org_a), "").await, ["production"]);
}

#[tokio::test]
async fn the_org_a_list_acts_in() {
    let w = world().await;
    w.alice.create_env(&w.org_a, "a-env").await;
    w.admin.create_env(&w.org_b, "b-env").await;
    // Alice also runs org C, so "which org" is a real question for her.
    let org_c = w.alice.create_org(json!({"name": "C"})).await;
    w.alice.create_env(&org_c, "c-env").await;

    assert_eq!(names(&w.alice.ctx(&w.org_a), "").await, ["a-env"]);
    assert_eq!(names(&w.alice.ctx(&org_c), "").await, ["c-env"]);
    assert_eq!(names(&w.alice, &format!("&orgId={}", w.org_a)).await, ["a-env"]);
    assert_eq!(names(&w.alice, &format!("&orgId={org_c}")).await, ["c-env"]);
    assert_eq!(names(&w.admin, &format!("&orgId={}", w.org_b)).await, ["b-env"]);
    // The header wins over orgId.
    assert_eq!(names(&w.admin.ctx(&w.org_a), &format!("&orgId={}", w.org_b)).await, ["a-env"]);
    // Carol's only org is A.
    assert_eq!(names(&w.carol, "").await, ["a-env"]);

    // Without header or orgId: the selected organization.
    w.alice.put("/api/identity/users/preferences", json!({"selectedOrganization": org_c})).await.expect(200);
    assert_eq!(names(&w.alice, "").await, ["c-env"]);
    w.alice.put("/api/identity/users/preferences", json!({"selectedOrganization": w.org_a})).await.expect(200);
    assert_eq!(names(&w.alice, "").await, ["a-env"]);
    assert_eq!(names(&w.alice.ctx(&org_c), "").await, ["c-env"], "the header still wins over the preference");

    // Another org's list is not found, however it is named.
    w.dave.ctx(&w.org_a).get("/api/environments").await.assert_l5_error(404, L5_NOT_FOUND);
    w.dave.get(&format!("/api/environments?orgId={}", w.org_a)).await.assert_l5_error(404, L5_NOT_FOUND);
    w.dave.get("/api/environments?orgId=not-a-uuid").await.assert_l5_error(400, L5_BAD_REQUEST);
    assert_eq!(names(&w.dave, "").await, ["b-env"]);
}

#[tokio::test]
async fn invalid_input_is_400_and_changes_nothing() {
    let w = world().await;
    let id = w.alice.create_env(&w.org_a, "keep").await;
    let before = w.alice.get(&env_path(&id)).await.expect(200);
    let org = &w.org_a;
    let long = "n".repeat(256);
    let long_desc = "d".repeat(5001);
    let bodies = [
        "{".to_string(),
        "[]".to_string(),
        format!(r#"{{"organization_id": "{org}"}}"#),
        format!(r#"{{"name": "", "organization_id": "{org}"}}"#),
        format!(r#"{{"name": "   ", "organization_id": "{org}"}}"#),
        format!(r#"{{"name": "{long}", "organization_id": "{org}"}}"#),
        format!(r#"{{"name": 5, "organization_id": "{org}"}}"#),
        format!(r#"{{"name": "ok", "description": "{long_desc}", "organization_id": "{org}"}}"#),
        format!(r#"{{"name": "ok", "description": ["x"], "organization_id": "{org}"}}"#),
        format!(r#"{{"name": "tab\u0007bell", "organization_id": "{org}"}}"#),
        r#"{"name": "ok"}"#.to_string(),
        r#"{"name": "ok", "organization_id": "not-a-uuid"}"#.to_string(),
    ];
    for body in &bodies {
        w.alice.raw(Method::POST, "/api/environments", body).await.assert_l5_error(400, L5_BAD_REQUEST);
        w.alice.raw(Method::PUT, &env_path(&id), body).await.assert_l5_error(400, L5_BAD_REQUEST);
    }
    assert_eq!(w.alice.get(&env_path(&id)).await.expect(200), before, "no bad update changed anything");
    assert_eq!(names(&w.alice.ctx(&w.org_a), "").await, ["keep"], "no bad create added anything");

    // Creating in an org the caller is not in is "not found", not a validation error.
    w.alice
        .post("/api/environments", json!({"name": "x", "organization_id": w.org_b}))
        .await
        .assert_l5_error(404, L5_NOT_FOUND);
    // An id that does not parse names nothing.
    w.alice.get("/api/environments/not-a-uuid").await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.get(&env_path(&uuid::Uuid::new_v4().to_string())).await.assert_l5_error(404, L5_NOT_FOUND);
    // The list documents no 400: what it cannot understand is its default.
    for odd in ["page=x", "order=owner", "order=name%20sideways"] {
        w.alice.get(&format!("/api/environments?{odd}")).await.expect(200);
    }
}

#[tokio::test]
async fn connections_attach_and_detach() {
    let w = world().await;
    let env = w.alice.create_env(&w.org_a, "staging").await;
    let c1 = w.alice.create_connection(&w.org_a, connection_body("alpha", "kubernetes", "connected")).await;
    let c2 = w.alice.create_connection(&w.org_a, connection_body("beta", "prometheus", "registered")).await;
    let other = w.admin.create_connection(&w.org_b, connection_body("b-conn", "kubernetes", "connected")).await;
    let (c1, c2, other) = (c1["id"].as_str().unwrap(), c2["id"].as_str().unwrap(), other["id"].as_str().unwrap());
    let link = |c: &str| format!("{}/connections/{c}", env_path(&env));
    let list = format!("{}/connections", env_path(&env));

    let empty = w.carol.get(&list).await.expect(200);
    assert!(page_items(&empty, "connections", 0, 10, 0).is_empty());

    let r = w.alice.post_empty(&link(c1)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(r.text.is_empty(), "the reference documents no body: {}", r.text);
    // Attaching twice is not an error and does not duplicate.
    assert_eq!(w.alice.post_empty(&link(c1)).await.status, 201);
    assert_eq!(w.alice.post_empty(&link(c2)).await.status, 201);

    let v = w.carol.get(&format!("{list}?order=name")).await.expect(200);
    let items = page_items(&v, "connections", 0, 10, 2);
    assert_eq!(strs(&json!(items), "name"), ["alpha", "beta"]);
    assert!(items.iter().all(|c| c["schemaVersion"].is_string() && c["sub_type"].is_string()), "{v}");
    let v = w.carol.get(&format!("{list}?order=name%20desc")).await.expect(200);
    assert_eq!(strs(&v["connections"], "name"), ["beta", "alpha"]);
    // The environment's list narrows like the connection list.
    let f = enc(r#"{"kind": ["prometheus"]}"#);
    let v = w.carol.get(&format!("{list}?filter={f}")).await.expect(200);
    assert_eq!(strs(&page_items(&v, "connections", 0, 10, 1).into(), "id"), [c2]);
    let v = w.carol.get(&format!("{list}?search=alp")).await.expect(200);
    assert_eq!(strs(&v["connections"], "id"), [c1]);
    // A filter that is not JSON is ignored (the reference documents no 400 for lists).
    let all = w.carol.get(&list).await.expect(200)["total_count"].clone();
    assert_eq!(w.carol.get(&format!("{list}?filter=nope")).await.expect(200)["total_count"], all);

    // A connection names the environments it is in.
    let got = w.carol.get(&format!("/api/integrations/connections/{c1}")).await.expect(200);
    let envs = got["environments"].as_array().unwrap_or_else(|| panic!("environments: {got}"));
    assert_eq!(envs.len(), 1, "{got}");
    assert_eq!(envs[0]["id"], env.as_str());

    w.alice.delete(&link(c1)).await.expect_204();
    w.alice.delete(&link(c1)).await.assert_l5_error(404, L5_NOT_FOUND);
    let v = w.carol.get(&list).await.expect(200);
    assert_eq!(strs(&page_items(&v, "connections", 0, 10, 1).into(), "id"), [c2]);
    let got = w.carol.get(&format!("/api/integrations/connections/{c1}")).await.expect(200);
    assert_eq!(got["environments"], json!([]));

    // Another org's connection is "not found" here, even for a provider admin.
    w.alice.post_empty(&link(other)).await.assert_l5_error(404, L5_NOT_FOUND);
    w.admin.post_empty(&link(other)).await.assert_l5_error(404, L5_NOT_FOUND);
    w.admin.delete(&link(other)).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.post_empty(&link(&uuid::Uuid::new_v4().to_string())).await.assert_l5_error(404, L5_NOT_FOUND);
    let v = w.admin.get(&format!("/api/integrations/connections/{other}")).await.expect(200);
    assert_eq!(v["environments"], json!([]));

    // A deleted connection cannot be attached and has left the environment.
    w.alice.delete(&format!("/api/integrations/connections/{c2}")).await.expect_204();
    w.alice.post_empty(&link(c2)).await.assert_l5_error(404, L5_NOT_FOUND);
    let v = w.carol.get(&list).await.expect(200);
    assert!(page_items(&v, "connections", 0, 10, 0).is_empty(), "{v}");
}

#[tokio::test]
async fn delete_leaves_workspaces_and_connections() {
    let w = world().await;
    let env = w.alice.create_env(&w.org_a, "doomed").await;
    let stays = w.alice.create_env(&w.org_a, "stays").await;
    let conn = w.alice.create_connection(&w.org_a, connection_body("k", "kubernetes", "connected")).await;
    let conn = conn["id"].as_str().unwrap();
    let ws = w.alice.create_workspace(&w.org_a, "ws").await;
    for e in [&env, &stays] {
        assert_eq!(w.alice.post_empty(&format!("{}/connections/{conn}", env_path(e))).await.status, 201);
        w.alice.post_empty(&format!("/api/workspaces/{ws}/environments/{e}")).await.expect(200);
    }
    let ws_envs = format!("/api/workspaces/{ws}/environments");
    let v = w.alice.get(&format!("{ws_envs}?order=name")).await.expect(200);
    assert_eq!(strs(&page_items(&v, "environments", 0, 10, 2).into(), "name"), ["doomed", "stays"]);

    w.alice.delete(&env_path(&env)).await.expect_204();

    let v = w.alice.get(&ws_envs).await.expect(200);
    assert_eq!(strs(&page_items(&v, "environments", 0, 10, 1).into(), "id"), [stays.as_str()]);
    let f = enc(r#"{"assigned": false}"#);
    let v = w.alice.get(&format!("{ws_envs}?filter={f}")).await.expect(200);
    assert!(page_items(&v, "environments", 0, 10, 0).is_empty(), "a deleted environment is not assignable: {v}");
    w.alice.delete(&format!("{ws_envs}/{env}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.post_empty(&format!("{ws_envs}/{env}")).await.assert_l5_error(404, L5_NOT_FOUND);

    let got = w.alice.get(&format!("/api/integrations/connections/{conn}")).await.expect(200);
    assert_eq!(strs(&got["environments"], "id"), [stays.as_str()], "the connection let go of the deleted environment");
    // The connection itself survives.
    assert_eq!(got["status"], "connected");
}

#[tokio::test]
async fn paging_searching_and_ordering() {
    let w = world().await;
    // More than the Free plan allows.
    w.unlimited(&w.org_a).await;
    let api = w.alice.ctx(&w.org_a);
    for i in 0..12 {
        let desc = if i % 4 == 0 { "has a needle" } else { "plain" };
        let body = json!({"name": format!("env-{i:02}"), "description": desc, "organization_id": w.org_a});
        w.alice.post("/api/environments", body).await.expect(201);
    }
    let all: Vec<String> = (0..12).map(|i| format!("env-{i:02}")).collect();

    let v = api.get("/api/environments?order=name").await.expect(200);
    assert_eq!(strs(&page_items(&v, "environments", 0, 10, 12).into(), "name"), all[..10]);
    let v = api.get("/api/environments?order=name&page=1").await.expect(200);
    assert_eq!(strs(&page_items(&v, "environments", 1, 10, 12).into(), "name"), all[10..]);
    let v = api.get("/api/environments?order=name&page=1&pagesize=5").await.expect(200);
    assert_eq!(strs(&page_items(&v, "environments", 1, 5, 12).into(), "name"), all[5..10]);
    // Past the end: an empty page that still counts everything.
    let v = api.get("/api/environments?page=7&pagesize=5").await.expect(200);
    assert!(page_items(&v, "environments", 7, 5, 12).is_empty());

    let v = api.get("/api/environments?pagesize=all&order=name").await.expect(200);
    assert_eq!(strs(&v["environments"], "name"), all);
    assert_eq!(v["total_count"], 12);

    let mut reversed = all.clone();
    reversed.reverse();
    for order in ["name%20desc", "-name", "name%20DESC"] {
        let v = api.get(&format!("/api/environments?pagesize=all&order={order}")).await.expect(200);
        assert_eq!(strs(&v["environments"], "name"), reversed, "order={order}");
    }
    let v = api.get("/api/environments?pagesize=all&order=name%20asc").await.expect(200);
    assert_eq!(strs(&v["environments"], "name"), all);
    let v = api.get("/api/environments?pagesize=all&order=created_at%20desc").await.expect(200);
    assert_eq!(strs(&v["environments"], "name"), reversed, "created one after another");

    // Search covers names and descriptions, and the count follows it.
    let v = api.get("/api/environments?search=needle&order=name").await.expect(200);
    assert_eq!(strs(&page_items(&v, "environments", 0, 10, 3).into(), "name"), ["env-00", "env-04", "env-08"]);
    let v = api.get("/api/environments?search=env-1&order=name").await.expect(200);
    assert_eq!(strs(&page_items(&v, "environments", 0, 10, 2).into(), "name"), ["env-10", "env-11"]);
    let v = api.get("/api/environments?search=nothing-like-this").await.expect(200);
    assert!(page_items(&v, "environments", 0, 10, 0).is_empty());
    // Other orgs' environments never count.
    w.admin.create_env(&w.org_b, "env-99").await;
    let v = api.get("/api/environments?search=env").await.expect(200);
    assert_eq!(v["total_count"], 12);
}
