//! An organization's users: listing with their roles there, adding and
//! removing them; and the public user directory.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::support::*;

/// The upstream schema's required user fields, which every `/api/users` item carries.
const PUBLIC_FIELDS: [&str; 11] = [
    "id",
    "user_id",
    "provider",
    "email",
    "first_name",
    "last_name",
    "status",
    "created_at",
    "updated_at",
    "last_login_time",
    "deleted_at",
];

fn users_path(org: &str) -> String {
    format!("/api/identity/orgs/{org}/users")
}

async fn ids(api: &Api, path: &str) -> BTreeSet<String> {
    strs(&api.get(path).await.expect(200)["data"], "id").into_iter().collect()
}

fn set(items: &[&String]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn list_shows_roles_in_the_org() {
    let w = world().await;
    let base = users_path(&w.org_a);
    let v = w.carol.get(&base).await.expect(200);
    assert_eq!((v["page"].as_u64(), v["page_size"].as_u64(), v["total_count"].as_u64()), (Some(0), Some(10), Some(2)));
    for u in v["data"].as_array().unwrap() {
        for f in ["id", "user_id", "email", "first_name", "last_name", "status", "role_names", "organizations", "teams"]
        {
            assert!(u.get(f).is_some(), "user lacks {f}: {u}");
        }
    }
    assert_eq!(w.carol.roles_of(&w.org_a, &w.alice_id).await, ["organization admin"]);
    assert_eq!(w.carol.roles_of(&w.org_a, &w.carol_id).await, ["user"]);
    assert_eq!(ids(&w.carol, &base).await, set(&[&w.alice_id, &w.carol_id]));

    // Roles are per org: the provider admin owns B but is nobody in A.
    w.admin.post_empty(&format!("{}/{}", users_path(&w.org_b), w.carol_id)).await.expect(201);
    assert_eq!(w.admin.roles_of(&w.org_b, &w.carol_id).await, ["user"]);
    assert_eq!(w.admin.roles_of(&w.org_b, &w.admin_id).await, ["admin", "organization admin"]);

    let filter = |f: Value| format!("{base}?filter={}", urlencode(&f.to_string()));
    assert_eq!(ids(&w.carol, &filter(json!({"role": "member"}))).await, set(&[&w.carol_id]));
    assert_eq!(ids(&w.carol, &filter(json!({"role": "organization admin"}))).await, set(&[&w.alice_id]));
    assert_eq!(ids(&w.carol, &format!("{base}?search=CAROL@")).await, set(&[&w.carol_id]));
    let team = w.alice.create_team(&w.org_a, "ops").await;
    w.alice.post_empty(&format!("/api/identity/orgs/{}/teams/{team}/users/{}", w.org_a, w.carol_id)).await.expect(201);
    assert_eq!(ids(&w.carol, &format!("{base}?teamId={team}")).await, set(&[&w.carol_id]));

    let one = w.carol.get(&format!("{base}?pagesize=1&page=1")).await.expect(200);
    assert_eq!((one["page"].as_u64(), one["total_count"].as_u64()), (Some(1), Some(2)));
    assert_eq!(one["data"].as_array().unwrap().len(), 1);
    // A filter that is not JSON is ignored (the reference documents no 400 for lists).
    assert_eq!(w.carol.get(&format!("{base}?filter=notjson")).await.expect(200)["total_count"], 2);
    w.carol.get(&format!("{base}?teamId=nope")).await.assert_l5_error(400, L5_BAD_REQUEST);
}

/// The list shows roles held through teams; sending it back through the
/// bulk edit changes nothing, so leaving the team still takes them away.
#[tokio::test]
async fn team_roles_show_and_survive_a_round_trip() {
    let w = world().await;
    let team = w.alice.create_team(&w.org_a, "builders").await;
    w.alice.post("/api/identity/roles", json!({"team_id": team, "roleNames": ["workspace admin"]})).await.expect(201);
    let membership = format!("/api/identity/orgs/{}/teams/{team}/users/{}", w.org_a, w.carol_id);
    w.alice.post_empty(&membership).await.expect(201);
    assert_eq!(w.alice.roles_of(&w.org_a, &w.carol_id).await, ["user", "workspace admin"]);

    let list = w.alice.get(&format!("{}?pagesize=500", users_path(&w.org_a))).await.expect(200);
    let items: Vec<Value> =
        list["data"].as_array().unwrap().iter().map(|u| json!({"id": u["id"], "roleNames": u["role_names"]})).collect();
    w.alice.put(&format!("/api/identity/orgs/{}/roles", w.org_a), Value::Array(items)).await.expect(200);
    assert_eq!(w.alice.roles_of(&w.org_a, &w.carol_id).await, ["user", "workspace admin"]);
    assert_eq!(w.alice.roles_of(&w.org_a, &w.alice_id).await, ["organization admin"]);

    w.alice.delete(&membership).await.expect_204();
    assert_eq!(w.alice.roles_of(&w.org_a, &w.carol_id).await, ["user"], "the team's role left with the team");
}

#[tokio::test]
async fn add_and_remove_members() {
    let w = world().await;
    let base = users_path(&w.org_a);
    let (frank_id, frank) = w.s.user("frank@f.example", None).await;
    let org_path = format!("/api/identity/orgs/{}", w.org_a);
    frank.get(&org_path).await.assert_l5_error(404, L5_NOT_FOUND);

    // Organization admins invite; putting an account in directly is a provider admin's power.
    w.alice.post_empty(&format!("{base}/{frank_id}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    let r = w.admin.post_empty(&format!("{base}/{frank_id}")).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(frank.get(&org_path).await.status, 200, "in at once");
    assert_eq!(w.alice.roles_of(&w.org_a, &frank_id).await, ["user"]);
    w.admin.post_empty(&format!("{base}/dave@b.example")).await.expect(201);
    assert_eq!(w.alice.roles_of(&w.org_a, &w.dave_id).await, ["user"], "by e-mail address");
    // Already a member: the reference's 400, with the reason.
    let again = w.admin.post_empty(&format!("{base}/{frank_id}")).await;
    again.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(again.text.contains("already a member"), "{}", again.text);

    w.admin.post_empty(&format!("{base}/{}", uuid::Uuid::now_v7())).await.assert_l5_error(404, L5_NOT_FOUND);
    let nobody = w.admin.post_empty(&format!("{base}/nobody@nowhere.example")).await;
    nobody.assert_l5_error(404, L5_NOT_FOUND);
    assert!(nobody.text.ends_with("no account has this e-mail address or id"), "says what is missing: {}", nobody.text);
    w.carol.post_empty(&format!("{base}/{}", w.admin_id)).await.assert_l5_error(401, L5_UNAUTHORIZED);

    // Leaving the org also leaves its teams.
    let team = w.alice.create_team(&w.org_a, "ops").await;
    w.alice.post_empty(&format!("/api/identity/orgs/{}/teams/{team}/users/{frank_id}", w.org_a)).await.expect(201);
    w.carol.delete(&format!("{base}/{frank_id}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.alice.delete(&format!("{base}/{frank_id}")).await.expect_204();
    frank.get(&org_path).await.assert_l5_error(404, L5_NOT_FOUND);
    let members = w.alice.get(&format!("/api/identity/teams/{team}/users")).await.expect(200);
    assert_eq!(members["total_count"], 0, "{members}");
    w.alice.delete(&format!("{base}/{frank_id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.delete(&format!("{base}/dave@b.example")).await.expect_204();
    w.alice.delete(&format!("{base}/{}", w.admin_id)).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(ids(&w.alice, &base).await, set(&[&w.alice_id, &w.carol_id]));

    // Users of another org do not reach this one.
    w.dave.get(&base).await.assert_l5_error(404, L5_NOT_FOUND);
    w.dave.post_empty(&format!("{base}/{}", w.dave_id)).await.assert_l5_error(404, L5_NOT_FOUND);
    w.dave.delete(&format!("{base}/{}", w.carol_id)).await.assert_l5_error(404, L5_NOT_FOUND);
    w.s.anon().get(&base).await.assert_l5_error(401, L5_UNAUTHORIZED);
}

#[tokio::test]
async fn public_directory() {
    let w = world().await;
    let anon = w.s.anon();
    let v = anon.get("/api/users").await.expect(200);
    assert_eq!(v["total_count"], 0, "nobody opted in: {v}");
    assert!(v.get("page").is_some() && v.get("page_size").is_some() && v["data"].is_array());

    w.carol.put("/api/identity/users/preferences", json!({"publicProfile": true})).await.expect(200);
    let v = anon.get("/api/users").await.expect(200);
    assert_eq!(v["total_count"], 1);
    assert_eq!(strs(&v["data"], "id"), [w.carol_id.as_str()]);
    let u = &v["data"][0];
    for k in PUBLIC_FIELDS {
        assert!(u.get(k).is_some(), "items carry the upstream user fields, {k} is missing: {u}");
    }
    for k in ["email", "bio", "provider", "status"] {
        assert!(u[k].is_string(), "{k} is a string, never null: {u}");
    }
    assert!(u.get("preferences").is_none() && u.get("organizations").is_none(), "nothing private: {u}");
    let hidden = format!("{}@hidden.invalid", w.carol_id);
    assert_eq!(
        (u["email"].as_str(), u["last_login_time"].as_str()),
        (Some(hidden.as_str()), Some("0001-01-01T00:00:00Z"))
    );
    assert!(!v.to_string().contains("carol@a.example"), "never an e-mail address that was not made public");
    // Made public, the address is shown to anyone.
    w.carol.put("/api/identity/users/preferences", json!({"publicEmail": true})).await.expect(200);
    assert_eq!(anon.get("/api/users").await.expect(200)["data"][0]["email"], "carol@a.example");
    w.carol.put("/api/identity/users/preferences", json!({"publicEmail": null})).await.expect(200);
    assert!(!anon.get("/api/users").await.expect(200).to_string().contains("carol@a.example"));

    // Colleagues appear, but without an address they did not make public;
    // strangers only if public.
    let seen = w.alice.get("/api/users?pagesize=500").await.expect(200);
    let carol = seen["data"].as_array().unwrap().iter().find(|u| u["id"] == w.carol_id.as_str()).expect("carol");
    assert_eq!(carol["email"], hidden.as_str(), "{carol}");
    assert!(!strs(&seen["data"], "id").contains(&w.dave_id));
    let seen = w.dave.get("/api/users?pagesize=500").await.expect(200);
    let ids: Vec<String> = strs(&seen["data"], "id");
    assert!(ids.contains(&w.carol_id) && !ids.contains(&w.alice_id), "{seen}");
    assert!(!seen.to_string().contains("carol@a.example"), "carol is no colleague of dave's");

    let all: BTreeSet<String> =
        strs(&w.admin.get("/api/users?pagesize=500").await.expect(200)["data"], "id").into_iter().collect();
    for id in [&w.admin_id, &w.alice_id, &w.carol_id, &w.dave_id] {
        assert!(all.contains(id.as_str()), "provider admins see everyone");
    }

    w.carol.put("/api/identity/users/preferences", json!({"publicProfile": false})).await.expect(200);
    assert_eq!(anon.get("/api/users").await.expect(200)["total_count"], 0, "opting out is immediate");
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
