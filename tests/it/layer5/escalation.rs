//! Ways to end up holding more than anyone meant to grant.

use serde_json::json;

use crate::support::*;

/// Gives `email` a custom role in `org` whose keychain holds exactly `codes`.
async fn custom_role(admin: &Api, org: &str, name: &str, email: &str, codes: &[&str]) {
    let kc = admin.create_keychain(org, &format!("{name} keys")).await;
    for code in codes {
        let key = admin.key_id(code).await;
        admin.post_empty(&format!("/api/auth/keychains/{kc}/{key}")).await.expect_204();
    }
    let role = admin.create_role(org, name).await;
    admin.post_empty(&format!("/api/identity/orgs/{org}/roles/{role}/keychains/{kc}")).await.expect(200);
    admin.ctx(org).post("/api/identity/roles", json!({"email": email, "roleNames": [name]})).await.expect(201);
}

/// Putting a removed team back hands its roles out again: only someone who
/// holds them may do it.
#[tokio::test]
async fn re_adding_a_team_needs_its_roles() {
    let w = world().await;
    let org = &w.org_a;
    let team = w.alice.create_team(org, "admins").await;
    w.alice
        .ctx(org)
        .post("/api/identity/roles", json!({"team_id": team, "roleNames": ["organization admin"]}))
        .await
        .expect(201);
    w.alice.post_empty(&format!("/api/identity/orgs/{org}/teams/{team}/users/{}", w.carol_id)).await.expect(201);
    w.alice.post_empty(&format!("/api/identity/orgs/{org}/teams/{team}/remove")).await.expect(200);
    assert_eq!(w.alice.roles_of(org, &w.carol_id).await, ["user"]);

    custom_role(&w.admin, org, "team editor", "carol@a.example", &["identity.teams.update", "identity.teams.read"])
        .await;
    let readd = format!("/api/identity/orgs/{org}/teams/{team}");
    w.carol.post_empty(&readd).await.assert_l5_error(401, L5_UNAUTHORIZED);
    assert!(!w.alice.roles_of(org, &w.carol_id).await.contains(&"organization admin".to_string()));

    w.alice.post_empty(&readd).await.expect(201);
    assert!(w.alice.roles_of(org, &w.carol_id).await.contains(&"organization admin".to_string()));
}

/// An invitation is checked again when it is accepted, against what its
/// creator holds then: a demoted creator's invitation no longer hands out
/// admin rights, and neither does a team name that now means another team.
#[tokio::test]
async fn invitations_are_checked_again_on_acceptance() {
    let w = world().await;
    let org = &w.org_a;
    let admin_invite = json!({
        "name": "admins", "description": "", "emails": [], "roles": ["organization admin"], "teams": [],
        "status": "enabled", "org_id": org,
    });
    let inv = w.alice.post("/api/organizations/invitations", admin_invite).await.expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Another admin takes over and alice becomes a plain member.
    w.admin
        .ctx(org)
        .post("/api/identity/roles", json!({"email": "carol@a.example", "roleNames": ["organization admin"]}))
        .await
        .expect(201);
    let demote = json!([{"user_id": w.alice_id, "roleNames": ["member"]}]);
    w.carol.put(&format!("/api/identity/orgs/{org}/roles"), demote).await.expect(200);

    let (_, frank) = w.s.user("frank@f.example", None).await;
    let r = frank.post_empty(&format!("/api/organizations/invitations/{inv}/accept")).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.text.contains("grants more than its creator"), "{}", r.text);
    frank.get(&format!("/api/identity/orgs/{org}")).await.assert_l5_error(404, L5_NOT_FOUND);

    // A team name swapped after the invitation was written.
    let (_, mallory) = w.s.user("mallory@a.example", Some((org, false))).await;
    let codes =
        ["identity.teams.read", "identity.teams.create", "identity.teams.update", "identity.invitations.manage"];
    custom_role(&w.admin, org, "organiser", "mallory@a.example", &codes).await;
    let harmless = mallory.create_team(org, "helpers").await;
    let team_invite = json!({
        "name": "helpers", "description": "", "emails": [], "roles": [], "teams": ["helpers"],
        "status": "enabled", "org_id": org,
    });
    let inv = mallory.post("/api/organizations/invitations", team_invite).await.expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let strong = w.carol.create_team(org, "core").await;
    w.carol
        .ctx(org)
        .post("/api/identity/roles", json!({"team_id": strong, "roleNames": ["organization admin"]}))
        .await
        .expect(201);
    mallory
        .put(&format!("/api/identity/orgs/{org}/teams/{harmless}"), json!({"name": "old helpers"}))
        .await
        .expect(200);
    mallory.put(&format!("/api/identity/orgs/{org}/teams/{strong}"), json!({"name": "helpers"})).await.expect(200);

    let (_, eve) = w.s.user("eve@e.example", None).await;
    let r = eve.post_empty(&format!("/api/organizations/invitations/{inv}/accept")).await;
    assert_eq!(r.status, 400, "{}", r.text);
    eve.get(&format!("/api/identity/orgs/{org}")).await.assert_l5_error(404, L5_NOT_FOUND);
}

