//! Helm chart import (`.tgz` to `POST /api/pattern/import` and to an
//! existing design's upload): the chart `helm create` writes, committed as
//! source under the content crate's tests/data and packed here, rendered
//! with its values and a `values` override; charts that are refused.

use std::io::Write;
use std::path::Path;

use serde_json::Value;

use super::{BASE, create};
use crate::support::*;

const IMPORT: &str = "/api/pattern/import";

/// A gzip tarball of `files` (path inside the archive, contents). Names are
/// written raw into the header, so a hostile path (`../x`) goes in as is.
pub fn tgz(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut builder = tar::Builder::new(gz);
    for (path, data) in files {
        let mut header = tar::Header::new_gnu();
        let name = &mut header.as_old_mut().name;
        name[..path.len()].copy_from_slice(path.as_bytes());
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        builder.append(&header, data.as_slice()).expect("append");
    }
    let mut gz = builder.into_inner().expect("tar");
    gz.flush().expect("flush");
    gz.finish().expect("gzip")
}

fn read_dir(dir: &Path, prefix: &str, out: &mut Vec<(String, Vec<u8>)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("chart dir").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for path in entries {
        let name = format!("{prefix}/{}", path.file_name().and_then(|n| n.to_str()).expect("name"));
        if path.is_dir() {
            read_dir(&path, &name, out);
        } else {
            out.push((name, std::fs::read(&path).expect("read")));
        }
    }
}

/// The files of the committed `mychart`, under `mychart/`.
pub fn mychart_files() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../src/content/tests/data/mychart");
    let mut files = Vec::new();
    read_dir(&dir, "mychart", &mut files);
    assert!(files.iter().any(|(p, _)| p == "mychart/templates/_helpers.tpl"), "chart files: {files:?}");
    files
}

pub fn mychart() -> Vec<u8> {
    tgz(&mychart_files())
}

