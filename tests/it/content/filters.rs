//! Filters: save (create or update by id, a meshcloud extension), get,
//! clone, list and delete; size limits; the visibility rules of designs; the
//! permission matrix.

use serde_json::{Value, json};

use crate::support::matrix::*;
use crate::support::*;

const FILTERS: &str = "/api/content/filters";
/// The first bytes of a WASM module, base64.
const WASM: &str = "AGFzbQEAAAA=";

/// Saves a filter in `org` through `api`; returns it.
pub async fn create_filter(api: &Api, org: &str, name: &str, visibility: &str) -> Value {
    let body = json!({"name": name, "visibility": visibility, "filter_file": WASM, "filter_resource": "{\"rate\": 5}"});
    api.ctx(org).post(FILTERS, body).await.expect(200)
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("filter id").to_string()
}

#[tokio::test]
async fn save_get_update_clone_list_and_delete() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let f = create_filter(&w.alice, &w.org_a, "rate limit", "private").await;
    assert_eq!((f["name"].as_str(), f["visibility"].as_str()), (Some("rate limit"), Some("private")));
    assert_eq!((f["filter_file"].as_str(), f["filter_resource"].as_str()), (Some(WASM), Some("{\"rate\": 5}")));
    assert_eq!(f["user_id"], w.alice_id.as_str());
    assert_eq!(f["location"], json!({}));
    assert!(f.get("catalog_data").is_none(), "no catalog data until published");
    let fid = id(&f);
    assert_eq!(w.alice.get(&format!("{FILTERS}/{fid}")).await.expect(200), f);

    // An update names the filter by id and keeps what it does not name.
    let u = api.post(FILTERS, json!({"id": fid, "filter_resource": "{\"rate\": 9}"})).await.expect(200);
    assert_eq!((u["name"].as_str(), u["filter_resource"].as_str()), (Some("rate limit"), Some("{\"rate\": 9}")));
    assert_eq!(u["filter_file"], WASM);
    // A new id creates the filter with that id.
    let chosen = uuid::Uuid::new_v4().to_string();
    let c = api.post(FILTERS, json!({"id": chosen, "name": "chosen"})).await.expect(200);
    assert_eq!((c["id"].as_str(), c["filter_file"].as_str()), (Some(chosen.as_str()), Some("")));

    // Clone: a private copy owned by the caller, in the org in context.
    let copy = api.post_empty(&format!("{FILTERS}/clone/{fid}")).await.expect(200);
    assert_ne!(copy["id"], f["id"]);
    assert_eq!((copy["name"].as_str(), copy["visibility"].as_str()), (Some("rate limit (Copy)"), Some("private")));
    assert_eq!(copy["filter_resource"], "{\"rate\": 9}");

    let list = api.get(&format!("{FILTERS}?order=name%20asc")).await.expect(200);
    assert_eq!(strs(&list["filters"], "name"), ["chosen", "rate limit", "rate limit (Copy)"]);
    assert_eq!(page_items(&list, "filters", 0, 10, 3).len(), 3);
    let page = api.get(&format!("{FILTERS}?pagesize=2&page=1&order=name%20asc")).await.expect(200);
    assert_eq!(strs(&Value::from(page_items(&page, "filters", 1, 2, 3)), "name"), ["rate limit (Copy)"]);
    assert_eq!(api.get(&format!("{FILTERS}?search=COPY")).await.expect(200)["total_count"], 1);

    api.delete(&format!("{FILTERS}/{fid}")).await.expect_204();
    api.get(&format!("{FILTERS}/{fid}")).await.assert_l5_error(404, L5_NOT_FOUND);
    api.delete(&format!("{FILTERS}/{fid}")).await.assert_l5_error(404, L5_NOT_FOUND);
    api.post_empty(&format!("{FILTERS}/clone/{fid}")).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(api.get(FILTERS).await.expect(200)["total_count"], 2);
    // A deleted filter's id is not taken over by a save.
    api.post(FILTERS, json!({"id": fid, "name": "again"})).await.assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn bad_input_is_a_400_and_stores_nothing() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let big = "A".repeat(2 * 1024 * 1024 + 1);
    for body in [
        json!({}),
        json!({"filter_file": WASM}),
        json!({"name": "x", "id": "nope"}),
        json!({"name": "x", "visibility": "secret"}),
        json!({"name": "x", "location": "here"}),
        json!({"name": "x", "filter_file": big}),
        json!({"name": "x", "filter_resource": "r".repeat(256 * 1024 + 1)}),
    ] {
        api.post(FILTERS, body).await.assert_l5_error(400, L5_BAD_REQUEST);
    }
    api.post(FILTERS, json!({"name": "x", "visibility": "published"})).await.assert_l5_error(401, L5_UNAUTHORIZED);
    assert_eq!(api.get(FILTERS).await.expect(200)["total_count"], 0);
    api.get(&format!("{FILTERS}/{}", uuid::Uuid::new_v4())).await.assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn visibility_across_owners_and_orgs() {
    let w = world().await;
    let private = id(&create_filter(&w.alice, &w.org_a, "p", "private").await);
    let public = id(&create_filter(&w.alice, &w.org_a, "q", "public").await);
    w.carol.get(&format!("{FILTERS}/{public}")).await.expect(200);
    w.carol.get(&format!("{FILTERS}/{private}")).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(strs(&w.carol.ctx(&w.org_a).get(FILTERS).await.expect(200)["filters"], "id"), [public.as_str()]);
    w.carol.delete(&format!("{FILTERS}/{public}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.carol.ctx(&w.org_a).post_empty(&format!("{FILTERS}/clone/{public}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    for f in [&private, &public] {
        w.dave.get(&format!("{FILTERS}/{f}")).await.assert_l5_error(404, L5_NOT_FOUND);
        w.dave.delete(&format!("{FILTERS}/{f}")).await.assert_l5_error(404, L5_NOT_FOUND);
    }
}

fn cases() -> Vec<Case> {
    vec![
        in_ctx(GET, FILTERS, None, READ),
        in_ctx(POST, FILTERS, Some(r#"{"name": "f<n>"}"#), write(200)),
        case(POST, FILTERS, Some(r#"{"id": "<filter>", "name": "renamed <n>"}"#), write(200)),
        in_ctx(POST, "/api/content/filters/clone/<filter>", None, write(200)),
        case(GET, "/api/content/filters/<filter>", None, READ),
        case(DELETE, "/api/content/filters/<filter>", None, write(204)),
    ]
}

#[tokio::test]
async fn filters_matrix() {
    let w = world().await;
    run(&w, &cases()).await;
    let grant = json!({"email": "carol@a.example", "roleNames": ["workspace admin"]});
    w.alice.ctx(&w.org_a).post("/api/identity/roles", grant).await.expect(201);
    let cases: Vec<Case> = cases().into_iter().map(Case::member_as_admin).collect();
    run(&w, &cases).await;
}
