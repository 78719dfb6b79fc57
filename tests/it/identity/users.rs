//! Identity face users: an organization's memberships, their state and
//! groups; new and existing accounts; suspension takes grants away.

use serde_json::{Value, json};

use crate::identity::groups::{create_group, identity_role};
use crate::identity::orgs::assert_id_error;
use crate::support::*;

fn users(org: &str) -> String {
    format!("/api/v1/organizations/{org}/users")
}

fn user_body(subject: &str, state: &str, groups: &[&str]) -> Value {
    json!({"spec": {"subject": subject, "state": state, "groupIDs": groups}})
}

fn subjects(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|u| u["spec"]["subject"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn list_create_update_delete() {
    let w = world().await;
    let org = &w.org_a;
    let g = create_group(&w.alice, org, "devs", &[&w.carol_id], &[]).await;
    let list = w.alice.get(&users(org)).await.expect(200);
    assert_eq!(subjects(&list), ["alice@a.example", "carol@a.example"]);
    let carol = &list[1];
    assert_eq!(carol["metadata"]["id"], w.carol_id.as_str());
    assert_eq!(carol["metadata"]["organizationId"], org.as_str());
    assert_eq!(carol["spec"], json!({"subject": "carol@a.example", "state": "active", "groupIDs": [g]}));
    assert!(carol["status"].is_object(), "{carol}");

    // A new account: created without a password, in the requested groups.
    let r = w.alice.post(&users(org), user_body("Erin@A.example", "pending", &[&g])).await;
    let erin = r.expect(201);
    assert_eq!(erin["spec"], json!({"subject": "erin@a.example", "state": "pending", "groupIDs": [g]}));
    let erin_id = erin["metadata"]["id"].as_str().unwrap().to_string();
    let group = w.alice.get(&format!("/api/v1/organizations/{org}/groups/{g}")).await.expect(200);
    assert_eq!(group["spec"]["userIDs"].as_array().unwrap().len(), 2, "{group}");
    // The Layer5 face lists the same membership.
    let l5 = w.alice.get(&format!("/api/identity/orgs/{org}/users?pagesize=100")).await.expect(200);
    assert!(strs(&l5["data"], "id").contains(&erin_id), "{l5}");

    assert_id_error(&w.alice.post(&users(org), user_body("erin@a.example", "active", &[])).await, 409, "conflict");

    // PUT sets state and groups; the subject stays.
    let path = format!("{}/{erin_id}", users(org));
    let got = w.alice.put(&path, user_body("erin@a.example", "active", &[])).await.expect(200);
    assert_eq!(got["spec"], json!({"subject": "erin@a.example", "state": "active", "groupIDs": []}));
    let group = w.alice.get(&format!("/api/v1/organizations/{org}/groups/{g}")).await.expect(200);
    assert_eq!(group["spec"]["userIDs"], json!([w.carol_id]));
    let r = w.alice.put(&path, user_body("other@a.example", "active", &[])).await;
    assert_id_error(&r, 400, "invalid_request");
    assert_id_error(&w.alice.put(&path, user_body("erin@a.example", "active", &["x"])).await, 400, "invalid_request");

    // DELETE: 200, and the user leaves the org's groups.
    w.alice.put(&path, user_body("erin@a.example", "active", &[&g])).await.expect(200);
    let r = w.alice.delete(&path).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(subjects(&w.alice.get(&users(org)).await.expect(200)), ["alice@a.example", "carol@a.example"]);
    let group = w.alice.get(&format!("/api/v1/organizations/{org}/groups/{g}")).await.expect(200);
    assert_eq!(group["spec"]["userIDs"], json!([w.carol_id]));
    assert_id_error(&w.alice.delete(&path).await, 404, "not_found");
}

#[tokio::test]
async fn existing_accounts_need_the_stronger_key() {
    let w = world().await;
    let org = &w.org_a;
    // dave exists (in org B): adding him without consent is not an org admin's call.
    assert_id_error(&w.alice.post(&users(org), user_body("dave@b.example", "active", &[])).await, 403, "forbidden");
    let dave = w.admin.post(&users(org), user_body("dave@b.example", "active", &[])).await.expect(201);
    assert_eq!(dave["metadata"]["id"], w.dave_id.as_str());
    // Membership alone grants nothing on this face: permissions come from groups.
    assert_id_error(&w.dave.get(&format!("/api/v1/organizations/{org}")).await, 403, "forbidden");
    let member = identity_role(&w.alice, org, "user").await;
    create_group(&w.alice, org, "readers", &[&w.dave_id], &[&member]).await;
    w.dave.get(&format!("/api/v1/organizations/{org}")).await.expect(200);

    // Members cannot add anyone; outsiders are refused; validation comes with 400.
    assert_id_error(&w.carol.post(&users(org), user_body("x@a.example", "active", &[])).await, 403, "forbidden");
    assert_id_error(&w.s.anon().get(&users(org)).await, 401, "access_denied");
    let outsider = w.s.user("zed@z.example", None).await.1;
    assert_id_error(&outsider.get(&users(org)).await, 403, "forbidden");
    assert_id_error(&w.alice.post(&users(org), user_body("not-an-email", "active", &[])).await, 400, "invalid_request");
    let r =
        w.alice.post(&users(org), json!({"spec": {"subject": "y@a.example", "state": "gone", "groupIDs": []}})).await;
    assert_id_error(&r, 400, "invalid_request");
}

#[tokio::test]
async fn suspension_takes_grants_away() {
    let w = world().await;
    let org = &w.org_a;
    let org_path = format!("/api/v1/organizations/{org}");
    w.carol.get(&org_path).await.expect(200);
    let carol = format!("{}/{}", users(org), w.carol_id);
    let got = w.alice.put(&carol, user_body("carol@a.example", "suspended", &[])).await.expect(200);
    assert_eq!(got["spec"]["state"], "suspended");
    assert_id_error(&w.carol.get(&org_path).await, 403, "forbidden");
    assert!(w.carol.get("/api/v1/organizations").await.expect(200).as_array().unwrap().is_empty());
    // Still listed, with the state.
    let list = w.alice.get(&users(org)).await.expect(200);
    assert_eq!(list[1]["spec"]["state"], "suspended");
    w.alice.put(&carol, user_body("carol@a.example", "active", &[])).await.expect(200);
    w.carol.get(&org_path).await.expect(200);

    // The last active admin cannot be suspended or removed.
    let alice = format!("{}/{}", users(org), w.alice_id);
    assert_id_error(&w.alice.put(&alice, user_body("alice@a.example", "suspended", &[])).await, 409, "conflict");
    assert_id_error(&w.alice.delete(&alice).await, 409, "conflict");
    assert_id_error(&w.carol.put(&alice, user_body("alice@a.example", "suspended", &[])).await, 403, "forbidden");
    assert_id_error(&w.carol.delete(&alice).await, 403, "forbidden");
}

#[tokio::test]
async fn the_team_key_moves_people_between_groups_but_does_not_suspend_them() {
    let w = world().await;
    let (org, alice) = (&w.org_a, &w.alice);
    let keys = ["identity.teams.members", "identity.members.read"];
    alice.give_role_with_keys(org, "team keeper", &keys, &w.carol_id).await;
    let empty = create_group(alice, org, "empty", &[], &[]).await;
    let erin = alice.post(&users(org), user_body("erin@a.example", "active", &[])).await.expect(201);
    let path = format!("{}/{}", users(org), erin["metadata"]["id"].as_str().unwrap());

    // A user read back is written back unchanged (metadata.name is the address's label form).
    let erin_of =
        |list: Value| list.as_array().unwrap().iter().find(|u| u["spec"]["subject"] == "erin@a.example").cloned();
    let mut round = erin_of(w.carol.get(&users(org)).await.expect(200)).expect("listed");
    assert_eq!(round["metadata"]["name"], "erin-a.example", "{round}");
    round["spec"]["groupIDs"] = json!([empty]);
    let body = json!({"metadata": round["metadata"], "spec": round["spec"]});
    let got = w.carol.put(&path, body).await.expect(200);
    assert_eq!(got["spec"]["groupIDs"], json!([empty]));
    // Suspending is taking access away: the remove key's call.
    assert_id_error(&w.carol.put(&path, user_body("erin@a.example", "suspended", &[])).await, 403, "forbidden");
    assert_eq!(erin_of(alice.get(&users(org)).await.expect(200)).expect("listed")["spec"]["state"], "active");
    alice.put(&path, user_body("erin@a.example", "suspended", &[])).await.expect(200);
}
