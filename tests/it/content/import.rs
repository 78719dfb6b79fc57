//! Import (`POST /api/pattern/import`), upload into an existing design
//! (`POST /api/content/patterns/upload/{id}`) and the Kubernetes download,
//! with the committed sources of the content crate.

use serde_json::Value;

use super::{BASE, create};
use crate::support::*;

const IMPORT: &str = "/api/pattern/import";
const MANIFESTS: &[u8] = include_bytes!("../../../src/content/tests/data/manifests.yaml");
const COMPOSE: &[u8] = include_bytes!("../../../src/content/tests/data/compose.yaml");
const DESIGN: &[u8] = include_bytes!("../../../src/content/tests/data/design.json");

/// (kind, name, namespace) of a document's components, sorted.
fn components(doc: &Value) -> Vec<(String, String, String)> {
    let mut rows: Vec<_> = doc["components"]
        .as_array()
        .unwrap_or_else(|| panic!("no components: {doc}"))
        .iter()
        .map(|c| {
            let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
            (s(&c["component"]["kind"]), s(&c["displayName"]), s(&c["configuration"]["metadata"]["namespace"]))
        })
        .collect();
    rows.sort();
    rows
}

async fn count(api: &Api) -> u64 {
    api.get(BASE).await.expect(200)["total_count"].as_u64().expect("total_count")
}

/// Imports `bytes` as `file_name`; answers the stored design.
async fn import(api: &Api, file_name: &str, bytes: &[u8]) -> Value {
    let v = api.post_form(IMPORT, &[("file", Some(file_name), bytes)]).await.expect(200);
    let id = v["id"].as_str().unwrap_or_else(|| panic!("no id: {v}"));
    assert!(v["message"].as_str().is_some_and(|m| m.contains("imported")), "{v}");
    api.get(&format!("{BASE}/{id}")).await.expect(200)
}

#[tokio::test]
async fn each_source_becomes_a_new_design_in_the_org_in_context() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);

    let d = import(&api, "manifests.yaml", MANIFESTS).await;
    assert_eq!((d["name"].as_str(), d["visibility"].as_str()), (Some("manifests"), Some("private")));
    let kinds: Vec<String> = components(&d["patternFile"]).into_iter().map(|c| c.0).collect();
    for k in ["ConfigMap", "Deployment", "Ingress", "Namespace", "PersistentVolumeClaim", "Secret", "Service"] {
        assert!(kinds.contains(&k.to_string()), "no {k} in {kinds:?}");
    }
    assert!(components(&d["patternFile"]).contains(&("Deployment".into(), "web".into(), "shop".into())));

    // `name` wins over the file name.
    let r = api.post_form(IMPORT, &[("file", Some("compose.yaml"), COMPOSE), ("name", None, b"shop app")]).await;
    let id = r.expect(200)["id"].as_str().expect("id").to_string();
    let d = api.get(&format!("{BASE}/{id}")).await.expect(200);
    assert_eq!(d["name"], "shop app");
    let kinds: Vec<String> = components(&d["patternFile"]).into_iter().map(|c| c.0).collect();
    assert!(kinds.contains(&"Deployment".to_string()) && kinds.contains(&"Service".to_string()), "{kinds:?}");

    // A Meshery design keeps its components; `fileName` names it.
    let r = api.post_form(IMPORT, &[("file", Some("x.bin"), DESIGN), ("fileName", None, b"guest.json")]).await;
    let id = r.expect(200)["id"].as_str().expect("id").to_string();
    let d = api.get(&format!("{BASE}/{id}")).await.expect(200);
    assert_eq!(d["name"], "guest");
    let sent: Value = serde_json::from_slice(DESIGN).expect("design.json");
    assert_eq!(components(&d["patternFile"]), components(&sent));
    assert_ne!(d["id"], sent["id"], "an import is a new design");

    // Without `name` or any file name, the document's own name.
    let r = api.post_form(IMPORT, &[("file", None, DESIGN)]).await;
    let id = r.expect(200)["id"].as_str().expect("id").to_string();
    assert_eq!(api.get(&format!("{BASE}/{id}")).await.expect(200)["name"], "guestbook");

    assert_eq!(count(&api).await, 4);
    // The org in context is where it goes: org B's member sees none of them.
    assert_eq!(w.dave.get(BASE).await.expect(200)["total_count"], 0);
}

