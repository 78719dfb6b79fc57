//! Identity projects: the organization's workspaces. Created and deleted
//! asynchronously (202 with the provisioning state), visible on the Layer5
//! workspace list and the other way round; `groupIDs` are the team links.

use serde_json::{Value, json};

use crate::support::*;

fn projects(org: &str) -> String {
    format!("/api/v1/organizations/{org}/projects")
}

fn body(name: &str, groups: &[&str]) -> Value {
    json!({"metadata": {"name": name, "description": "a project", "tags": [{"name": "env", "value": "prod"}]},
           "spec": {"groupIDs": groups}})
}

#[track_caller]
fn identity_error(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status, status, "body: {}", r.text);
    assert!(r.content_type().starts_with("application/json"), "{}", r.content_type());
    assert_eq!(r.json()["error"], code, "{}", r.text);
    assert!(r.json()["error_description"].is_string(), "{}", r.text);
}

#[tokio::test]
async fn crud_with_async_states_and_the_layer5_view() {
    let w = world().await;
    let team = w.alice.create_team(&w.org_a, "builders").await;
    let r = w.alice.post(&projects(&w.org_a), body("web", &[&team])).await;
    let p = r.expect(202);
    let id = p["metadata"]["id"].as_str().expect("id").to_string();
    assert_eq!(p["metadata"]["provisioningStatus"], "provisioning");
    assert_eq!(p["metadata"]["organizationId"], w.org_a.as_str());
    assert_eq!(p["metadata"]["tags"], json!([{"name": "env", "value": "prod"}]));
    assert_eq!(p["metadata"]["createdBy"], "alice@a.example");
    assert_eq!(p["spec"]["groupIDs"], json!([team]));
    for f in ["creationTime", "healthStatus", "name"] {
        assert!(p["metadata"].get(f).is_some(), "metadata lacks {f}: {p}");
    }

    // The same thing is a Layer5 workspace, with the group as a team link.
    let ws = w.alice.get(&format!("/api/workspaces/{id}")).await.expect(200);
    assert_eq!((ws["name"].as_str(), ws["organization_id"].as_str()), (Some("web"), Some(w.org_a.as_str())));
    let linked = w.alice.get(&format!("/api/workspaces/{id}/teams")).await.expect(200);
    assert_eq!(linked["teams"][0]["id"], team.as_str());
    // And a Layer5 workspace is a project.
    let l5 = w.alice.create_workspace(&w.org_a, "from-layer5").await;
    let list = w.alice.get(&projects(&w.org_a)).await.expect(200);
    let names: Vec<&str> =
        list.as_array().expect("array").iter().filter_map(|p| p["metadata"]["name"].as_str()).collect();
    assert_eq!(names, ["from-layer5", "web"], "sorted by name");
    let from_l5 = w.alice.get(&format!("{}/{l5}", projects(&w.org_a))).await.expect(200);
    assert_eq!(from_l5["metadata"]["provisioningStatus"], "provisioned");
    assert_eq!(from_l5["spec"]["groupIDs"], json!([]));
    // Linking a team on the Layer5 side shows in groupIDs.
    w.alice.post_empty(&format!("/api/workspaces/{l5}/teams/{team}")).await.expect(200);
    let from_l5 = w.alice.get(&format!("{}/{l5}", projects(&w.org_a))).await.expect(200);
    assert_eq!(from_l5["spec"]["groupIDs"], json!([team]));

    // PUT replaces everything, groups included; 200 without a body.
    let second = w.alice.create_team(&w.org_a, "testers").await;
    let r = w.alice.put(&format!("{}/{id}", projects(&w.org_a)), body("web-2", &[&second])).await;
    assert_eq!((r.status, r.text.as_str()), (200, ""));
    let got = w.alice.get(&format!("{}/{id}", projects(&w.org_a))).await.expect(200);
    assert_eq!((got["metadata"]["name"].as_str(), got["spec"]["groupIDs"].clone()), (Some("web-2"), json!([second])));
    let linked = w.alice.get(&format!("/api/workspaces/{id}/teams")).await.expect(200);
    assert_eq!(strs(&linked["teams"], "id"), std::slice::from_ref(&second));

    // DELETE is accepted and leaves the project deprovisioning.
    let r = w.alice.delete(&format!("{}/{id}", projects(&w.org_a))).await;
    assert_eq!((r.status, r.text.as_str()), (202, ""));
    let got = w.alice.get(&format!("{}/{id}", projects(&w.org_a))).await.expect(200);
    assert_eq!(got["metadata"]["provisioningStatus"], "deprovisioning");
    assert!(got["metadata"]["deletionTime"].is_string(), "{got}");
}

#[tokio::test]
async fn validation_conflicts_and_permissions() {
    let w = world().await;
    let path = projects(&w.org_a);
    identity_error(&w.dave.get(&path).await, 403, "forbidden");
    identity_error(&w.dave.post(&path, body("x", &[])).await, 403, "forbidden");
    identity_error(&w.s.anon().get(&path).await, 401, "access_denied");

    let b_team = w.admin.create_team(&w.org_b, "b-team").await;
    identity_error(&w.alice.post(&path, body("web", &[&b_team])).await, 400, "invalid_request");
    identity_error(&w.alice.post(&path, body("no spaces", &[])).await, 400, "invalid_request");
    let r = w.alice.raw(reqwest::Method::POST, &path, r#"{"metadata": {"name": "web"}}"#).await;
    identity_error(&r, 400, "invalid_request");
    assert_eq!(w.alice.get(&path).await.expect(200), json!([]), "nothing was created");

    let p = w.alice.post(&path, body("web", &[])).await.expect(202);
    identity_error(&w.alice.post(&path, body("web", &[])).await, 409, "conflict");
    let other = w.alice.post(&path, body("api", &[])).await.expect(202);
    let other_id = other["metadata"]["id"].as_str().expect("id");
    identity_error(&w.alice.put(&format!("{path}/{other_id}"), body("web", &[])).await, 409, "conflict");
    let missing = uuid::Uuid::new_v4();
    identity_error(&w.alice.get(&format!("{path}/{missing}")).await, 404, "not_found");
    identity_error(&w.alice.delete(&format!("{path}/{missing}")).await, 404, "not_found");
    // A project of org A is not reachable through org B's path.
    let id = p["metadata"]["id"].as_str().expect("id");
    identity_error(&w.dave.get(&format!("{}/{id}", projects(&w.org_b))).await, 404, "not_found");
    identity_error(&w.dave.get(&format!("{path}/{id}")).await, 403, "forbidden");
}
