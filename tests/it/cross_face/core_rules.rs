//! Each core rule driven through both faces that reach it (Layer5 and the
//! Identity API): the result must be the same whichever face asks.

use serde_json::{Value, json};

use crate::identity::groups::{create_group, identity_role};
use crate::identity::orgs::assert_id_error;
use crate::support::scheduler::{clocked_world, manual_clock, run_job};
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
    w.alice.delete(&l5_alice).await.assert_l5_error(400, L5_BAD_REQUEST);
    assert_id_error(&w.alice.delete(&member(org, &w.alice_id)).await, 409, "conflict");
    let demote = json!([{"user_id": w.alice_id, "roleNames": ["member"]}]);
    w.alice.put(&format!("/api/identity/orgs/{org}/roles"), demote.clone()).await.assert_l5_error(400, L5_BAD_REQUEST);

    // Carol becomes a second admin, then is suspended on the Identity face.
    let admin = json!({"email": "carol@a.example", "roleNames": ["organization admin"]});
    w.alice.ctx(org).post("/api/identity/roles", admin).await.expect(201);
    w.alice.put(&member(org, &w.carol_id), state_body("carol@a.example", "suspended")).await.expect(200);

    // The only active admin is still alice, whichever face asks.
    w.alice.delete(&l5_alice).await.assert_l5_error(400, L5_BAD_REQUEST);
    w.alice.put(&format!("/api/identity/orgs/{org}/roles"), demote.clone()).await.assert_l5_error(400, L5_BAD_REQUEST);
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
    w.alice.delete(&format!("/api/identity/orgs/{org}/teams/{team}")).await.assert_l5_error(400, L5_BAD_REQUEST);
    assert_id_error(&w.alice.delete(&format!("/api/v1/organizations/{org}/groups/{team}")).await, 409, "conflict");
    let gone = format!("/api/identity/orgs/{org}/teams/{team}/users/{}", w.alice_id);
    w.alice.delete(&gone).await.assert_l5_error(400, L5_BAD_REQUEST);
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

/// A workspace is deleted in one place whichever face asks: a soft delete
/// that drops its links, seen the same way from the other face.
#[tokio::test]
async fn a_deleted_workspace_is_gone_from_both_faces() {
    let clock = manual_clock();
    let w = clocked_world(&clock).await;
    let org = &w.org_a;
    let team = w.alice.create_team(org, "builders").await;
    for face in ["layer5", "identity"] {
        let ws = w.alice.create_workspace(org, &format!("ws-{face}")).await;
        w.alice.post_empty(&format!("/api/workspaces/{ws}/teams/{team}")).await.expect(200);
        if face == "layer5" {
            w.alice.delete(&format!("/api/workspaces/{ws}")).await.expect_204();
        } else {
            let r = w.alice.delete(&project(org, &ws)).await;
            assert_eq!(r.status, 202, "{}", r.text);
            // The provisioning job finishes the delete.
            run_job(&w.s, &clock, "provisioning").await;
        }
        assert_eq!(w.alice.get(&project(org, &ws)).await.status, 404, "{face}");
        w.alice.get(&format!("/api/workspaces/{ws}")).await.assert_l5_error(404, L5_NOT_FOUND);
        let deleted = w.alice.get("/api/workspaces?filter=%7B%22deleted%22%3Atrue%7D").await;
        let deleted = deleted.json();
        assert!(deleted.to_string().contains(&ws), "{face}: soft-deleted, listed as such: {deleted}");
        // Its link to the team went with it: the team is linked nowhere.
        let holding = w.alice.get(&format!("/api/workspaces/{ws}/teams")).await;
        assert_eq!(holding.status, 404, "{face}: {}", holding.text);
    }
}

