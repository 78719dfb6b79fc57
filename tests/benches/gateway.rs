//! Gateway benchmark, in-process: one organization with 10 control planes
//! holding 10,000 applications (1,000 each, 2 labels and one published API
//! each), seeded with plain SQL in the stored layouts; then over loopback
//! HTTP with 16 clients: application list pages of 25 (the first page by
//! `updated_at`, a deep page, `order_by=created_at` both ways, a label
//! filter matching 1 %, a search matching 0.1 %), get by id, creates
//! through `POST /api/v1/controlplanes/{id}/apps`, and the APISIX export of
//! a control plane (a full render, and the 304 of an unchanged poll).
//! After the run it explains the export's and the list's statements
//! (`EXPLAIN QUERY PLAN` on the seeded store) and fails if one scans a
//! gateway table. Nothing is asserted about time.
//! Run: `bench/gateway.sh`. `MESHCLOUD_BENCH_APPS` changes the number of
//! applications; `MESHCLOUD_BENCH_DIR` (an empty or missing directory) keeps the data dir.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Stats, header, run};

use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::params;
use serde_json::{Value, json};

const PLANES: usize = 10;
const PAGE: usize = 25;
/// Each application holds one of 100 zone labels (1 %) and its description
/// one of 1,000 racks (0.1 %).
const ZONE: &str = "zone-07";
const RACK: &str = "rack-0042";
const CREATES: usize = 1_000;

#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    base: Arc<str>,
    bearer: Arc<str>,
}

impl Client {
    async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(format!("{}{path}", self.base)).header("authorization", &*self.bearer).send().await.unwrap()
    }
}

fn app_spec(i: usize) -> Value {
    json!({
        "protocols": ["HTTP", "HTTPS"],
        "hosts": [format!("app-{i}.example.com")],
        "upstreams": [{"version": "default", "upstream": {
            "scheme": "http", "lb_type": "roundrobin",
            "targets": [{"host": format!("10.0.{}.{}", i / 250 % 250, i % 250 + 1), "port": 8080, "weight": 100}],
            "timeout": {"connect": 5, "send": 30, "read": 30}
        }}],
        "default_upstream_version": "default",
        "policies": {},
        "canary_release_id": [],
        "canary_upstream_version_list": [],
        "available_cert_ids": []
    })
}

fn app_body(i: usize) -> Value {
    let mut v = app_spec(i);
    v["name"] = json!(format!("app-{i:05}"));
    v["description"] = json!(format!("service in rack-{:04}", i % 1_000));
    v["path_prefix"] = json!("/");
    v["labels"] = json!([format!("zone-{:02}", i % 100), format!("tier-{}", i % 3)]);
    v
}

/// The organization's control planes and `n` applications spread over
/// them, each with its host, labels and one published API, in one transaction.
fn seed(c: &rusqlite::Connection, org: i64, n: usize) -> Vec<i64> {
    let now = "2026-12-01T00:00:00.000000Z";
    c.execute_batch("BEGIN").unwrap();
    let mut planes = vec![];
    for p in 0..PLANES {
        c.execute(
            "INSERT INTO gateway_control_planes (uuid, org_id, name, status, status_at, domain, created_at, updated_at)
             VALUES (?1, ?2, ?3, 3, ?4, 'localhost', ?4, ?4)",
            params![uuid::Uuid::new_v4().to_string(), org, format!("cp-{p}"), now],
        )
        .unwrap();
        planes.push(c.last_insert_rowid());
    }
    let mut app = c
        .prepare(
            "INSERT INTO gateway_applications (uuid, control_plane_id, name, description, path_prefix, spec, active,
                    created_at, updated_at) VALUES (?1, ?2, ?3, ?4, '/', ?5, 0, ?6, ?6)",
        )
        .unwrap();
    let mut host = c
        .prepare("INSERT INTO gateway_application_hosts (control_plane_id, host, path_prefix, app_id) VALUES (?1, ?2, '/', ?3)")
        .unwrap();
    let mut label = c.prepare("INSERT INTO gateway_application_labels (app_id, label) VALUES (?1, ?2)").unwrap();
    let mut api = c
        .prepare(
            "INSERT INTO gateway_apis (uuid, app_id, control_plane_id, name, spec, active, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'all', ?4, 0, ?5, ?5)",
        )
        .unwrap();
    let api_spec = json!({"methods": null, "paths": [{"path": "/", "path_type": "Prefix"}], "strip_path_prefix": false,
                          "type": "Rest", "policies": {}})
    .to_string();
    for i in 0..n {
        let cp = planes[i % PLANES];
        // Distinct times, so that pages by created_at and updated_at differ.
        let t =
            format!("2026-12-01T{:02}:{:02}:{:02}.{:06}Z", i / 3600 % 24, i / 60 % 60, i % 60, (i * 7919) % 1_000_000);
        let b = app_body(i);
        app.execute(params![
            uuid::Uuid::new_v4().to_string(),
            cp,
            b["name"].as_str(),
            b["description"].as_str(),
            app_spec(i).to_string(),
            t
        ])
        .unwrap();
        let id = c.last_insert_rowid();
        host.execute(params![cp, format!("app-{i}.example.com"), id]).unwrap();
        for l in b["labels"].as_array().unwrap() {
            label.execute(params![id, l.as_str()]).unwrap();
        }
        api.execute(params![uuid::Uuid::new_v4().to_string(), id, cp, api_spec, t]).unwrap();
    }
    c.execute_batch("COMMIT; ANALYZE").unwrap();
    planes
}

