//! Sharing designs, views and filters with users, teams and organizations,
//! and how shares weigh in every permission check: a read share opens get,
//! lists (`shared=true`), download, versions and clone; an edit share also
//! saves; no share deletes.

use serde_json::{Value, json};

use super::views::create_view;
use super::{BASE, create, doc};
use crate::support::*;

fn share_path(kind: &str, id: &str) -> String {
    format!("/api/resource/{kind}/share/{id}")
}

async fn share(api: &Api, kind: &str, id: &str, body: Value) -> Value {
    api.post(&share_path(kind, id), body).await.expect(200)
}

#[tokio::test]
async fn a_design_shared_with_a_user_of_another_org() {
    let w = world().await;
    let id = create(&w.alice, &w.org_a, "shared one", "private").await;
    let other = create(&w.alice, &w.org_a, "not shared", "private").await;
    w.dave.get(&format!("{BASE}/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);

    // Shared for reading, by email as the Layer5 UI sends it.
    let v = share(&w.alice, "design", &id, json!({"emails": ["DAVE@b.example"], "share": true})).await;
    assert_eq!((v["resource_type"].as_str(), v["resource_id"].as_str()), (Some("design"), Some(id.as_str())));
    assert_eq!(strs(&v["users"], "id"), [w.dave_id.as_str()]);
    assert_eq!(
        (v["users"][0]["email"].as_str(), v["users"][0]["access"].as_str()),
        (Some("dave@b.example"), Some("read"))
    );
    assert_eq!(v["teams"], json!([]));

    w.dave.get(&format!("{BASE}/{id}")).await.expect(200);
    assert_eq!(w.dave.get(&format!("{BASE}/download/{id}")).await.status, 200);
    w.dave.get(&format!("{BASE}/{id}/versions")).await.expect(200);
    w.dave.get(&format!("{BASE}/{id}/versions/0.0.1")).await.expect(200);
    w.dave.get(&format!("{BASE}/{other}")).await.assert_l5_error(404, L5_NOT_FOUND);
    // `shared=true` lists it, whatever org is in context; the org's own list does not.
    let listed = w.dave.ctx(&w.org_b).get(&format!("{BASE}?shared=true")).await.expect(200);
    assert_eq!((strs(&listed["patterns"], "id"), listed["resultType"].as_str()), (vec![id.clone()], Some("shared")));
    assert_eq!(w.dave.ctx(&w.org_b).get(BASE).await.expect(200)["total_count"], 0);
    // Reading is not changing, nor deleting.
    let save = json!({"id": id, "name": "dave's now", "patternData": doc("dave's now")});
    w.dave.ctx(&w.org_b).post(BASE, save.clone()).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.dave.delete(&format!("{BASE}/{id}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    // He may clone it into his own org once he may create designs there.
    let grant = json!([{"user_id": w.dave_id, "roleNames": ["user", "organization admin"]}]);
    w.admin.put(&format!("/api/identity/orgs/{}/roles", w.org_b), grant).await.expect(200);
    let copy = w.dave.ctx(&w.org_b).post_empty(&format!("{BASE}/clone/{id}")).await.expect(200);
    assert_eq!(copy["user_id"], w.dave_id.as_str());

    // Shared for editing: he saves it (a new version), still never deletes it.
    let v = share(&w.alice, "pattern", &id, json!({"users": [w.dave_id], "access": "edit"})).await;
    assert_eq!(v["users"][0]["access"], "edit");
    let saved = w.dave.ctx(&w.org_b).post(BASE, save).await.expect(200);
    assert_eq!((saved["name"].as_str(), saved["patternFile"]["version"].as_str()), (Some("dave's now"), Some("0.0.2")));
    w.dave.delete(&format!("{BASE}/{id}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    // Its pattern resources change with it: a resource saved through the share is a new version.
    let resource = json!({"design_id": id, "kind": "ConfigMap", "name": "settings", "namespace": "shop"});
    let r = w.dave.post("/api/content/patterns/resource", resource).await.expect(200);
    assert_eq!((r["kind"].as_str(), r["version"].as_str()), (Some("ConfigMap"), Some("0.0.3")));
    // Nor does an edit share change who sees it, hand out `published`, or share onwards.
    let public = json!({"id": id, "visibility": "public", "patternData": doc("dave's now")});
    w.dave.ctx(&w.org_b).post(BASE, public).await.assert_l5_error(401, L5_UNAUTHORIZED);
    let publish = json!({"id": id, "visibility": "published", "patternData": doc("dave's now")});
    w.dave.ctx(&w.org_b).post(BASE, publish).await.assert_l5_error(401, L5_UNAUTHORIZED);
    let carol = json!({"emails": ["carol@a.example"]});
    w.dave.post(&share_path("design", &id), carol).await.assert_l5_error(401, L5_UNAUTHORIZED);

    // Unshared: back to "not found".
    let v = share(&w.alice, "design", &id, json!({"users": ["dave@b.example"], "share": false})).await;
    assert_eq!(v["users"], json!([]));
    w.dave.get(&format!("{BASE}/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(w.dave.ctx(&w.org_b).get(&format!("{BASE}?shared=true")).await.expect(200)["total_count"], 0);
}

#[tokio::test]
async fn team_and_organization_shares_reach_their_members() {
    let w = world().await;
    let id = create(&w.alice, &w.org_a, "team work", "private").await;
    let team = w.alice.create_team(&w.org_a, "builders").await;
    let members = format!("/api/identity/orgs/{}/teams/{team}/users/{}", w.org_a, w.carol_id);
    w.alice.post_empty(&members).await.expect(201);
    w.carol.get(&format!("{BASE}/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);

    let v = share(&w.alice, "design", &id, json!({"teams": [team]})).await;
    assert_eq!((v["teams"][0]["id"].as_str(), v["teams"][0]["name"].as_str()), (Some(team.as_str()), Some("builders")));
    w.carol.get(&format!("{BASE}/{id}")).await.expect(200);
    let listed = w.carol.ctx(&w.org_a).get(&format!("{BASE}?shared=true")).await.expect(200);
    assert_eq!(strs(&listed["patterns"], "id"), [id.as_str()]);
    // Out of the team, out of the share.
    w.alice.delete(&members).await;
    w.carol.get(&format!("{BASE}/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);

    // An organization share: every member of org B.
    share(&w.alice, "design", &id, json!({"organizations": [w.org_b]})).await;
    w.dave.get(&format!("{BASE}/{id}")).await.expect(200);
    let orgs = w.alice.get(&format!("{}/organizations", share_path("design", &id))).await.expect(200);
    assert_eq!(
        (orgs["organizations"][0]["id"].as_str(), orgs["organizations"][0]["name"].as_str()),
        (Some(w.org_b.as_str()), Some("B"))
    );
    let teams = w.alice.get(&format!("{}/teams", share_path("design", &id))).await.expect(200);
    assert_eq!(strs(&teams["teams"], "id"), [team.as_str()]);
    // Those it is shared with may see who else it is shared with.
    let users = w.dave.get(&format!("{}/users", share_path("design", &id))).await.expect(200);
    assert_eq!(users, json!({"users": []}));
    // An org share gives nothing to another org's members.
    let (_, eve) = w.s.user("eve@c.example", None).await;
    eve.get(&format!("{BASE}/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn views_and_filters_are_shared_alike() {
    let w = world().await;
    let view = create_view(&w.alice, &w.org_a, "ops view", "private").await;
    let filter = super::filters::create_filter(&w.alice, &w.org_a, "ops filter", "private").await;
    let filter = filter["id"].as_str().expect("id").to_string();
    share(&w.alice, "view", &view, json!({"emails": ["dave@b.example"]})).await;
    share(&w.alice, "filters", &filter, json!({"emails": ["dave@b.example"], "access": "edit"})).await;
    w.dave.get(&format!("/api/content/views/{view}")).await.expect(200);
    let listed = w.dave.ctx(&w.org_b).get("/api/content/views?shared=true").await.expect(200);
    assert_eq!(strs(&listed["views"], "id"), [view.as_str()]);
    w.dave.put(&format!("/api/content/views/{view}"), json!({"name": "x"})).await.assert_l5_error(401, L5_UNAUTHORIZED);
    let f = w.dave.post("/api/content/filters", json!({"id": filter, "name": "renamed"})).await.expect(200);
    assert_eq!(f["name"], "renamed");
    w.dave.delete(&format!("/api/content/filters/{filter}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    let listed = w.dave.ctx(&w.org_b).get("/api/content/filters?shared=true").await.expect(200);
    assert_eq!(strs(&listed["filters"], "id"), [filter.as_str()]);
}

#[tokio::test]
async fn who_may_share_and_bad_requests() {
    let w = world().await;
    let public = create(&w.alice, &w.org_a, "public", "public").await;
    let private = create(&w.alice, &w.org_a, "private", "private").await;
    let body = json!({"emails": ["dave@b.example"]});
    // A member who sees it without owning it or holding the share key: refused.
    w.carol.post(&share_path("design", &public), body.clone()).await.assert_l5_error(401, L5_UNAUTHORIZED);
    // One who does not see it: not found.
    w.carol.post(&share_path("design", &private), body.clone()).await.assert_l5_error(404, L5_NOT_FOUND);
    w.dave.post(&share_path("design", &public), body.clone()).await.assert_l5_error(404, L5_NOT_FOUND);
    w.s.anon().post(&share_path("design", &public), body.clone()).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.dave.get(&format!("{}/users", share_path("design", &public))).await.assert_l5_error(404, L5_NOT_FOUND);
    // The owner shares without the share key (here: carol's own design, once
    // she may create designs through a role without the share key).
    let keys = ["content.designs.read", "content.designs.create"];
    w.admin.give_role_with_keys(&w.org_a, "creator", &keys, &w.carol_id).await;
    let hers = create(&w.carol, &w.org_a, "carol's", "private").await;
    share(&w.carol, "design", &hers, body.clone()).await;
    w.dave.get(&format!("{BASE}/{hers}")).await.expect(200);

    let bad = [
        json!({}),
        json!({"emails": []}),
        json!({"emails": "dave@b.example"}),
        json!({"emails": ["nobody@nowhere.example"]}),
        json!({"emails": ["not an address"]}),
        json!({"users": [uuid::Uuid::new_v4()]}),
        json!({"teams": ["not-a-uuid"]}),
        json!({"teams": [uuid::Uuid::new_v4()]}),
        json!({"organizations": [uuid::Uuid::new_v4()]}),
        json!({"emails": ["dave@b.example"], "access": "own"}),
        json!({"emails": ["dave@b.example"], "share": "yes"}),
        json!({"emails": [42]}),
        json!([1]),
    ];
    for b in bad {
        w.alice.post(&share_path("design", &private), b.clone()).await.assert_l5_error(400, L5_BAD_REQUEST);
    }
    // A bad actor among good ones changes nothing.
    let mixed = json!({"emails": ["dave@b.example", "nobody@nowhere.example"]});
    let refused = w.alice.post(&share_path("design", &private), mixed).await;
    refused.assert_l5_error(400, L5_BAD_REQUEST);
    // The refusal names the address, not only its place in the list.
    assert!(refused.text.contains("emails[1] names no user: nobody@nowhere.example"), "{}", refused.text);
    w.dave.get(&format!("{BASE}/{private}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.post(&share_path("workspace", &private), body.clone()).await.assert_l5_error(400, L5_BAD_REQUEST);
    w.alice.post(&share_path("design", "nope"), body.clone()).await.assert_l5_error(400, L5_BAD_REQUEST);
    w.alice.get(&format!("{}/robots", share_path("design", &private))).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.get(&format!("{}/users", share_path("workspace", &private))).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.get(&format!("{}/users", share_path("design", "nope"))).await.assert_l5_error(404, L5_NOT_FOUND);
    let gone = uuid::Uuid::new_v4().to_string();
    w.alice.post(&share_path("view", &gone), body).await.assert_l5_error(404, L5_NOT_FOUND);
}
