//! Designs benchmark, against the release binary as a child process: one
//! org holding 10,000 designs (seeded through `POST /api/content/patterns`,
//! each of 6 components), then latency (p50, p99) and the server's CPU per
//! request for the first, a middle and the last page of 25, searches
//! matching 1 % and 0.01 % of the names, get by id, save (an update: a new
//! version each), the first page of the org's pattern resources, saves of
//! one 1,000-component design; then
//! `POST /api/pattern/import` of a generated 500-object manifest
//! (Namespaces, Deployments, Services, ConfigMaps, Secrets, Ingresses).
//! Nothing is asserted about time.
//! Run: `bench/designs.sh` (builds the release binary first).
//! `MESHCLOUD_BENCH_DESIGNS` changes the number of designs;
//! `MESHCLOUD_BENCH_DIR` (an empty or missing directory) keeps the data dir.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::child::Server;
use common::{CONCURRENCY, Stats, header, run};

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BASE: &str = "/api/content/patterns";
const PAGE: usize = 25;
/// Names hold one of 100 zones (1 % of the designs each) and one of 10,000
/// racks (0.01 %).
const WIDE: &str = "zone-07";
const NARROW: &str = "rack-0042";
const IMPORT_OBJECTS: usize = 500;
const IMPORTS: usize = 20;
const LARGE: usize = 1_000;
const SAVES: usize = 20;

#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    base: Arc<str>,
    bearer: Arc<str>,
    org: Arc<str>,
}

fn name(i: usize) -> String {
    // Name order is not creation order.
    format!("app-{:05} zone-{:02} rack-{:04}", (i * 7919) % 10_007, i % 100, i % 10_000)
}

/// A small application: a Namespace, a Deployment and its Service, a
/// ConfigMap, a Secret and an Ingress; `replicas` varies between saves.
fn document(i: usize, replicas: usize) -> Value {
    let ns = format!("team-{}", i % 50);
    let app = format!("app-{i}");
    let c = |id: &str, kind: &str, version: &str, name: &str, configuration: Value| {
        json!({"id": format!("{app}-{id}"), "displayName": name, "component": {"kind": kind, "version": version},
               "model": {"name": "kubernetes"}, "configuration": configuration})
    };
    let meta = |n: &str| json!({"name": n, "namespace": ns, "labels": {"app": app}});
    json!({
        "name": name(i),
        "schemaVersion": "designs.meshery.io/v1beta1",
        "version": "0.0.1",
        "components": [
            c("ns", "Namespace", "v1", &ns, json!({"metadata": {"name": ns}})),
            c("deploy", "Deployment", "apps/v1", &app, json!({"metadata": meta(&app), "spec": {
                "replicas": replicas, "selector": {"matchLabels": {"app": app}},
                "template": {"metadata": {"labels": {"app": app}}, "spec": {"containers": [{
                    "name": "main", "image": "nginx:1.27", "ports": [{"containerPort": 8080}],
                    "envFrom": [{"configMapRef": {"name": format!("{app}-config")}}]}]}}}})),
            c("svc", "Service", "v1", &app, json!({"metadata": meta(&app), "spec": {
                "selector": {"app": app}, "ports": [{"port": 80, "targetPort": 8080}]}})),
            c("cm", "ConfigMap", "v1", &format!("{app}-config"), json!({"metadata": meta(&format!("{app}-config")),
                "data": {"LOG_LEVEL": "info", "FEATURE_X": "on"}})),
            c("secret", "Secret", "v1", &format!("{app}-token"), json!({"metadata": meta(&format!("{app}-token")),
                "type": "Opaque", "data": {"token": "c2VjcmV0"}})),
            c("ing", "Ingress", "networking.k8s.io/v1", &app, json!({"metadata": meta(&app), "spec": {"rules": [{
                "host": format!("{app}.example.com"), "http": {"paths": [{"path": "/", "pathType": "Prefix",
                "backend": {"service": {"name": app, "port": {"number": 80}}}}]}}]}})),
        ],
        "relationships": []
    })
}

