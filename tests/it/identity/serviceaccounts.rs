//! Identity service accounts: the token shown once, used as a bearer token
//! on every face, kept across updates, replaced by rotation (also by the
//! account itself) and revoked at once on rotation and deletion.

use serde_json::{Value, json};

use crate::support::*;

fn sa_path(org: &str) -> String {
    format!("/api/v1/organizations/{org}/serviceaccounts")
}

fn body(name: &str, groups: &[&str]) -> Value {
    json!({"metadata": {"name": name, "description": "deploys"}, "spec": {"groupIDs": groups}})
}

/// Asserts the Identity error shape.
#[track_caller]
fn identity_error(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status, status, "body: {}", r.text);
    assert!(r.content_type().starts_with("application/json"), "{}", r.content_type());
    let v = r.json();
    assert_eq!(v["error"], code, "{v}");
    assert!(v["error_description"].as_str().is_some_and(|d| !d.is_empty()), "{v}");
}

async fn give_team_role(api: &Api, org: &str, team: &str, role: &str) {
    api.ctx(org).post("/api/identity/roles", json!({"team_id": team, "roleNames": [role]})).await.expect(201);
}

#[tokio::test]
async fn lifecycle_token_once_bearer_update_rotate_delete() {
    let w = world().await;
    let team = w.alice.create_team(&w.org_a, "deployers").await;
    let r = w.alice.post(&sa_path(&w.org_a), body("ci-bot", &[&team])).await;
    let sa = r.expect(201);
    let id = sa["metadata"]["id"].as_str().expect("id").to_string();
    let token = sa["status"]["accessToken"].as_str().expect("token shown at creation").to_string();
    assert_eq!(sa["metadata"]["organizationId"], w.org_a.as_str());
    assert_eq!(sa["metadata"]["name"], "ci-bot");
    assert_eq!(sa["spec"]["groupIDs"], json!([team]));
    // 90 days by default.
    let expiry = sa["status"]["expiry"].as_str().expect("expiry").to_string();
    let days90 = [rfc3339_in(90 * 86_400), rfc3339_in(90 * 86_400 - 120)];
    assert!(days90.iter().any(|d| d[..10] == expiry[..10]), "expiry {expiry}, expected about {}", days90[0]);

    // The token works as a bearer token on the Layer5, meshcloud and Identity faces.
    let bot = w.s.with_token(&token);
    bot.get("/api/identity/orgs").await.expect(200);
    bot.get(&format!("/api/v1/organizations/{}/acl", w.org_a)).await.expect(200);

    // Never shown again: lists and updates carry no token.
    let list = w.alice.get(&sa_path(&w.org_a)).await.expect(200);
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert!(list[0]["status"].get("accessToken").is_none(), "{list}");
    assert_eq!(list[0]["status"]["expiry"], expiry.as_str());
    let up = w.alice.put(&format!("{}/{id}", sa_path(&w.org_a)), body("ci-bot-2", &[])).await.expect(200);
    assert!(up["status"].get("accessToken").is_none(), "{up}");
    assert_eq!((up["metadata"]["name"].as_str(), up["spec"]["groupIDs"].clone()), (Some("ci-bot-2"), json!([])));
    assert_eq!(up["status"]["expiry"], expiry.as_str(), "an update keeps the token and its expiry");
    bot.get("/api/identity/orgs").await.expect(200);

    // Not a person: the Layer5 org user list leaves it out.
    let users = w.alice.get(&format!("/api/identity/orgs/{}/users?pagesize=500", w.org_a)).await.expect(200);
    assert!(!users.to_string().contains("serviceaccounts.invalid"), "{users}");

    // Self-service: it lists only itself and rotates itself without any key.
    let other = w.alice.post(&sa_path(&w.org_a), body("other-bot", &[])).await.expect(201);
    let mine = bot.get(&sa_path(&w.org_a)).await.expect(200);
    assert_eq!(mine.as_array().map(Vec::len), Some(1), "{mine}");
    assert_eq!(mine[0]["metadata"]["id"], id.as_str());
    let all = w.alice.get(&sa_path(&w.org_a)).await.expect(200);
    assert_eq!(
        all.as_array().expect("list").iter().map(|s| s["metadata"]["name"].clone()).collect::<Vec<_>>(),
        [json!("ci-bot-2"), json!("other-bot")],
        "sorted by name"
    );
    let other_id = other["metadata"]["id"].as_str().expect("id");
    identity_error(&bot.post_empty(&format!("{}/{other_id}/rotate", sa_path(&w.org_a))).await, 403, "forbidden");

    // A token the account issues itself on the Layer5 face does not outlive a rotation.
    let (_, side_token) = bot.create_token("side").await;
    let side = w.s.with_token(&side_token);
    side.get("/api/identity/orgs").await.expect(200);
    let rotated = bot.post_empty(&format!("{}/{id}/rotate", sa_path(&w.org_a))).await.expect(200);
    assert_eq!(side.get("/api/identity/orgs").await.status, 401);
    let token2 = rotated["status"]["accessToken"].as_str().expect("new token").to_string();
    assert_ne!(token2, token);
    identity_error(&bot.get("/api/v1/organizations").await, 401, "access_denied");
    assert_eq!(bot.get("/api/identity/orgs").await.status, 401, "the old token stops working at once");
    let bot2 = w.s.with_token(&token2);
    bot2.get("/api/identity/orgs").await.expect(200);

    // Rotation by an administrator, then deletion: each revokes at once.
    let rotated = w.alice.post_empty(&format!("{}/{id}/rotate", sa_path(&w.org_a))).await.expect(200);
    let token3 = rotated["status"]["accessToken"].as_str().expect("new token").to_string();
    assert_eq!(bot2.get("/api/identity/orgs").await.status, 401);
    let bot3 = w.s.with_token(&token3);
    bot3.get("/api/identity/orgs").await.expect(200);
    let r = w.alice.delete(&format!("{}/{id}", sa_path(&w.org_a))).await;
    assert_eq!((r.status, r.text.as_str()), (200, ""));
    assert_eq!(bot3.get("/api/identity/orgs").await.status, 401, "deletion revokes at once");
    let left = w.alice.get(&sa_path(&w.org_a)).await.expect(200);
    assert_eq!(left.as_array().map(Vec::len), Some(1));
    identity_error(&w.alice.delete(&format!("{}/{id}", sa_path(&w.org_a))).await, 404, "not_found");
}

