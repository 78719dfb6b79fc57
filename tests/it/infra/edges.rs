//! Edges of the infrastructure family found in review: ids chosen by
//! clients, ids in other spellings, and what removing things leaves behind.

use serde_json::json;

use crate::support::*;

/// A connection id chosen in another org cannot smuggle events into a
/// workspace's event list, whatever id it borrows.
#[tokio::test]
async fn borrowed_ids_do_not_reach_another_orgs_events() {
    let w = world().await;
    let ws = w.alice.create_workspace(&w.org_a, "main").await;
    let before = w.alice.get(&format!("/api/workspaces/{ws}/events")).await.expect(200)["total_count"].clone();

    let mut body = connection_body("intruder", "kubernetes", "connected");
    body["id"] = json!(ws);
    let r = w.admin.ctx(&w.org_b).post("/api/integrations/connections", body).await;
    assert!(r.status == 201 || r.status == 400, "{} {}", r.status, r.text);
    let after = w.alice.get(&format!("/api/workspaces/{ws}/events")).await.expect(200);
    assert_eq!(after["total_count"], before, "{after}");
    assert!(!after.to_string().contains("intruder"));
}

/// Meshery registers a connection again under its old id after deleting it.
#[tokio::test]
async fn a_deleted_connection_id_can_be_registered_again() {
    let w = world().await;
    let id = uuid::Uuid::now_v7().to_string();
    let mut body = connection_body("k8s", "kubernetes", "connected");
    body["id"] = json!(id);
    w.alice.create_connection(&w.org_a, body.clone()).await;
    let again = w.alice.ctx(&w.org_a).post("/api/integrations/connections", body.clone()).await;
    again.assert_l5_error(400, L5_BAD_REQUEST);
    w.alice.delete(&format!("/api/integrations/connections/{id}")).await.expect_204();
    let back = w.alice.create_connection(&w.org_a, body.clone()).await;
    assert_eq!(back["id"], id.as_str());
    let list = w.alice.ctx(&w.org_a).get("/api/integrations/connections").await.expect(200);
    assert_eq!(list["total_count"], 1, "{list}");
}

/// Client-chosen connection ids are scoped per organization: another org's
/// id neither conflicts nor is revealed, and each org reads its own.
#[tokio::test]
async fn connection_ids_are_per_organization() {
    let w = world().await;
    let base = "/api/integrations/connections";
    let id = uuid::Uuid::now_v7().to_string();
    let mut body = connection_body("in A", "kubernetes", "connected");
    body["id"] = json!(id);
    body["metadata"] = json!({"context": {"cluster": "a"}});
    w.alice.create_connection(&w.org_a, body.clone()).await;
    // B registers the same id: the same answer as for a fresh one.
    body["name"] = json!("in B");
    body["metadata"] = json!({"context": {"cluster": "b"}});
    let b = w.admin.ctx(&w.org_b).post(base, body.clone()).await.expect(201);
    assert_eq!(b["id"], id.as_str());
    // Within B it is now taken.
    w.admin.ctx(&w.org_b).post(base, body.clone()).await.assert_l5_error(400, L5_BAD_REQUEST);

    let path = format!("{base}/{id}");
    assert_eq!(w.alice.get(&path).await.expect(200)["name"], "in A");
    assert_eq!(w.carol.get(&path).await.expect(200)["name"], "in A");
    let dave = &w.dave;
    assert_eq!(dave.get(&path).await.expect(200)["name"], "in B");
    let ctx = dave.get(&format!("{base}/kubernetes/{id}/context")).await.expect(200);
    assert_eq!(ctx, json!({"cluster": "b"}));
    // A provider admin sees both: the org in context picks.
    assert_eq!(w.admin.ctx(&w.org_b).get(&path).await.expect(200)["name"], "in B");
    assert_eq!(w.admin.ctx(&w.org_a).get(&path).await.expect(200)["name"], "in A");

    // B's changes stay in B.
    let env = w.admin.create_env(&w.org_b, "b-env").await;
    assert_eq!(w.admin.post_empty(&format!("/api/environments/{env}/connections/{id}")).await.status, 201);
    let env_a = w.alice.create_env(&w.org_a, "a-env").await;
    assert_eq!(w.alice.post_empty(&format!("/api/environments/{env_a}/connections/{id}")).await.status, 201);
    w.admin.ctx(&w.org_b).delete(&path).await.expect_204();
    assert_eq!(w.alice.get(&path).await.expect(200)["name"], "in A");
    dave.get(&path).await.assert_l5_error(404, L5_NOT_FOUND);
    let in_env = w.alice.get(&format!("/api/environments/{env_a}/connections")).await.expect(200);
    assert_eq!(strs(&in_env["connections"], "id"), [id.as_str()]);
    // And B may register it again.
    body["name"] = json!("in B again");
    assert_eq!(w.admin.ctx(&w.org_b).post(base, body).await.expect(201)["id"], id.as_str());
    assert_eq!(dave.get(&path).await.expect(200)["name"], "in B again");
    assert_eq!(w.alice.get(&path).await.expect(200)["name"], "in A");
}

