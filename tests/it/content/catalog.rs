//! The catalog: classes, published content for anyone (no token), the
//! publication requests and their decisions (409s), unpublishing, and
//! `published` kept out of plain saves.

use serde_json::{Value, json};

use super::filters::create_filter;
use super::{BASE, catalog_data, create, doc};
use crate::support::matrix::*;
use crate::support::*;

const CONTENT: &str = "/api/catalog/content";
const REQUESTS: &str = "/api/catalog/requests";

async fn ask(api: &Api, kind: &str, id: &str) -> Value {
    api.post(&format!("{CONTENT}/{kind}"), json!({"id": id, "catalog_data": catalog_data()})).await.expect(200)
}

fn rid(v: &Value) -> String {
    v["id"].as_str().expect("request id").to_string()
}

#[tokio::test]
async fn classes_are_the_schemas() {
    let w = world().await;
    let v = w.carol.get(&format!("{CONTENT}/classes")).await.expect(200);
    let classes = strs(&v, "class");
    assert_eq!(classes, ["official", "verified", "reference architecture"]);
    assert!(v.as_array().expect("array").iter().all(|c| c["description"].as_str().is_some_and(|d| !d.is_empty())));
    w.s.anon().get(&format!("{CONTENT}/classes")).await.assert_l5_error(401, L5_UNAUTHORIZED);
}

