//! Who may do what, in which organization. Layer5 folds "insufficient
//! privilege" into 401; an org the caller does not belong to is "not found".

use serde_json::json;

use crate::support::*;

struct World {
    s: Server,
    admin: Api,
    alice: Api,
    carol: Api,
    bob: Api,
    org_a: String,
    alice_id: String,
    carol_id: String,
    bob_id: String,
}

/// alice owns org A (admin), carol is a plain member of A, bob owns org B.
async fn world() -> World {
    let s = Server::start().await;
    let admin = s.admin().await;
    let (alice_id, alice) = s.user("alice@a.example", None).await;
    let org_a = alice.create_org(json!({"name": "A"})).await;
    // Only a provider admin binds a domain directly.
    let bound = admin.put(&format!("/api/identity/orgs/{org_a}"), json!({"domain": "a.example"})).await;
    assert_eq!(bound.status, 200, "{}", bound.text);
    let (carol_id, carol) = s.user("carol@c.example", Some((&org_a, false))).await;
    let (bob_id, bob) = s.user("bob@b.example", None).await;
    bob.create_org(json!({"name": "B"})).await;
    World { s, admin, alice, carol, bob, org_a, alice_id, carol_id, bob_id }
}

#[tokio::test]
async fn organization_matrix() {
    let w = world().await;
    let path = format!("/api/identity/orgs/{}", w.org_a);
    let prefs = format!("{path}/preferences");

    // (who, read, preferences, update, by-domain)
    for (who, api, read, update) in [
        ("provider admin", &w.admin, 200, 200),
        ("org admin", &w.alice, 200, 200),
        ("member", &w.carol, 200, 401),
        ("outsider", &w.bob, 404, 404),
    ] {
        assert_eq!(api.get(&path).await.status, read, "{who} reads org A");
        assert_eq!(api.get(&prefs).await.status, read, "{who} reads org A preferences");
        let r = api.put(&path, json!({"description": format!("by {who}")})).await;
        assert_eq!(r.status, update, "{who} updates org A: {}", r.text);
        if update == 401 {
            r.assert_l5_error(401, L5_UNAUTHORIZED);
        }
        if read == 404 {
            api.get(&path).await.assert_l5_error(404, L5_NOT_FOUND);
        }
    }
    // The outsider's denied update changed nothing.
    let now = w.alice.get(&path).await.json();
    assert_eq!(now["organizations"][0]["description"], "by org admin");

    // Lists show only memberships.
    let names = |v: serde_json::Value| -> Vec<String> {
        v["organizations"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(names(w.carol.get("/api/identity/orgs").await.json()), ["A"]);
    assert_eq!(names(w.bob.get("/api/identity/orgs").await.json()), ["B"]);

    // Domain discovery does not leak to outsiders.
    w.bob.get("/api/identity/orgs/by-domain?domain=a.example").await.assert_l5_error(404, "Organization not found");
    assert_eq!(w.carol.get("/api/identity/orgs/by-domain?domain=a.example").await.status, 200);

    // Delete: members and outsiders cannot; the org admin can.
    w.carol.delete(&path).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.bob.delete(&path).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(w.alice.get(&path).await.status, 200, "still there");
    assert_eq!(w.alice.delete(&path).await.status, 204);
    assert_eq!(w.carol.get(&path).await.status, 404);
}

#[tokio::test]
async fn provider_admin_can_delete_any_org() {
    let w = world().await;
    assert_eq!(w.admin.delete(&format!("/api/identity/orgs/{}", w.org_a)).await.status, 204);
    assert_eq!(w.alice.get(&format!("/api/identity/orgs/{}", w.org_a)).await.status, 404);
}

#[tokio::test]
async fn profiles_are_visible_within_shared_orgs() {
    let w = world().await;
    let carol_path = format!("/api/identity/users/profile/{}", w.carol_id);
    let bob_path = format!("/api/identity/users/profile/{}", w.bob_id);
    let r = w.alice.get(&carol_path).await;
    assert_eq!(r.status, 200, "alice shares org A with carol");
    assert_eq!(r.json()["email"], "carol@c.example");
    w.alice.get(&bob_path).await.assert_l5_error(404, L5_NOT_FOUND);
    w.bob.get(&carol_path).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(w.admin.get(&bob_path).await.status, 200);
    assert_eq!(w.bob.get(&bob_path).await.status, 200, "everyone sees themselves");

    // A colleague sees only the organizations they share, and no private preferences.
    w.alice.create_org(json!({"name": "alice's side project"})).await;
    w.alice.put("/api/identity/users/preferences", json!({"theme": "dark"})).await;
    let seen = w.carol.get(&format!("/api/identity/users/profile/{}", w.alice_id)).await.json();
    let names: Vec<&str> = seen["organizations"]["organizations_with_roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["A"]);
    assert!(seen["preferences"].get("theme").is_none(), "private preferences stay private: {seen}");
    assert_eq!(seen["preferences"]["selectedOrganizationId"], NIL_UUID);
    let own = w.alice.get(&format!("/api/identity/users/profile/{}", w.alice_id)).await.json();
    assert_eq!(own["organizations"]["total_count"], 2);
    assert_eq!(own["preferences"]["theme"], "dark");
}

#[tokio::test]
async fn tokens_are_private_to_their_owner() {
    let w = world().await;
    let (alice_token, _) = w.alice.create_token("alices").await;
    let path = format!("/api/identity/tokens/{alice_token}");
    assert_eq!(w.alice.get(&path).await.status, 200);
    w.bob.get(&path).await.assert_l5_error(404, L5_NOT_FOUND);
    w.bob.delete(&format!("/api/identity/tokens?tokenId={alice_token}")).await.assert_l5_error(400, L5_BAD_REQUEST);
    assert_eq!(w.alice.get(&path).await.status, 200, "bob's attempt revoked nothing");
    let listed = w.bob.get("/api/identity/tokens").await.json();
    assert!(listed["tokens"].as_array().unwrap().iter().all(|t| t["id"] != alice_token.as_str()));
    // A provider admin may inspect and revoke any token.
    assert_eq!(w.admin.get(&path).await.status, 200);
    assert_eq!(w.admin.delete(&format!("/api/identity/tokens?tokenId={alice_token}")).await.status, 200);
    w.alice.get(&path).await.assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn infinite_tokens_are_for_provider_admins() {
    let w = world().await;
    let path = format!("/api/identity/tokens/infinite?userId={}&provider=meshery", w.bob_id);
    w.alice.get(&path).await.assert_l5_error(401, L5_UNAUTHORIZED);
    let r = w.admin.get(&path).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    let token = &v["tokens"][0];
    assert_eq!(token["user_id"], w.bob_id.as_str());
    assert_eq!(token["provider"], "meshery");
    let as_bob = w.s.with_token(token["access_token"].as_str().unwrap());
    let me = as_bob.get("/api/identity/users/profile").await;
    assert_eq!(me.json()["id"], w.bob_id.as_str(), "the token acts as its owner");

    let unknown = format!("/api/identity/tokens/infinite?userId={}&provider=x", uuid::Uuid::now_v7());
    w.admin.get(&unknown).await.assert_l5_error(404, L5_NOT_FOUND);
    w.admin.get("/api/identity/tokens/infinite?userId=nope&provider=x").await.assert_l5_error(400, L5_BAD_REQUEST);
    w.admin
        .get(&format!("/api/identity/tokens/infinite?userId={}", w.bob_id))
        .await
        .assert_l5_error(400, L5_BAD_REQUEST);
}

#[tokio::test]
async fn org_creation_can_be_reserved_to_provider_admins() {
    let s = Server::start_with(|c| c.allow_user_org_creation = false).await;
    let admin = s.admin().await;
    let (_, user) = s.user("u@example.com", None).await;
    user.post("/api/identity/orgs", json!({"name": "mine"})).await.assert_l5_error(401, L5_UNAUTHORIZED);
    assert_eq!(admin.post("/api/identity/orgs", json!({"name": "ok"})).await.status, 201);
}
