//! Entitlements: a create past the organization's plan is refused in the
//! face's error format, naming the feature, the limit and the plan, stores
//! nothing, and a delete frees the slot again. Racing creates never overshoot.

use serde_json::{Value, json};

use crate::content::{BASE as DESIGNS, doc};
use crate::support::*;

/// Asserts the Layer5 refusal of `feature` at `limit` on `plan`.
#[track_caller]
fn refused_l5(r: &Resp, feature: &str, limit: i64, plan: &str) {
    r.assert_l5_error(400, L5_BAD_REQUEST);
    let want = format!("{feature} is limited to {limit} on the {plan} plan");
    assert!(r.text.contains(&want), "expected {want:?} in {:?}", r.text);
}

/// Asserts the Identity face's refusal (JSON `invalid_request`) of `feature` at `limit` on `plan`.
#[track_caller]
fn refused_identity(r: &Resp, feature: &str, limit: i64, plan: &str) {
    assert_eq!(r.status, 400, "body: {}", r.text);
    assert!(r.content_type().starts_with("application/json"), "{}", r.content_type());
    let v = r.json();
    assert_eq!(v["error"], "invalid_request", "{v}");
    let want = format!("{feature} is limited to {limit} on the {plan} plan");
    assert!(v["error_description"].as_str().unwrap_or_default().contains(&want), "expected {want:?} in {v}");
}

async fn workspace_count(api: &Api, org: &str) -> usize {
    let v = api.ctx(org).get("/api/workspaces?pagesize=all").await.expect(200);
    v["workspaces"].as_array().expect("workspaces").len()
}

fn project(name: &str) -> Value {
    json!({"metadata": {"name": name, "description": "", "tags": []}, "spec": {"groupIDs": []}})
}

