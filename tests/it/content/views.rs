//! Views: PUT creates or updates by id, GET reads, the list pages and
//! filters; the visibility rules of designs; the permission matrix.

use serde_json::{Value, json};

use crate::support::matrix::*;
use crate::support::*;

const VIEWS: &str = "/api/content/views";

fn ids(v: &Value) -> Vec<String> {
    strs(&v["views"], "id")
}

/// Creates a view in `org` through `api`; returns its id.
pub async fn create_view(api: &Api, org: &str, name: &str, visibility: &str) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let body = json!({"name": name, "visibility": visibility, "filters": {"kind": "Deployment"}});
    let v = api.ctx(org).put(&format!("{VIEWS}/{id}"), body).await.expect(200);
    assert_eq!(v["id"], id.as_str());
    id
}

#[tokio::test]
async fn a_put_creates_then_updates_and_the_list_pages() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let id = uuid::Uuid::new_v4().to_string();
    let body =
        json!({"name": "prod", "filters": {"namespace": "prod", "kinds": ["Deployment"]}, "metadata": {"k": "v"}});
    let v = api.put(&format!("{VIEWS}/{id}"), body).await.expect(200);
    assert_eq!((v["name"].as_str(), v["visibility"].as_str()), (Some("prod"), Some("private")));
    assert_eq!(v["filters"]["namespace"], "prod");
    assert_eq!(v["metadata"], json!({"k": "v"}));
    assert_eq!((v["user_id"].as_str(), v["org_id"].as_str()), (Some(w.alice_id.as_str()), Some(w.org_a.as_str())));
    for key in ["created_at", "updated_at"] {
        assert!(v[key].is_string(), "{key}");
    }
    assert_eq!(w.alice.get(&format!("{VIEWS}/{id}")).await.expect(200), v);
    // A later PUT changes what it names and keeps the rest.
    let v2 = api.put(&format!("{VIEWS}/{id}"), json!({"name": "production", "visibility": "public"})).await.expect(200);
    assert_eq!((v2["name"].as_str(), v2["visibility"].as_str()), (Some("production"), Some("public")));
    assert_eq!((&v2["filters"], &v2["created_at"]), (&v["filters"], &v["created_at"]));
    // The same PUT again changes nothing.
    let again = api.put(&format!("{VIEWS}/{id}"), json!({"name": "production"})).await.expect(200);
    assert_eq!(again["updated_at"], v2["updated_at"]);

    for i in 0..11 {
        create_view(&w.alice, &w.org_a, &format!("v{i:02}"), "private").await;
    }
    let first = api.get(VIEWS).await.expect(200);
    assert_eq!(page_items(&first, "views", 0, 10, 12).len(), 10);
    let last = api.get(&format!("{VIEWS}?page=1")).await.expect(200);
    assert_eq!(page_items(&last, "views", 1, 10, 12).len(), 2);
    for q in ["page=-1&pagesize=0", "page=x&pagesize=ten"] {
        let v = api.get(&format!("{VIEWS}?{q}")).await.expect(200);
        assert_eq!(page_items(&v, "views", 0, 10, 12).len(), 10, "{q}");
    }
    let past = api.get(&format!("{VIEWS}?page=99999999999999999999&pagesize=5")).await.expect(200);
    assert!(past["views"].as_array().expect("views").is_empty());
    let all = api.get(&format!("{VIEWS}?pagesize=all&order=name%20asc")).await.expect(200);
    assert_eq!(page_items(&all, "views", 0, 500, 12)[0]["name"], "production");
    let (every, total) = every_item(&api, &format!("{VIEWS}?order=name%20desc"), "views", 500).await;
    let (paged, _) = every_item(&api, &format!("{VIEWS}?order=name%20desc"), "views", 3).await;
    assert_eq!((total, every), (12, paged));
    let found = api.get(&format!("{VIEWS}?search=V0")).await.expect(200);
    assert_eq!(found["total_count"], 10);
    let public = api.get(&format!("{VIEWS}?visibility=public")).await.expect(200);
    assert_eq!(ids(&public), [id.as_str()]);
    assert_eq!(api.get(&format!("{VIEWS}?visibility=secret")).await.expect(200)["total_count"], 12);
    assert_eq!(api.get(&format!("{VIEWS}?userId={}", w.admin_id)).await.expect(200)["total_count"], 0);
    // `filter` is accepted and changes nothing; orgId names the org without a header.
    assert_eq!(api.get(&format!("{VIEWS}?filter=%7B%7D")).await.expect(200)["total_count"], 12);
    assert_eq!(w.alice.get(&format!("{VIEWS}?orgId={}", w.org_a)).await.expect(200)["total_count"], 12);
}

