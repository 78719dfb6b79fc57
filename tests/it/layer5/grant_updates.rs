//! Cached grants belong to the user and are updated in place, one org at a
//! time: a change in one org governs the next request of every credential of
//! the user there, and leaves what they hold in other orgs as it was.

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_change_in_one_org_reaches_every_credential_and_no_other_org() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let (_, alice) = s.user("alice@a.example", None).await;
    let org_a = alice.create_org(json!({"name": "A"})).await;
    let org_b = alice.create_org(json!({"name": "B"})).await;
    let (carol_id, carol) = s.user("carol@c.example", Some((&org_a, false))).await;
    admin.post_empty(&format!("/api/identity/orgs/{org_b}/users/{carol_id}")).await.expect(201);
    let (_, second) = carol.create_token("second").await;
    let tokens = [carol.clone(), s.with_token(&second)];
    let update = |org: &str| (format!("/api/identity/orgs/{org}"), json!({"description": "by carol"}));
    let may_update = |org: String| {
        let tokens = tokens.clone();
        async move {
            let (path, body) = update(&org);
            let mut answers = vec![];
            for t in &tokens {
                answers.push(t.put(&path, body.clone()).await.status);
            }
            answers
        }
    };
    // Both credentials hold the member role in both orgs (and are cached).
    assert_eq!(may_update(org_a.clone()).await, [401, 401]);
    assert_eq!(may_update(org_b.clone()).await, [401, 401]);

    // A role bound directly, in A.
    alice
        .ctx(&org_a)
        .post("/api/identity/roles", json!({"email": "carol@c.example", "roleNames": ["organization admin"]}))
        .await
        .expect(201);
    assert_eq!(may_update(org_a.clone()).await, [200, 200]);
    assert_eq!(may_update(org_b.clone()).await, [401, 401]);

    // A team's role, in B: gained on joining the team, lost on leaving it.
    let team = alice.create_team(&org_b, "admins").await;
    alice
        .ctx(&org_b)
        .post("/api/identity/roles", json!({"team_id": team, "roleNames": ["organization admin"]}))
        .await
        .expect(201);
    assert_eq!(may_update(org_b.clone()).await, [401, 401], "not in the team yet");
    let in_team = format!("/api/identity/orgs/{org_b}/teams/{team}/users/{carol_id}");
    alice.post_empty(&in_team).await.expect(201);
    assert_eq!(may_update(org_b.clone()).await, [200, 200]);
    // The team leaves the org and comes back.
    alice.post_empty(&format!("/api/identity/orgs/{org_b}/teams/{team}/remove")).await.expect(200);
    assert_eq!(may_update(org_b.clone()).await, [401, 401]);
    alice.post_empty(&format!("/api/identity/orgs/{org_b}/teams/{team}")).await.expect(201);
    assert_eq!(may_update(org_b.clone()).await, [200, 200]);
    alice.delete(&in_team).await.expect_204();
    assert_eq!(may_update(org_b.clone()).await, [401, 401]);
    assert_eq!(may_update(org_a.clone()).await, [200, 200], "A is untouched");

    // Removed from A: A is gone for every credential, B stays.
    alice.delete(&format!("/api/identity/orgs/{org_a}/users/{carol_id}")).await.expect_204();
    for t in &tokens {
        t.get(&format!("/api/identity/orgs/{org_a}")).await.assert_l5_error(404, L5_NOT_FOUND);
        assert_eq!(t.get(&format!("/api/identity/orgs/{org_b}")).await.status, 200);
    }
    // B deleted: gone too.
    alice.delete(&format!("/api/identity/orgs/{org_b}")).await.expect_204();
    for t in &tokens {
        t.get(&format!("/api/identity/orgs/{org_b}")).await.assert_l5_error(404, L5_NOT_FOUND);
    }
}
