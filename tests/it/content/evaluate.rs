//! `POST /evaluate`: relationship evaluation of a design sent in the body.

use serde_json::{Value, json};

use crate::support::*;

const MANIFESTS: &[u8] = include_bytes!("../../../src/content/tests/data/manifests.yaml");

/// (subType, "Kind/name" from, "Kind/name" to) of the relationships added.
fn added(res: &Value) -> Vec<(String, String, String)> {
    let design = &res["design"];
    let name = |id: &Value| {
        design["components"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["id"] == *id))
            .map(|c| {
                format!("{}/{}", c["component"]["kind"].as_str().unwrap_or(""), c["displayName"].as_str().unwrap_or(""))
            })
            .unwrap_or_default()
    };
    res["actions"]
        .as_array()
        .unwrap_or_else(|| panic!("no actions: {res}"))
        .iter()
        .filter(|a| a["op"] == "add_relationship")
        .map(|a| {
            let item = &a["value"]["item"];
            let sel = &item["selectors"][0]["allow"];
            (item["subType"].as_str().unwrap_or("").to_string(), name(&sel["from"][0]["id"]), name(&sel["to"][0]["id"]))
        })
        .collect()
}

#[tokio::test]
async fn an_imported_design_evaluates_to_its_relationships_and_then_to_nothing() {
    let w = world().await;
    let api = w.carol.ctx(&w.org_a);
    let r = w.alice.ctx(&w.org_a).post_form("/api/pattern/import", &[("file", Some("m.yaml"), MANIFESTS)]).await;
    let id = r.expect(200)["id"].as_str().expect("id").to_string();
    let design = w.alice.get(&format!("/api/content/patterns/{id}")).await.expect(200)["patternFile"].clone();

    let res = api.post("/evaluate", json!({"design": design, "options": {"returnDiffOnly": false}})).await.expect(200);
    assert_eq!(res["schemaVersion"], "evaluation.meshery.io/v1beta1");
    let rows = added(&res);
    let has = |s: &str, f: &str, t: &str| rows.iter().any(|r| (r.0.as_str(), r.1.as_str(), r.2.as_str()) == (s, f, t));
    assert!(has("network", "Service/web", "Deployment/web"), "{rows:#?}");
    assert!(has("inventory", "Deployment/web", "Namespace/shop"), "{rows:#?}");
    assert_eq!(res["design"]["version"], "0.0.2", "a changed design gets the next version");
    assert!(res["evaluationHash"].as_str().is_some_and(|h| h.len() == 64), "{}", res["evaluationHash"]);

    // The design comes back as sent: an empty `component.schema` included.
    let one =
        json!({"name": "one", "components": [{"id": "c", "component": {"kind": "X", "version": "v1", "schema": ""}}]});
    let r = api.post("/evaluate", json!({"design": one})).await.expect(200);
    assert_eq!(r["design"]["components"][0]["component"]["schema"], "", "{r}");

    let again = api.post("/evaluate", json!({"design": res["design"]})).await.expect(200);
    assert_eq!(again["actions"], json!([]), "{}", again["actions"]);
    assert_eq!(
        (&again["evaluationHash"], &again["design"]["version"]),
        (&res["evaluationHash"], &res["design"]["version"])
    );
    // Nothing was stored.
    let stored = w.alice.get(&format!("/api/content/patterns/{id}")).await.expect(200);
    assert_eq!(stored["patternFile"]["relationships"], json!([]));
}

#[tokio::test]
async fn a_bad_body_is_400_and_a_caller_must_be_signed_in() {
    let w = world().await;
    let api = w.carol.ctx(&w.org_a);
    for body in [json!({}), json!({"design": 3}), json!({"design": {"components": "nope"}}), json!([1])] {
        let r = api.post("/evaluate", body.clone()).await;
        r.assert_l5_error(400, L5_BAD_REQUEST);
        assert!(r.text.contains("design"), "{body}: {}", r.text);
    }
    api.raw(reqwest::Method::POST, "/evaluate", "{").await.assert_l5_error(400, L5_BAD_REQUEST);
    // A whole number beyond 64 bits could only come back as a float: refused, naming where.
    let huge = r#"{"design": {"components": [{"model": {"relationshipsCount": 6852007542653005000000000000000}}]}}"#;
    let r = api.raw(reqwest::Method::POST, "/evaluate", huge).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("design.components[0].model.relationshipsCount"), "{}", r.text);
    w.s.anon().post("/evaluate", json!({"design": {}})).await.assert_l5_error(401, L5_UNAUTHORIZED);
}