/// (kind, name) of a document's components, sorted.
pub fn kinds(doc: &Value) -> Vec<(String, String)> {
    let mut rows: Vec<_> = doc["components"]
        .as_array()
        .unwrap_or_else(|| panic!("no components: {doc}"))
        .iter()
        .map(|c| {
            (
                c["component"]["kind"].as_str().unwrap_or_default().into(),
                c["displayName"].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// The configuration of the document's component of `kind`.
pub fn config<'a>(doc: &'a Value, kind: &str) -> &'a Value {
    let components = doc["components"].as_array().expect("components");
    &components.iter().find(|c| c["component"]["kind"] == kind).unwrap_or_else(|| panic!("no {kind} in {doc}"))["configuration"]
}

fn pairs(kinds: &[(&str, &str)]) -> Vec<(String, String)> {
    kinds.iter().map(|(k, n)| (k.to_string(), n.to_string())).collect()
}

async fn count(api: &Api) -> u64 {
    api.get(BASE).await.expect(200)["total_count"].as_u64().expect("total_count")
}

#[tokio::test]
async fn a_chart_is_rendered_with_its_values_and_the_override() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let chart = mychart();

    let r = api.post_form(IMPORT, &[("file", Some("mychart-0.1.0.tgz"), &chart)]).await.expect(200);
    let d = api.get(&format!("{BASE}/{}", r["id"].as_str().expect("id"))).await.expect(200);
    let doc = &d["patternFile"];
    // Names come from `include "mychart.fullname"`; the ingress and the
    // autoscaler are off by default, the test hook Pod is rendered.
    let expected = [
        ("Deployment", "mychart"),
        ("Pod", "mychart-test-connection"),
        ("Service", "mychart"),
        ("ServiceAccount", "mychart"),
    ];
    assert_eq!(kinds(doc), pairs(&expected));
    let deploy = config(doc, "Deployment");
    assert_eq!(deploy["spec"]["replicas"], 1);
    assert_eq!(deploy["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.16.0");
    assert_eq!(deploy["metadata"]["labels"]["helm.sh/chart"], "mychart-0.1.0");
    assert_eq!(config(doc, "Service")["spec"]["selector"]["app.kubernetes.io/name"], "mychart");
    for c in doc["components"].as_array().expect("components") {
        assert_eq!(c["model"]["name"], "kubernetes", "{c}");
    }

    // The `values` field (YAML) is merged over values.yaml.
    let values = b"replicaCount: 4\nfullnameOverride: shop\ningress:\n  enabled: true\n";
    let parts: &[Part<'_>] = &[("file", Some("mychart-0.1.0.tgz"), &chart), ("values", None, values)];
    let r = api.post_form(IMPORT, parts).await.expect(200);
    let d = api.get(&format!("{BASE}/{}", r["id"].as_str().expect("id"))).await.expect(200);
    let doc = &d["patternFile"];
    assert_eq!(config(doc, "Deployment")["spec"]["replicas"], 4);
    let names: Vec<(String, String)> = kinds(doc);
    assert!(
        names.contains(&("Ingress".into(), "shop".into())) && names.contains(&("Deployment".into(), "shop".into()))
    );
    let backend = &config(doc, "Ingress")["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"];
    assert_eq!((backend["name"].as_str(), backend["port"]["number"].as_u64()), (Some("shop"), Some(80)));

    // Upload into an existing design, with a JSON override.
    let id = create(&api, &w.org_a, "web", "private").await;
    let path = format!("/api/content/patterns/upload/{id}");
    let values = br#"{"replicaCount": 2, "serviceAccount": {"create": false}}"#;
    let d = api.post_form(&path, &[("file", Some("chart.tgz"), &chart), ("values", None, values)]).await.expect(200);
    assert_eq!(d["patternFile"]["version"], "0.0.2");
    assert_eq!(config(&d["patternFile"], "Deployment")["spec"]["replicas"], 2);
    assert!(!kinds(&d["patternFile"]).iter().any(|(k, _)| k == "ServiceAccount"));

    // A bad override is a 400 naming `values`.
    let r = api.post_form(IMPORT, &[("file", Some("c.tgz"), &chart), ("values", None, b"- 1\n")]).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("values"), "{}", r.text);
    assert_eq!(count(&api).await, 3);
}

/// `mychart` with the file `path` holding `text`.
fn mychart_with(path: &str, text: &str) -> Vec<u8> {
    let mut files = mychart_files();
    files.push((format!("mychart/{path}"), text.as_bytes().to_vec()));
    tgz(&files)
}

/// Bytes no compressor shrinks (xorshift), so an archive of them is as
/// large as they are.
fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[tokio::test]
async fn bad_charts_are_400_with_the_reason_and_store_nothing() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let chart_yaml = b"apiVersion: v2\nname: c\nversion: 1.0.0\n".to_vec();
    let zeros = |n: usize| vec![0u8; n];
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "an unknown template function",
            mychart_with("templates/secret.yaml", "password: {{ randAlphaNum 16 }}\n"),
            "the chart's template mychart/templates/secret.yaml uses the template function \"randAlphaNum\", which meshcloud does not support",
        ),
        (
            "a template that fails",
            mychart_with("templates/cm.yaml", "{{ required \"database.host is required\" .Values.database }}\n"),
            "mychart/templates/cm.yaml failed",
        ),
        ("no Chart.yaml", tgz(&[("c/values.yaml".into(), b"a: 1\n".to_vec())]), "no Chart.yaml"),
        (
            "a gzip bomb",
            tgz(&[("c/Chart.yaml".into(), chart_yaml.clone()), ("c/templates/a.yaml".into(), zeros(16 * 1024 * 1024))]),
            "c/templates/a.yaml unpacks to more than 5 MiB",
        ),
        (
            "many files that add up",
            tgz(&(0..5)
                .map(|i| (format!("c/files/{i}"), zeros(4 * 1024 * 1024 + 1)))
                .chain([("c/Chart.yaml".to_string(), chart_yaml.clone())])
                .collect::<Vec<_>>()),
            "the chart unpacks to more than 20 MiB",
        ),
        (
            "path traversal",
            tgz(&[("c/Chart.yaml".into(), chart_yaml.clone()), ("c/../../etc/cron.d/x".into(), b"x".to_vec())]),
            "leaves the chart",
        ),
        (
            "over the size limit",
            tgz(&[("c/Chart.yaml".into(), chart_yaml.clone()), ("c/blob".into(), noise(4 * 1024 * 1024 + 1))]),
            "import limit",
        ),
        ("not a tarball", vec![0x1f, 0x8b, 0, 1, 2, 3], "not a readable chart archive"),
    ];
    for (what, bytes, why) in cases {
        let r = api.post_form(IMPORT, &[("file", Some("chart.tgz"), &bytes)]).await;
        r.assert_l5_error(400, L5_BAD_REQUEST);
        assert!(r.text.contains(why), "{what}: expected {why:?} in {:?}", r.text);
    }
    assert_eq!(count(&api).await, 0);

    // A refused upload leaves the design as it was.
    let id = create(&api, &w.org_a, "web", "private").await;
    let path = format!("/api/content/patterns/upload/{id}");
    let bad = mychart_with("templates/x.yaml", "{{ nosuchfunc }}");
    let r = api.post_form(&path, &[("file", Some("chart.tgz"), &bad)]).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("\"nosuchfunc\""), "{}", r.text);
    assert_eq!(api.get(&format!("{BASE}/{id}")).await.expect(200)["patternFile"]["version"], "0.0.1");

    // Only members who may create designs import charts.
    let r = w.dave.ctx(&w.org_a).post_form(IMPORT, &[("file", Some("chart.tgz"), &mychart())]).await;
    r.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(count(&api).await, 1);
}
