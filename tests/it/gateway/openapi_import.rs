//! `POST /api/v1/controlplanes/{id}/apps/import`: an OpenAPI 3 document as
//! an application and its APIs (docs/gateway.md "Applications and APIs").

use reqwest::Method;
use serde_json::{Value, json};

use super::applications::{config_version, events, setup};
use crate::support::*;

const BOOKSHOP: &str = include_str!("data/bookshop.openapi.yaml");

fn yaml(doc: &str) -> Option<RawBody> {
    Some(RawBody::Bytes("application/yaml".into(), doc.as_bytes().to_vec()))
}

fn as_json(doc: &str) -> Value {
    serde_saphyr::from_str::<Value>(doc).expect("the test document is YAML")
}

/// The APIs of an application, sorted by name.
async fn apis_of(w: &World, app: &str) -> Vec<Value> {
    let list = w.alice.get(&format!("/api/v1/apps/{app}/apis?page_size=100")).await.api7();
    let mut apis = list["list"].as_array().unwrap().clone();
    apis.sort_by_key(|a| a["name"].as_str().unwrap().to_string());
    apis
}

async fn stored(w: &World) -> (i64, i64) {
    sql(&w.s.data_dir, |c| {
        let n = |t: &str| c.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get::<_, i64>(0)).unwrap();
        (n("gateway_applications"), n("gateway_apis"))
    })
    .await
}

#[tokio::test]
async fn a_yaml_document_becomes_an_application_and_its_apis() {
    let (w, cp) = setup().await;
    let before = config_version(&w, &cp).await;
    let r = w.alice.send(Method::POST, &format!("/api/v1/controlplanes/{cp}/apps/import"), yaml(BOOKSHOP)).await;
    let app = r.api7();
    assert_eq!(app["name"], "Bookshop");
    assert_eq!(app["description"], "Books, their authors and the orders placed for them.");
    assert_eq!(app["path_prefix"], "/v1", "the first server's path");
    assert_eq!(
        app["hosts"],
        json!(["eu.bookshop.example.com", "books.example.org"]),
        "every server's host, variables set"
    );
    assert_eq!(app["protocols"], json!(["HTTPS"]));
    assert_eq!(app["active"], 0);
    assert_eq!(app["default_upstream_version"], "default");
    assert_eq!(
        app["upstreams"],
        json!([{"version": "default", "upstream": {"scheme": "https", "lb_type": "roundrobin",
            "targets": [{"host": "eu.bookshop.example.com", "port": 443, "weight": 100}]}}])
    );
    assert_eq!(config_version(&w, &cp).await, before + 1, "one import, one new version");
    assert_eq!(events(&w, "application", "create").await, 1);
    assert_eq!(events(&w, "api", "create").await, 6);

    let id = app["id"].as_str().unwrap();
    assert_eq!(w.alice.get(&format!("/api/v1/controlplanes/{cp}/apps/{id}")).await.api7(), app);
    let apis = apis_of(&w, id).await;
    let summary: Vec<(String, Value, Value, Value)> = apis
        .iter()
        .map(|a| {
            (a["name"].as_str().unwrap().to_string(), a["methods"].clone(), a["paths"].clone(), a["labels"].clone())
        })
        .collect();
    let exact = |p: &str| json!([{"path": p, "path_type": "Exact"}]);
    let prefix = |p: &str| json!([{"path": p, "path_type": "Prefix"}]);
    assert_eq!(
        summary,
        vec![
            ("DELETE /books/{isbn}".to_string(), json!(["DELETE"]), prefix("/books/"), json!(["books"])),
            ("createBook".to_string(), json!(["POST"]), exact("/books"), json!(["books"])),
            ("getBook".to_string(), json!(["GET"]), prefix("/books/"), json!(["books"])),
            ("listBooks".to_string(), json!(["GET"]), exact("/books"), json!(["books"])),
            ("listReviews".to_string(), json!(["GET"]), prefix("/books/"), json!(["books"])),
            ("placeOrder".to_string(), json!(["POST"]), exact("/orders"), json!(["orders"])),
        ]
    );
    let listed = apis.iter().find(|a| a["name"] == "listBooks").unwrap();
    assert_eq!(listed["description"], "List the books", "the summary");
    let deleted = apis.iter().find(|a| a["name"] == "DELETE /books/{isbn}").unwrap();
    assert_eq!(deleted["description"], "Withdraw a book from sale", "else the description");
    assert!(apis.iter().all(|a| a["active"] == 0 && a["type"] == "Rest" && a["strip_path_prefix"] == false));

    // The same document again claims the same hosts and prefix: a clash.
    let r = w.alice.send(Method::POST, &format!("/api/v1/controlplanes/{cp}/apps/import"), yaml(BOOKSHOP)).await;
    let err = r.api7_error(409, 9);
    assert!(err.contains("Bookshop"), "{err}");
    assert_eq!(stored(&w).await, (1, 6), "nothing stored by the clash");
}

