//! Teams of an organization: CRUD, tombstone and org mapping, members, and
//! the two member lists with opposite meanings.

use reqwest::Method;
use serde_json::json;

use crate::support::*;

const TEAM_FIELDS: [&str; 8] =
    ["id", "name", "description", "owner", "metadata", "created_at", "updated_at", "deleted_at"];

fn teams_path(org: &str) -> String {
    format!("/api/identity/orgs/{org}/teams")
}

async fn team_names(api: &Api, org: &str) -> Vec<String> {
    let v = api.get(&format!("{}?pagesize=500&order=name", teams_path(org))).await.expect(200);
    strs(&v["teams"], "name")
}

#[tokio::test]
async fn crud_round_trip() {
    let w = world().await;
    let base = teams_path(&w.org_a);
    let r = w.alice.post(&base, json!({"name": "Blue", "description": "the blue team"})).await;
    let team = r.expect(201);
    assert!(r.content_type().starts_with("application/json"));
    for f in TEAM_FIELDS {
        assert!(team.get(f).is_some(), "team lacks {f}: {team}");
    }
    assert_eq!(team["name"], "Blue");
    assert_eq!(team["description"], "the blue team");
    assert_eq!(team["owner"], w.alice_id.as_str(), "the creator owns the team");
    assert!(team["deleted_at"].is_null());
    let id = team["id"].as_str().unwrap();

    let got = w.carol.get(&format!("{base}/{id}")).await.expect(200);
    assert_eq!(got, team, "a member reads the same team");

    let list = w.carol.get(&base).await.expect(200);
    assert_eq!(
        (list["page"].as_u64(), list["page_size"].as_u64(), list["total_count"].as_u64()),
        (Some(0), Some(10), Some(1))
    );
    assert_eq!(list["teams"][0]["id"], id);

    let updated = w.alice.put(&format!("{base}/{id}"), json!({"name": "Green"})).await.expect(200);
    assert_eq!(updated["id"], id);
    assert_eq!(updated["name"], "Green");
    assert_eq!(updated["description"], "the blue team", "fields not given are kept");
    let updated = w.alice.put(&format!("{base}/{id}"), json!({"description": ""})).await.expect(200);
    assert_eq!((updated["name"].as_str(), updated["description"].as_str()), (Some("Green"), Some("")));
    assert_eq!(team_names(&w.alice, &w.org_a).await, ["Green"]);

    // Another org's path does not reach the team.
    w.admin.get(&format!("{}/{id}", teams_path(&w.org_b))).await.assert_l5_error(404, L5_NOT_FOUND);
    w.admin
        .put(&format!("{}/{id}", teams_path(&w.org_b)), json!({"name": "x"}))
        .await
        .assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn tombstone_hides_the_team() {
    let w = world().await;
    let base = teams_path(&w.org_a);
    let id = w.alice.create_team(&w.org_a, "Doomed").await;
    w.alice.create_team(&w.org_a, "Stays").await;

    let v = w.alice.post(&format!("{base}/{id}"), json!({"action": "delete"})).await.expect(201);
    let teams = v["teams"].as_array().unwrap_or_else(|| panic!("answers the teams page: {v}"));
    assert!(v.get("teamsOrganizationsMapping").is_none(), "{v}");
    let t = teams.iter().find(|t| t["id"] == id.as_str()).unwrap_or_else(|| panic!("the tombstoned team: {v}"));
    assert!(t["deleted_at"].is_string(), "the tombstone carries deleted_at: {t}");

    assert_eq!(team_names(&w.alice, &w.org_a).await, ["Stays"]);
    w.alice.get(&format!("{base}/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    let join = format!("{base}/{id}/users/{}", w.carol_id);
    w.alice.post_empty(&join).await.assert_l5_error(404, L5_NOT_FOUND);
    let b_team = w.admin.create_team(&w.org_b, "B's").await;
    w.alice.get(&format!("{base}/{b_team}/users")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.get(&format!("{base}/{b_team}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.get(&format!("/api/identity/teams/{b_team}/users")).await.assert_l5_error(404, L5_NOT_FOUND);
    // The name of a tombstoned team is free again.
    w.alice.create_team(&w.org_a, "Doomed").await;
    w.alice
        .post(&format!("{base}/{}", uuid::Uuid::now_v7()), json!({"action": "delete"}))
        .await
        .assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn remove_from_org_and_add_back() {
    let w = world().await;
    let base = teams_path(&w.org_a);
    let id = w.alice.create_team(&w.org_a, "Roaming").await;
    w.alice.post_empty(&format!("/api/identity/orgs/{}/teams/{id}/users/{}", w.org_a, w.carol_id)).await.expect(201);

    let v = w.alice.post_empty(&format!("{base}/{id}/remove")).await.expect(200);
    let maps = v["teamsOrganizationsMapping"].as_array().unwrap_or_else(|| panic!("mapping page: {v}"));
    assert_eq!(maps[0]["team_id"], id.as_str());
    assert_eq!(maps[0]["org_id"], w.org_a.as_str());
    assert!(team_names(&w.alice, &w.org_a).await.is_empty(), "a removed team is not listed");

    let v = w.alice.post_empty(&format!("{base}/{id}")).await.expect(201);
    let maps = v["teamsOrganizationsMapping"].as_array().unwrap_or_else(|| panic!("mapping page: {v}"));
    assert_eq!(maps.len(), 1);
    assert_eq!(maps[0]["team_id"], id.as_str());
    assert_eq!(maps[0]["org_id"], w.org_a.as_str());
    assert_eq!(team_names(&w.alice, &w.org_a).await, ["Roaming"]);
    let members = w.alice.get(&format!("/api/identity/teams/{id}/users")).await.expect(200);
    assert_eq!(strs(&members["teamsUsersMapping"], "user_id"), [w.carol_id.as_str()], "members survive the round trip");

    // A team cannot move to an org it was not created in.
    w.admin.post_empty(&format!("{}/{id}", teams_path(&w.org_b))).await.assert_l5_error(404, L5_NOT_FOUND);
    w.admin.post_empty(&format!("{}/{id}/remove", teams_path(&w.org_b))).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(team_names(&w.admin, &w.org_b).await, Vec::<String>::new());
}

#[tokio::test]
async fn delete_is_final() {
    let w = world().await;
    let base = teams_path(&w.org_a);
    let id = w.alice.create_team(&w.org_a, "Gone").await;
    w.alice.post_empty(&format!("/api/identity/orgs/{}/teams/{id}/users/{}", w.org_a, w.carol_id)).await.expect(201);

    w.alice.delete(&format!("{base}/{id}")).await.expect_204();
    w.alice.get(&format!("{base}/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.delete(&format!("{base}/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.get(&format!("/api/identity/teams/{id}/users")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.post_empty(&format!("{base}/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    assert!(team_names(&w.alice, &w.org_a).await.is_empty());
    w.alice.create_team(&w.org_a, "Gone").await;
}

#[tokio::test]
async fn members_and_non_members() {
    let w = world().await;
    let (erin_id, _) = w.s.user("erin@a.example", Some((&w.org_a, false))).await;
    let id = w.alice.create_team(&w.org_a, "Core").await;
    let member = |u: &str| format!("/api/identity/orgs/{}/teams/{id}/users/{u}", w.org_a);

    let m = w.alice.post_empty(&member(&w.carol_id)).await.expect(201);
    for f in ["id", "team_id", "user_id"] {
        assert!(m[f].is_string(), "mapping lacks {f}: {m}");
    }
    assert_eq!(m["team_id"], id.as_str());
    assert_eq!(m["user_id"], w.carol_id.as_str());
    // By e-mail address; the mapping still names the user by id.
    let m = w.alice.post_empty(&member("erin@a.example")).await.expect(201);
    assert_eq!(m["user_id"], erin_id.as_str());

    let v = w.carol.get(&format!("/api/identity/teams/{id}/users")).await.expect(200);
    assert_eq!(v["total_count"], 2);
    let mut ids = strs(&v["teamsUsersMapping"], "user_id");
    ids.sort();
    let mut want = vec![w.carol_id.clone(), erin_id.clone()];
    want.sort();
    assert_eq!(ids, want);
    assert!(v["teamsUsersMapping"].as_array().unwrap().iter().all(|m| m["team_id"] == id.as_str()));

    // The org path lists the org's users who are not in the team.
    let not_in = w.carol.get(&format!("/api/identity/orgs/{}/teams/{id}/users", w.org_a)).await.expect(200);
    assert_eq!(not_in["total_count"], 1, "{not_in}");
    assert_eq!(strs(&not_in["data"], "id"), [w.alice_id.as_str()]);
    assert!(not_in.get("page").is_some() && not_in.get("page_size").is_some());

    w.alice.delete(&member(&w.carol_id)).await.expect_204();
    w.alice.delete(&member(&w.carol_id)).await.assert_l5_error(404, L5_NOT_FOUND);
    let v = w.alice.get(&format!("/api/identity/teams/{id}/users")).await.expect(200);
    assert_eq!(strs(&v["teamsUsersMapping"], "user_id"), [erin_id.as_str()]);
    let not_in = w.alice.get(&format!("/api/identity/orgs/{}/teams/{id}/users", w.org_a)).await.expect(200);
    let mut ids = strs(&not_in["data"], "id");
    ids.sort();
    let mut want = vec![w.alice_id.clone(), w.carol_id.clone()];
    want.sort();
    assert_eq!(ids, want);

    // Only the org's users can join its teams.
    w.alice.post_empty(&member(&w.dave_id)).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.post_empty(&member("dave@b.example")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.post_empty(&member(&uuid::Uuid::now_v7().to_string())).await.assert_l5_error(404, L5_NOT_FOUND);
    w.admin.post_empty(&member(&w.admin_id)).await.assert_l5_error(404, L5_NOT_FOUND);
    let v = w.alice.get(&format!("/api/identity/teams/{id}/users")).await.expect(200);
    assert_eq!(v["total_count"], 1, "refused additions changed nothing");
}

#[tokio::test]
async fn duplicate_names_conflict() {
    let w = world().await;
    let base = teams_path(&w.org_a);
    w.alice.create_team(&w.org_a, "Blue").await;
    let red = w.alice.create_team(&w.org_a, "Red").await;
    let r = w.alice.post(&base, json!({"name": "Blue"})).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    w.alice.put(&format!("{base}/{red}"), json!({"name": "Blue"})).await.assert_l5_error(400, L5_BAD_REQUEST);
    assert_eq!(team_names(&w.alice, &w.org_a).await, ["Blue", "Red"]);
    // Names are unique per organization only.
    w.admin.create_team(&w.org_b, "Blue").await;
}

#[tokio::test]
async fn bad_input_is_400_and_changes_nothing() {
    let w = world().await;
    let base = teams_path(&w.org_a);
    let id = w.alice.create_team(&w.org_a, "Keep").await;
    for body in [
        "{",
        "not json",
        "[]",
        "{}",
        r#"{"name": ""}"#,
        r#"{"name": "   "}"#,
        r#"{"name": 5}"#,
        r#"{"name": "ok", "description": ["x"]}"#,
    ] {
        w.alice.raw(Method::POST, &base, body).await.assert_l5_error(400, L5_BAD_REQUEST);
    }
    for body in ["{", r#"{"name": ""}"#, r#"{"name": 5}"#, r#"{"description": 7}"#] {
        w.alice.raw(Method::PUT, &format!("{base}/{id}"), body).await.assert_l5_error(400, L5_BAD_REQUEST);
    }
    w.alice
        .raw(Method::POST, &format!("{base}/{id}"), r#"{"action": "explode"}"#)
        .await
        .assert_l5_error(400, L5_BAD_REQUEST);
    w.alice.post(&base, json!({"name": "x".repeat(256)})).await.assert_l5_error(400, L5_BAD_REQUEST);
    let v = w.alice.get(&base).await.expect(200);
    assert_eq!(v["total_count"], 1);
    assert_eq!(v["teams"][0]["name"], "Keep");
    assert_eq!(v["teams"][0]["description"], "");

    w.alice.get(&format!("{base}/not-a-uuid")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.get(&format!("{base}/{}", uuid::Uuid::now_v7())).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.get("/api/identity/teams/not-a-uuid/users").await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice
        .get(&format!("/api/identity/teams/{}/users", uuid::Uuid::now_v7()))
        .await
        .assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn paging_search_and_order() {
    let w = world().await;
    let base = teams_path(&w.org_a);
    for i in 0..12 {
        w.alice
            .post(
                &base,
                json!({"name": format!("team-{i:02}"), "description": if i == 7 { "the 100% one" } else { "" }}),
            )
            .await
            .expect(201);
    }
    let first = w.alice.get(&base).await.expect(200);
    assert_eq!(
        (first["page"].as_u64(), first["page_size"].as_u64(), first["total_count"].as_u64()),
        (Some(0), Some(10), Some(12))
    );
    assert_eq!(first["teams"].as_array().unwrap().len(), 10);
    let second = w.alice.get(&format!("{base}?page=1")).await.expect(200);
    assert_eq!(second["teams"].as_array().unwrap().len(), 2);
    let past = w.alice.get(&format!("{base}?page=9&pagesize=5")).await.expect(200);
    assert_eq!(past["teams"].as_array().unwrap().len(), 0);
    assert_eq!((past["page"].as_u64(), past["total_count"].as_u64()), (Some(9), Some(12)));

    let mut seen = vec![];
    for p in 0..3 {
        let v = w.alice.get(&format!("{base}?pagesize=5&page={p}&order=name%20desc")).await.expect(200);
        seen.extend(strs(&v["teams"], "name"));
    }
    let want: Vec<String> = (0..12).rev().map(|i| format!("team-{i:02}")).collect();
    assert_eq!(seen, want, "pages are disjoint and ordered");

    let found = w.alice.get(&format!("{base}?search=TEAM-1&order=name")).await.expect(200);
    assert_eq!(strs(&found["teams"], "name"), ["team-10", "team-11"], "case-insensitive");
    let found = w.alice.get(&format!("{base}?search=100%25")).await.expect(200);
    assert_eq!(strs(&found["teams"], "name"), ["team-07"], "descriptions are searched, % is literal");

    assert_eq!(w.alice.get(&format!("{base}?page=first")).await.expect(200)["page"], 0);
    w.alice.get(&format!("{base}?order=secret")).await.expect(200);

    // Member lists page too.
    let id = w.alice.create_team(&w.org_a, "big").await;
    for i in 0..3 {
        let (uid, _) = w.s.user(&format!("m{i}@a.example"), Some((&w.org_a, false))).await;
        w.alice.post_empty(&format!("{base}/{id}/users/{uid}")).await.expect(201);
    }
    let v = w.alice.get(&format!("/api/identity/teams/{id}/users?pagesize=2&page=1")).await.expect(200);
    assert_eq!((v["page_size"].as_u64(), v["total_count"].as_u64()), (Some(2), Some(3)));
    assert_eq!(v["teamsUsersMapping"].as_array().unwrap().len(), 1);
    let v = w.alice.get(&format!("{base}/{id}/users?pagesize=1")).await.expect(200);
    assert_eq!(
        (v["page_size"].as_u64(), v["total_count"].as_u64()),
        (Some(1), Some(2)),
        "alice and carol are not in it"
    );
    assert_eq!(v["data"].as_array().unwrap().len(), 1);
}