/// A manifest of `n` objects: per application of 6, a Namespace, a
/// Deployment, a Service, a ConfigMap, a Secret and an Ingress.
fn manifest(n: usize) -> String {
    let mut docs = vec![];
    for i in 0..n {
        let (app, ns) = (format!("app-{}", i / 6), format!("team-{}", i / 6));
        let doc = match i % 6 {
            0 => format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  labels:\n    team: {ns}\n"),
            1 => format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\n  namespace: {ns}\n  labels:\n    app: {app}\n\
                 spec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: {app}\n  template:\n    metadata:\n      labels:\n        app: {app}\n\
                 \x20   spec:\n      containers:\n        - name: main\n          image: nginx:1.27\n          ports:\n            - containerPort: 8080\n\
                 \x20         envFrom:\n            - configMapRef:\n                name: {app}-config\n          resources:\n            limits:\n              cpu: 500m\n              memory: 256Mi\n"
            ),
            2 => format!(
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\n  namespace: {ns}\nspec:\n  selector:\n    app: {app}\n  ports:\n    - port: 80\n      targetPort: 8080\n"
            ),
            3 => format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {app}-config\n  namespace: {ns}\ndata:\n  LOG_LEVEL: info\n  FEATURE_X: \"on\"\n"
            ),
            4 => format!(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {app}-token\n  namespace: {ns}\ntype: Opaque\ndata:\n  token: c2VjcmV0\n"
            ),
            _ => format!(
                "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {app}\n  namespace: {ns}\nspec:\n  rules:\n    - host: {app}.example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: {app}\n                port:\n                  number: 80\n"
            ),
        };
        docs.push(doc);
    }
    docs.join("---\n")
}

impl Client {
    async fn org(s: &Server, bearer: &str, name: &str) -> Client {
        let v: Value = s
            .http
            .post(format!("{}/api/identity/orgs", s.base))
            .header("authorization", bearer)
            .json(&json!({"name": name}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let org = v["organizations"][0]["id"].as_str().unwrap();
        Client { http: s.http.clone(), base: s.base.as_str().into(), bearer: bearer.into(), org: org.into() }
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let res =
            req.header("authorization", &*self.bearer).header("layer5-current-orgid", &*self.org).send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn save(&self, body: Value) -> (u16, Value) {
        self.send(self.http.post(format!("{}{BASE}", self.base)).json(&body)).await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(self.http.get(format!("{}{path}", self.base))).await
    }

    async fn import(&self, file: &str) -> u16 {
        let boundary = "benchboundary7MA4YWxkTrZu0gW";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"app.yaml\"\r\n\
             Content-Type: application/yaml\r\n\r\n{file}\r\n--{boundary}--\r\n"
        );
        let req = self
            .http
            .post(format!("{}/api/pattern/import", self.base))
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(body);
        self.send(req).await.0
    }
}

/// Saves designs `0..n` with `CONCURRENCY` clients; answers their ids (by index).
async fn seed(c: &Client, n: usize) -> Vec<String> {
    let mut tasks = vec![];
    for w in 0..CONCURRENCY {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            let mut made = vec![];
            let mut i = w;
            while i < n {
                let (status, v) =
                    c.save(json!({"name": name(i), "visibility": "public", "patternData": document(i, 1)})).await;
                assert_eq!(status, 200, "save {i}: {v}");
                made.push((i, v["id"].as_str().unwrap().to_string()));
                i += CONCURRENCY;
            }
            made
        }));
    }
    let mut ids = vec![String::new(); n];
    for t in tasks {
        for (i, id) in t.await.unwrap() {
            ids[i] = id;
        }
    }
    ids
}

