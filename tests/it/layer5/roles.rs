//! Roles: built-in and custom, their keychains, who holds them, and the
//! guarantee that a change to any of it governs the very next request.

use reqwest::Method;
use serde_json::json;

use crate::support::*;

const BUILT_IN: [&str; 4] = ["admin", "organization admin", "user", "workspace admin"];

fn roles_path(org: &str) -> String {
    format!("/api/identity/orgs/{org}/roles")
}

async fn role_names(api: &Api, path: &str) -> Vec<String> {
    let v = api.get(path).await.expect(200);
    let mut names = strs(&v["roles"], "role_name");
    names.sort();
    names
}

fn sorted(names: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

#[tokio::test]
async fn built_in_roles_and_selectors() {
    let w = world().await;
    let base = roles_path(&w.org_a);
    let v = w.carol.get(&base).await.expect(200);
    assert_eq!(v["total_count"], 4, "{v}");
    assert!(v.get("page").is_some() && v.get("page_size").is_some());
    for r in v["roles"].as_array().unwrap() {
        assert!(r["id"].is_string() && r["description"].is_string(), "{r}");
    }
    assert_eq!(role_names(&w.carol, &base).await, BUILT_IN);
    assert_eq!(role_names(&w.carol, &format!("{base}?selector=provider")).await, ["admin"]);
    assert_eq!(
        role_names(&w.carol, &format!("{base}?selector=organization")).await,
        ["organization admin", "user", "workspace admin"]
    );
    let team = w.alice.create_team(&w.org_a, "ops").await;
    assert!(role_names(&w.carol, &format!("{base}?selector=team&teamId={team}")).await.is_empty());
    w.alice.post("/api/identity/roles", json!({"team_id": team, "roleNames": ["workspace admin"]})).await.expect(201);
    assert_eq!(role_names(&w.carol, &format!("{base}?selector=team&teamId={team}")).await, ["workspace admin"]);
    w.carol.get(&format!("{base}?selector=everyone")).await.assert_l5_error(400, L5_BAD_REQUEST);

    // Built-in roles are the same everywhere and read-only.
    let member = w.alice.role_id(&w.org_a, "user").await;
    assert_eq!(w.admin.role_id(&w.org_b, "user").await, member);
    let r = w.alice.post(&base, json!({"id": member, "role_name": "members", "description": "renamed"})).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    // Keeping its name does not make the change any less a change of a built-in role.
    let r = w.alice.post(&base, json!({"id": member, "role_name": "member", "description": "changed"})).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    w.alice.delete(&format!("/api/identity/roles/{member}")).await.assert_l5_error(400, L5_BAD_REQUEST);
    assert_eq!(role_names(&w.carol, &base).await, BUILT_IN);
}

#[tokio::test]
async fn custom_roles_upsert_and_stay_in_their_org() {
    let w = world().await;
    let base = roles_path(&w.org_a);
    let created = w.alice.post(&base, json!({"role_name": "auditor", "description": "reads logs"})).await.expect(200);
    assert_eq!(created["role_name"], "auditor");
    assert_eq!(created["description"], "reads logs");
    let id = created["id"].as_str().unwrap().to_string();

    let updated = w
        .alice
        .post(&base, json!({"id": id, "role_name": "auditor", "description": "reads everything"}))
        .await
        .expect(200);
    assert_eq!(updated["id"], id.as_str(), "an id updates in place");
    assert_eq!(updated["description"], "reads everything");
    let renamed = w.alice.post(&base, json!({"id": id, "role_name": "inspector", "description": ""})).await.expect(200);
    assert_eq!(renamed["role_name"], "inspector");
    assert_eq!(
        role_names(&w.carol, &base).await,
        sorted(&["inspector", "user", "organization admin", "admin", "workspace admin"])
    );

    // Names are unique among the roles usable in the org.
    w.alice
        .post(&base, json!({"role_name": "inspector", "description": ""}))
        .await
        .assert_l5_error(400, L5_BAD_REQUEST);
    w.alice.post(&base, json!({"role_name": "member", "description": ""})).await.assert_l5_error(400, L5_BAD_REQUEST);
    w.alice.post(&base, json!({"role_name": "", "description": ""})).await.assert_l5_error(400, L5_BAD_REQUEST);
    w.alice.raw(Method::POST, &base, r#"{"role_name": 3}"#).await.assert_l5_error(400, L5_BAD_REQUEST);
    w.alice
        .post(&base, json!({"id": uuid::Uuid::now_v7(), "role_name": "ghost", "description": ""}))
        .await
        .assert_l5_error(404, L5_NOT_FOUND);

    // Org B neither sees nor reaches org A's role; the same name is free there.
    assert_eq!(role_names(&w.admin, &roles_path(&w.org_b)).await, BUILT_IN);
    w.admin
        .post(&roles_path(&w.org_b), json!({"id": id, "role_name": "stolen", "description": ""}))
        .await
        .assert_l5_error(404, L5_NOT_FOUND);
    w.admin.create_role(&w.org_b, "inspector").await;
    let b_role = w.admin.role_id(&w.org_b, "inspector").await;
    w.alice.delete(&format!("/api/identity/roles/{b_role}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.get(&format!("{base}/{b_role}/keychains")).await.assert_l5_error(404, L5_NOT_FOUND);
    let inspector = json!({"email": "carol@a.example", "roleNames": ["inspector"]});
    w.alice.post("/api/identity/roles", inspector).await.expect(201);
    let held = w.alice.roles_of(&w.org_a, &w.carol_id).await;
    assert_eq!(held, ["inspector", "user"], "the name resolves to org A's own role");
}

#[tokio::test]
async fn keychains_of_a_role() {
    let w = world().await;
    let role = w.alice.create_role(&w.org_a, "support").await;
    let kc = w.alice.create_keychain(&w.org_a, "support-kit").await;
    let member_kc = w.alice.keychain_id("Member").await;
    let path = |k: &str| format!("{}/{role}/keychains/{k}", roles_path(&w.org_a));
    let list = format!("{}/{role}/keychains", roles_path(&w.org_a));

    let v = w.carol.get(&list).await.expect(200);
    assert_eq!(v["total_count"], 0);
    assert!(v["keychains"].as_array().unwrap().is_empty());

    let r = w.alice.post_empty(&path(&kc)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.is_empty(), "assignment answers no body: {}", r.text);
    w.alice.post_empty(&path(&member_kc)).await.expect(200);
    let v = w.carol.get(&list).await.expect(200);
    assert_eq!(v["total_count"], 2);
    let mut names = strs(&v["keychains"], "name");
    names.sort();
    assert_eq!(names, ["Member", "support-kit"]);

    w.alice.delete(&path(&kc)).await.expect_204();
    w.alice.delete(&path(&kc)).await.assert_l5_error(404, L5_NOT_FOUND);
    let v = w.carol.get(&list).await.expect(200);
    assert_eq!(strs(&v["keychains"], "name"), ["Member"]);

    // An org admin cannot hand out provider administration.
    let provider_kc = w.alice.keychain_id("Provider administration").await;
    w.alice.post_empty(&path(&provider_kc)).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.carol.post_empty(&path(&kc)).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.alice.post_empty(&path(&uuid::Uuid::now_v7().to_string())).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(w.carol.get(&list).await.expect(200)["total_count"], 1);

    // Built-in roles keep their keychains.
    let admin_role = w.alice.role_id(&w.org_a, "organization admin").await;
    let r = w.alice.post_empty(&format!("{}/{admin_role}/keychains/{kc}", roles_path(&w.org_a))).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
}

#[tokio::test]
async fn role_holders_by_email_and_bulk() {
    let w = world().await;
    let (erin_id, _) = w.s.user("erin@a.example", Some((&w.org_a, false))).await;
    w.alice.create_role(&w.org_a, "auditor").await;

    // The org comes from the context header.
    let r = w
        .admin
        .ctx(&w.org_a)
        .post("/api/identity/roles", json!({"email": "carol@a.example", "roleNames": ["auditor", "workspace admin"]}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(w.alice.roles_of(&w.org_a, &w.carol_id).await, ["auditor", "user", "workspace admin"]);
    let r =
        w.alice.post("/api/identity/roles", json!({"email": "carol@a.example", "roleNames": ["nonexistent"]})).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    w.alice.post("/api/identity/roles", json!({"roleNames": ["auditor"]})).await.assert_l5_error(400, L5_BAD_REQUEST);
    w.alice
        .post("/api/identity/roles", json!({"email": "dave@b.example", "roleNames": ["auditor"]}))
        .await
        .assert_l5_error(404, L5_NOT_FOUND);

    // PUT sets each listed holder's complete set.
    let put = w
        .alice
        .put(
            &roles_path(&w.org_a),
            json!([
                {"email": "carol@a.example", "roleNames": ["workspace admin"]},
                {"user_id": erin_id, "roleNames": ["member", "auditor"]},
            ]),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(w.alice.roles_of(&w.org_a, &w.carol_id).await, ["workspace admin"]);
    assert_eq!(w.alice.roles_of(&w.org_a, &erin_id).await, ["auditor", "user"]);
    assert_eq!(w.alice.roles_of(&w.org_a, &w.alice_id).await, ["organization admin"], "unlisted holders are untouched");

    // All or nothing.
    let bad = w
        .alice
        .put(
            &roles_path(&w.org_a),
            json!([
                {"id": w.carol_id, "roleNames": ["member"]},
                {"user_id": erin_id, "roleNames": ["no such role"]},
            ]),
        )
        .await;
    bad.assert_l5_error(400, L5_BAD_REQUEST);
    assert_eq!(w.alice.roles_of(&w.org_a, &w.carol_id).await, ["workspace admin"]);
    assert_eq!(w.alice.roles_of(&w.org_a, &erin_id).await, ["auditor", "user"]);
    w.alice
        .raw(Method::PUT, &roles_path(&w.org_a), r#"{"email": "carol@a.example"}"#)
        .await
        .assert_l5_error(400, L5_BAD_REQUEST);
    w.alice
        .put(&roles_path(&w.org_a), json!([{"user_id": w.dave_id, "roleNames": ["member"]}]))
        .await
        .assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn deleting_a_custom_role_takes_it_from_holders() {
    let w = world().await;
    let id = w.alice.create_role(&w.org_a, "temporary").await;
    w.alice
        .post("/api/identity/roles", json!({"email": "carol@a.example", "roleNames": ["temporary"]}))
        .await
        .expect(201);
    assert_eq!(w.alice.roles_of(&w.org_a, &w.carol_id).await, ["temporary", "user"]);

    w.carol.delete(&format!("/api/identity/roles/{id}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.alice.delete(&format!("/api/identity/roles/{id}")).await.expect_204();
    w.alice.delete(&format!("/api/identity/roles/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(role_names(&w.alice, &roles_path(&w.org_a)).await, BUILT_IN);
    assert_eq!(w.alice.roles_of(&w.org_a, &w.carol_id).await, ["user"]);
    for builtin in BUILT_IN {
        let rid = w.admin.role_id(&w.org_a, builtin).await;
        w.admin.delete(&format!("/api/identity/roles/{rid}")).await.assert_l5_error(400, L5_BAD_REQUEST);
    }
    w.alice.delete("/api/identity/roles/not-a-uuid").await.assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn the_last_org_admin_stays() {
    let w = world().await;
    let demote = json!([{"user_id": w.alice_id, "roleNames": ["member"]}]);
    let alice_in_a = format!("/api/identity/orgs/{}/users/{}", w.org_a, w.alice_id);
    w.alice.put(&roles_path(&w.org_a), demote.clone()).await.assert_l5_error(400, L5_BAD_REQUEST);
    w.admin.put(&roles_path(&w.org_a), demote.clone()).await.assert_l5_error(400, L5_BAD_REQUEST);
    w.alice.delete(&alice_in_a).await.assert_l5_error(400, L5_BAD_REQUEST);
    w.admin.delete(&alice_in_a).await.assert_l5_error(400, L5_BAD_REQUEST);
    assert_eq!(w.alice.roles_of(&w.org_a, &w.alice_id).await, ["organization admin"]);

    // An admin through a team counts; then alice may step down, and the
    // team's last admin may not leave it.
    let team = w.alice.create_team(&w.org_a, "admins").await;
    w.alice
        .post("/api/identity/roles", json!({"team_id": team, "roleNames": ["organization admin"]}))
        .await
        .expect(201);
    w.alice.post_empty(&format!("/api/identity/orgs/{}/teams/{team}/users/{}", w.org_a, w.carol_id)).await.expect(201);
    assert_eq!(w.alice.put(&roles_path(&w.org_a), demote).await.status, 200);
    assert_eq!(w.alice.roles_of(&w.org_a, &w.alice_id).await, ["user"]);
    // The change governs alice's next request.
    w.alice
        .post(&format!("/api/identity/orgs/{}/teams", w.org_a), json!({"name": "x"}))
        .await
        .assert_l5_error(401, L5_UNAUTHORIZED);

    let carol_in_team = format!("/api/identity/orgs/{}/teams/{team}/users/{}", w.org_a, w.carol_id);
    w.carol.delete(&carol_in_team).await.assert_l5_error(400, L5_BAD_REQUEST);
    w.carol
        .delete(&format!("/api/identity/orgs/{}/users/{}", w.org_a, w.carol_id))
        .await
        .assert_l5_error(400, L5_BAD_REQUEST);
    w.carol
        .put(&roles_path(&w.org_a), json!([{"team_id": team, "roleNames": ["member"]}]))
        .await
        .assert_l5_error(400, L5_BAD_REQUEST);
    // Nor may the team that makes her one go away.
    let team_path = format!("/api/identity/orgs/{}/teams/{team}", w.org_a);
    w.carol.post(&team_path, json!({"action": "delete"})).await.assert_l5_error(400, L5_BAD_REQUEST);
    w.carol.post_empty(&format!("{team_path}/remove")).await.assert_l5_error(400, L5_BAD_REQUEST);
    w.carol.delete(&team_path).await.assert_l5_error(400, L5_BAD_REQUEST);
    w.admin.delete(&team_path).await.assert_l5_error(400, L5_BAD_REQUEST);
    assert_eq!(w.alice.roles_of(&w.org_a, &w.carol_id).await, ["organization admin", "user"]);
    assert_eq!(can_create_team(&w.carol, &w.org_a).await, 201);
}

#[tokio::test]
async fn the_last_provider_admin_stays() {
    let w = world().await;
    // The org list shows the provider admin role, so sending it back unchanged is harmless.
    assert_eq!(w.admin.roles_of(&w.org_b, &w.admin_id).await, ["admin", "organization admin"]);
    let same = json!([{"user_id": w.admin_id, "roleNames": ["organization admin", "provider admin"]}]);
    w.admin.put(&roles_path(&w.org_b), same).await.expect(200);
    let dropped = json!([{"user_id": w.admin_id, "roleNames": ["organization admin"]}]);
    w.admin.put(&roles_path(&w.org_b), dropped).await.assert_l5_error(400, L5_BAD_REQUEST);
    assert_eq!(w.admin.roles_of(&w.org_b, &w.admin_id).await, ["admin", "organization admin"]);
    assert_eq!(w.admin.get("/api/identity/orgs?all=true").await.expect(200)["total_count"], 3, "still sees every org");
}

/// carol holds only the power to hand out roles and edit keychains; she
/// cannot use it to give herself (or anyone) more than she holds.
#[tokio::test]
async fn delegated_powers_do_not_escalate() {
    let w = world().await;
    let (erin_id, _) = w.s.user("erin@a.example", Some((&w.org_a, false))).await;
    let kc = w.admin.create_keychain(&w.org_a, "delegation").await;
    for code in ["identity.roles.assign", "identity.roles.manage", "identity.keychains.manage"] {
        let key = w.admin.key_id(code).await;
        w.admin.post_empty(&format!("/api/auth/keychains/{kc}/{key}")).await.expect_204();
    }
    let delegate = w.admin.create_role(&w.org_a, "delegate").await;
    w.admin.post_empty(&format!("{}/{delegate}/keychains/{kc}", roles_path(&w.org_a))).await.expect(200);
    let grant = json!({"email": "carol@a.example", "roleNames": ["delegate"]});
    w.admin.ctx(&w.org_a).post("/api/identity/roles", grant).await.expect(201);

    let self_promote = json!({"email": "carol@a.example", "roleNames": ["organization admin"]});
    w.carol.post("/api/identity/roles", self_promote).await.assert_l5_error(401, L5_UNAUTHORIZED);
    let bulk = json!([{"user_id": w.carol_id, "roleNames": ["member", "delegate", "workspace admin"]}]);
    w.carol.put(&roles_path(&w.org_a), bulk).await.assert_l5_error(401, L5_UNAUTHORIZED);
    let org_admin_kc = w.carol.keychain_id("Organization administration").await;
    let widen = format!("{}/{delegate}/keychains/{org_admin_kc}", roles_path(&w.org_a));
    w.carol.post_empty(&widen).await.assert_l5_error(401, L5_UNAUTHORIZED);
    let create = w.carol.key_id("identity.teams.create").await;
    w.carol.post_empty(&format!("/api/auth/keychains/{kc}/{create}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    let own = w.carol.create_keychain(&w.org_a, "carol's").await;
    w.carol.post_empty(&format!("/api/auth/keychains/{own}/{create}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    let team = w.admin.create_team(&w.org_a, "strong").await;
    let bind = json!({"team_id": team, "roleNames": ["workspace admin"]});
    w.carol.post("/api/identity/roles", bind).await.assert_l5_error(401, L5_UNAUTHORIZED);
    assert_eq!(w.alice.roles_of(&w.org_a, &w.carol_id).await, ["delegate", "user"]);
    assert_eq!(can_create_team(&w.carol, &w.org_a).await, 401);

    // What she holds, she may pass on.
    let read = w.carol.key_id("identity.teams.read").await;
    w.carol.post_empty(&format!("/api/auth/keychains/{own}/{read}")).await.expect_204();
    let pass_on = json!({"email": "erin@a.example", "roleNames": ["delegate"]});
    w.carol.post("/api/identity/roles", pass_on).await.expect(201);
    assert_eq!(w.alice.roles_of(&w.org_a, &erin_id).await, ["delegate", "user"]);

    // Team membership carries the team's roles: a team stronger than alice cannot take members from her.
    let mighty = w.admin.create_role(&w.org_a, "mighty").await;
    let provider_kc = w.admin.keychain_id("Provider administration").await;
    w.admin.post_empty(&format!("{}/{mighty}/keychains/{provider_kc}", roles_path(&w.org_a))).await.expect(200);
    w.admin
        .ctx(&w.org_a)
        .post("/api/identity/roles", json!({"team_id": team, "roleNames": ["mighty"]}))
        .await
        .expect(201);
    let join = format!("/api/identity/orgs/{}/teams/{team}/users/{erin_id}", w.org_a);
    w.alice.post_empty(&join).await.assert_l5_error(401, L5_UNAUTHORIZED);
    let members = w.alice.get(&format!("/api/identity/teams/{team}/users")).await.expect(200);
    assert_eq!(members["total_count"], 0);

    // Another org's keychain is not hers to attach.
    let foreign = w.admin.create_keychain(&w.org_b, "foreign").await;
    let role = w.alice.create_role(&w.org_a, "borrower").await;
    let r = w.alice.post_empty(&format!("{}/{role}/keychains/{foreign}", roles_path(&w.org_a))).await;
    r.assert_l5_error(404, L5_NOT_FOUND);
}

/// Every credential of a user and every way of holding a role follows a change at once.
#[tokio::test]
async fn grants_follow_every_credential_and_every_path() {
    let w = world().await;
    let (_, api_token) = w.carol.create_token("second").await;
    let login =
        w.s.anon()
            .post("/api/meshcloud/login", json!({"email": "carol@a.example", "password": "user-password-1"}))
            .await;
    let session = login.expect(200);
    let cookie = login.header("set-cookie").unwrap().split(';').next().unwrap().to_string();
    let web = w.s.anon().header("cookie", &cookie).header("x-csrf-token", session["csrf_token"].as_str().unwrap());
    let creds = [w.carol.clone(), w.s.with_token(&api_token), web];
    let all = async |want: u16, why: &str| {
        for (i, c) in creds.iter().enumerate() {
            assert_eq!(can_create_team(c, &w.org_a).await, want, "credential {i}: {why}");
        }
    };
    all(401, "a member").await;

    let grant = json!({"email": "carol@a.example", "roleNames": ["workspace admin", "organization admin"]});
    w.alice.post("/api/identity/roles", grant).await.expect(201);
    all(201, "made an admin").await;
    w.alice.put(&roles_path(&w.org_a), json!([{"user_id": w.carol_id, "roleNames": ["member"]}])).await.expect(200);
    all(401, "back to member").await;

    let maker = w.alice.create_role(&w.org_a, "maker").await;
    let kc = w.alice.create_keychain(&w.org_a, "makers").await;
    let key = w.alice.key_id("identity.teams.create").await;
    w.alice.post_empty(&format!("/api/auth/keychains/{kc}/{key}")).await.expect_204();
    w.alice.post_empty(&format!("{}/{maker}/keychains/{kc}", roles_path(&w.org_a))).await.expect(200);
    let team_with_maker = async |name: &str| {
        let t = w.alice.create_team(&w.org_a, name).await;
        w.alice.post("/api/identity/roles", json!({"team_id": t, "roleNames": ["maker"]})).await.expect(201);
        w.alice.post_empty(&format!("/api/identity/orgs/{}/teams/{t}/users/{}", w.org_a, w.carol_id)).await.expect(201);
        format!("/api/identity/orgs/{}/teams/{t}", w.org_a)
    };

    let t = team_with_maker("one").await;
    all(201, "in a team with the role").await;
    w.alice.post(&t, json!({"action": "delete"})).await.expect(201);
    all(401, "the team was tombstoned").await;

    let t = team_with_maker("two").await;
    all(201, "in another team with the role").await;
    w.alice.delete(&t).await.expect_204();
    all(401, "the team was deleted").await;

    team_with_maker("three").await;
    all(201, "in a third team").await;
    w.alice.delete(&format!("/api/identity/roles/{maker}")).await.expect_204();
    all(401, "the role was deleted").await;

    w.alice
        .post("/api/identity/roles", json!({"email": "carol@a.example", "roleNames": ["organization admin"]}))
        .await
        .expect(201);
    all(201, "an admin again").await;
    w.alice.delete(&format!("/api/identity/orgs/{}", w.org_a)).await.expect_204();
    for c in &creds {
        c.get(&format!("/api/identity/orgs/{}", w.org_a)).await.assert_l5_error(404, L5_NOT_FOUND);
    }
}

async fn can_create_team(api: &Api, org: &str) -> u16 {
    let name = format!("t-{}", uuid::Uuid::now_v7());
    api.post(&format!("/api/identity/orgs/{org}/teams"), json!({"name": name})).await.status
}

/// carol (a plain member) gets `identity.teams.create` through a custom role
/// and keychain; every link in the chain is then cut and restored, and each
/// change governs her very next request.
#[tokio::test]
async fn changes_take_effect_on_the_next_request() {
    let w = world().await;
    assert_eq!(can_create_team(&w.carol, &w.org_a).await, 401);

    let key = w.alice.key_id("identity.teams.create").await;
    let kc = w.alice.create_keychain(&w.org_a, "team makers").await;
    w.alice.post_empty(&format!("/api/auth/keychains/{kc}/{key}")).await.expect_204();
    let role = w.alice.create_role(&w.org_a, "team-maker").await;
    let assign = format!("{}/{role}/keychains/{kc}", roles_path(&w.org_a));
    w.alice.post_empty(&assign).await.expect(200);
    assert_eq!(can_create_team(&w.carol, &w.org_a).await, 401, "nobody holds the role yet");

    w.alice
        .post("/api/identity/roles", json!({"email": "carol@a.example", "roleNames": ["team-maker"]}))
        .await
        .expect(201);
    assert_eq!(can_create_team(&w.carol, &w.org_a).await, 201, "role granted");

    w.alice.delete(&format!("/api/auth/keychains/{kc}/{key}")).await.expect_204();
    assert_eq!(can_create_team(&w.carol, &w.org_a).await, 401, "key taken out of the keychain");
    w.alice.post_empty(&format!("/api/auth/keychains/{kc}/{key}")).await.expect_204();
    assert_eq!(can_create_team(&w.carol, &w.org_a).await, 201, "key put back");

    w.alice.delete(&assign).await.expect_204();
    assert_eq!(can_create_team(&w.carol, &w.org_a).await, 401, "keychain unassigned from the role");
    w.alice.post_empty(&assign).await.expect(200);
    assert_eq!(can_create_team(&w.carol, &w.org_a).await, 201, "keychain assigned again");

    w.alice.put(&roles_path(&w.org_a), json!([{"user_id": w.carol_id, "roleNames": ["member"]}])).await.expect(200);
    assert_eq!(can_create_team(&w.carol, &w.org_a).await, 401, "role taken away");

    // Through a team.
    let team = w.alice.create_team(&w.org_a, "makers").await;
    w.alice.post("/api/identity/roles", json!({"team_id": team, "roleNames": ["team-maker"]})).await.expect(201);
    assert_eq!(can_create_team(&w.carol, &w.org_a).await, 401);
    let membership = format!("/api/identity/orgs/{}/teams/{team}/users/{}", w.org_a, w.carol_id);
    w.alice.post_empty(&membership).await.expect(201);
    assert_eq!(can_create_team(&w.carol, &w.org_a).await, 201, "joined the team");
    w.alice.delete(&membership).await.expect_204();
    assert_eq!(can_create_team(&w.carol, &w.org_a).await, 401, "left the team");
    w.alice.post_empty(&membership).await.expect(201);
    assert_eq!(can_create_team(&w.carol, &w.org_a).await, 201);
    w.alice.delete(&format!("/api/auth/keychains/{kc}")).await.expect_204();
    assert_eq!(can_create_team(&w.carol, &w.org_a).await, 401, "keychain deleted");

    // Leaving the org ends everything at once.
    w.alice
        .post_empty(&assign.replace(&kc, &w.alice.keychain_id("Organization administration").await))
        .await
        .expect(200);
    assert_eq!(can_create_team(&w.carol, &w.org_a).await, 201);
    w.alice.delete(&format!("/api/identity/orgs/{}/users/{}", w.org_a, w.carol_id)).await.expect_204();
    let r = w.carol.get(&format!("/api/identity/orgs/{}", w.org_a)).await;
    r.assert_l5_error(404, L5_NOT_FOUND);
}

/// Two admins demoting (or removing) each other at the same moment: one
/// wins, the org keeps an admin.
#[tokio::test]
async fn concurrent_demotions_leave_an_admin() {
    let w = world().await;
    let admins_of = async || {
        let v = w.admin.get(&format!("/api/identity/orgs/{}/users?pagesize=500", w.org_a)).await.expect(200);
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["role_names"].to_string().contains("organization admin"))
            .count()
    };
    let promote = json!({"email": "carol@a.example", "roleNames": ["organization admin"]});
    w.alice.post("/api/identity/roles", promote.clone()).await.expect(201);
    let demote = |user: &str| json!([{"user_id": user, "roleNames": ["member"]}]);
    let path = roles_path(&w.org_a);
    let (a, c) = tokio::join!(w.alice.put(&path, demote(&w.carol_id)), w.carol.put(&path, demote(&w.alice_id)));
    let mut statuses = [a.status, c.status];
    statuses.sort();
    assert!(statuses == [200, 400] || statuses == [200, 401], "one demotion wins: {a:?} {c:?}");
    assert_eq!(admins_of().await, 1);

    // The same race on removing each other from the org.
    let (winner, loser_email) =
        if a.status == 200 { (&w.alice, "carol@a.example") } else { (&w.carol, "alice@a.example") };
    winner
        .post("/api/identity/roles", json!({"email": loser_email, "roleNames": ["organization admin"]}))
        .await
        .expect(201);
    assert_eq!(admins_of().await, 2);
    let remove = |u: &str| format!("/api/identity/orgs/{}/users/{u}", w.org_a);
    let (carol_in_a, alice_in_a) = (remove(&w.carol_id), remove(&w.alice_id));
    let (a, c) = tokio::join!(w.alice.delete(&carol_in_a), w.carol.delete(&alice_in_a));
    let mut statuses = [a.status, c.status];
    statuses.sort();
    // The loser is refused as a non-admin (401), or finds itself gone (404) or last (400).
    assert!(matches!(statuses, [204, 400] | [204, 401] | [204, 404]), "one removal wins: {a:?} {c:?}");
    assert_eq!(admins_of().await, 1, "the org keeps an admin");
    let v = w.admin.get(&format!("/api/identity/orgs/{}/users", w.org_a)).await.expect(200);
    assert_eq!(v["total_count"], 1);
}

/// Built-in roles carry the reference's names (`admin`, `user`, ...); the
/// former names (`provider admin`, `member`) still name them on input.
#[tokio::test]
async fn former_built_in_names_are_still_understood() {
    let w = world().await;
    let org = &w.org_a;
    let (frank, _) = w.s.user("frank@a.example", Some((org, false))).await;
    let set = json!([{"user_id": frank, "roleNames": ["member", "workspace admin"]}]);
    w.alice.put(&roles_path(org), set).await.expect(200);
    assert_eq!(w.alice.roles_of(org, &frank).await, ["user", "workspace admin"]);
    let filter =
        |role: &str| format!("/api/identity/orgs/{org}/users?filter={}", enc(&json!({"role": role}).to_string()));
    let by_new = w.alice.get(&filter("user")).await.expect(200);
    assert!(by_new.to_string().contains(&frank), "{by_new}");
    assert_eq!(w.alice.get(&filter("member")).await.expect(200), by_new, "the former name filters too");
    let invite = json!({
        "name": "old names", "description": "", "emails": [], "roles": ["member"], "teams": [],
        "status": "enabled", "org_id": org,
    });
    w.alice.post("/api/organizations/invitations", invite).await.expect(201);
    // The appliance-wide role, by either name, is still never handed out by invitation.
    for name in ["provider admin", "admin"] {
        let invite = json!({
            "name": format!("as {name}"), "description": "", "emails": [], "roles": [name], "teams": [],
            "status": "enabled", "org_id": org,
        });
        w.admin.post("/api/organizations/invitations", invite).await.assert_l5_error(400, L5_BAD_REQUEST);
    }
}

/// Names that look alike are one name: role names are compared ignoring case
/// with the built-in ones (former names too) and with each other, stored in
/// NFC, and may not hide invisible or bidi characters.
#[tokio::test]
async fn role_names_that_look_alike_conflict() {
    let w = world().await;
    let base = roles_path(&w.org_a);
    let taken = ["Organization Admin", "ADMIN", "User", "Member", "provider admin", "Workspace Admin"];
    // Separators too: the Identity face would show these as the built-in names.
    for taken in taken.into_iter().chain(["organization-admin", "Workspace_Admin", "provider-admin"]) {
        let r = w.alice.post(&base, json!({"role_name": taken, "description": ""})).await;
        r.assert_l5_error(400, L5_BAD_REQUEST);
    }
    let auditor = w.alice.create_role(&w.org_a, "Auditor").await;
    w.alice.post(&base, json!({"role_name": "auditor", "description": ""})).await.assert_l5_error(400, L5_BAD_REQUEST);
    // Renaming a role to another spelling of its own name is fine.
    let r = w.alice.post(&base, json!({"id": auditor, "role_name": "AUDITOR", "description": ""})).await;
    assert_eq!(r.expect(200)["role_name"], "AUDITOR");

    // NFC: "é" typed as e + combining accent is the precomposed "é".
    let v = w.alice.post(&base, json!({"role_name": "Cafe\u{301}", "description": ""})).await.expect(200);
    assert_eq!(v["role_name"], "Caf\u{e9}");
    w.alice
        .post(&base, json!({"role_name": "caf\u{e9}", "description": ""}))
        .await
        .assert_l5_error(400, L5_BAD_REQUEST);
    for hidden in ["organization\u{200B} admin", "admin\u{202E}", "\u{2066}user\u{2069}", "us\u{AD}er", "a\u{00A0}b"] {
        let r = w.alice.post(&base, json!({"role_name": hidden, "description": ""})).await;
        r.assert_l5_error(400, L5_BAD_REQUEST);
    }
    let names = role_names(&w.carol, &base).await;
    assert_eq!(names, sorted(&["admin", "AUDITOR", "Caf\u{e9}", "organization admin", "user", "workspace admin"]));
}

/// A refused name says which field it is about, so a form can show the
/// reason under the name.
#[tokio::test]
async fn a_taken_role_name_names_the_field() {
    let w = world().await;
    let base = roles_path(&w.org_a);
    w.alice.create_role(&w.org_a, "Auditor").await;
    for (name, says) in [
        ("Organization-Admin", "role_name 'organization admin' is taken by a built-in role"),
        ("member", "role_name 'member' is the former name of the built-in role 'user'"),
        ("AUDITOR", "role_name 'Auditor' is taken by another role of the organization"),
    ] {
        let r = w.alice.post(&base, json!({"role_name": name, "description": ""})).await;
        r.assert_l5_error(400, L5_BAD_REQUEST);
        assert!(r.text.ends_with(says), "{name}: {}", r.text);
    }
}
