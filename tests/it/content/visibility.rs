//! Who sees which design: private ones their owner and those who may change
//! the organization's designs; public ones the organization's members;
//! published ones everyone signed in. Anyone else gets "not found".

use serde_json::json;

use super::{BASE, create};
use crate::support::*;

#[tokio::test]
async fn private_public_and_published_across_owners_and_orgs() {
    let w = world().await;
    let private = create(&w.admin, &w.org_a, "private one", "private").await;
    let public = create(&w.admin, &w.org_a, "public one", "public").await;
    let published = create(&w.admin, &w.org_a, "published one", "published").await;

    // The org admin may change the org's designs, so sees them all.
    for id in [&private, &public, &published] {
        w.alice.get(&format!("{BASE}/{id}")).await.expect(200);
    }
    // A member reads the public and the published one, not another's private one.
    w.carol.get(&format!("{BASE}/{private}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.carol.get(&format!("{BASE}/download/{private}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.carol.get(&format!("{BASE}/{public}")).await.expect(200);
    w.carol.get(&format!("{BASE}/{published}")).await.expect(200);
    let listed = w.carol.ctx(&w.org_a).get(BASE).await.expect(200);
    let mut names = strs(&listed["patterns"], "name");
    names.sort();
    assert_eq!(names, ["public one", "published one"]);
    assert_eq!(listed["total_count"], 2);
    // She reads but may not change them.
    let body = json!({"id": public, "name": "taken over", "patternData": {}});
    w.carol.ctx(&w.org_a).post(BASE, body).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.carol.delete(&format!("{BASE}/{public}")).await.assert_l5_error(401, L5_UNAUTHORIZED);

    // Another org's member: only the published one, which they may clone
    // into their own org; never change it.
    w.dave.get(&format!("{BASE}/{private}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.dave.get(&format!("{BASE}/{public}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.dave.get(&format!("{BASE}/{public}/versions")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.dave.get(&format!("{BASE}/{published}")).await.expect(200);
    assert_eq!(w.dave.get(&format!("{BASE}/download/{published}")).await.status, 200);
    w.dave.get(&format!("{BASE}/{published}/versions/0.0.1")).await.expect(200);
    w.dave.delete(&format!("{BASE}/{published}")).await.assert_l5_error(404, L5_NOT_FOUND);
    let all = json!({"patterns": [{"id": private}, {"id": public}, {"id": published}]});
    let r = w.dave.post(&format!("{BASE}/delete"), all).await;
    assert_eq!(r.status, 200, "{}", r.text);
    for id in [&private, &public, &published] {
        w.alice.get(&format!("{BASE}/{id}")).await.expect(200);
    }
    let body = json!({"id": published, "name": "taken over", "patternData": {}});
    w.dave.ctx(&w.org_b).post(BASE, body).await.assert_l5_error(404, L5_NOT_FOUND);
    // Org B's list does not show org A's designs, and org A's is closed to him.
    assert_eq!(w.dave.ctx(&w.org_b).get(BASE).await.expect(200)["total_count"], 0);
    w.dave.ctx(&w.org_a).get(BASE).await.assert_l5_error(404, L5_NOT_FOUND);
    w.dave.get(&format!("{BASE}?orgId={}", w.org_a)).await.assert_l5_error(404, L5_NOT_FOUND);

    // Dave's own org: members hold no create key by default; with org B's
    // admin rights he clones the published design there.
    w.dave.ctx(&w.org_b).post_empty(&format!("{BASE}/clone/{published}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    let grant = json!([{"user_id": w.dave_id, "roleNames": ["user", "organization admin"]}]);
    w.admin.put(&format!("/api/identity/orgs/{}/roles", w.org_b), grant).await.expect(200);
    let copy = w.dave.ctx(&w.org_b).post_empty(&format!("{BASE}/clone/{published}")).await.expect(200);
    assert_eq!(copy["user_id"], w.dave_id.as_str());
    w.dave.ctx(&w.org_a).post_empty(&format!("{BASE}/clone/{published}")).await.assert_l5_error(404, L5_NOT_FOUND);
    let b = w.dave.ctx(&w.org_b).get(BASE).await.expect(200);
    assert_eq!(strs(&b["patterns"], "id"), [copy["id"].as_str().expect("id").to_string()]);
    // Org A's lists are untouched by the copy.
    assert_eq!(w.alice.ctx(&w.org_a).get(BASE).await.expect(200)["total_count"], 3);
}

#[tokio::test]
async fn owners_see_their_private_designs_and_keep_them_after_a_demotion() {
    let w = world().await;
    w.make_carol_deputy().await;
    let mine = create(&w.carol, &w.org_a, "carol's", "private").await;
    let others = create(&w.admin, &w.org_a, "admin's", "private").await;
    // As a deputy she may change every design of the org, so sees both.
    assert_eq!(w.carol.ctx(&w.org_a).get(BASE).await.expect(200)["total_count"], 2);
    // Back to a plain member: her own private design stays hers to read.
    let grant = json!([{"user_id": w.carol_id, "roleNames": ["user"]}]);
    w.admin.put(&format!("/api/identity/orgs/{}/roles", w.org_a), grant).await.expect(200);
    w.carol.get(&format!("{BASE}/{mine}")).await.expect(200);
    w.carol.get(&format!("{BASE}/{others}")).await.assert_l5_error(404, L5_NOT_FOUND);
    let listed = w.carol.ctx(&w.org_a).get(BASE).await.expect(200);
    assert_eq!(strs(&listed["patterns"], "id"), [mine.as_str()]);
    // Reading is not changing.
    let body = json!({"id": mine, "name": "renamed", "patternData": {}});
    w.carol.ctx(&w.org_a).post(BASE, body).await.assert_l5_error(401, L5_UNAUTHORIZED);
}