/// `deleted` is final: setting it removes the connection like DELETE does.
#[tokio::test]
async fn setting_status_deleted_deletes() {
    let w = world().await;
    let c = w.alice.create_connection(&w.org_a, connection_body("k8s", "kubernetes", "connected")).await;
    let id = c["id"].as_str().unwrap().to_string();
    let env = w.alice.create_env(&w.org_a, "prod").await;
    w.alice.post_empty(&format!("/api/environments/{env}/connections/{id}")).await.expect(201);
    let r = w
        .alice
        .put(&format!("/api/integrations/connections/{id}"), connection_body("k8s", "kubernetes", "deleted"))
        .await;
    let v = r.expect(200);
    assert_eq!(v["status"], "deleted");
    assert!(v["deleted_at"].is_string(), "{v}");
    w.alice.get(&format!("/api/integrations/connections/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    let list = w.alice.ctx(&w.org_a).get("/api/integrations/connections").await.expect(200);
    assert_eq!(list["total_count"], 0);
    let attached = w.alice.get(&format!("/api/environments/{env}/connections")).await.expect(200);
    assert_eq!(attached["total_count"], 0);
}

/// Deleting an environment takes it out of workspaces, and each workspace's
/// event list says so.
#[tokio::test]
async fn deleting_an_environment_is_an_event_of_its_workspaces() {
    let w = world().await;
    let ws = w.alice.create_workspace(&w.org_a, "main").await;
    let env = w.alice.create_env(&w.org_a, "staging").await;
    w.alice.post_empty(&format!("/api/workspaces/{ws}/environments/{env}")).await.expect(200);
    w.alice.delete(&format!("/api/environments/{env}")).await.expect_204();
    let events = w.alice.get(&format!("/api/workspaces/{ws}/events")).await.expect(200);
    let actions = strs(&events["data"], "action");
    assert_eq!(actions.first().map(String::as_str), Some("unassign_environment"), "{events}");
    assert!(events["data"][0]["description"].as_str().unwrap().contains("staging"));
}

/// Ids are UUIDs whatever their spelling; a malformed one is a 400.
#[tokio::test]
async fn ids_in_other_spellings() {
    let w = world().await;
    let server = uuid::Uuid::now_v7();
    let mut own = connection_body("meshery", "meshery", "connected");
    own["id"] = json!(server);
    w.alice.create_connection(&w.org_a, own).await;
    let mut managed = connection_body("k8s", "kubernetes", "connected");
    managed["metadata"] = json!({"server_id": server});
    w.alice.create_connection(&w.org_a, managed).await;
    let upper = server.to_string().to_uppercase();
    w.alice.ctx(&w.org_a).delete(&format!("/api/integrations/connections/meshery/{upper}")).await.expect_204();
    let list = w.alice.ctx(&w.org_a).get("/api/integrations/connections").await.expect(200);
    assert_eq!(list["total_count"], 0, "{list}");

    let env = w.alice.create_env(&w.org_a, "prod").await;
    let org_upper = w.org_a.to_uppercase();
    w.alice.get(&format!("/api/environments/{env}?orgId={org_upper}")).await.expect(200);
    w.alice.get(&format!("/api/environments/{env}?orgId=not-a-uuid")).await.assert_l5_error(400, L5_BAD_REQUEST);
}
