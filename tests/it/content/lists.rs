//! The design list: paging edges, search through the index, order, and the
//! reference's filters (visibility, userId, orgId, workspaceId, shared,
//! populate, metrics).

use serde_json::{Value, json};

use super::{BASE, create};
use crate::support::*;

const NAMES: &[&str] = &[
    "Alpha%Beta",
    "under_score",
    "quote\"d",
    "o'brien",
    "MiXeD CaSe",
    "été",
    "cross-abcd",
    "plain a OR b",
    "100% web",
    "50_50 split",
    "NEAR(x y) col*",
    "zeta",
];

fn ids(v: &Value) -> Vec<String> {
    strs(&v["patterns"], "id")
}

#[tokio::test]
async fn pages_search_and_order() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    for (i, n) in NAMES.iter().enumerate() {
        create(&w.alice, &w.org_a, n, if i % 2 == 0 { "private" } else { "public" }).await;
    }
    let total = NAMES.len() as u64;
    // Defaults: page 0 of 10, newest change first.
    let first = api.get(BASE).await.expect(200);
    assert_eq!(page_items(&first, "patterns", 0, 10, total).len(), 10);
    assert_eq!(first["resultType"], "all");
    assert!(first["patterns"][0].get("patternFile").is_none(), "no documents without populate");
    assert_eq!(first["patterns"][0]["name"], "zeta", "newest first");
    // Edges: what cannot be understood falls back to the defaults.
    for q in ["page=-1&pagesize=0", "page=x&pagesize=ten", "page=&pagesize="] {
        let v = api.get(&format!("{BASE}?{q}")).await.expect(200);
        assert_eq!(page_items(&v, "patterns", 0, 10, total).len(), 10, "{q}");
    }
    let last = api.get(&format!("{BASE}?page=1&pagesize=10")).await.expect(200);
    assert_eq!(page_items(&last, "patterns", 1, 10, total).len(), 2);
    let past = api.get(&format!("{BASE}?page=99999999999999999999&pagesize=5")).await.expect(200);
    assert!(past["patterns"].as_array().expect("patterns").is_empty());
    assert_eq!(past["total_count"], total);
    let all = api.get(&format!("{BASE}?pagesize=all")).await.expect(200);
    assert_eq!(page_items(&all, "patterns", 0, 500, total).len(), NAMES.len());

    // Every page of every size is a slice of the one order.
    let (every, t) = every_item(&api, BASE, "patterns", 500).await;
    assert_eq!(t, total);
    for size in [1, 5] {
        let (paged, _) = every_item(&api, BASE, "patterns", size).await;
        assert_eq!(paged, every, "pages of {size}");
    }
    let searched: Vec<String> =
        TRICKY_SEARCHES.iter().map(|s| s.to_string()).chain(["web".into(), "été".into()]).collect();
    for s in &searched {
        check_search(&api, BASE, "patterns", &["name"], &every, s).await;
    }

    let by_name = api.get(&format!("{BASE}?order=name%20asc&pagesize=all")).await.expect(200);
    let names = strs(&by_name["patterns"], "name");
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    let desc = api.get(&format!("{BASE}?order=name%20desc&pagesize=all")).await.expect(200);
    let mut reversed = strs(&desc["patterns"], "name");
    reversed.reverse();
    assert_eq!(reversed, names);
    let created = api.get(&format!("{BASE}?order=created_at%20asc&pagesize=all")).await.expect(200);
    assert_eq!(strs(&created["patterns"], "name"), NAMES);
    // An unknown order field: the default order.
    let unknown = api.get(&format!("{BASE}?order=secret%20desc&pagesize=all")).await.expect(200);
    assert_eq!(ids(&unknown), ids(&all));
}

#[tokio::test]
async fn filters() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let private = create(&w.alice, &w.org_a, "p", "private").await;
    let public = create(&w.alice, &w.org_a, "q", "public").await;
    let published = create(&w.alice, &w.org_a, "r", "private").await;
    super::publish(&w.alice, &w.admin, "pattern", &published).await;
    let admins = create(&w.admin, &w.org_a, "s", "public").await;

    let v = api.get(&format!("{BASE}?visibility=public&order=name%20asc")).await.expect(200);
    assert_eq!(ids(&v), [public.clone(), admins.clone()]);
    let v = api.get(&format!("{BASE}?visibility=private,published&order=name%20asc")).await.expect(200);
    assert_eq!(ids(&v), [private.clone(), published.clone()]);
    // Lists document no 400: what they cannot understand is ignored.
    let v = api.get(&format!("{BASE}?visibility=secret,public&order=name%20asc")).await.expect(200);
    assert_eq!(ids(&v), [public.clone(), admins.clone()]);
    assert_eq!(api.get(&format!("{BASE}?visibility=secret")).await.expect(200)["total_count"], 4);

    let v = api.get(&format!("{BASE}?userId={}", w.admin_id)).await.expect(200);
    assert_eq!(ids(&v), [admins.as_str()]);
    let v = api.get(&format!("{BASE}?userId={}&order=name%20asc", w.alice_id)).await.expect(200);
    assert_eq!(ids(&v), [private.clone(), public.clone(), published.clone()]);
    assert_eq!(api.get(&format!("{BASE}?userId=nope")).await.expect(200)["total_count"], 0);

    // orgId names the org when no header does.
    let v = w.alice.get(&format!("{BASE}?orgId={}", w.org_a)).await.expect(200);
    assert_eq!(v["total_count"], 4);
    let other = w.alice.create_org(json!({"name": "A2"})).await;
    let v = w.alice.get(&format!("{BASE}?orgId={other}")).await.expect(200);
    assert_eq!(v["total_count"], 0);

    // workspaceId: the designs assigned to that workspace (infra's links).
    let ws = w.alice.create_workspace(&w.org_a, "ws").await;
    for id in [&public, &published] {
        w.alice.post_empty(&format!("/api/workspaces/{ws}/designs/{id}")).await.expect(200);
    }
    let v = api.get(&format!("{BASE}?workspaceId={ws}&order=name%20asc")).await.expect(200);
    assert_eq!(ids(&v), [public.clone(), published.clone()]);
    assert_eq!(v["total_count"], 2);
    let empty = w.alice.create_workspace(&w.org_a, "empty").await;
    assert_eq!(api.get(&format!("{BASE}?workspaceId={empty}")).await.expect(200)["total_count"], 0);
    let elsewhere = w.admin.create_workspace(&w.org_b, "b's").await;
    // Another org's workspace, or none, holds none of org A's designs.
    for other in [elsewhere, uuid::Uuid::new_v4().to_string(), "nope".into()] {
        assert_eq!(api.get(&format!("{BASE}?workspaceId={other}")).await.expect(200)["total_count"], 0, "{other}");
    }

    // populate adds the documents; metrics changes nothing.
    let v = api.get(&format!("{BASE}?populate=true&order=name%20asc")).await.expect(200);
    assert_eq!(v["patterns"][0]["patternFile"]["name"], "p");
    let plain = api.get(&format!("{BASE}?order=name%20asc")).await.expect(200);
    let metrics = api.get(&format!("{BASE}?order=name%20asc&metrics=true")).await.expect(200);
    assert_eq!(plain, metrics);
    // Nothing is shared with alice (shares: tests/it/content/sharing.rs).
    let v = api.get(&format!("{BASE}?shared=true")).await.expect(200);
    assert_eq!((v["total_count"].as_u64(), v["resultType"].as_str()), (Some(0), Some("shared")));
}
