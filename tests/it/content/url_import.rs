//! Import from a URL (`url` of `POST /api/pattern/import`, of an upload and
//! of a save) against a small HTTP server on 127.0.0.1 started by the test:
//! the allow-list, plain HTTP only for hosts listed as `http://`, the size
//! and time limits, redirects.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::BASE;
use super::helm::{config, kinds, mychart};
use crate::support::*;

const IMPORT: &str = "/api/pattern/import";
const MANIFESTS: &[u8] = include_bytes!("../../../src/content/tests/data/manifests.yaml");
const CRDS: &[u8] = include_bytes!("../../../src/content/tests/data/models/widgets-crd.yaml");
const LIMIT: usize = 4 * 1024 * 1024;

/// Serves, on 127.0.0.1, a few fixed paths: `/manifests.yaml`,
/// `/mychart-0.1.0.tgz`, `/widgets-crd.yaml`, `/big` (over the limit, with its length),
/// `/big-unsized` (over the limit, no length: ends with the connection),
/// `/to-localhost` (a redirect to a host not on the list), `/loop`
/// (redirects to itself), `/missing` (404), and `/hang`, which never
/// answers. Answers its base URL; the server ends with the test's runtime.
async fn source_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let chart = mychart();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            let chart = chart.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&head);
                let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
                let ok = |body: &[u8]| {
                    let mut r =
                        format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len())
                            .into_bytes();
                    r.extend_from_slice(body);
                    r
                };
                let redirect = |to: String| {
                    format!("HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .into_bytes()
                };
                let reply = match path.as_str() {
                    "/manifests.yaml" => ok(MANIFESTS),
                    "/mychart-0.1.0.tgz" => ok(&chart),
                    "/widgets-crd.yaml" => ok(CRDS),
                    "/big" => ok(&vec![b'#'; LIMIT + 1]),
                    "/big-unsized" => {
                        let mut r = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec();
                        r.extend(vec![b'#'; LIMIT + 1]);
                        r
                    }
                    "/to-localhost" => redirect(format!("http://localhost:{port}/manifests.yaml")),
                    "/loop" => redirect(format!("http://127.0.0.1:{port}/loop")),
                    "/hang" => {
                        // Holds the connection without a byte of answer, for
                        // longer than the configured time limit.
                        tokio::time::sleep(Duration::from_secs(30)).await;
                        return;
                    }
                    _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
                };
                let _ = sock.write_all(&reply).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

async fn count(api: &Api) -> u64 {
    api.get(BASE).await.expect(200)["total_count"].as_u64().expect("total_count")
}

async fn design(api: &Api, id: &Value) -> Value {
    api.get(&format!("{BASE}/{}", id.as_str().expect("id"))).await.expect(200)
}

fn url_part(url: &str) -> Vec<u8> {
    url.as_bytes().to_vec()
}

#[tokio::test]
async fn sources_on_allowed_hosts_are_fetched_and_detected_like_files() {
    let src = source_server().await;
    let w = world_with(|c| {
        c.url_import_hosts = vec!["http://127.0.0.1".into()];
        c.url_import_timeout_secs = 2;
    })
    .await;
    let api = w.alice.ctx(&w.org_a);

    // Manifests, named after the URL's file.
    let url = url_part(&format!("{src}/manifests.yaml"));
    let r = api.post_form(IMPORT, &[("url", None, &url)]).await.expect(200);
    let d = design(&api, &r["id"]).await;
    assert_eq!(d["name"], "manifests");
    assert!(kinds(&d["patternFile"]).contains(&("Deployment".into(), "web".into())), "{d}");

    // A Helm chart, with a values override.
    let url = url_part(&format!("{src}/mychart-0.1.0.tgz"));
    let r = api.post_form(IMPORT, &[("url", None, &url), ("values", None, b"replicaCount: 5\n")]).await.expect(200);
    let d = design(&api, &r["id"]).await;
    assert_eq!(config(&d["patternFile"], "Deployment")["spec"]["replicas"], 5);

    // Into an existing design: the upload takes a url too.
    let id = super::create(&api, &w.org_a, "web", "private").await;
    let url = url_part(&format!("{src}/manifests.yaml"));
    let d = api.post_form(&format!("/api/content/patterns/upload/{id}"), &[("url", None, &url)]).await.expect(200);
    assert_eq!((d["name"].as_str(), d["patternFile"]["version"].as_str()), (Some("web"), Some("0.0.2")));

    // And so does save.
    let saved = api.post(BASE, json!({"name": "from url", "url": format!("{src}/manifests.yaml")})).await.expect(200);
    assert_eq!(saved["name"], "from url");
    assert!(kinds(&saved["patternFile"]).contains(&("Service".into(), "web".into())), "{saved}");
    let both = json!({"name": "x", "url": format!("{src}/manifests.yaml"), "patternData": {"components": []}});
    let r = api.post(BASE, both).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("url"), "{}", r.text);

    // A file and a url together, and a source that is not there.
    let url = url_part(&format!("{src}/manifests.yaml"));
    let r = api.post_form(IMPORT, &[("url", None, &url), ("file", Some("m.yaml"), MANIFESTS)]).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("not both"), "{}", r.text);
    let url = url_part(&format!("{src}/missing"));
    let r = api.post_form(IMPORT, &[("url", None, &url)]).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("HTTP 404"), "{}", r.text);
    assert_eq!(count(&api).await, 4);
}