/// Grants resolve the same way for both faces: a role bound on one face
/// is held on the other, and taking it away there takes it away here.
#[tokio::test]
async fn grants_bound_on_one_face_hold_on_the_other() {
    let w = world().await;
    let org = &w.org_a;
    let acl = format!("/api/v1/organizations/{org}/acl");
    let groups_ops = |v: &Value| {
        v["organization"]["endpoints"]
            .as_array()
            .and_then(|eps| eps.iter().find(|e| e["name"] == "identity:groups"))
            .map(|e| e["operations"].clone())
    };
    assert_eq!(groups_ops(&w.carol.get(&acl).await.expect(200)), Some(json!(["read"])));

    // Bound on Layer5 (through a team): the Identity ACL and the Identity API follow.
    let team = w.alice.create_team(org, "admins").await;
    let bind = json!({"team_id": team, "roleNames": ["organization admin"]});
    w.alice.ctx(org).post("/api/identity/roles", bind).await.expect(201);
    w.alice.post_empty(&format!("/api/identity/orgs/{org}/teams/{team}/users/{}", w.carol_id)).await.expect(201);
    let ops = groups_ops(&w.carol.get(&acl).await.expect(200));
    assert_eq!(ops, Some(json!(["create", "read", "update", "delete"])), "{ops:?}");
    create_group(&w.carol, org, "made-by-carol", &[], &[]).await;

    // Taken away on the Identity face (carol leaves the group): Layer5 follows.
    let body = json!({"metadata": {"name": "admins"}, "spec": {"userIDs": [], "serviceAccountIDs": [], "roleIDs": [identity_role(&w.alice, org, "organization admin").await]}});
    w.alice.put(&format!("/api/v1/organizations/{org}/groups/{team}"), body).await.expect(200);
    w.carol
        .post(&format!("/api/identity/orgs/{org}/teams"), json!({"name": "nope"}))
        .await
        .assert_l5_error(401, L5_UNAUTHORIZED);
    assert_eq!(groups_ops(&w.carol.get(&acl).await.expect(200)), Some(json!(["read"])));
}

/// A member added on either face is the same membership on both: listed by
/// both faces, in the state it was given, reachable by its credentials.
#[tokio::test]
async fn a_member_added_on_either_face_is_a_member_on_both() {
    let w = world().await;
    let org = &w.org_a;
    let (frank_id, frank) = w.s.user("frank@f.example", None).await;
    let (gina_id, _) = w.s.user("gina@g.example", None).await;
    // Frank on Layer5 (with the member role, as that face documents).
    w.admin.post_empty(&format!("/api/identity/orgs/{org}/users/{frank_id}")).await.expect(201);
    // Gina on the Identity face, pending (grants only through groups there).
    let body = json!({"spec": {"subject": "gina@g.example", "state": "pending", "groupIDs": []}});
    w.admin.post(&format!("/api/v1/organizations/{org}/users"), body).await.expect(201);

    let l5 = w.alice.get(&format!("/api/identity/orgs/{org}/users?pagesize=50")).await.expect(200);
    let l5_ids = strs(&l5["data"], "id");
    let id_face = w.alice.get(&format!("/api/v1/organizations/{org}/users")).await.expect(200);
    let states: Vec<(String, String)> = id_face
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["metadata"]["id"].as_str().unwrap().to_string(), u["spec"]["state"].as_str().unwrap().to_string()))
        .collect();
    for (id, state) in [(&frank_id, "active"), (&gina_id, "pending")] {
        assert!(l5_ids.contains(id), "{id} on Layer5: {l5}");
        assert!(states.contains(&(id.clone(), state.to_string())), "{id} {state} on the Identity face: {id_face}");
    }
    // Frank's member role reads the org on both faces.
    frank.get(&format!("/api/identity/orgs/{org}")).await.expect(200);
    frank.get(&format!("/api/v1/organizations/{org}/groups")).await.expect(200);
}

/// An organization left without an active admin (possible in data written
/// before the rule covered both faces) is not blocked by unrelated changes;
/// a change that would drop a remaining active admin still is.
#[tokio::test]
async fn an_org_without_an_active_admin_is_not_blocked() {
    let w = world().await;
    let org = &w.org_a;
    let team = w.admin.create_team(org, "bystanders").await;
    let db = rusqlite::Connection::open(w.s.data_dir.join("meshcloud.db")).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    let n = db
        .execute(
            "UPDATE org_members SET state = 'suspended'
              WHERE org_id = (SELECT id FROM organizations WHERE uuid = ?1)
                AND user_id = (SELECT id FROM users WHERE uuid = ?2)",
            [org.as_str(), w.alice_id.as_str()],
        )
        .unwrap();
    assert_eq!(n, 1);
    drop(db);
    w.admin.delete(&format!("/api/identity/orgs/{org}/teams/{team}")).await.expect_204();
    w.admin.delete(&format!("/api/identity/orgs/{org}/users/{}", w.carol_id)).await.expect_204();
}