#[tokio::test]
async fn bad_sources_are_400_with_the_reason_and_store_nothing() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let big = vec![b'#'; 5 * 1024 * 1024];
    let cases: [(&[Part<'_>], &str); 6] = [
        (&[("file", Some("docker-compose.yml"), b"services: [\n")], "not valid YAML"),
        (
            &[("file", Some("compose.yaml"), b"version: \"9\"\nservices:\n  a:\n    image: x\n")],
            "unknown Compose file version",
        ),
        (&[("file", Some("list.yaml"), b"- 1\n- 2\n")], "not a mapping"),
        (&[("url", None, b"https://example.com/app.yaml")], "not on this installation's URL import allow-list"),
        (&[("name", None, b"nothing")], "no file"),
        (&[("file", Some("big.yaml"), &big)], "import limit"),
    ];
    for (parts, why) in cases {
        let r = api.post_form(IMPORT, parts).await;
        r.assert_l5_error(400, L5_BAD_REQUEST);
        assert!(r.text.contains(why), "expected {why:?} in {:?}", r.text);
    }
    // Not a form at all.
    api.post(IMPORT, serde_json::json!({"file": "x"})).await.assert_l5_error(400, L5_BAD_REQUEST);
    assert_eq!(count(&api).await, 0);
}

#[tokio::test]
async fn upload_replaces_the_document_as_the_next_version() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let id = create(&api, &w.org_a, "shop", "public").await;
    let path = format!("/api/content/patterns/upload/{id}");

    let d = api.post_form(&path, &[("file", Some("manifests.yaml"), MANIFESTS)]).await.expect(200);
    assert_eq!((d["id"].as_str(), d["name"].as_str()), (Some(id.as_str()), Some("shop")));
    assert_eq!((d["patternFile"]["version"].as_str(), d["visibility"].as_str()), (Some("0.0.2"), Some("public")));
    assert!(components(&d["patternFile"]).contains(&("Service".into(), "web".into(), "shop".into())));
    let versions = api.get(&format!("{BASE}/{id}/versions")).await.expect(200);
    assert_eq!(versions["total_count"], 2, "{versions}");

    // A bad source changes nothing; `name` renames.
    let r = api.post_form(&path, &[("file", Some("a.yaml"), b"kind: [\n")]).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert_eq!(api.get(&format!("{BASE}/{id}")).await.expect(200)["patternFile"]["version"], "0.0.2");
    let d = api.post_form(&path, &[("file", Some("c.yaml"), COMPOSE), ("name", None, b"shop2")]).await.expect(200);
    assert_eq!((d["name"].as_str(), d["patternFile"]["version"].as_str()), (Some("shop2"), Some("0.0.3")));

    // No such design: 404, and nothing is created under that id.
    let nobody = "/api/content/patterns/upload/7f0c4d4e-0000-4000-8000-000000000001";
    api.post_form(nobody, &[("file", Some("m.yaml"), MANIFESTS)]).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(count(&api).await, 1);
}

#[tokio::test]
async fn kubernetes_download_round_trips() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let d = import(&api, "manifests.yaml", MANIFESTS).await;
    let id = d["id"].as_str().expect("id");

    let r = api.get(&format!("{BASE}/download/{id}?format=kubernetes")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.content_type().starts_with("application/yaml"), "{}", r.content_type());
    assert_eq!(r.header("content-disposition").as_deref(), Some("attachment; filename=\"manifests.k8s.yaml\""));
    assert!(r.text.contains("apiVersion: apps/v1") && r.text.contains("\n---"), "{}", r.text);
    assert!(!r.text.contains("schemaVersion"), "manifests, not the design: {}", r.text);

    let again = import(&api, "exported.yaml", r.text.as_bytes()).await;
    assert_eq!(components(&again["patternFile"]), components(&d["patternFile"]));

    // The plain download is still the design document; another format is 400.
    let plain = api.get(&format!("{BASE}/download/{id}")).await;
    assert!(plain.text.contains("schemaVersion"), "{}", plain.text);
    api.get(&format!("{BASE}/download/{id}?format=helm")).await.assert_l5_error(400, L5_BAD_REQUEST);
}