#[tokio::test]
async fn a_service_account_acts_through_its_groups() {
    let w = world().await;
    let team = w.alice.create_team(&w.org_a, "admins").await;
    give_team_role(&w.alice, &w.org_a, &team, "organization admin").await;
    let plain = w.alice.post(&sa_path(&w.org_a), body("plain", &[])).await.expect(201);
    let plain = w.s.with_token(plain["status"]["accessToken"].as_str().expect("token"));
    identity_error(&plain.post(&sa_path(&w.org_a), body("made-by-bot", &[])).await, 403, "forbidden");

    let admin = w.alice.post(&sa_path(&w.org_a), body("admin-bot", &[&team])).await.expect(201);
    let id = admin["metadata"]["id"].as_str().expect("id").to_string();
    let bot = w.s.with_token(admin["status"]["accessToken"].as_str().expect("token"));
    bot.post(&sa_path(&w.org_a), body("made-by-bot", &[])).await.expect(201);
    // Leaving the group takes the rights away at once (no stale cached grants).
    w.alice.put(&format!("{}/{id}", sa_path(&w.org_a)), body("admin-bot", &[])).await.expect(200);
    identity_error(&bot.post(&sa_path(&w.org_a), body("second", &[])).await, 403, "forbidden");
}

#[tokio::test]
async fn permissions_validation_and_conflicts() {
    let w = world().await;
    let path = sa_path(&w.org_a);
    // A member without the keys and an outsider are refused.
    identity_error(&w.carol.get(&path).await, 403, "forbidden");
    identity_error(&w.carol.post(&path, body("x", &[])).await, 403, "forbidden");
    identity_error(&w.dave.get(&path).await, 403, "forbidden");
    identity_error(&w.dave.post(&path, body("x", &[])).await, 403, "forbidden");
    identity_error(&w.s.anon().get(&path).await, 401, "access_denied");

    identity_error(&w.alice.post(&path, body("-bad name", &[])).await, 400, "invalid_request");
    let stranger = w.admin.create_team(&w.org_b, "b-team").await;
    identity_error(&w.alice.post(&path, body("bot", &[&stranger])).await, 400, "invalid_request");
    identity_error(&w.alice.post(&path, body("bot", &["not-a-uuid"])).await, 400, "invalid_request");
    assert_eq!(w.alice.get(&path).await.expect(200), json!([]), "nothing was created");
    w.alice.post(&path, body("bot", &[])).await.expect(201);
    identity_error(&w.alice.post(&path, body("bot", &[])).await, 409, "conflict");
    let missing = uuid::Uuid::new_v4();
    identity_error(&w.alice.post_empty(&format!("{path}/{missing}/rotate")).await, 404, "not_found");
    identity_error(&w.alice.put(&format!("{path}/{missing}"), body("bot2", &[])).await, 404, "not_found");
    // Another org's admin cannot touch org A's accounts.
    let a_list = w.alice.get(&path).await.expect(200);
    let id = a_list[0]["metadata"]["id"].as_str().expect("id");
    identity_error(&w.dave.delete(&format!("{path}/{id}")).await, 403, "forbidden");
}