#[tokio::test]
async fn search_takes_any_text() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let names = ["Alpha%Beta", "under_score", "quote\"d", "o'brien", "MiXeD CaSe", "été", "cross-abcd", "100% web"];
    for n in names {
        create_view(&w.alice, &w.org_a, n, "private").await;
    }
    let (every, total) = every_item(&api, VIEWS, "views", 500).await;
    assert_eq!(total, names.len() as u64);
    for s in TRICKY_SEARCHES {
        check_search(&api, VIEWS, "views", &["name"], &every, s).await;
    }
}

#[tokio::test]
async fn bad_input_is_a_400_and_unknown_views_404() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let id = uuid::Uuid::new_v4();
    api.put(&format!("{VIEWS}/not-a-uuid"), json!({"name": "x"})).await.assert_l5_error(400, L5_BAD_REQUEST);
    for body in [
        json!({}),
        json!({"name": " "}),
        json!({"name": "x", "filters": []}),
        json!({"name": "x", "metadata": "m"}),
        json!({"name": "x", "visibility": "secret"}),
        json!({"name": "x".repeat(256)}),
    ] {
        api.put(&format!("{VIEWS}/{id}"), body.clone()).await.assert_l5_error(400, L5_BAD_REQUEST);
    }
    // Nothing was stored.
    api.get(&format!("{VIEWS}/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    api.get(&format!("{VIEWS}/not-a-uuid")).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(api.get(VIEWS).await.expect(200)["total_count"], 0);
    // `published` is the catalog's to give: not through a PUT.
    api.put(&format!("{VIEWS}/{id}"), json!({"name": "x", "visibility": "published"}))
        .await
        .assert_l5_error(401, L5_UNAUTHORIZED);
}

#[tokio::test]
async fn visibility_across_owners_and_orgs() {
    let w = world().await;
    let private = create_view(&w.alice, &w.org_a, "private", "private").await;
    let public = create_view(&w.alice, &w.org_a, "public", "public").await;
    // A member reads the public view only, and changes neither.
    w.carol.get(&format!("{VIEWS}/{public}")).await.expect(200);
    w.carol.get(&format!("{VIEWS}/{private}")).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(ids(&w.carol.ctx(&w.org_a).get(VIEWS).await.expect(200)), [public.as_str()]);
    w.carol.put(&format!("{VIEWS}/{public}"), json!({"name": "mine"})).await.assert_l5_error(401, L5_UNAUTHORIZED);
    // Another org's member sees nothing of org A, and cannot take an id over.
    for id in [&private, &public] {
        w.dave.get(&format!("{VIEWS}/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
        w.dave
            .ctx(&w.org_b)
            .put(&format!("{VIEWS}/{id}"), json!({"name": "x"}))
            .await
            .assert_l5_error(404, L5_NOT_FOUND);
    }
    w.dave.ctx(&w.org_a).get(VIEWS).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(w.alice.get(&format!("{VIEWS}/{public}")).await.expect(200)["name"], "public");
}

fn cases() -> Vec<Case> {
    const PUT_NEW: &str = r#"{"name": "v<n>"}"#;
    vec![
        in_ctx(GET, VIEWS, None, READ),
        case(GET, "/api/content/views/<view>", None, READ),
        in_ctx(PUT, "/api/content/views/<uuid>", Some(PUT_NEW), write(200)),
        case(PUT, "/api/content/views/<view>", Some(r#"{"name": "renamed <n>"}"#), write(200)),
    ]
}

#[tokio::test]
async fn views_matrix() {
    let w = world().await;
    run(&w, &cases()).await;
    let grant = json!({"email": "carol@a.example", "roleNames": ["workspace admin"]});
    w.alice.ctx(&w.org_a).post("/api/identity/roles", grant).await.expect(201);
    let cases: Vec<Case> = cases().into_iter().map(Case::member_as_admin).collect();
    run(&w, &cases).await;
}
