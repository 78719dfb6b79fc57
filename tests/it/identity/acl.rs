//! The Identity ACL: the caller's grants rendered per scope.

use serde_json::{Value, json};

use crate::identity::groups::{create_group, identity_role};
use crate::identity::orgs::assert_id_error;
use crate::support::*;

const ALL_OPS: [&str; 4] = ["create", "read", "update", "delete"];

fn endpoint<'a>(eps: &'a Value, name: &str) -> Option<&'a Value> {
    eps.as_array().unwrap().iter().find(|e| e["name"] == name).map(|e| &e["operations"])
}

#[tokio::test]
async fn global_acl_is_for_provider_admins() {
    let w = world().await;
    let v = w.admin.get("/api/v1/acl").await.expect(200);
    let global = v["global"].as_array().unwrap();
    assert_eq!(global.len(), 9, "{v}");
    assert!(global.iter().all(|e| e["operations"] == json!(ALL_OPS)), "{v}");
    assert!(v.get("organization").is_none() && v.get("projects").is_none());
    assert_eq!(w.alice.get("/api/v1/acl").await.expect(200), json!({}));
    assert_eq!(w.s.anon().get("/api/v1/acl").await.status, 401);
}

#[tokio::test]
async fn organization_acl_per_role() {
    let w = world().await;
    let org = &w.org_a;
    let path = format!("/api/v1/organizations/{org}/acl");

    let alice = w.alice.get(&path).await.expect(200);
    assert!(alice.get("global").is_none(), "{alice}");
    assert_eq!(alice["organization"]["id"], org.as_str());
    let eps = &alice["organization"]["endpoints"];
    assert_eq!(endpoint(eps, "identity:organizations"), Some(&json!(["read", "update", "delete"])));
    assert_eq!(endpoint(eps, "identity:groups"), Some(&json!(ALL_OPS)));
    assert_eq!(endpoint(eps, "identity:users"), Some(&json!(ALL_OPS)));
    assert_eq!(endpoint(eps, "identity:quotas"), Some(&json!(["read"])));

    let carol = w.carol.get(&path).await.expect(200);
    let eps = &carol["organization"]["endpoints"];
    for (name, ops) in eps.as_array().unwrap().iter().map(|e| (&e["name"], &e["operations"])) {
        assert_eq!(ops, &json!(["read"]), "a member only reads {name}");
    }
    assert_eq!(endpoint(eps, "identity:groups"), Some(&json!(["read"])));
    assert!(endpoint(eps, "identity:serviceaccounts").is_none());

    // A provider admin has the global scope (and no grants of A); an outsider nothing.
    let admin = w.admin.get(&path).await.expect(200);
    assert_eq!(admin["global"].as_array().unwrap().len(), 9);
    assert!(admin.get("organization").is_none(), "{admin}");
    // Another organization's ACL is refused, as every org-scoped read is.
    assert_id_error(&w.dave.get(&path).await, 403, "forbidden");
    assert_id_error(&w.dave.get("/api/v1/organizations/not-an-id/acl").await, 403, "forbidden");
    let ghost = "/api/v1/organizations/0195f0a2-0000-7000-8000-000000000000/acl";
    assert_id_error(&w.dave.get(ghost).await, 403, "forbidden");
    assert_id_error(&w.admin.get(ghost).await, 404, "not_found");
}

#[tokio::test]
async fn projects_come_from_linked_groups() {
    let w = world().await;
    let org = &w.org_a;
    let path = format!("/api/v1/organizations/{org}/acl");
    let ws = w.alice.create_workspace(org, "apps").await;
    let other = w.alice.create_workspace(org, "other").await;
    let role = identity_role(&w.alice, org, "workspace admin").await;
    let g = create_group(&w.alice, org, "builders", &[&w.carol_id], &[&role]).await;
    assert!(w.carol.get(&path).await.expect(200).get("projects").is_none());
    w.alice.post_empty(&format!("/api/workspaces/{ws}/teams/{g}")).await.expect(200);

    let carol = w.carol.get(&path).await.expect(200);
    let projects = carol["projects"].as_array().unwrap_or_else(|| panic!("{carol}"));
    assert_eq!(projects.len(), 1, "{carol}");
    assert_eq!(projects[0]["id"], ws.as_str());
    let eps = &projects[0]["endpoints"];
    let names: Vec<&str> = eps.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["identity:projects", "identity:allocations"], "project-scoped endpoints only");
    assert_eq!(endpoint(eps, "identity:projects"), Some(&json!(ALL_OPS)));
    assert!(!carol.to_string().contains(&other), "{carol}");
    // Alice is not in the group: the org scope covers her, no project entry.
    assert!(w.alice.get(&path).await.expect(200).get("projects").is_none());

    // Suspended: nothing at all.
    let carol_path = format!("/api/v1/organizations/{org}/users/{}", w.carol_id);
    let body = json!({"spec": {"subject": "carol@a.example", "state": "suspended", "groupIDs": [g]}});
    w.alice.put(&carol_path, body).await.expect(200);
    assert_eq!(w.carol.get(&path).await.expect(200), json!({}));
}