/// `n` GETs of `path` with the server's own CPU.
async fn measure(s: &Server, c: &Client, label: &str, n: usize, path: String) -> Stats {
    let cpu0 = s.cpu();
    let c = c.clone();
    let st = run(label.to_string(), n, move |_| {
        let (c, path) = (c.clone(), path.clone());
        async move { c.get(&path).await.0 }
    })
    .await;
    st.with_cpu(s.cpu() - cpu0)
}

fn main() {
    let n: usize = std::env::var("MESHCLOUD_BENCH_DESIGNS").map_or(10_000, |v| v.trim().parse().expect("a number"));
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let tmp = tempfile::TempDir::new().unwrap();
        let kept = std::env::var_os("MESHCLOUD_BENCH_DIR");
        let dir = kept.clone().map_or_else(|| tmp.path().join("data"), Into::into);
        println!("meshcloud designs benchmark: one org, {CONCURRENCY} clients, the release binary as a child process");
        if kept.is_some() {
            println!("data dir kept at {}", dir.display());
        }
        let s = Server::start(&dir, &[]).await;
        let bearer = s.admin_bearer().await;
        let c = Client::org(&s, &bearer, "designs-bench").await;

        let (start, cpu0) = (Instant::now(), s.cpu());
        let ids = Arc::new(seed(&c, n).await);
        let took = start.elapsed();
        println!(
            "seeded {n} designs of 6 components through POST {BASE} in {:.1} s ({:.0}/s, server CPU {:.2} ms per save)",
            took.as_secs_f64(),
            n as f64 / took.as_secs_f64(),
            (s.cpu() - cpu0).as_secs_f64() * 1e3 / n as f64
        );
        let (_, first) = c.get(&format!("{BASE}?pagesize={PAGE}")).await;
        assert_eq!(first["total_count"], n);
        let (_, wide) = c.get(&format!("{BASE}?search={WIDE}")).await;
        assert_eq!(wide["total_count"], n / 100);
        let (_, narrow) = c.get(&format!("{BASE}?search={NARROW}")).await;
        assert_eq!(narrow["total_count"], n / 10_000);
        let (_, resources) = c.get("/api/content/patterns/resource").await;
        assert_eq!(resources["total_count"], n * 6);

        let last = (n - 1) / PAGE;
        println!("\n{n} designs in one org: pages of {PAGE}, latency and server CPU per request");
        header();
        let pages = 2_000;
        measure(&s, &c, "list page 0 (newest change first)", pages, format!("{BASE}?pagesize={PAGE}")).await.print();
        measure(&s, &c, &format!("list page {} (middle)", last / 2), pages, format!("{BASE}?pagesize={PAGE}&page={}", last / 2))
            .await
            .print();
        measure(&s, &c, &format!("list page {last} (last)"), pages, format!("{BASE}?pagesize={PAGE}&page={last}")).await.print();
        measure(&s, &c, "list page 0, order=name asc", pages, format!("{BASE}?pagesize={PAGE}&order=name%20asc"))
            .await
            .print();
        measure(&s, &c, "list page 0, populate=true", pages, format!("{BASE}?pagesize={PAGE}&populate=true")).await.print();
        measure(&s, &c, &format!("search={WIDE} (1 %), page 0"), 400, format!("{BASE}?pagesize={PAGE}&search={WIDE}"))
            .await
            .print();
        measure(&s, &c, &format!("search={NARROW} (0.01 %)"), 400, format!("{BASE}?pagesize={PAGE}&search={NARROW}"))
            .await
            .print();
        measure(&s, &c, "search=zone-1 (10 %), page 0", 400, format!("{BASE}?pagesize={PAGE}&search=zone-1")).await.print();
        measure(&s, &c, "search=app- (every design), page 0", 100, format!("{BASE}?pagesize={PAGE}&search=app-"))
            .await
            .print();

        let cpu0 = s.cpu();
        let (cc, ids2) = (c.clone(), ids.clone());
        run("get design by id", 5_000, move |i| {
            let (c, id) = (cc.clone(), ids2[(i * 7_919) % ids2.len()].clone());
            async move { c.get(&format!("{BASE}/{id}")).await.0 }
        })
        .await
        .with_cpu(s.cpu() - cpu0)
        .print();

        // Each save changes the document: a new version, kept, and its resources reindexed.
        let cpu0 = s.cpu();
        let (cc, ids2) = (c.clone(), ids.clone());
        run("save (update: a new version)", 2_000, move |i| {
            let k = (i * 7_919) % ids2.len();
            let (c, id) = (cc.clone(), ids2[k].clone());
            async move { c.save(json!({"id": id, "name": name(k), "patternData": document(k, 2 + i)})).await.0 }
        })
        .await
        .with_cpu(s.cpu() - cpu0)
        .print();

        measure(&s, &c, &format!("pattern resources page 0 ({} rows)", n * 6), pages, format!("{BASE}/resource?pagesize={PAGE}"))
            .await
            .print();
        let design = &ids[n / 2];
        measure(&s, &c, "pattern resources of one design", pages, format!("{BASE}/resource?designId={design}"))
            .await
            .print();

        // One large design: each save changes one component, so the whole
        // document is a new version and its 1,000 resources are rewritten.
        let mut big = document(0, 1);
        let components: Vec<Value> = (0..LARGE / 6 + 1)
            .flat_map(|k| document(n + k, 1)["components"].as_array().unwrap().clone())
            .take(LARGE)
            .collect();
        big["name"] = json!("large design");
        big["components"] = Value::Array(components);
        let (status, v) = c.save(json!({"name": "large design", "patternData": big.clone()})).await;
        assert_eq!(status, 200, "{v}");
        let large = v["id"].as_str().unwrap().to_string();
        let mut lat: Vec<Duration> = vec![];
        let cpu0 = s.cpu();
        for i in 0..SAVES {
            big["components"][1]["configuration"]["spec"]["replicas"] = json!(i + 2);
            let t = Instant::now();
            let (status, v) = c.save(json!({"id": large, "name": "large design", "patternData": big.clone()})).await;
            assert_eq!(status, 200, "{v}");
            lat.push(t.elapsed());
        }
        let cpu = (s.cpu() - cpu0).as_secs_f64() * 1e3 / SAVES as f64;
        lat.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "\nsave of a {LARGE}-component design (a new version, its resources rewritten), one at a time: \
             {SAVES} saves, median {:.1} ms, max {:.1} ms, server CPU {cpu:.1} ms per save",
            ms(lat[SAVES / 2]),
            ms(lat[SAVES - 1])
        );
        let (_, rows) = c.get(&format!("{BASE}/resource?designId={large}")).await;
        assert_eq!(rows["total_count"], LARGE);

        // Import: one at a time, so each figure is one import's.
        let file = manifest(IMPORT_OBJECTS);
        println!(
            "\nPOST /api/pattern/import of a {IMPORT_OBJECTS}-object manifest ({} KiB: Namespaces, Deployments, Services, \
             ConfigMaps, Secrets, Ingresses), one at a time",
            file.len() / 1024
        );
        assert_eq!(c.import(&file).await, 200, "import");
        let mut lat: Vec<Duration> = vec![];
        let cpu0 = s.cpu();
        for _ in 0..IMPORTS {
            let t = Instant::now();
            assert_eq!(c.import(&file).await, 200, "import");
            lat.push(t.elapsed());
        }
        let cpu = (s.cpu() - cpu0).as_secs_f64() * 1e3 / IMPORTS as f64;
        lat.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "{IMPORTS} imports: median {:.1} ms, max {:.1} ms, server CPU {cpu:.1} ms per import",
            ms(lat[IMPORTS / 2]),
            ms(lat[IMPORTS - 1])
        );
        s.stop().await;
    });
}