#[tokio::test]
async fn rotating_another_account_needs_what_it_holds() {
    let w = world().await;
    let (org, alice) = (&w.org_a, &w.alice);
    let admins = alice.create_team(org, "admins").await;
    give_team_role(alice, org, &admins, "organization admin").await;
    let ops = alice.post(&sa_path(org), body("ops", &[&admins])).await.expect(201);
    let ops_id = ops["metadata"]["id"].as_str().expect("id").to_string();
    let plain = alice.post(&sa_path(org), body("plain", &[])).await.expect(201);
    let plain_id = plain["metadata"]["id"].as_str().expect("id").to_string();
    // Carol may manage service accounts, nothing more.
    alice.give_role_with_keys(org, "sa manager", &["identity.serviceaccounts.manage"], &w.carol_id).await;

    // Rotating the admin account would hand her an admin's token.
    let r = w.carol.post_empty(&format!("{}/{ops_id}/rotate", sa_path(org))).await;
    identity_error(&r, 403, "forbidden");
    // The old token still works: nothing changed.
    let old = ops["status"]["accessToken"].as_str().expect("token");
    w.s.with_token(old).get(&format!("/api/v1/organizations/{org}/acl")).await.expect(200);
    // An account holding nothing she lacks rotates.
    w.carol.post_empty(&format!("{}/{plain_id}/rotate", sa_path(org))).await.expect(200);
    // The organization admin may rotate either.
    alice.post_empty(&format!("{}/{ops_id}/rotate", sa_path(org))).await.expect(200);
}

/// Taking an admin service account's groups away, or deleting it, takes an
/// admin's access: a holder of the service-account key alone may not.
#[tokio::test]
async fn taking_from_an_admin_account_needs_an_admin() {
    let w = world().await;
    let (org, alice) = (&w.org_a, &w.alice);
    let admins = alice.create_team(org, "admins").await;
    give_team_role(alice, org, &admins, "organization admin").await;
    let ops = alice.post(&sa_path(org), body("ops", &[&admins])).await.expect(201);
    let ops_path = format!("{}/{}", sa_path(org), ops["metadata"]["id"].as_str().expect("id"));
    let plain = alice.post(&sa_path(org), body("plain", &[])).await.expect(201);
    let plain_path = format!("{}/{}", sa_path(org), plain["metadata"]["id"].as_str().expect("id"));
    alice.give_role_with_keys(org, "sa manager", &["identity.serviceaccounts.manage"], &w.carol_id).await;

    identity_error(&w.carol.put(&ops_path, body("ops", &[])).await, 403, "forbidden");
    identity_error(&w.carol.delete(&ops_path).await, 403, "forbidden");
    let token = ops["status"]["accessToken"].as_str().expect("token");
    let acl = w.s.with_token(token).get(&format!("/api/v1/organizations/{org}/acl")).await.expect(200);
    assert!(acl["organization"]["endpoints"].to_string().contains("delete"), "still an admin: {acl}");
    w.carol.delete(&plain_path).await.expect(200);
    alice.delete(&ops_path).await.expect(200);
}
