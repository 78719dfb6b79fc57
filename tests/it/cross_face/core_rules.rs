//! Each core rule driven through both faces that reach it (Layer5 and the
//! Identity API): the result must be the same whichever face asks.

use serde_json::{Value, json};

use crate::identity::groups::{create_group, identity_role};
use crate::identity::orgs::assert_id_error;
use crate::support::*;

fn project(org: &str, ws: &str) -> String {
    format!("/api/v1/organizations/{org}/projects/{ws}")
}

fn member(org: &str, user: &str) -> String {
    format!("/api/v1/organizations/{org}/users/{user}")
}

fn state_body(subject: &str, state: &str) -> Value {
    json!({"spec": {"subject": subject, "state": state, "groupIDs": []}})
}

/// The Layer5 team list of a workspace and the Identity project's groupIDs.
async fn team_links(w: &World, ws: &str) -> (Vec<String>, Value) {
    let v = w.alice.get(&format!("/api/workspaces/{ws}/teams")).await.expect(200);
    let teams = strs(&v["teams"], "id");
    let p = w.alice.get(&project(&w.org_a, ws)).await.expect(200);
    (teams, p["spec"]["groupIDs"].clone())
}

/// A team deleted on either face, or tombstoned on Layer5, leaves every
/// workspace it was assigned to, as both faces show it.
#[tokio::test]
async fn a_deleted_team_leaves_its_workspaces_on_both_faces() {
    let w = world().await;
    let org = &w.org_a;
    let ws = w.alice.create_workspace(org, "shared").await;
    for how in ["layer5 delete", "layer5 tombstone", "identity delete"] {
        let team = w.alice.create_team(org, &format!("t {how}")).await;
        w.alice.post_empty(&format!("/api/workspaces/{ws}/teams/{team}")).await.expect(200);
        assert_eq!(team_links(&w, &ws).await, (vec![team.clone()], json!([team])), "{how}");
        match how {
            "layer5 delete" => w.alice.delete(&format!("/api/identity/orgs/{org}/teams/{team}")).await.expect_204(),
            "layer5 tombstone" => {
                let path = format!("/api/identity/orgs/{org}/teams/{team}");
                let r = w.alice.post(&path, json!({"action": "delete"})).await;
                assert!((200..300).contains(&r.status), "{how}: {} {}", r.status, r.text);
            }
            _ => {
                w.alice.delete(&format!("/api/v1/organizations/{org}/groups/{team}")).await.expect(200);
            }
        }
        assert_eq!(team_links(&w, &ws).await, (vec![], json!([])), "{how}");
    }
}

/// An organization keeps an active admin. A suspended admin (a state only
/// the Identity face sets) does not count on the Layer5 face either.
#[tokio::test]
async fn the_last_active_admin_is_kept_on_both_faces() {
    let w = world().await;
    let org = &w.org_a;
    // Alone, alice can be neither removed nor demoted on either face.
    let l5_alice = format!("/api/identity/orgs/{org}/users/{}", w.alice_id);
    w.alice.delete(&l5_alice).await.assert_l5_error(409, "");
    assert_id_error(&w.alice.delete(&member(org, &w.alice_id)).await, 409, "conflict");
    let demote = json!([{"user_id": w.alice_id, "roleNames": ["member"]}]);
    w.alice.put(&format!("/api/identity/orgs/{org}/roles"), demote.clone()).await.assert_l5_error(409, "");

    // Carol becomes a second admin, then is suspended on the Identity face.
    let admin = json!({"email": "carol@a.example", "roleNames": ["organization admin"]});
    w.alice.ctx(org).post("/api/identity/roles", admin).await.expect(201);
    w.alice.put(&member(org, &w.carol_id), state_body("carol@a.example", "suspended")).await.expect(200);

    // The only active admin is still alice, whichever face asks.
    w.alice.delete(&l5_alice).await.assert_l5_error(409, "");
    w.alice.put(&format!("/api/identity/orgs/{org}/roles"), demote.clone()).await.assert_l5_error(409, "");
    let team = w.alice.create_team(org, "admins").await;
    w.alice
        .ctx(org)
        .post("/api/identity/roles", json!({"team_id": team, "roleNames": ["organization admin"]}))
        .await
        .expect(201);
    w.alice.post_empty(&format!("/api/identity/orgs/{org}/teams/{team}/users/{}", w.alice_id)).await.expect(201);
    // Alice now holds the role twice (directly and through the team):
    // dropping the direct binding is fine, removing the team is not.
    w.alice.put(&format!("/api/identity/orgs/{org}/roles"), demote).await.expect(200);
    w.alice.delete(&format!("/api/identity/orgs/{org}/teams/{team}")).await.assert_l5_error(409, "");
    assert_id_error(&w.alice.delete(&format!("/api/v1/organizations/{org}/groups/{team}")).await, 409, "conflict");
    let gone = format!("/api/identity/orgs/{org}/teams/{team}/users/{}", w.alice_id);
    w.alice.delete(&gone).await.assert_l5_error(409, "");
    assert_id_error(
        &w.alice.put(&member(org, &w.alice_id), state_body("alice@a.example", "suspended")).await,
        409,
        "conflict",
    );

    // Carol active again: now alice may go, on either face.
    w.alice.put(&member(org, &w.carol_id), state_body("carol@a.example", "active")).await.expect(200);
    w.alice.delete(&gone).await.expect_204();
    let roles = w.carol.roles_of(org, &w.carol_id).await;
    assert!(roles.contains(&"organization admin".to_string()), "{roles:?}");
}

/// Removing a member takes their team memberships and direct roles with
/// them on both faces: added back, they hold nothing but what they are given.
#[tokio::test]
async fn a_removed_member_keeps_nothing_on_both_faces() {
    let w = world().await;
    let org = &w.org_a;
    let admin_role = identity_role(&w.alice, org, "organization admin").await;
    for face in ["layer5", "identity"] {
        let group = create_group(&w.alice, org, &format!("g-{face}"), &[&w.carol_id], &[]).await;
        let wa = json!({"email": "carol@a.example", "roleNames": ["workspace admin"]});
        w.alice.ctx(org).post("/api/identity/roles", wa).await.expect(201);
        if face == "layer5" {
            w.alice.delete(&format!("/api/identity/orgs/{org}/users/{}", w.carol_id)).await.expect_204();
            // Adding an existing account back takes the provider admin's key.
            w.admin.post_empty(&format!("/api/identity/orgs/{org}/users/{}", w.carol_id)).await.expect(201);
        } else {
            w.alice.delete(&member(org, &w.carol_id)).await.expect(200);
            let body = json!({"spec": {"subject": "carol@a.example", "state": "active", "groupIDs": []}});
            w.admin.post(&format!("/api/v1/organizations/{org}/users"), body).await.expect(201);
        }
        let g = w.alice.get(&format!("/api/v1/organizations/{org}/groups/{group}")).await.expect(200);
        assert_eq!(g["spec"]["userIDs"], json!([]), "{face}");
        let roles = w.alice.roles_of(org, &w.carol_id).await;
        assert!(!roles.iter().any(|r| r == "workspace admin"), "{face}: {roles:?}");
        // Grants follow: carol cannot use what she held before.
        let body = json!({"metadata": {"name": format!("x-{face}")}, "spec": {"userIDs": [], "serviceAccountIDs": [], "roleIDs": [admin_role]}});
        let r = w.carol.post(&format!("/api/v1/organizations/{org}/groups"), body).await;
        assert_id_error(&r, 403, "forbidden");
    }
}
