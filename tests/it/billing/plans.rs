//! `GET /api/entitlement/plans`, `/features` and an organization's features.

use serde_json::Value;

use crate::support::*;

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|p| format!("{} {}", p["name"].as_str().unwrap(), p["cadence"].as_str().unwrap()))
        .collect()
}

#[tokio::test]
async fn the_seeded_catalogue_is_a_top_level_array_cheapest_first() {
    let w = world().await;
    let plans = w.carol.get("/api/entitlement/plans?page=3&pagesize=1").await.expect(200);
    assert_eq!(names(&plans)[0], "Free monthly", "{plans}");
    assert_eq!(names(&plans).len(), 7, "paging is accepted and ignored: {plans}");
    let free = &plans[0];
    for key in ["id", "name", "cadence", "currency", "unit", "minimum_units", "price_per_unit"] {
        assert!(free.get(key).is_some(), "{key} missing: {free}");
    }
    assert_eq!(free["price_per_unit"], 0.0);
    assert_eq!(free.as_object().unwrap().len(), 7, "the reference's fields and no other: {free}");
    assert!(names(&plans).contains(&"Team Designer annually".to_string()), "{plans}");
    let team =
        plans.as_array().unwrap().iter().find(|p| p["name"] == "Team Designer" && p["cadence"] == "monthly").unwrap();
    assert_eq!(team["price_per_unit"], 15.0, "{team}");
    assert_eq!(team["unit"], "user");

    let features = w.carol.get("/api/entitlement/features").await.expect(200);
    let all = features.as_array().expect("array");
    assert!(all.iter().all(|f| f["plan"]["id"] == f["plan_id"]), "{features}");
    let free_members = all.iter().find(|f| f["plan_id"] == free["id"] && f["name"] == "MembersInOrganization").unwrap();
    assert_eq!(free_members["quantity"], 10);
    let unlimited =
        all.iter().find(|f| f["plan"]["name"] == "Enterprise" && f["name"] == "DesignsInOrganization").unwrap();
    assert_eq!(unlimited["quantity"], 9_999_999_999i64);
}

#[tokio::test]
async fn an_organization_without_a_subscription_has_the_free_features() {
    let w = world().await;
    let a = &w.org_a;
    let f = w.alice.get(&format!("/api/entitlement/subscriptions/organizations/{a}/features")).await.expect(200);
    assert!(!f.as_array().unwrap().is_empty());
    assert!(f.as_array().unwrap().iter().all(|x| x["plan"]["name"] == "Free"), "{f}");
    // A member without the billing key, and an outsider, learn nothing.
    let r = w.carol.get(&format!("/api/entitlement/subscriptions/organizations/{a}/features")).await;
    assert_eq!(r.status, 401, "{}", r.text);
    let r = w.dave.get(&format!("/api/entitlement/subscriptions/organizations/{a}/features")).await;
    assert_eq!(r.status, 404, "{}", r.text);
    // Unauthenticated.
    let r = w.s.anon().get("/api/entitlement/plans").await;
    assert_eq!(r.status, 401, "{}", r.text);
}
