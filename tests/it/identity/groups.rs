//! Identity face groups: they are the core teams, carry roles, and can hand
//! out only what their editor holds.

use serde_json::{Value, json};

use crate::identity::orgs::assert_id_error;
use crate::support::*;

/// The built-in, protected provider admin role.
const PROVIDER_ADMIN_ROLE: &str = "2ddf0e4a-c5b8-5598-961f-405c76718bfe";

fn groups(org: &str) -> String {
    format!("/api/v1/organizations/{org}/groups")
}

pub fn group_body(name: &str, users: &[&str], roles: &[&str]) -> Value {
    json!({"metadata": {"name": name}, "spec": {"userIDs": users, "serviceAccountIDs": [], "roleIDs": roles}})
}

/// The id of a role the Identity face lists for `api` in `org`, by its core
/// name (the face shows the label form: spaces become `-`).
pub async fn identity_role(api: &Api, org: &str, name: &str) -> String {
    let v = api.get(&format!("/api/v1/organizations/{org}/roles")).await.expect(200);
    let label = name.replace(' ', "-");
    v.as_array()
        .unwrap()
        .iter()
        .find(|r| r["metadata"]["name"] == label.as_str())
        .unwrap_or_else(|| panic!("no role {name}: {v}"))["metadata"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

pub async fn create_group(api: &Api, org: &str, name: &str, users: &[&str], roles: &[&str]) -> String {
    let v = api.post(&groups(org), group_body(name, users, roles)).await.expect(201);
    v["metadata"]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn crud_round_trip_and_layer5_teams() {
    let w = world().await;
    let org = &w.org_a;
    let member = identity_role(&w.alice, org, "user").await;
    let body = json!({
        "metadata": {"name": "devs", "description": "developers", "tags": [{"name": "k", "value": "v"}]},
        "spec": {"userIDs": [w.carol_id], "serviceAccountIDs": [], "roleIDs": [member]},
    });
    let g = w.alice.post(&groups(org), body).await.expect(201);
    let md = &g["metadata"];
    assert_eq!((md["name"].as_str(), md["description"].as_str()), (Some("devs"), Some("developers")));
    assert_eq!(md["organizationId"], org.as_str());
    assert_eq!(md["tags"], json!([{"name": "k", "value": "v"}]));
    assert_eq!(md["provisioningStatus"], "provisioned");
    assert_eq!(g["spec"], json!({"userIDs": [w.carol_id], "serviceAccountIDs": [], "roleIDs": [member]}));
    let id = g["metadata"]["id"].as_str().unwrap().to_string();
    let path = format!("{}/{id}", groups(org));
    assert_eq!(w.carol.get(&path).await.expect(200), g, "a member reads the same group");

    // The group is a Layer5 team with the same members and roles.
    let team = w.alice.get(&format!("/api/identity/orgs/{org}/teams/{id}")).await.expect(200);
    assert_eq!(team["name"], "devs");
    let roles = w.alice.get(&format!("/api/identity/orgs/{org}/roles?selector=team&teamId={id}")).await.expect(200);
    assert_eq!(strs(&roles["roles"], "role_name"), ["user"]);

    // And a Layer5 team is a group.
    let l5 = w.alice.create_team(org, "ops").await;
    w.alice.post_empty(&format!("/api/identity/orgs/{org}/teams/{l5}/users/{}", w.alice_id)).await.expect(201);
    let list = w.alice.get(&groups(org)).await.expect(200);
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|g| g["metadata"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["devs", "ops"]);
    assert_eq!(list[1]["spec"]["userIDs"], json!([w.alice_id]));
    assert_eq!(list[1]["spec"]["roleIDs"], json!([]));

    // PUT replaces everything; 200 without a body.
    let admin_role = identity_role(&w.alice, org, "organization admin").await;
    let r = w.alice.put(&path, group_body("devs-2", &[&w.alice_id], &[&admin_role])).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.is_empty());
    let got = w.alice.get(&path).await.expect(200);
    assert_eq!(got["metadata"]["name"], "devs-2");
    assert!(got["metadata"].get("tags").is_none(), "{got}");
    assert_eq!(got["spec"], json!({"userIDs": [w.alice_id], "serviceAccountIDs": [], "roleIDs": [admin_role]}));

    // Duplicate names conflict.
    let r = w.alice.post(&groups(org), group_body("ops", &[], &[])).await;
    assert_id_error(&r, 409, "conflict");

    let r = w.alice.delete(&path).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_id_error(&w.alice.get(&path).await, 404, "not_found");
    w.alice.get(&format!("/api/identity/orgs/{org}/teams/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_id_error(&w.alice.delete(&path).await, 404, "not_found");
    assert_id_error(&w.alice.get(&format!("{}/not-an-id", groups(org))).await, 404, "not_found");
}

#[tokio::test]
async fn members_and_roles_are_checked() {
    let w = world().await;
    let org = &w.org_a;
    for (body, what) in [
        (group_body("a b", &[], &[]), "metadata.name"),
        (group_body("g", &[&w.dave_id], &[]), "spec.userIDs"),
        (group_body("g", &["nope"], &[]), "spec.userIDs"),
        (group_body("g", &[], &[&w.dave_id]), "spec.roleIDs"),
        (
            json!({"metadata": {"name": "g"}, "spec": {"userIDs": [], "serviceAccountIDs": [w.carol_id], "roleIDs": []}}),
            "spec.serviceAccountIDs",
        ),
    ] {
        let r = w.alice.post(&groups(org), body.clone()).await;
        assert_id_error(&r, 400, "invalid_request");
        assert!(r.json()["error_description"].as_str().unwrap().contains(what), "{body}: {}", r.text);
    }
    // All three lists are required.
    let r = w.alice.post(&groups(org), json!({"metadata": {"name": "g"}, "spec": {"userIDs": []}})).await;
    assert_id_error(&r, 400, "invalid_request");
    assert_eq!(w.alice.get(&groups(org)).await.expect(200), json!([]), "nothing was created");
}

#[tokio::test]
async fn no_escalation_through_groups() {
    let w = world().await;
    let org = &w.org_a;
    // The protected role is never handed out by a group, even by a provider admin.
    for who in [&w.alice, &w.admin] {
        let r = who.post(&groups(org), group_body("p", &[], &[PROVIDER_ADMIN_ROLE])).await;
        assert_id_error(&r, 403, "forbidden");
    }
    // A role granting what the org admin does not hold (adding existing accounts).
    let kc = w.admin.create_keychain(org, "adders").await;
    let key = w.admin.key_id("identity.members.add").await;
    w.admin.post_empty(&format!("/api/auth/keychains/{kc}/{key}")).await.expect_204();
    let role = w.admin.create_role(org, "adder").await;
    w.admin.post_empty(&format!("/api/identity/orgs/{org}/roles/{role}/keychains/{kc}")).await.expect(200);
    assert_id_error(&w.alice.post(&groups(org), group_body("x", &[], &[&role])).await, 403, "forbidden");
    let g = create_group(&w.alice, org, "x", &[], &[]).await;
    let path = format!("{}/{g}", groups(org));
    assert_id_error(&w.alice.put(&path, group_body("x", &[], &[&role])).await, 403, "forbidden");
    // The provider admin may; then alice may not put anyone into that group.
    assert_eq!(w.admin.put(&path, group_body("x", &[], &[&role])).await.status, 200);
    assert_id_error(&w.alice.put(&path, group_body("x", &[&w.carol_id], &[&role])).await, 403, "forbidden");
    // Renaming keeps what is there, which is no new grant.
    assert_eq!(w.alice.put(&path, group_body("y", &[], &[&role])).await.status, 200);
    // The roles list hides what alice cannot hand out.
    let v = w.alice.get(&format!("/api/v1/organizations/{org}/roles")).await.expect(200);
    let names: Vec<&str> = v.as_array().unwrap().iter().map(|r| r["metadata"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["organization-admin", "user", "workspace-admin"]);
    let v = w.admin.get(&format!("/api/v1/organizations/{org}/roles")).await.expect(200);
    let names: Vec<&str> = v.as_array().unwrap().iter().map(|r| r["metadata"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["adder", "organization-admin", "user", "workspace-admin"]);
    let v = w.carol.get(&format!("/api/v1/organizations/{org}/roles")).await.expect(200);
    let names: Vec<&str> = v.as_array().unwrap().iter().map(|r| r["metadata"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["user"]);
}

#[tokio::test]
async fn permissions_and_grants_follow_groups() {
    let w = world().await;
    let org = &w.org_a;
    let base = groups(org);
    assert_id_error(&w.s.anon().get(&base).await, 401, "access_denied");
    assert_id_error(&w.dave.get(&base).await, 403, "forbidden");
    assert_id_error(&w.dave.post(&base, group_body("d", &[], &[])).await, 403, "forbidden");
    assert_eq!(w.carol.get(&base).await.expect(200), json!([]));
    assert_id_error(&w.carol.post(&base, group_body("c", &[], &[])).await, 403, "forbidden");
    assert_eq!(w.dave.get(&groups(&w.org_b)).await.expect(200), json!([]));

    // Joining a group that carries the admin role grants at once, and leaving takes it away.
    let admin_role = identity_role(&w.alice, org, "organization admin").await;
    let g = create_group(&w.alice, org, "admins", &[&w.carol_id], &[&admin_role]).await;
    let c = w.carol.post(&base, group_body("c", &[], &[])).await.expect(201);
    let r = w.alice.put(&format!("{base}/{g}"), group_body("admins", &[], &[&admin_role])).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_id_error(&w.carol.post(&base, group_body("c2", &[], &[])).await, 403, "forbidden");

    // A provider admin outside the org manages its groups.
    let c = c["metadata"]["id"].as_str().unwrap();
    assert_eq!(w.admin.delete(&format!("{base}/{c}")).await.status, 200);
    assert_id_error(&w.carol.delete(&format!("{base}/{g}")).await, 403, "forbidden");
}

#[tokio::test]
async fn layer5_names_can_be_kept_and_new_ones_follow_the_rule() {
    let w = world().await;
    let org = &w.org_a;
    let team = w.alice.create_team(org, "My Team").await;
    let path = format!("{}/{team}", groups(org));
    w.alice.put(&path, group_body("My Team", &[], &[])).await.expect(200);
    assert_id_error(&w.alice.put(&path, group_body("Other Team", &[], &[])).await, 400, "invalid_request");
    w.alice.put(&path, group_body("other-team", &[], &[])).await.expect(200);

    let ws = w.alice.create_workspace(org, "My Workspace").await;
    let path = format!("/api/v1/organizations/{org}/projects/{ws}");
    let body = |name: &str| json!({"metadata": {"name": name}, "spec": {"groupIDs": []}});
    w.alice.put(&path, body("My Workspace")).await.expect(200);
    assert_id_error(&w.alice.put(&path, body("Other Workspace")).await, 400, "invalid_request");
}

#[tokio::test]
async fn groups_cannot_take_away_the_last_active_admin() {
    let w = world().await;
    let (org, alice) = (&w.org_a, &w.alice);
    let admin_role = identity_role(alice, org, "organization admin").await;
    let g = create_group(alice, org, "admins", &[&w.alice_id, &w.carol_id], &[&admin_role]).await;
    // Alice is an admin only through the group now; carol, the other one, is suspended.
    let mine = json!([{"user_id": w.alice_id, "roleNames": ["member"]}]);
    alice.put(&format!("/api/identity/orgs/{org}/roles"), mine).await.expect(200);
    let carol = json!({"spec": {"subject": "carol@a.example", "state": "suspended", "groupIDs": [g]}});
    alice.put(&format!("/api/v1/organizations/{org}/users/{}", w.carol_id), carol).await.expect(200);

    let path = format!("{}/{g}", groups(org));
    let r = alice.put(&path, group_body("admins", &[&w.carol_id], &[&admin_role])).await;
    assert_id_error(&r, 409, "conflict");
    assert_id_error(&alice.delete(&path).await, 409, "conflict");
    alice.get(&path).await.expect(200);
}

/// Taking away needs the power to give, on this face too: a holder of the
/// group keys cannot strip the admin role from a group or an admin from it,
/// and a holder of the remove key cannot remove or suspend an admin.
#[tokio::test]
async fn taking_away_through_groups_needs_the_keys() {
    let w = world().await;
    let org = &w.org_a;
    let (erin, _) = w.s.user("erin@a.example", Some((org, false))).await;
    let admin_role = identity_role(&w.alice, org, "organization admin").await;
    let g = create_group(&w.alice, org, "admins", &[&erin], &[&admin_role]).await;
    let path = format!("{}/{g}", groups(org));
    let before = w.alice.get(&path).await.expect(200);

    let keys = ["identity.teams.read", "identity.teams.update", "identity.teams.members"];
    w.alice.give_role_with_keys(org, "group editor", &keys, &w.carol_id).await;
    assert_id_error(&w.carol.put(&path, group_body("admins", &[&erin], &[])).await, 403, "forbidden");
    assert_id_error(&w.carol.put(&path, group_body("admins", &[], &[&admin_role])).await, 403, "forbidden");
    assert_eq!(w.alice.get(&path).await.expect(200), before, "nothing changed");

    let (_, oscar) = w.s.user("oscar@a.example", Some((org, false))).await;
    let oscar_id = oscar.get("/api/identity/users/profile").await.expect(200)["id"].as_str().unwrap().to_string();
    w.alice.give_role_with_keys(org, "remover", &["identity.members.remove"], &oscar_id).await;
    let users = format!("/api/v1/organizations/{org}/users");
    for admin in [&w.alice_id, &erin] {
        assert_id_error(&oscar.delete(&format!("{users}/{admin}")).await, 403, "forbidden");
    }
    let suspend = json!({"spec": {"subject": "erin@a.example", "state": "suspended", "groupIDs": [g]}});
    assert_id_error(&oscar.put(&format!("{users}/{erin}"), suspend).await, 403, "forbidden");
    assert_eq!(w.alice.get(&path).await.expect(200), before, "nothing changed");

    // The org's admin may.
    w.alice.put(&path, group_body("admins", &[], &[])).await.expect(200);
}