/// `EXPLAIN QUERY PLAN` of `sql` on the seeded store (the server's own
/// statements cannot be traced from here: the bench explains their shapes).
fn explain(c: &rusqlite::Connection, sql: &str) -> Vec<String> {
    let mut st = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let mut rows = st.raw_query();
    let mut out = vec![];
    while let Some(r) = rows.next().unwrap() {
        out.push(r.get::<_, String>(3).unwrap());
    }
    out
}

fn main() {
    let n: usize = std::env::var("MESHCLOUD_BENCH_APPS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async move {
        let tmp = tempfile::TempDir::new().unwrap();
        let dir = std::env::var_os("MESHCLOUD_BENCH_DIR").map(std::path::PathBuf::from).unwrap_or(tmp.path().join("data"));
        let common::Bench { http, base, bearer } = common::start(dir.clone(), |_| {}).await;
        let created: Value = http
            .post(format!("{base}/api/identity/orgs"))
            .header("authorization", &bearer)
            .json(&json!({"name": "gateways"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let org_uuid = created["organizations"][0]["id"].as_str().unwrap().to_string();
        let db_path = dir.join("meshcloud.db");
        let open = move || {
            let c = rusqlite::Connection::open(&db_path).unwrap();
            c.busy_timeout(Duration::from_secs(30)).unwrap();
            c
        };
        let seeding = Instant::now();
        let (planes, app_ids, open) = tokio::task::spawn_blocking(move || {
            let c = open();
            let org: i64 = c.query_row("SELECT id FROM organizations WHERE uuid = ?1", [org_uuid], |r| r.get(0)).unwrap();
            let planes = seed(&c, org, n);
            let mut st = c.prepare("SELECT id FROM gateway_applications WHERE control_plane_id = ?1 ORDER BY id").unwrap();
            let ids: Vec<i64> = st.query_map([planes[0]], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
            drop(st);
            (planes, ids, open)
        })
        .await
        .unwrap();
        println!(
            "seeded {n} applications (labels, hosts, one API each) over {PLANES} control planes in {:.2} s",
            seeding.elapsed().as_secs_f64()
        );
        let client = Client { http, base: base.as_str().into(), bearer: bearer.as_str().into() };
        let cp = planes[0];
        let per_cp = n / PLANES;
        let apps = format!("/api/v1/controlplanes/{cp}/apps");
        let probe = client.get(&format!("{apps}?page=1&page_size=1")).await;
        let served = probe.status() == 200;

        println!("\ngateway benchmark, {} concurrent clients, {per_cp} applications per control plane", common::CONCURRENCY);
        header();
        let mut rows: Vec<Stats> = vec![];
        if served {
            let last = per_cp.div_ceil(PAGE);
            let lists = [
                ("list apps: first page (updated_at DESC)", format!("{apps}?page=1&page_size={PAGE}")),
                ("list apps: deep page", format!("{apps}?page={}&page_size={PAGE}", last.saturating_sub(1).max(1))),
                ("list apps: order_by=created_at ASC", format!("{apps}?page=2&page_size={PAGE}&order_by=created_at&direction=ASC")),
                ("list apps: order_by=created_at DESC", format!("{apps}?page=2&page_size={PAGE}&order_by=created_at")),
                ("list apps: order_by=updated_at ASC", format!("{apps}?page=2&page_size={PAGE}&order_by=updated_at&direction=ASC")),
                (Box::leak(format!("list apps: labels={ZONE} (1 %)").into_boxed_str()), format!("{apps}?page=1&page_size={PAGE}&labels={ZONE}")),
                (Box::leak(format!("list apps: search={RACK} (0.1 %)").into_boxed_str()), format!("{apps}?page=1&page_size={PAGE}&search={RACK}")),
            ];
            for (name, path) in lists {
                let c = client.clone();
                let path: Arc<str> = path.into();
                rows.push(
                    run(name, 2_000, move |_| {
                        let (c, path) = (c.clone(), path.clone());
                        async move { c.get(&path).await.status().as_u16() }
                    })
                    .await,
                );
            }
            let ids: Arc<Vec<i64>> = Arc::new(app_ids.clone());
            let c = client.clone();
            rows.push(
                run("get app by id", 5_000, move |i| {
                    let (c, ids) = (c.clone(), ids.clone());
                    async move { c.get(&format!("/api/v1/controlplanes/{cp}/apps/{}", ids[i % ids.len()])).await.status().as_u16() }
                })
                .await,
            );
            let c = client.clone();
            let target = planes[1];
            rows.push(
                run("create app (HTTP)", CREATES, move |i| {
                    let c = c.clone();
                    async move {
                        c.http
                            .post(format!("{}/api/v1/controlplanes/{target}/apps", c.base))
                            .header("authorization", &*c.bearer)
                            .json(&app_body(n + i))
                            .send()
                            .await
                            .unwrap()
                            .status()
                            .as_u16()
                    }
                })
                .await,
            );
        }
        let export = format!("/api/v1/controlplanes/{cp}/config/apisix.yaml");
        let r = client.get(&export).await;
        assert_eq!(r.status(), 200, "export");
        let etag = r.headers()["etag"].to_str().unwrap().to_string();
        let size = r.text().await.unwrap().len();
        let c = client.clone();
        let path: Arc<str> = export.as_str().into();
        let p = path.clone();
        rows.push(
            run(format!("APISIX export ({per_cp} apps, {} KiB)", size / 1024), 200, move |_| {
                let path = &p;
                let (c, path) = (c.clone(), path.clone());
                async move { c.get(&path).await.status().as_u16() }
            })
            .await,
        );
        let c = client.clone();
        rows.push(
            run("APISIX export, unchanged poll (304)", 5_000, move |_| {
                let (c, path, etag) = (c.clone(), path.clone(), etag.clone());
                async move {
                    let r = c
                        .http
                        .get(format!("{}{path}", c.base))
                        .header("authorization", &*c.bearer)
                        .header("if-none-match", etag)
                        .send()
                        .await
                        .unwrap();
                    if r.status() == 304 { 200 } else { r.status().as_u16() }
                }
            })
            .await,
        );
        for r in rows {
            r.print();
        }
        if !served {
            println!("(the application endpoints answered {}: lists, get and create not measured)", probe.status());
        }

        // Plans: the export's reads and the list shapes, on the seeded store.
        let plans = tokio::task::spawn_blocking(move || {
            let c = open();
            // The export's reads (store/export.rs) and the shapes of the
            // application list (store/applications.rs), literals for parameters.
            let sel = "SELECT a.id, a.uuid, a.control_plane_id, a.name, a.description, a.path_prefix, a.spec, \
                       a.active, a.status, a.created_at, a.updated_at FROM gateway_applications a";
            let labels = format!(
                "a.id IN (SELECT app_id FROM gateway_application_labels WHERE label IN ('{ZONE}') GROUP BY app_id HAVING COUNT(*) = 1)"
            );
            let search = format!("(lower(a.name) LIKE '%{RACK}%' ESCAPE '\\' OR lower(a.description) LIKE '%{RACK}%' ESCAPE '\\')");
            let queries = [
                format!(
                    "SELECT id, name, description, path_prefix, spec FROM gateway_applications
                      WHERE control_plane_id = {cp} AND active = 0 ORDER BY id"
                ),
                "SELECT id, app_id, name, description, spec FROM gateway_apis WHERE app_id = 1 AND active = 0 ORDER BY id".into(),
                format!("SELECT count(*) FROM gateway_applications a WHERE a.control_plane_id = {cp}"),
                format!("{sel} WHERE a.control_plane_id = {cp} ORDER BY a.updated_at DESC, a.id DESC LIMIT 25 OFFSET 975"),
                format!("{sel} WHERE a.control_plane_id = {cp} ORDER BY a.created_at ASC, a.id ASC LIMIT 25 OFFSET 25"),
                format!("SELECT count(*) FROM gateway_applications a WHERE a.control_plane_id = {cp} AND {labels}"),
                format!("{sel} WHERE a.control_plane_id = {cp} AND {labels} ORDER BY a.updated_at DESC, a.id DESC LIMIT 25 OFFSET 0"),
                format!("{sel} WHERE a.control_plane_id = {cp} AND {search} ORDER BY a.updated_at DESC, a.id DESC LIMIT 25 OFFSET 0"),
                "SELECT a.id, a.uuid FROM gateway_applications a WHERE a.id = 1".into(),
            ];
            queries.iter().map(|q| (q.clone(), explain(&c, q))).collect::<Vec<_>>()
        })
        .await
        .unwrap();
        println!("\nquery plans (seeded store, fresh statistics):");
        let mut scans = 0;
        for (sql, plan) in plans {
            println!("  {}", sql.split_whitespace().collect::<Vec<_>>().join(" "));
            for line in plan {
                let scan = line.starts_with("SCAN ") && !line.starts_with("SCAN CONSTANT ROW");
                scans += usize::from(scan);
                println!("    {}{line}", if scan { "!! " } else { "" });
            }
        }
        assert_eq!(scans, 0, "a gateway query scans a table or a whole index");
    });
}