/// Makes a team holding the organization admin role with `email` (a new
/// member of `org`) in it, and returns (team id, user id).
async fn admin_team(w: &World, org: &str, email: &str) -> (String, String) {
    let (id, _) = w.s.user(email, Some((org, false))).await;
    let team = w.alice.create_team(org, "admins").await;
    let grant = json!({"team_id": team, "roleNames": ["organization admin"]});
    w.alice.ctx(org).post("/api/identity/roles", grant).await.expect(201);
    w.alice.post_empty(&format!("/api/identity/orgs/{org}/teams/{team}/users/{id}")).await.expect(201);
    (team, id)
}

fn is_admin(roles: &[String]) -> bool {
    roles.iter().any(|r| r == "organization admin")
}

/// Taking a role, a role-holding team or a membership away needs every key
/// the removed grant carries: a holder of the assign, team-member or remove
/// key alone cannot demote or remove admins, the creator included.
#[tokio::test]
async fn taking_away_needs_the_power_to_give() {
    let w = world().await;
    let org = &w.org_a;
    let (team, erin) = admin_team(&w, org, "erin@a.example").await;
    let roles = format!("/api/identity/orgs/{org}/roles");

    custom_role(&w.admin, org, "assigner", "carol@a.example", &["identity.roles.assign", "identity.roles.read"]).await;
    let demote = json!([{"user_id": w.alice_id, "roleNames": ["member"]}]);
    w.carol.put(&roles, demote).await.assert_l5_error(401, L5_UNAUTHORIZED);
    let strip = json!([{"team_id": team, "roleNames": []}]);
    w.carol.put(&roles, strip).await.assert_l5_error(401, L5_UNAUTHORIZED);
    assert!(is_admin(&w.alice.roles_of(org, &w.alice_id).await));
    assert!(is_admin(&w.alice.roles_of(org, &erin).await));

    let (_, mallory) = w.s.user("mallory@a.example", Some((org, false))).await;
    custom_role(&w.admin, org, "team keeper", "mallory@a.example", &["identity.teams.members"]).await;
    let leave = format!("/api/identity/orgs/{org}/teams/{team}/users/{erin}");
    mallory.delete(&leave).await.assert_l5_error(401, L5_UNAUTHORIZED);
    assert!(is_admin(&w.alice.roles_of(org, &erin).await));

    let (_, oscar) = w.s.user("oscar@a.example", Some((org, false))).await;
    custom_role(&w.admin, org, "remover", "oscar@a.example", &["identity.members.remove"]).await;
    for admin in [&w.alice_id, &erin] {
        oscar.delete(&format!("/api/identity/orgs/{org}/users/{admin}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
        assert!(is_admin(&w.alice.roles_of(org, admin).await));
    }
    // What the remover holds (the member role) they may take.
    let (plain, _) = w.s.user("plain@a.example", Some((org, false))).await;
    oscar.delete(&format!("/api/identity/orgs/{org}/users/{plain}")).await.expect_204();

    // The org's admins still may do all of it.
    w.alice.delete(&leave).await.expect_204();
    w.alice.put(&roles, json!([{"team_id": team, "roleNames": []}])).await.expect(200);
    assert_eq!(w.alice.roles_of(org, &erin).await, ["user"]);
}

/// A non-admin who holds every key of the organization admin role still
/// cannot take anything from an admin; from everyone else they may.
#[tokio::test]
async fn admins_are_protected_from_non_admins() {
    let w = world().await;
    let org = &w.org_a;
    let (team, erin) = admin_team(&w, org, "erin@a.example").await;
    let deputy = w.admin.create_role(org, "deputy").await;
    let kc = w.admin.keychain_id("Organization administration").await;
    w.admin.post_empty(&format!("/api/identity/orgs/{org}/roles/{deputy}/keychains/{kc}")).await.expect(200);
    let grant = json!([{"user_id": w.carol_id, "roleNames": ["member", "deputy"]}]);
    w.alice.put(&format!("/api/identity/orgs/{org}/roles"), grant).await.expect(200);

    let roles = format!("/api/identity/orgs/{org}/roles");
    let denied = [
        w.carol.put(&roles, json!([{"user_id": w.alice_id, "roleNames": ["member"]}])).await,
        w.carol.put(&roles, json!([{"team_id": team, "roleNames": []}])).await,
        w.carol.delete(&format!("/api/identity/orgs/{org}/teams/{team}/users/{erin}")).await,
        w.carol.delete(&format!("/api/identity/orgs/{org}/users/{}", w.alice_id)).await,
        w.carol.delete(&format!("/api/identity/orgs/{org}/users/{erin}")).await,
        w.carol.post_empty(&format!("/api/identity/orgs/{org}/teams/{team}/remove")).await,
        w.carol.delete(&format!("/api/identity/orgs/{org}/teams/{team}")).await,
    ];
    for r in denied {
        r.assert_l5_error(401, L5_UNAUTHORIZED);
    }
    assert!(is_admin(&w.alice.roles_of(org, &w.alice_id).await));
    assert!(is_admin(&w.alice.roles_of(org, &erin).await));

    // A plain member, and a team without admins, are the deputy's to change.
    let (frank, _) = w.s.user("frank@a.example", Some((org, false))).await;
    w.carol.put(&roles, json!([{"user_id": frank, "roleNames": ["member", "workspace admin"]}])).await.expect(200);
    w.carol.put(&roles, json!([{"user_id": frank, "roleNames": ["member"]}])).await.expect(200);
    let helpers = w.carol.create_team(org, "helpers").await;
    w.carol.post_empty(&format!("/api/identity/orgs/{org}/teams/{helpers}/users/{frank}")).await.expect(201);
    w.carol.delete(&format!("/api/identity/orgs/{org}/teams/{helpers}/users/{frank}")).await.expect_204();
    w.carol.delete(&format!("/api/identity/orgs/{org}/users/{frank}")).await.expect_204();
}

/// Deleting a role, or taking a keychain from it, takes its keys from every
/// holder: the same rule as taking the role from each of them.
#[tokio::test]
async fn deleting_a_role_takes_it_from_its_holders() {
    let w = world().await;
    let org = &w.org_a;
    let (frank, _) = w.s.user("frank@a.example", Some((org, false))).await;
    custom_role(&w.admin, org, "role keeper", "carol@a.example", &["identity.roles.manage", "identity.roles.read"])
        .await;
    // Three roles with one keychain each: one grants what carol lacks, one is an admin's.
    let mut made = vec![];
    for (name, code, holder) in [
        ("inviters", "identity.invitations.read", "frank@a.example"),
        ("admin readers", "identity.members.read", "alice@a.example"),
        ("readers", "identity.members.read", "frank@a.example"),
    ] {
        custom_role(&w.admin, org, name, holder, &[code]).await;
        let role = w.admin.role_id(org, name).await;
        let kc = w.admin.ctx(org).keychain_id(&format!("{name} keys")).await;
        made.push((role, kc));
    }
    for (role, kc) in &made[..2] {
        let unassign = format!("/api/identity/orgs/{org}/roles/{role}/keychains/{kc}");
        w.carol.delete(&unassign).await.assert_l5_error(401, L5_UNAUTHORIZED);
        w.carol.delete(&format!("/api/identity/roles/{role}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    }
    assert!(w.alice.roles_of(org, &w.alice_id).await.contains(&"admin readers".to_string()));
    assert!(w.alice.roles_of(org, &frank).await.contains(&"inviters".to_string()));
    let (role, kc) = &made[2];
    w.carol.delete(&format!("/api/identity/orgs/{org}/roles/{role}/keychains/{kc}")).await.expect_204();
    w.carol.delete(&format!("/api/identity/roles/{role}")).await.expect_204();
    assert_eq!(w.alice.roles_of(org, &frank).await, ["inviters", "user"]);
}

/// Deleting a keychain, or taking a key out of one, takes the keys from
/// everyone whose roles hold it.
#[tokio::test]
async fn taking_keys_out_of_keychains_needs_them() {
    let w = world().await;
    let org = &w.org_a;
    custom_role(&w.admin, org, "alice extra", "alice@a.example", &["identity.members.read"]).await;
    custom_role(&w.admin, org, "frank extra", "carol@a.example", &["identity.invitations.read"]).await;
    custom_role(&w.admin, org, "keychain keeper", "carol@a.example", &["identity.keychains.manage"]).await;
    let keyed = |name: &str| format!("{name} keys");
    let alice_kc = w.admin.ctx(org).keychain_id(&keyed("alice extra")).await;
    let carol_kc = w.admin.ctx(org).keychain_id(&keyed("frank extra")).await;
    let read = w.admin.key_id("identity.members.read").await;
    let invitations = w.admin.key_id("identity.invitations.read").await;
    // An admin holds the first keychain: carol takes nothing from her.
    w.carol.delete(&format!("/api/auth/keychains/{alice_kc}/{read}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.carol.delete(&format!("/api/auth/keychains/{alice_kc}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    // Carol's own extra keychain she may empty and delete: she holds what it grants.
    w.carol.delete(&format!("/api/auth/keychains/{carol_kc}/{invitations}")).await.expect_204();
    w.carol.delete(&format!("/api/auth/keychains/{carol_kc}")).await.expect_204();
    w.alice.delete(&format!("/api/auth/keychains/{alice_kc}")).await.expect_204();
}
