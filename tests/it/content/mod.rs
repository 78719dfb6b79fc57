//! The content family: designs (patterns) on the Layer5 face, their versions,
//! lists, import, evaluation and permission matrix.

mod designs;
mod evaluate;
mod import;
mod lists;
mod matrix;
mod resources;
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
