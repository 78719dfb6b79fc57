//! Models: the list (`GET /api/integrations/meshmodels/models`), one model
//! (`…/models/{id or name}`), registration (`POST /api/meshmodels/register`)
//! by every upload type, and registered models taking part in import and
//! evaluation, per organization.

use std::path::Path;

use base64::Engine;
use serde_json::{Value, json};

use crate::support::*;

const MODELS: &str = "/api/integrations/meshmodels/models";
const REGISTER: &str = "/api/meshmodels/register";
const IMPORT: &str = "/api/pattern/import";
const CRDS: &[u8] = include_bytes!("../../../src/content/tests/data/models/widgets-crd.yaml");
const WIDGETS: &[u8] = include_bytes!("../../../src/content/tests/data/models/widget-manifests.yaml");
const MODEL_CSV: &[u8] = include_bytes!("../../../src/content/tests/data/models/model.csv");
const COMPONENT_CSV: &[u8] = include_bytes!("../../../src/content/tests/data/models/components.csv");
const RELATIONSHIP_CSV: &[u8] = include_bytes!("../../../src/content/tests/data/models/relationships.csv");

/// The committed package directory (`gizmo`) as the `.tar.gz` Meshery exports.
fn package() -> Vec<u8> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../src/content/tests/data/models/package");
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    tar.append_dir_all(".", &dir).expect("packs");
    tar.into_inner().expect("tar").finish().expect("gzip")
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn data_url(bytes: &[u8]) -> String {
    format!("data:text/csv;base64,{}", b64(bytes))
}

/// A registration form: `uploadType`, `register`, `importBody` (a file part when `file` is named).
async fn register(api: &Api, upload: &str, body: &[u8], file: Option<&str>) -> Resp {
    let parts: [Part<'_>; 3] =
        [("uploadType", None, upload.as_bytes()), ("register", None, b"true"), ("importBody", file, body)];
    api.post_form(REGISTER, &parts).await
}

/// Model Create of `body` (JSON).
async fn create(api: &Api, body: Value) -> Resp {
    register(api, "Model Create", body.to_string().as_bytes(), None).await
}

async fn total(api: &Api) -> u64 {
    api.get(MODELS).await.expect(200)["total_count"].as_u64().expect("total_count")
}

/// The models of a design's components, by kind.
fn model_of(design: &Value, kind: &str) -> String {
    design["components"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["component"]["kind"] == kind))
        .and_then(|c| c["model"]["name"].as_str())
        .unwrap_or_else(|| panic!("no {kind} in {design}"))
        .to_string()
}

/// A design relying on the package's relationship: a Gizmo naming its GizmoClass.
fn gizmo_design() -> Value {
    json!({"name": "g", "components": [
        {"id": "a", "displayName": "g1", "component": {"kind": "Gizmo", "version": "gizmos.example.com/v1"},
         "model": {"name": "gizmo"}, "configuration": {"metadata": {"name": "g1"}, "spec": {"className": "fast"}}},
        {"id": "b", "displayName": "fast", "component": {"kind": "GizmoClass", "version": "gizmos.example.com/v1"},
         "model": {"name": "gizmo"}, "configuration": {"metadata": {"name": "fast"}}}
    ]})
}

