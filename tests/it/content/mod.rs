//! The content family: designs (patterns) on the Layer5 face, their versions,
//! lists, import, evaluation and permission matrix; models and their
//! registration; views, filters, sharing and the catalog.

mod catalog;
mod designs;
mod evaluate;
mod filters;
mod helm;
mod import;
mod lists;
mod matrix;
mod models;
mod resources;
mod sharing;
mod url_import;
mod views;
mod visibility;

use serde_json::{Value, json};

use crate::support::*;

pub const BASE: &str = "/api/content/patterns";

/// A small design document: a Deployment and its Service, joined by an edge,
/// with fields the family does not type (styles, preferences) to keep.
pub fn doc(name: &str) -> Value {
    json!({
        "name": name,
        "schemaVersion": "designs.meshery.io/v1beta1",
        "version": "0.0.1",
        "preferences": {"layers": {"services": true}},
        "components": [
            {"id": "c1", "displayName": "web", "component": {"kind": "Deployment", "version": "apps/v1"},
             "model": {"name": "kubernetes"}, "configuration": {"spec": {"replicas": 2}},
             "styles": {"primaryColor": "#00B39F"}},
            {"id": "c2", "displayName": "web-svc", "component": {"kind": "Service", "version": "v1"},
             "model": {"name": "kubernetes"}, "configuration": {"spec": {"ports": [{"port": 80}]}}}
        ],
        "relationships": [
            {"id": "r1", "kind": "edge", "type": "non-binding", "subType": "network",
             "selectors": [{"allow": {"from": [{"id": "c2"}], "to": [{"id": "c1"}]}}]}
        ]
    })
}

/// Saves a design through `api` in `org` and returns the answer.
pub async fn save(api: &Api, org: &str, body: Value) -> Value {
    api.ctx(org).post(BASE, body).await.expect(200)
}

/// Creates a design named `name` with `visibility` in `org`; returns its id.
pub async fn create(api: &Api, org: &str, name: &str, visibility: &str) -> String {
    let v = save(api, org, json!({"name": name, "visibility": visibility, "patternData": doc(name)})).await;
    v["id"].as_str().expect("design id").to_string()
}

/// Catalog data the catalog schema accepts.
pub fn catalog_data() -> Value {
    json!({"compatibility": ["kubernetes"], "pattern_caveats": "none",
           "pattern_info": "a web server and its service", "type": "Deployment"})
}

/// Publishes `id` (a design, or with `kind` "filter" a filter) through the
/// catalog: `requester` asks, the provider admin `approver` approves.
pub async fn publish(requester: &Api, approver: &Api, kind: &str, id: &str) {
    let mut data = catalog_data();
    data["class"] = json!("official");
    let r = requester.post(&format!("/api/catalog/content/{kind}"), json!({"id": id, "catalog_data": data})).await;
    let req = r.expect(200)["id"].as_str().expect("request id").to_string();
    approver.post("/api/catalog/requests/approve", json!({"id": req})).await.expect(200);
}