#[tokio::test]
async fn refused_fetches_are_400_and_store_nothing() {
    let src = source_server().await;
    let w = world_with(|c| {
        c.url_import_hosts = vec!["http://127.0.0.1".into()];
        c.url_import_timeout_secs = 1;
    })
    .await;
    let api = w.alice.ctx(&w.org_a);
    let port = src.rsplit(':').next().expect("port");
    let cases = [
        (
            format!("http://localhost:{port}/manifests.yaml"),
            "localhost is not on this installation's URL import allow-list",
        ),
        ("https://github.com/a/b.yaml".to_string(), "github.com is not on this installation's URL import allow-list"),
        (format!("{src}/big"), "larger than the import limit of 4 MiB"),
        (format!("{src}/big-unsized"), "larger than the import limit of 4 MiB"),
        (format!("{src}/to-localhost"), "redirected to localhost, which is not on the URL import allow-list"),
        (format!("{src}/loop"), "more than 5 redirects"),
        (format!("{src}/hang"), "did not answer within 1 s"),
        ("ftp://127.0.0.1/x.yaml".to_string(), "only http(s) URLs"),
        ("not a url".to_string(), "not a URL"),
    ];
    for (url, why) in cases {
        let r = api.post_form(IMPORT, &[("url", None, url.as_bytes())]).await;
        r.assert_l5_error(400, L5_BAD_REQUEST);
        assert!(r.text.contains(why) && r.text.contains("url"), "{url}: expected {why:?} in {:?}", r.text);
    }
    assert_eq!(count(&api).await, 0);
}

#[tokio::test]
async fn plain_http_needs_an_http_entry_and_an_empty_list_switches_url_import_off() {
    let src = source_server().await;
    let url = url_part(&format!("{src}/manifests.yaml"));

    // Listed without `http://`: HTTPS only.
    let w = world_with(|c| c.url_import_hosts = vec!["127.0.0.1".into()]).await;
    let r = w.alice.ctx(&w.org_a).post_form(IMPORT, &[("url", None, &url)]).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("plain http only for hosts listed as http://"), "{}", r.text);
    w.s.stop().await;

    let w = world_with(|c| c.url_import_hosts = vec![]).await;
    let api = w.alice.ctx(&w.org_a);
    let r = api.post_form(IMPORT, &[("url", None, &url)]).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("import from a URL is switched off"), "{}", r.text);
    let r = api.post(BASE, json!({"name": "n", "url": format!("{src}/manifests.yaml")})).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("switched off"), "{}", r.text);
    assert_eq!(count(&api).await, 0);
}

/// URL Import of `POST /api/meshmodels/register` fetches under the same
/// rules and reads what it fetched as a File Import.
#[tokio::test]
async fn models_are_registered_from_an_allowed_url() {
    const REGISTER: &str = "/api/meshmodels/register";
    let src = source_server().await;
    let w = world_with(|c| c.url_import_hosts = vec!["http://127.0.0.1".into()]).await;
    let api = w.alice.ctx(&w.org_a);
    let register = |body: Value| {
        let body = body.to_string().into_bytes();
        let api = api.clone();
        async move {
            let parts: [Part<'_>; 3] =
                [("uploadType", None, b"URL Import"), ("register", None, b"true"), ("importBody", None, &body)];
            api.post_form(REGISTER, &parts).await
        }
    };
    let v = register(json!({"url": format!("{src}/widgets-crd.yaml")})).await.expect(201);
    assert!(v["message"].as_str().unwrap_or_default().contains("widgets.example.com"), "{v}");
    let m = api.get("/api/integrations/meshmodels/models/widgets.example.com").await.expect(200);
    assert_eq!(m["name"], "widgets.example.com");

    for (url, why) in [
        (format!("{src}/missing"), "url:"),
        ("https://example.com/widgets-crd.yaml".to_string(), "allow-list"),
        (format!("{src}/big"), "limit"),
    ] {
        let r = register(json!({"url": url})).await;
        r.assert_l5_error(400, L5_BAD_REQUEST);
        assert!(r.text.contains(why), "{url}: expected {why:?} in {}", r.text);
    }
}