#[tokio::test]
async fn a_design_is_published_once_approved_and_readable_by_everyone() {
    let w = world().await;
    let anon = w.s.anon();
    let id = create(&w.alice, &w.org_a, "web", "public").await;
    let empty = anon.get(&format!("{CONTENT}/pattern")).await.expect(200);
    assert_eq!(
        empty,
        json!({"categoryCount": [], "filters": [], "modelsCount": [], "page": 0, "page_size": 10, "patterns": [], "total_count": 0})
    );

    // Asking files a request; the design stays as it was.
    let req = ask(&w.alice, "pattern", &id).await;
    assert_eq!((req["status"].as_str(), req["content_type"].as_str()), (Some("pending"), Some("pattern")));
    assert_eq!((req["content_id"].as_str(), req["user_id"].as_str()), (Some(id.as_str()), Some(w.alice_id.as_str())));
    assert_eq!(req["catalog_data"]["publishedVersion"], "0.0.1", "the design's version, when not given");
    assert_eq!(w.alice.get(&format!("{BASE}/{id}")).await.expect(200)["visibility"], "public");
    w.dave.get(&format!("{BASE}/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(anon.get(&format!("{CONTENT}/pattern")).await.expect(200)["total_count"], 0);
    // One pending request per item.
    let again = w.alice.post(&format!("{CONTENT}/pattern"), json!({"id": id, "catalog_data": catalog_data()})).await;
    assert_eq!(again.status, 409, "{}", again.text);

    // Who sees the request: the provider admin and its author.
    let mine = w.alice.get(REQUESTS).await.expect(200);
    assert_eq!((strs(&mine["catalogRequests"], "id"), mine["total_count"].as_u64()), (vec![rid(&req)], Some(1)));
    assert_eq!(w.admin.get(&format!("{REQUESTS}?filter=pending")).await.expect(200)["total_count"], 1);
    assert_eq!(
        w.admin.get(&format!("{REQUESTS}?filter=%7B%22status%22%3A%22denied%22%7D")).await.expect(200)["total_count"],
        0
    );
    assert_eq!(w.dave.get(REQUESTS).await.expect(200)["total_count"], 0);
    // Its author may not approve it; others do not even find it.
    let decide = json!({"id": rid(&req)});
    w.alice.post(&format!("{REQUESTS}/approve"), decide.clone()).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.dave.post(&format!("{REQUESTS}/approve"), decide.clone()).await.assert_l5_error(404, L5_NOT_FOUND);

    let approved = w.admin.post(&format!("{REQUESTS}/approve"), decide.clone()).await.expect(200);
    assert_eq!(
        (approved["status"].as_str(), approved["decided_by"].as_str()),
        (Some("approved"), Some(w.admin_id.as_str()))
    );
    for path in ["approve", "deny"] {
        let r = w.admin.post(&format!("{REQUESTS}/{path}"), decide.clone()).await;
        assert_eq!(r.status, 409, "{path}: {}", r.text);
    }
    let d = w.alice.get(&format!("{BASE}/{id}")).await.expect(200);
    assert_eq!((d["visibility"].as_str(), d["catalogData"]["type"].as_str()), (Some("published"), Some("Deployment")));

    // Published: in the catalog without a token, readable and cloneable by everyone.
    let page = anon.get(&format!("{CONTENT}/pattern")).await.expect(200);
    assert_eq!(strs(&page["patterns"], "id"), [id.as_str()]);
    assert!(page["patterns"][0].get("patternFile").is_none());
    assert_eq!(page["categoryCount"], json!([{"type": "Deployment", "count": 1}]));
    assert_eq!(page["modelsCount"], json!([{"model": "kubernetes", "count": 1}]));
    assert_eq!(page["filters"], json!([]));
    let full = anon.get(&format!("{CONTENT}/pattern?populate=true&search=WE&orgId={}", w.org_a)).await.expect(200);
    assert_eq!(full["patterns"][0]["patternFile"]["name"], "web");
    for q in ["class=verified", "search=nothing", "userId=nope"] {
        assert_eq!(anon.get(&format!("{CONTENT}/pattern?{q}")).await.expect(200)["total_count"], 0, "{q}");
    }
    assert_eq!(anon.get(&format!("{CONTENT}/patterns?class=official,verified")).await.expect(200)["total_count"], 0);
    assert_eq!(anon.get(&format!("{CONTENT}/filter")).await.expect(200)["total_count"], 0);
    w.dave.get(&format!("{BASE}/{id}")).await.expect(200);
    let grant = json!([{"user_id": w.dave_id, "roleNames": ["user", "organization admin"]}]);
    w.admin.put(&format!("/api/identity/orgs/{}/roles", w.org_b), grant).await.expect(200);
    w.dave.ctx(&w.org_b).post_empty(&format!("{BASE}/clone/{id}")).await.expect(200);
    // A plain save does not take it out of the catalog.
    let body = json!({"id": id, "visibility": "private", "patternData": doc("web")});
    w.alice.ctx(&w.org_a).post(BASE, body).await.assert_l5_error(401, L5_UNAUTHORIZED);

    // Unpublished: back to its earlier visibility, out of the catalog.
    let r = w.carol.post(&format!("{CONTENT}/pattern/unpublish"), json!({"id": id})).await;
    r.assert_l5_error(401, L5_UNAUTHORIZED);
    let r = w.alice.post(&format!("{CONTENT}/pattern/unpublish"), json!({"id": id})).await.expect(200);
    assert!(r["message"].is_string());
    let d = w.alice.get(&format!("{BASE}/{id}")).await.expect(200);
    assert_eq!(d["visibility"], "public");
    assert!(d.get("catalogData").is_none());
    assert_eq!(anon.get(&format!("{CONTENT}/pattern")).await.expect(200)["total_count"], 0);
    w.dave.get(&format!("{BASE}/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    let r = w.alice.post(&format!("{CONTENT}/pattern/unpublish"), json!({"id": id})).await;
    assert_eq!(r.status, 409, "{}", r.text);
    let listed = w.admin.get(REQUESTS).await.expect(200);
    assert_eq!(listed["catalogRequests"][0]["status"], "withdrawn");
}

#[tokio::test]
async fn a_denied_request_leaves_the_item_and_filters_publish_too() {
    let w = world().await;
    let f = create_filter(&w.alice, &w.org_a, "limits", "private").await;
    let fid = f["id"].as_str().expect("id").to_string();
    let req = ask(&w.alice, "filter", &fid).await;
    let denied = w.admin.post(&format!("{REQUESTS}/deny"), json!({"id": rid(&req)})).await.expect(200);
    assert_eq!(denied["status"], "denied");
    assert_eq!(w.alice.get(&format!("/api/content/filters/{fid}")).await.expect(200)["visibility"], "private");
    // Denied, it may be asked for again.
    let req = ask(&w.alice, "filter", &fid).await;
    w.admin.post(&format!("{REQUESTS}/approve"), json!({"id": rid(&req)})).await.expect(200);
    let page = w.s.anon().get(&format!("{CONTENT}/filter")).await.expect(200);
    assert_eq!((strs(&page["filters"], "id"), page["patterns"].clone()), (vec![fid.clone()], json!([])));
    assert_eq!(page["filters"][0]["catalog_data"]["type"], "Deployment");
    w.dave.get(&format!("/api/content/filters/{fid}")).await.expect(200);
    // Unpublished: private again, as before.
    w.alice.post(&format!("{CONTENT}/filter/unpublish"), json!({"id": fid})).await.expect(200);
    assert_eq!(w.alice.get(&format!("/api/content/filters/{fid}")).await.expect(200)["visibility"], "private");
}

#[tokio::test]
async fn bad_requests_and_who_may_ask() {
    let w = world().await;
    let id = create(&w.alice, &w.org_a, "web", "public").await;
    let mut missing = catalog_data();
    missing.as_object_mut().expect("object").remove("pattern_info");
    let with = |k: &str, v: Value| {
        let mut d = catalog_data();
        d[k] = v;
        d
    };
    for data in [
        json!("text"),
        missing,
        with("type", json!("Fun")),
        with("class", json!("gold")),
        with("compatibility", json!([])),
        with("compatibility", json!(["kubernetes", "kubernetes"])),
        with("pattern_info", json!(" ")),
        with("snapshotURL", json!(["ftp://x"])),
        with("stars", json!(5)),
    ] {
        let r = w.alice.post(&format!("{CONTENT}/pattern"), json!({"id": id, "catalog_data": data.clone()})).await;
        r.assert_l5_error(400, L5_BAD_REQUEST);
    }
    for body in [
        json!({"catalog_data": catalog_data()}),
        json!({"id": "nope", "catalog_data": catalog_data()}),
        json!({"id": id}),
    ] {
        w.alice.post(&format!("{CONTENT}/pattern"), body).await.assert_l5_error(400, L5_BAD_REQUEST);
    }
    let body = json!({"id": id, "catalog_data": catalog_data()});
    w.alice.post(&format!("{CONTENT}/view"), body.clone()).await.assert_l5_error(400, L5_BAD_REQUEST);
    w.s.anon().get(&format!("{CONTENT}/workspace")).await.assert_l5_error(404, L5_NOT_FOUND);
    // Carol sees the design but neither owns it nor may publish.
    w.carol.post(&format!("{CONTENT}/pattern"), body.clone()).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.dave.post(&format!("{CONTENT}/pattern"), body.clone()).await.assert_l5_error(404, L5_NOT_FOUND);
    w.s.anon().post(&format!("{CONTENT}/pattern"), body.clone()).await.assert_l5_error(401, L5_UNAUTHORIZED);
    let unknown = json!({"id": uuid::Uuid::new_v4()});
    w.admin.post(&format!("{REQUESTS}/approve"), unknown).await.assert_l5_error(404, L5_NOT_FOUND);
    w.admin.post(&format!("{REQUESTS}/approve"), json!({"id": "x"})).await.assert_l5_error(400, L5_BAD_REQUEST);
    assert_eq!(w.admin.get(REQUESTS).await.expect(200)["total_count"], 0, "nothing was filed");

    // A save may not publish directly, except for those who approve.
    let publish = json!({"id": id, "visibility": "published", "patternData": doc("web")});
    w.alice.ctx(&w.org_a).post(BASE, publish.clone()).await.assert_l5_error(401, L5_UNAUTHORIZED);
    let new = json!({"name": "n", "visibility": "published", "patternData": doc("n")});
    w.alice.ctx(&w.org_a).post(BASE, new).await.assert_l5_error(401, L5_UNAUTHORIZED);
    assert_eq!(w.admin.ctx(&w.org_a).post(BASE, publish).await.expect(200)["visibility"], "published");
}

#[tokio::test]
async fn request_list_pages() {
    let w = world().await;
    for i in 0..12 {
        let id = create(&w.alice, &w.org_a, &format!("d{i:02}"), "private").await;
        ask(&w.alice, "pattern", &id).await;
    }
    let first = w.admin.get(REQUESTS).await.expect(200);
    assert_eq!(page_items(&first, "catalogRequests", 0, 10, 12).len(), 10);
    let last = w.admin.get(&format!("{REQUESTS}?page=1")).await.expect(200);
    assert_eq!(page_items(&last, "catalogRequests", 1, 10, 12).len(), 2);
    let (every, total) = every_item(&w.admin, &format!("{REQUESTS}?order=name%20asc"), "catalogRequests", 500).await;
    let (paged, _) = every_item(&w.admin, &format!("{REQUESTS}?order=name%20asc"), "catalogRequests", 5).await;
    assert_eq!((total, &every), (12, &paged));
    assert_eq!(every[0]["content_name"], "d00");
    assert_eq!(w.admin.get(&format!("{REQUESTS}?search=D1")).await.expect(200)["total_count"], 2);
}

fn cases() -> Vec<Case> {
    vec![
        case(GET, "/api/catalog/content/classes", None, SIGNED_IN),
        case(GET, "/api/catalog/content/pattern", None, [200, 200, 200, 200, 200]),
        case(GET, "/api/catalog/requests", None, SIGNED_IN),
        // Only the provider administers the catalog; the requests are org A's.
        case(POST, "/api/catalog/requests/approve", Some(r#"{"id": "<catalog_request>"}"#), [200, 401, 404, 404, 401]),
        case(POST, "/api/catalog/requests/deny", Some(r#"{"id": "<catalog_request>"}"#), [200, 401, 404, 404, 401]),
        case(
            POST,
            "/api/catalog/content/pattern",
            Some(
                r#"{"id": "<design>", "catalog_data": {"compatibility": ["kubernetes"], "pattern_caveats": "", "pattern_info": "i", "type": "Scaling"}}"#,
            ),
            write(200),
        ),
    ]
}

#[tokio::test]
async fn catalog_matrix() {
    let w = world().await;
    run(&w, &cases()).await;
}