#[tokio::test]
async fn workspaces_past_the_free_plan_are_refused_on_both_faces_until_one_is_deleted() {
    let w = world().await;
    let org = &w.org_a;
    let mut ids = vec![];
    for i in 0..10 {
        ids.push(w.alice.create_workspace(org, &format!("ws-{i}")).await);
    }
    let r = w.alice.post("/api/workspaces", json!({"name": "one-more", "organization_id": org})).await;
    refused_l5(&r, "WorkspacesInOrganization", 10, "Free");
    assert!(r.text.contains("has 10"), "{}", r.text);
    // Identity projects are workspaces: the same limit, in that face's format.
    let r = w.alice.post(&format!("/api/v1/organizations/{org}/projects"), project("one-more")).await;
    refused_identity(&r, "WorkspacesInOrganization", 10, "Free");
    assert_eq!(workspace_count(&w.alice, org).await, 10, "nothing stored on refusal");
    // Another organization's limit is its own.
    w.admin.create_workspace(&w.org_b, "elsewhere").await;

    w.alice.delete(&format!("/api/workspaces/{}", ids[0])).await.expect_204();
    w.alice.post(&format!("/api/v1/organizations/{org}/projects"), project("in-the-freed-slot")).await.expect(202);
    let r = w.alice.post("/api/workspaces", json!({"name": "again", "organization_id": org})).await;
    refused_l5(&r, "WorkspacesInOrganization", 10, "Free");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_workspace_creates_never_exceed_the_limit() {
    let w = world().await;
    let org = w.org_a.clone();
    for i in 0..4 {
        w.alice.create_workspace(&org, &format!("before-{i}")).await;
    }
    let racing: Vec<_> = (0..16)
        .map(|i| {
            let (api, org) = (w.alice.clone(), org.clone());
            tokio::spawn(async move {
                api.post("/api/workspaces", json!({"name": format!("race-{i}"), "organization_id": org})).await
            })
        })
        .collect();
    let mut answers = vec![];
    for r in racing {
        answers.push(r.await.expect("join"));
    }
    let created = answers.iter().filter(|r| r.status == 201).count();
    for r in answers.iter().filter(|r| r.status != 201) {
        refused_l5(r, "WorkspacesInOrganization", 10, "Free");
    }
    assert_eq!(created, 6, "exactly the free slots are taken");
    assert_eq!(workspace_count(&w.alice, &org).await, 10);
}

#[tokio::test]
async fn environments_and_connections_stop_at_their_limits() {
    let w = world().await;
    let org = &w.org_a;
    w.s.limit_sql("Free", "ConnectionsInOrganization", 2).await;
    let mut envs = vec![];
    for i in 0..10 {
        envs.push(w.alice.create_env(org, &format!("env-{i}")).await);
    }
    let r = w.alice.post("/api/environments", json!({"name": "env-x", "organization_id": org})).await;
    refused_l5(&r, "EnvironmentsInOrganization", 10, "Free");
    let listed = w.alice.get(&format!("/api/environments?pagesize=all&orgId={org}")).await.expect(200);
    assert_eq!(listed["environments"].as_array().expect("environments").len(), 10, "{listed}");
    w.alice.delete(&format!("/api/environments/{}", envs[0])).await.expect_204();
    w.alice.create_env(org, "env-x").await;

    let first = w.alice.create_connection(org, connection_body("k1", "kubernetes", "connected")).await;
    w.alice.create_connection(org, connection_body("k2", "kubernetes", "connected")).await;
    let api = w.alice.ctx(org);
    let r = api.post("/api/integrations/connections", connection_body("k3", "kubernetes", "connected")).await;
    refused_l5(&r, "ConnectionsInOrganization", 2, "Free");
    assert_eq!(api.get("/api/integrations/connections").await.expect(200)["total_count"], 2);
    let id = first["id"].as_str().expect("id");
    api.delete(&format!("/api/integrations/connections/{id}")).await.expect_204();
    api.post("/api/integrations/connections", connection_body("k3", "kubernetes", "connected")).await.expect(201);
}

#[tokio::test]
async fn designs_are_limited_when_saved_cloned_or_imported() {
    let w = world().await;
    let org = &w.org_a;
    w.s.limit_sql("Free", "DesignsInOrganization", 2).await;
    let api = w.alice.ctx(org);
    let first = api.post(DESIGNS, json!({"name": "one", "patternData": doc("one")})).await.expect(200);
    api.post(DESIGNS, json!({"name": "two", "patternData": doc("two")})).await.expect(200);
    let id = first["id"].as_str().expect("id").to_string();

    refused_l5(
        &api.post(DESIGNS, json!({"name": "three", "patternData": doc("three")})).await,
        "DesignsInOrganization",
        2,
        "Free",
    );
    refused_l5(&api.post_empty(&format!("{DESIGNS}/clone/{id}")).await, "DesignsInOrganization", 2, "Free");
    let file = || {
        let mut imported = doc("imported");
        imported["id"] = json!(uuid::Uuid::new_v4());
        serde_json::to_vec(&imported).expect("json")
    };
    let r = api.post_form("/api/pattern/import", &[("file", Some("imported.json"), file().as_slice())]).await;
    refused_l5(&r, "DesignsInOrganization", 2, "Free");
    assert_eq!(api.get(DESIGNS).await.expect(200)["total_count"], 2, "nothing stored on refusal");
    // Saving an existing design again is no new design.
    api.post(DESIGNS, json!({"id": id, "name": "one", "patternData": doc("one renamed")})).await.expect(200);

    api.delete(&format!("{DESIGNS}/{id}")).await.expect_204();
    api.post_form("/api/pattern/import", &[("file", Some("imported.json"), file().as_slice())]).await.expect(200);
}

#[tokio::test]
async fn a_design_document_must_fit_the_per_design_limits_on_create_and_update() {
    let w = world().await;
    let org = &w.org_a;
    let api = w.alice.ctx(org);
    let small = api.post(DESIGNS, json!({"name": "small", "patternData": {"components": []}})).await.expect(200);
    let id = small["id"].as_str().expect("id").to_string();
    // The sample document has two components and one relationship.
    w.s.limit_sql("Free", "ComponentsInDesign", 1).await;
    let r = api.post(DESIGNS, json!({"name": "big", "patternData": doc("big")})).await;
    refused_l5(&r, "ComponentsInDesign", 1, "Free");
    assert!(r.text.contains("this has 2"), "{}", r.text);
    let r = api.post(DESIGNS, json!({"id": id, "name": "small", "patternData": doc("small")})).await;
    refused_l5(&r, "ComponentsInDesign", 1, "Free");
    let kept = api.get(&format!("{DESIGNS}/{id}")).await.expect(200);
    assert_eq!(kept["patternFile"]["components"], json!([]), "an update refused changes nothing: {kept}");

    w.s.limit_sql("Free", "ComponentsInDesign", 1000).await;
    w.s.limit_sql("Free", "RelationshipsInDesign", 0).await;
    refused_l5(
        &api.post(DESIGNS, json!({"name": "big", "patternData": doc("big")})).await,
        "RelationshipsInDesign",
        0,
        "Free",
    );
    w.s.limit_sql("Free", "RelationshipsInDesign", 2000).await;
    w.s.limit_sql("Free", "SizePerDesign", 200).await;
    refused_l5(
        &api.post(DESIGNS, json!({"name": "big", "patternData": doc("big")})).await,
        "SizePerDesign",
        200,
        "Free",
    );
    w.s.limit_sql("Free", "SizePerDesign", 8_388_608).await;
    api.post(DESIGNS, json!({"name": "big", "patternData": doc("big")})).await.expect(200);
    assert_eq!(api.get(DESIGNS).await.expect(200)["total_count"], 2);
}

#[tokio::test]
async fn designs_per_workspace_are_limited_when_assigned() {
    let w = world().await;
    let org = &w.org_a;
    w.s.limit_sql("Free", "DesignsInWorkspace", 1).await;
    let ws = w.alice.create_workspace(org, "holder").await;
    let (a, b) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    w.alice.post_empty(&format!("/api/workspaces/{ws}/designs/{a}")).await.expect(200);
    // Assigning the same design again takes no second slot.
    w.alice.post_empty(&format!("/api/workspaces/{ws}/designs/{a}")).await.expect(200);
    let r = w.alice.post_empty(&format!("/api/workspaces/{ws}/designs/{b}")).await;
    refused_l5(&r, "DesignsInWorkspace", 1, "Free");
    let listed = w.alice.get(&format!("/api/workspaces/{ws}/designs")).await.expect(200);
    assert_eq!(listed["total_count"], 1, "{listed}");
    // Another workspace has its own.
    let other = w.alice.create_workspace(org, "other").await;
    w.alice.post_empty(&format!("/api/workspaces/{other}/designs/{b}")).await.expect(200);
    w.alice.delete(&format!("/api/workspaces/{ws}/designs/{a}")).await.expect_204();
    w.alice.post_empty(&format!("/api/workspaces/{ws}/designs/{b}")).await.expect(200);
}

#[tokio::test]
async fn members_are_limited_by_the_seats_of_a_per_user_plan() {
    let w = world().await;
    let org = &w.org_a;
    // Alice and carol are two of three seats.
    w.s.subscribe_sql(org, "Team Designer", 3).await;
    let members = format!("/api/identity/orgs/{org}/users");
    let (frank_id, _) = w.s.user("frank@f.example", None).await;
    w.admin.post_empty(&format!("{members}/{frank_id}")).await.expect(201);

    let (gina_id, gina) = w.s.user("gina@g.example", None).await;
    refused_l5(&w.admin.post_empty(&format!("{members}/{gina_id}")).await, "MembersInOrganization", 3, "Team Designer");
    // An invitation accepted is a member added: the same limit.
    let inv = json!({"name": "join", "description": "", "emails": [], "roles": [], "teams": [], "status": "enabled", "org_id": org});
    let inv = w.alice.post("/api/organizations/invitations", inv).await.expect(201)["id"].as_str().unwrap().to_string();
    let r = gina.post_empty(&format!("/api/organizations/invitations/{inv}/accept")).await;
    refused_l5(&r, "MembersInOrganization", 3, "Team Designer");
    // And on the Identity face.
    let body = json!({"spec": {"subject": "hank@h.example", "state": "active", "groupIDs": []}});
    let r = w.alice.post(&format!("/api/v1/organizations/{org}/users"), body.clone()).await;
    refused_identity(&r, "MembersInOrganization", 3, "Team Designer");
    let listed = w.alice.get(&format!("/api/v1/organizations/{org}/users")).await.expect(200);
    assert_eq!(listed.as_array().expect("users").len(), 3, "nothing stored on refusal: {listed}");
    // Service accounts take no seat.
    let sa = json!({"metadata": {"name": "ci-bot", "description": ""}, "spec": {"groupIDs": []}});
    w.alice.post(&format!("/api/v1/organizations/{org}/serviceaccounts"), sa).await.expect(201);

    // A member leaving frees the seat.
    w.alice.delete(&format!("{members}/{frank_id}")).await.expect_204();
    gina.post_empty(&format!("/api/organizations/invitations/{inv}/accept")).await.expect(200);
    refused_l5(
        &w.admin.post_empty(&format!("{members}/{frank_id}")).await,
        "MembersInOrganization",
        3,
        "Team Designer",
    );
}