fn added(res: &Value) -> Vec<(String, String, String)> {
    res["actions"]
        .as_array()
        .unwrap_or_else(|| panic!("no actions: {res}"))
        .iter()
        .filter(|a| a["op"] == "add_relationship")
        .map(|a| {
            let item = &a["value"]["item"];
            let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
            (
                s(&item["subType"]),
                s(&item["selectors"][0]["allow"]["from"][0]["id"]),
                s(&item["selectors"][0]["allow"]["to"][0]["id"]),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_built_in_model_is_listed_in_the_schema_shape() {
    let w = world().await;
    let v = w.carol.ctx(&w.org_a).get(MODELS).await.expect(200);
    assert_eq!((v["total_count"].as_u64(), v["page"].as_u64(), v["page_size"].as_u64()), (Some(1), Some(0), Some(10)));
    let k = &v["models"][0];
    assert_eq!((k["name"].as_str(), k["displayName"].as_str()), (Some("kubernetes"), Some("Kubernetes")));
    assert_eq!(k["schemaVersion"], "models.meshery.io/v1beta1");
    assert_eq!((k["builtin"].as_bool(), k["status"].as_str()), (Some(true), Some("enabled")));
    assert_eq!(k["model"]["version"], "v1.31.0");
    assert!(k["components_count"].as_u64().is_some_and(|n| n >= 22), "{k}");
    assert_eq!(k["relationships_count"], 6);
    assert!(k["components"].is_null() && k["relationships"].is_null(), "counts only in the list: {k}");
    assert!(uuid::Uuid::parse_str(k["id"].as_str().expect("id")).is_ok());
    assert_eq!(k["category"]["name"], "Orchestration & Management");

    // By name or id, with its components and relationship definitions.
    let one = w.carol.ctx(&w.org_a).get(&format!("{MODELS}/kubernetes")).await.expect(200);
    assert_eq!(one["id"], k["id"]);
    let kinds = strs(&one["components"], "displayName");
    assert!(kinds.contains(&"Deployment".to_string()), "{kinds:?}");
    let deploy = one["components"].as_array().and_then(|cs| cs.iter().find(|c| c["component"]["kind"] == "Deployment"));
    let deploy = deploy.expect("Deployment");
    assert_eq!(
        (deploy["component"]["version"].as_str(), deploy["metadata"]["isNamespaced"].as_bool()),
        (Some("apps/v1"), Some(true))
    );
    assert_eq!(one["relationships"].as_array().map(Vec::len), Some(6));
    let by_id = w.carol.ctx(&w.org_a).get(&format!("{MODELS}/{}", k["id"].as_str().expect("id"))).await.expect(200);
    assert_eq!(by_id["name"], "kubernetes");
    w.carol.ctx(&w.org_a).get(&format!("{MODELS}/nothing")).await.assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn the_list_pages_searches_and_orders() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let names =
        ["Alpha%Beta", "under_score", "quote\"d", "o'brien", "MiXeD CaSe", "été", "100% web", "50_50 split", "zeta"];
    for (i, display) in names.iter().enumerate() {
        create(&api, json!({"name": format!("m{i:02}"), "displayName": display})).await.expect(201);
    }
    let n = names.len() as u64 + 1;
    let first = api.get(MODELS).await.expect(200);
    assert_eq!(page_items(&first, "models", 0, 10, n).len(), 10);
    assert_eq!(strs(&first["models"], "name")[..3], ["kubernetes", "m00", "m01"], "by name by default");
    for q in ["page=-1&pagesize=0", "page=x&pagesize=ten", "page=&pagesize="] {
        let v = api.get(&format!("{MODELS}?{q}")).await.expect(200);
        assert_eq!(page_items(&v, "models", 0, 10, n).len(), 10, "{q}");
    }
    let last = api.get(&format!("{MODELS}?page=1&pagesize=6")).await.expect(200);
    assert_eq!(page_items(&last, "models", 1, 6, n).len(), 4);
    let past = api.get(&format!("{MODELS}?page=99999999999999999999&pagesize=5")).await.expect(200);
    assert!(past["models"].as_array().expect("models").is_empty());
    assert_eq!(past["total_count"], n);
    let all = api.get(&format!("{MODELS}?pagesize=all")).await.expect(200);
    assert_eq!(all["models"].as_array().map(Vec::len), Some(n as usize));

    let (every, t) = every_item(&api, MODELS, "models", 500).await;
    assert_eq!(t, n);
    let (paged, _) = every_item(&api, MODELS, "models", 3).await;
    assert_eq!(strs(&json!(paged), "id"), strs(&json!(every), "id"), "pages are slices of one order");

    let desc = api.get(&format!("{MODELS}?order=name%20desc&pagesize=all")).await.expect(200);
    assert_eq!(strs(&desc["models"], "name")[0], "m08");
    let by_display = api.get(&format!("{MODELS}?order=displayName&pagesize=all")).await.expect(200);
    assert_eq!(strs(&by_display["models"], "displayName")[0], "100% web");
    for needle in ["%", "_", "\"", "'", "a", "ALP", "été", "100%", "50_5", "kube", "M0", "zzz-nowhere"] {
        check_search(&api, MODELS, "models", &["name", "displayName"], &every, needle).await;
    }
}

#[tokio::test]
async fn every_upload_type_registers() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);

    // File Import: a Meshery model package, as the file itself.
    let v = register(&api, "File Import", &package(), Some("gizmo.tar.gz")).await.expect(201);
    assert_eq!(v["message"], "Registered model gizmo v1.0.0 with 2 components and 1 relationship", "{v}");
    assert_eq!(v["registered"], true);

    // File Import: CRD YAML, as Meshery sends it ({fileName, modelFile} in base64), named by the group.
    let body = json!({"fileName": "widgets-crd.yaml", "modelFile": b64(CRDS)});
    let v = register(&api, "file", body.to_string().as_bytes(), None).await.expect(201);
    assert_eq!(v["message"], "Registered model widgets.example.com v1.0.0 with 3 components and 0 relationships");
    // …or named and versioned by the form.
    let parts: [Part<'_>; 5] = [
        ("uploadType", None, b"File Import"),
        ("register", None, b"true"),
        ("name", None, b"shop-widgets"),
        ("version", None, b"v2.0.0"),
        ("importBody", Some("crds.yaml"), CRDS),
    ];
    api.post_form(REGISTER, &parts).await.expect(201);

    // CSV Import: the sheets as data URLs (Meshery's way)…
    let body = json!({"modelCsv": data_url(MODEL_CSV), "componentCsv": data_url(COMPONENT_CSV),
                      "relationshipCsv": data_url(RELATIONSHIP_CSV)});
    let v = register(&api, "CSV Import", body.to_string().as_bytes(), None).await.expect(201);
    assert_eq!(v["message"], "Registered model sprocket v0.2.0 with 2 components and 1 relationship");
    // …or as parts of their own, again: the same name and version replaces it.
    let parts: [Part<'_>; 5] = [
        ("uploadType", None, b"csv"),
        ("register", None, b"true"),
        ("modelCsv", Some("model.csv"), MODEL_CSV),
        ("componentCsv", Some("components.csv"), COMPONENT_CSV),
        ("relationshipCsv", Some("relationships.csv"), RELATIONSHIP_CSV),
    ];
    let v = api.post_form(REGISTER, &parts).await.expect(201);
    assert!(v["message"].as_str().is_some_and(|m| m.contains("replacing its earlier registration")), "{v}");
    assert_eq!(v["models"][0]["replaced"], true);

    // Model Create, in Meshery's spelling.
    let body = json!({"model": {"model": "notes", "modelDisplayName": "Notes", "category": "Tools", "version": "v0.1.0"},
                      "components": [{"component": {"kind": "Note", "version": "notes.example.com/v1"}}]});
    let v = create(&api, body).await.expect(201);
    assert_eq!(v["message"], "Registered model notes v0.1.0 with 1 component and 0 relationships");

    let list = api.get(&format!("{MODELS}?pagesize=all")).await.expect(200);
    let rows: Vec<(String, String)> = list["models"]
        .as_array()
        .expect("models")
        .iter()
        .map(|m| (m["name"].as_str().unwrap_or("").into(), m["version"].as_str().unwrap_or("").into()))
        .collect();
    let want = [
        ("gizmo", "v1.0.0"),
        ("kubernetes", "v1.0.0"),
        ("notes", "v0.1.0"),
        ("shop-widgets", "v2.0.0"),
        ("sprocket", "v0.2.0"),
        ("widgets.example.com", "v1.0.0"),
    ];
    assert_eq!(rows, want.map(|(a, b)| (a.to_string(), b.to_string())));
    let gizmo = &list["models"][0];
    assert_eq!((gizmo["builtin"].as_bool(), gizmo["model"]["version"].as_str()), (Some(false), Some("v2.4.1")));
    assert_eq!(gizmo["category"]["name"], "App Definition and Development");
    assert!(gizmo["created_at"].as_str().is_some() && gizmo["updated_at"].as_str().is_some(), "{gizmo}");

    let widgets = api.get(&format!("{MODELS}/widgets.example.com")).await.expect(200);
    let widget = &widgets["components"][0];
    assert_eq!(
        (widget["component"]["kind"].as_str(), widget["component"]["version"].as_str()),
        (Some("Widget"), Some("widgets.example.com/v1"))
    );
    let schema: Value =
        serde_json::from_str(widget["component"]["schema"].as_str().expect("schema text")).expect("JSON");
    assert_eq!(schema["properties"]["spec"]["properties"]["size"]["type"], "integer");
    assert_eq!(widget["model"]["name"], "widgets.example.com");
    let notes = api.get(&format!("{MODELS}/notes?version=v0.1.0")).await.expect(200);
    assert_eq!((notes["displayName"].as_str(), notes["category"]["name"].as_str()), (Some("Notes"), Some("Tools")));
    api.get(&format!("{MODELS}/notes?version=v9.9.9")).await.assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn a_new_version_adds_and_the_one_registered_last_is_used() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let v1 = json!({"name": "gizmo", "version": "v1.0.0", "components": [{"kind": "Gizmo", "version": "gizmos.example.com/v1"}]});
    create(&api, v1.clone()).await.expect(201);
    let first = api.get(&format!("{MODELS}/gizmo")).await.expect(200);
    // The package is gizmo v1.0.0 too: it replaces the definition, keeping the id.
    let v = register(&api, "File Import", &package(), Some("gizmo.tgz")).await.expect(201);
    assert_eq!(v["models"][0]["replaced"], true, "{v}");
    let replaced = api.get(&format!("{MODELS}/gizmo")).await.expect(200);
    assert_eq!((replaced["id"].as_str(), replaced["components_count"].as_u64()), (first["id"].as_str(), Some(2)));
    let res = w.carol.ctx(&w.org_a).post("/evaluate", json!({"design": gizmo_design()})).await.expect(200);
    assert_eq!(added(&res), [("reference".to_string(), "a".to_string(), "b".to_string())]);

    // A new version is another row; being registered last, it is the one evaluation uses.
    let v2 = json!({"name": "gizmo", "version": "v1.1.0", "components": [{"kind": "Gizmo", "version": "gizmos.example.com/v1"}]});
    create(&api, v2).await.expect(201);
    assert_eq!(total(&api).await, 3);
    assert_eq!(api.get(&format!("{MODELS}/gizmo")).await.expect(200)["version"], "v1.1.0");
    assert_eq!(api.get(&format!("{MODELS}/gizmo?version=v1.0.0")).await.expect(200)["relationships_count"], 1);
    let res = w.carol.ctx(&w.org_a).post("/evaluate", json!({"design": gizmo_design()})).await.expect(200);
    assert!(added(&res).is_empty(), "v1.1.0 has no relationships: {}", res["actions"]);
}

#[tokio::test]
async fn a_registered_crd_gives_imported_custom_resources_its_model() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let before = api.post_form(IMPORT, &[("file", Some("w.yaml"), WIDGETS)]).await.expect(200);
    let design = |id: &Value| format!("/api/content/patterns/{}", id.as_str().expect("id"));
    let doc = api.get(&design(&before["id"])).await.expect(200)["patternFile"].clone();
    assert_eq!(model_of(&doc, "Widget"), "kubernetes", "unregistered: the built-in model");

    register(&api, "File Import", CRDS, Some("crds.yaml")).await.expect(201);
    let after = api.post_form(IMPORT, &[("file", Some("w.yaml"), WIDGETS)]).await.expect(200);
    let doc = api.get(&design(&after["id"])).await.expect(200)["patternFile"].clone();
    assert_eq!(model_of(&doc, "Widget"), "widgets.example.com");
    assert_eq!(model_of(&doc, "Gadget"), "widgets.example.com");
    assert_eq!(model_of(&doc, "ConfigMap"), "kubernetes");
    let widget = doc["components"].as_array().and_then(|cs| cs.iter().find(|c| c["component"]["kind"] == "Widget"));
    let widget = widget.expect("Widget");
    assert_eq!(
        (widget["model"]["version"].as_str(), widget["metadata"]["isNamespaced"].as_bool()),
        (Some("v1.0.0"), Some(true))
    );
    let gadget = doc["components"].as_array().and_then(|cs| cs.iter().find(|c| c["component"]["kind"] == "Gadget"));
    assert_eq!(gadget.expect("Gadget")["metadata"]["isNamespaced"], false);
}

#[tokio::test]
async fn a_registered_relationship_takes_part_in_evaluation() {
    let w = world().await;
    let member = w.carol.ctx(&w.org_a);
    let res = member.post("/evaluate", json!({"design": gizmo_design()})).await.expect(200);
    assert!(added(&res).is_empty(), "no model, no relationship: {}", res["actions"]);

    register(&w.alice.ctx(&w.org_a), "File Import", &package(), Some("gizmo.tar.gz")).await.expect(201);
    let res = member.post("/evaluate", json!({"design": gizmo_design()})).await.expect(200);
    assert_eq!(added(&res), [("reference".to_string(), "a".to_string(), "b".to_string())]);
    let rel = &res["design"]["relationships"][0];
    assert_eq!(
        (rel["kind"].as_str(), rel["type"].as_str(), rel["model"]["name"].as_str()),
        (Some("edge"), Some("binding"), Some("gizmo"))
    );
    assert_eq!(res["design"]["version"], "0.0.2");
    let again = member.post("/evaluate", json!({"design": res["design"]})).await.expect(200);
    assert_eq!(again["actions"], json!([]));

    // The CSV model's relationship too (Sprocket → the Chain it names).
    let body = json!({"modelCsv": data_url(MODEL_CSV), "componentCsv": data_url(COMPONENT_CSV),
                      "relationshipCsv": data_url(RELATIONSHIP_CSV)});
    register(&w.alice.ctx(&w.org_a), "CSV Import", body.to_string().as_bytes(), None).await.expect(201);
    let design = json!({"name": "s", "components": [
        {"id": "s1", "displayName": "big", "component": {"kind": "Sprocket"}, "model": {"name": "sprocket"},
         "configuration": {"spec": {"chain": "c9"}}},
        {"id": "c1", "displayName": "c9", "component": {"kind": "Chain"}, "model": {"name": "sprocket"}}]});
    let res = member.post("/evaluate", json!({"design": design})).await.expect(200);
    assert_eq!(added(&res), [("reference".to_string(), "s1".to_string(), "c1".to_string())]);
}

#[tokio::test]
async fn another_organization_neither_sees_nor_uses_the_models() {
    let w = world().await;
    let a = w.alice.ctx(&w.org_a);
    register(&a, "File Import", &package(), Some("gizmo.tar.gz")).await.expect(201);
    register(&a, "File Import", CRDS, Some("crds.yaml")).await.expect(201);
    let gizmo_id = a.get(&format!("{MODELS}/gizmo")).await.expect(200)["id"].as_str().expect("id").to_string();

    let b = w.dave.ctx(&w.org_b);
    let list = b.get(MODELS).await.expect(200);
    assert_eq!(
        (list["total_count"].as_u64(), strs(&list["models"], "name")),
        (Some(1), vec!["kubernetes".to_string()])
    );
    b.get(&format!("{MODELS}/gizmo")).await.assert_l5_error(404, L5_NOT_FOUND);
    b.get(&format!("{MODELS}/{gizmo_id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    let res = b.post("/evaluate", json!({"design": gizmo_design()})).await.expect(200);
    assert!(added(&res).is_empty(), "{}", res["actions"]);
    // Org B's member asking in org A's context is not let in.
    w.dave.ctx(&w.org_a).get(MODELS).await.assert_l5_error(404, L5_NOT_FOUND);
    // Org B's own imports keep the built-in model (org B's admin imports there).
    let r = w.admin.ctx(&w.org_b).post_form(IMPORT, &[("file", Some("w.yaml"), WIDGETS)]).await.expect(200);
    let doc = w.admin.get(&format!("/api/content/patterns/{}", r["id"].as_str().expect("id"))).await.expect(200);
    assert_eq!(model_of(&doc["patternFile"], "Widget"), "kubernetes");
}

#[tokio::test]
async fn who_may_list_and_register() {
    let w = world().await;
    let anon = w.s.anon();
    let note = |i: usize| json!({"name": format!("n{i}")}).to_string();
    // (caller, list status, register status) in org A's context.
    let callers: [(&Api, u16, u16); 5] =
        [(&w.admin, 200, 201), (&w.alice, 200, 201), (&w.carol, 200, 401), (&w.dave, 404, 404), (&anon, 401, 401)];
    for (i, (api, list, reg)) in callers.iter().enumerate() {
        let api = api.ctx(&w.org_a);
        let r = api.get(MODELS).await;
        assert_eq!(r.status, *list, "list as caller {i}: {}", r.text);
        let r = api.get(&format!("{MODELS}/kubernetes")).await;
        assert_eq!(r.status, *list, "get as caller {i}: {}", r.text);
        let r = register(&api, "Model Create", note(i).as_bytes(), None).await;
        assert_eq!(r.status, *reg, "register as caller {i}: {}", r.text);
        match reg {
            401 => r.assert_l5_error(401, L5_UNAUTHORIZED),
            404 => r.assert_l5_error(404, L5_NOT_FOUND),
            _ => {}
        }
    }
    assert_eq!(total(&w.alice.ctx(&w.org_a)).await, 3, "the two admins registered");

    // A workspace admin reads but does not register; a role holding the key does.
    let grant = json!({"email": "carol@a.example", "roleNames": ["workspace admin"]});
    w.alice.ctx(&w.org_a).post("/api/identity/roles", grant).await.expect(201);
    register(&w.carol.ctx(&w.org_a), "Model Create", note(7).as_bytes(), None)
        .await
        .assert_l5_error(401, L5_UNAUTHORIZED);
    w.alice.give_role_with_keys(&w.org_a, "modellers", &["content.models.register"], &w.carol_id).await;
    register(&w.carol.ctx(&w.org_a), "Model Create", note(8).as_bytes(), None).await.expect(201);
    assert_eq!(total(&w.alice.ctx(&w.org_a)).await, 4);
}

#[tokio::test]
async fn bad_registrations_are_400_and_store_nothing() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let configmap = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n".as_slice();
    let no_schema = b"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: as.x.io}\n\
spec: {group: x.io, scope: Namespaced, names: {kind: A}, versions: [{name: v1, served: true}]}\n"
        .as_slice();
    let empty_package = {
        let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let mut tar = tar::Builder::new(gz);
        let mut header = tar::Header::new_gnu();
        header.set_size(5);
        header.set_cksum();
        tar.append_data(&mut header, "gizmo/README.md", b"hello".as_slice()).expect("appends");
        tar.into_inner().expect("tar").finish().expect("gzip")
    };
    let bad_rel = json!({"name": "x", "relationships": [{"kind": "edge", "type": "binding", "subType": "reference",
        "selectors": [{"allow": {"from": [{"kind": "A", "match": {"from": [{"kind": "A", "mutatedRef": [["configuration", "a"], ["configuration", "b"]]}]}}],
                                 "to": [{"kind": "B", "match": {"to": [{"kind": "B", "mutatorRef": [["displayName"]]}]}}]}}]}]})
    .to_string();
    let builtin = json!({"name": "kubernetes"}).to_string();
    let cases: Vec<(&str, Option<&str>, &[u8], &str)> = vec![
        ("File Import", Some("cm.yaml"), configmap, "not a Meshery model package"),
        ("File Import", Some("crd.yaml"), no_schema, "version v1: no schema.openAPIV3Schema"),
        ("File Import", Some("m.tar.gz"), &empty_package, "no model.json"),
        ("File Import", Some("m.tgz"), &[0x1f, 0x8b, 0x08, 0, 9, 9, 9], "not a readable"),
        ("File Import", Some("m.zip"), b"PK\x03\x04rest", "zip"),
        ("File Import", None, b"{\"fileName\": \"a.tgz\", \"modelFile\": \"%%%\"}", "not base64"),
        ("File Import", None, b"", "no file"),
        ("Model Create", None, bad_rel.as_bytes(), "the same number of paths"),
        ("Model Create", None, builtin.as_bytes(), "built-in"),
        ("Model Create", None, b"[1]", "JSON object"),
        ("URL Import", None, b"{}", "importBody.url: required"),
        ("URL Import", None, b"{\"url\": \"https://example.com/m.tgz\"}", "allow-list"),
        ("CSV Import", None, b"{\"modelCsv\": \"model\\nx\\n\"}", "componentCsv: required"),
        ("Zip Import", None, b"{}", "uploadType"),
        ("", None, b"{}", "uploadType: required"),
    ];
    for (upload, file, body, why) in cases {
        let r = register(&api, upload, body, file).await;
        r.assert_l5_error(400, L5_BAD_REQUEST);
        assert!(r.text.contains(why), "{upload} {file:?}: expected {why:?} in {:?}", r.text);
    }
    // `register` is required, and must be a boolean.
    for flag in [None, Some(b"maybe".as_slice())] {
        let mut parts: Vec<Part<'_>> =
            vec![("uploadType", None, b"Model Create"), ("importBody", None, b"{\"name\": \"y\"}")];
        if let Some(f) = flag {
            parts.push(("register", None, f));
        }
        let r = api.post_form(REGISTER, &parts).await;
        r.assert_l5_error(400, L5_BAD_REQUEST);
        assert!(r.text.contains("register"), "{}", r.text);
    }
    api.post(REGISTER, json!({"uploadType": "file"})).await.assert_l5_error(400, L5_BAD_REQUEST);
    assert_eq!(total(&api).await, 1, "nothing was registered");
}

#[tokio::test]
async fn register_false_checks_and_stores_nothing() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let parts: [Part<'_>; 3] =
        [("uploadType", None, b"File Import"), ("register", None, b"false"), ("importBody", Some("crds.yaml"), CRDS)];
    let v = api.post_form(REGISTER, &parts).await.expect(201);
    assert_eq!(v["registered"], false);
    assert_eq!(
        v["message"],
        "Nothing registered (register=false); would register model widgets.example.com v1.0.0 with 3 components and 0 relationships"
    );
    assert_eq!(total(&api).await, 1);
    api.get(&format!("{MODELS}/widgets.example.com")).await.assert_l5_error(404, L5_NOT_FOUND);
    let r = api.post_form(IMPORT, &[("file", Some("w.yaml"), WIDGETS)]).await.expect(200);
    let doc = api.get(&format!("/api/content/patterns/{}", r["id"].as_str().expect("id"))).await.expect(200);
    assert_eq!(model_of(&doc["patternFile"], "Widget"), "kubernetes");
    // A bad source is still a 400 with register=false.
    let parts: [Part<'_>; 3] =
        [("uploadType", None, b"file"), ("register", None, b"false"), ("importBody", Some("a.yaml"), b"kind: [\n")];
    api.post_form(REGISTER, &parts).await.assert_l5_error(400, L5_BAD_REQUEST);
}