#[tokio::test]
async fn the_json_forms_and_the_hosts_parameter() {
    let (w, cp) = setup().await;
    let url = format!("/api/v1/controlplanes/{cp}/apps/import");
    // The document as a JSON object; `hosts` replaces the servers' hosts.
    let app = w.alice.post(&format!("{url}?hosts=a.example.com&hosts=b.example.com"), as_json(BOOKSHOP)).await.api7();
    assert_eq!(app["hosts"], json!(["a.example.com", "b.example.com"]));
    // The reference's body: the text in `openapi` (here with hosts, comma form in the query winning).
    let app =
        w.alice.post(&format!("{url}?hosts=c.example.com,d.example.com"), json!({"openapi": BOOKSHOP})).await.api7();
    assert_eq!(app["hosts"], json!(["c.example.com", "d.example.com"]));
    let app = w.alice.post(&url, json!({"openapi": BOOKSHOP, "hosts": ["e.example.com"]})).await.api7();
    assert_eq!(app["hosts"], json!(["e.example.com"]));
    // A JSON string holding the document (JSON text this time).
    let text = as_json(BOOKSHOP).to_string();
    let app = w.alice.post(&format!("{url}?hosts=f.example.com"), json!(text)).await.api7();
    assert_eq!(app["hosts"], json!(["f.example.com"]));
    assert_eq!(apis_of(&w, app["id"].as_str().unwrap()).await.len(), 6);
    // Text bodies: YAML types with parameters, and plain text.
    for (content_type, host) in
        [("application/x-yaml; charset=utf-8", "g.example.com"), ("text/plain", "h.example.com")]
    {
        let body = Some(RawBody::Bytes(content_type.into(), BOOKSHOP.as_bytes().to_vec()));
        let app = w.alice.send(Method::POST, &format!("{url}?hosts={host}"), body).await.api7();
        assert_eq!(app["hosts"], json!([host]), "{content_type}");
    }
    // A minimal document: the root path prefix, http on port 8080.
    let doc = json!({"openapi": "3.1.0", "info": {"title": format!("  {}  ", "T".repeat(80))},
        "servers": [{"url": "http://svc.example.com:8080"}], "paths": {"/health": {"get": {}}}});
    let app = w.alice.post(&url, doc).await.api7();
    assert_eq!(app["name"], json!("T".repeat(64)), "the title trimmed and cut to 64");
    assert_eq!((app["path_prefix"].as_str(), app["protocols"].clone()), (Some("/"), json!(["HTTP"])));
    assert_eq!(
        app["upstreams"][0]["upstream"]["targets"],
        json!([{"host": "svc.example.com", "port": 8080, "weight": 100}])
    );
    assert_eq!(stored(&w).await.0, 7);
}

#[tokio::test]
async fn what_is_not_an_openapi_3_document_is_refused_and_nothing_is_stored() {
    let (w, cp) = setup().await;
    let url = format!("/api/v1/controlplanes/{cp}/apps/import");
    let swagger =
        json!({"swagger": "2.0", "info": {"title": "old"}, "host": "x.example.com", "paths": {"/a": {"get": {}}}});
    let doc = |patch: Value| {
        let mut d = as_json(BOOKSHOP);
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                d.as_object_mut().unwrap().remove(k);
            } else {
                d[k] = v.clone();
            }
        }
        d
    };
    let cases: Vec<(Value, &str)> = vec![
        (swagger, "Swagger 2.0"),
        (json!([1, 2]), "OpenAPI 3"),
        (json!(42), "OpenAPI 3"),
        (json!("just: [unbalanced"), "YAML"),
        (doc(json!({"openapi": null})), "openapi"),
        (doc(json!({"openapi": "2.0"})), "OpenAPI"),
        (doc(json!({"info": {"version": "1"}})), "info.title"),
        (doc(json!({"paths": null})), "paths"),
        (doc(json!({"paths": {}})), "paths"),
        (doc(json!({"paths": {"/a": {"parameters": []}}})), "operations"),
        (doc(json!({"servers": null})), "servers"),
        (doc(json!({"servers": [{"url": "/relative"}]})), "servers"),
        (doc(json!({"servers": [{"url": "ftp://files.example.com"}]})), "servers"),
        (doc(json!({"paths": {"/a b": {"get": {}}}})), "paths./a b.get"),
    ];
    for (body, wording) in cases {
        let err = w.alice.post(&url, body.clone()).await.api7_error(400, 1);
        assert!(err.contains(wording), "{body}: {err}");
    }
    let garbage = Some(RawBody::Bytes("application/yaml".into(), b"\x00\x01 not: [yaml".to_vec()));
    w.alice.send(Method::POST, &url, garbage).await.api7_error(400, 1);
    w.alice.raw(Method::POST, &url, "{ not json").await.api7_error(400, 1);
    let bad_host = w.alice.post(&format!("{url}?hosts=not%20a%20host"), as_json(BOOKSHOP)).await.api7_error(400, 1);
    assert!(bad_host.contains("hosts"), "{bad_host}");
    assert_eq!(stored(&w).await, (0, 0));
    assert_eq!(config_version(&w, &cp).await, 1);
    assert_eq!(events(&w, "application", "create").await, 0);
}

#[tokio::test]
async fn permissions() {
    let (w, cp) = setup().await;
    let url = format!("/api/v1/controlplanes/{cp}/apps/import");
    w.carol.post(&url, as_json(BOOKSHOP)).await.api7_error(403, 7);
    w.dave.post(&url, as_json(BOOKSHOP)).await.api7_error(404, 4);
    w.s.anon().post(&url, as_json(BOOKSHOP)).await.api7_error(401, 6);
    // The permission is checked before the document.
    w.carol.post(&url, json!({"swagger": "2.0"})).await.api7_error(403, 7);
    w.dave.post(&url, json!(1)).await.api7_error(404, 4);
    w.alice.post("/api/v1/controlplanes/424242/apps/import", as_json(BOOKSHOP)).await.api7_error(404, 4);
    assert_eq!(stored(&w).await, (0, 0));
    w.admin.post(&url, as_json(BOOKSHOP)).await.api7();
}
