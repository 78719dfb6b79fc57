//! The APISIX export (`GET /api/v1/controlplanes/{id}/config/apisix.yaml`):
//! the rendered file checked against APISIX's standalone format, secrets
//! opened, only published things, ETag and 304, permissions.

use serde_json::{Value, json};

use crate::support::{Resp, World, sql, world};

fn path(cp: &str) -> String {
    format!("/api/v1/controlplanes/{cp}/config/apisix.yaml")
}

/// The answer's YAML as JSON, after checking the file's frame: the content
/// type, the `config_version` comment, the `#END` line APISIX waits for.
#[track_caller]
fn parse(r: &Resp, version: i64) -> Value {
    assert_eq!(r.status, 200, "body: {}", r.text);
    assert!(r.content_type().starts_with("application/yaml"), "content type {:?}", r.content_type());
    assert!(r.text.ends_with("\n#END\n"), "no #END line: {}", r.text);
    assert!(r.text.contains(&format!("\n# config_version: {version}\n")), "{}", r.text);
    let v: Value = serde_saphyr::from_str(&r.text).unwrap_or_else(|e| panic!("not YAML ({e}): {}", r.text));
    assert_apisix_shape(&v);
    v
}

fn is_id(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    }) || v.as_i64().is_some_and(|n| n >= 1)
}

/// The structural rules of APISIX's standalone file and admin schemas that
/// a gateway would refuse the file (or an item) for.
#[track_caller]
fn assert_apisix_shape(doc: &Value) {
    let obj = doc.as_object().expect("a mapping at the top");
    for key in obj.keys() {
        assert!(
            ["routes", "services", "upstreams", "consumers", "ssls", "global_rules"].contains(&key.as_str()),
            "unknown top-level key {key}"
        );
    }
    let items = |k: &str| doc[k].as_array().cloned().unwrap_or_default();
    let ids = |k: &str| items(k).iter().map(|i| i["id"].clone()).collect::<Vec<_>>();
    for k in ["routes", "services", "upstreams", "ssls", "global_rules"] {
        let list = ids(k);
        for (n, id) in list.iter().enumerate() {
            assert!(is_id(id), "{k}: bad id {id}");
            assert!(!list[..n].contains(id), "{k}: id {id} twice");
        }
    }
    let plugins_ok = |item: &Value| match item.get("plugins") {
        None => true,
        Some(p) => p.as_object().is_some_and(|m| m.values().all(Value::is_object)),
    };
    for r in items("routes") {
        let uris = r["uris"]
            .as_array()
            .map(|u| !u.is_empty() && u.iter().all(|u| u.as_str().is_some_and(|s| s.starts_with('/'))));
        assert!(r["uri"].as_str().is_some_and(|u| u.starts_with('/')) || uris == Some(true), "route without uri: {r}");
        assert!(
            r.get("upstream_id").is_some() || r.get("service_id").is_some() || r.get("upstream").is_some(),
            "route without upstream or service: {r}"
        );
        if let Some(s) = r.get("service_id") {
            assert!(ids("services").contains(s), "route names a missing service: {r}");
        }
        if let Some(m) = r.get("methods") {
            let known = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "CONNECT", "TRACE", "PURGE"];
            assert!(m.as_array().expect("methods").iter().all(|m| known.contains(&m.as_str().unwrap_or(""))), "{r}");
        }
        assert!(plugins_ok(&r), "{r}");
    }
    for s in items("services") {
        if let Some(u) = s.get("upstream_id") {
            assert!(ids("upstreams").contains(u), "service names a missing upstream: {s}");
        }
        assert!(plugins_ok(&s), "{s}");
    }
    for u in items("upstreams") {
        assert!(["roundrobin", "chash", "ewma", "least_conn"].contains(&u["type"].as_str().unwrap_or("")), "{u}");
        match u.get("nodes") {
            Some(nodes) => {
                for n in nodes.as_array().expect("nodes as an array") {
                    assert!(n["host"].as_str().is_some_and(|h| !h.is_empty()), "{u}");
                    assert!(n["port"].as_i64().is_some_and(|p| (1..=65535).contains(&p)), "{u}");
                    assert!(n["weight"].as_i64().is_some_and(|w| w >= 0), "{u}");
                }
            }
            None => assert!(u["service_name"].is_string() && u["discovery_type"].is_string(), "{u}"),
        }
        if u["type"] == "chash" {
            assert!(u["hash_on"].is_string(), "{u}");
        }
        if let Some(t) = u.get("timeout") {
            for side in ["connect", "send", "read"] {
                assert!(t[side].as_f64().is_some_and(|s| s > 0.0), "{u}");
            }
        }
        if let Some(tls) = u.get("tls") {
            assert!(ids("ssls").contains(&tls["client_cert_id"]), "{u}");
        }
    }
    for c in items("consumers") {
        let name = c["username"].as_str().expect("username");
        assert!(!name.is_empty() && name.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-'), "{c}");
        assert!(plugins_ok(&c), "{c}");
    }
    for s in items("ssls") {
        assert!(s["cert"].as_str().is_some_and(|p| p.contains("-----BEGIN CERTIFICATE-----")), "{s}");
        assert!(s["key"].as_str().is_some_and(|p| p.contains("PRIVATE KEY-----")), "{s}");
        if s["type"] != "client" {
            assert!(s["snis"].as_array().is_some_and(|a| !a.is_empty()), "{s}");
        }
    }
    for g in items("global_rules") {
        assert!(g["plugins"].as_object().is_some_and(|p| !p.is_empty()), "{g}");
    }
}

fn find<'a>(doc: &'a Value, key: &str, field: &str, value: &str) -> Option<&'a Value> {
    doc[key].as_array()?.iter().find(|i| i[field] == value)
}

const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUexport\n-----END CERTIFICATE-----\n";
const KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49seeded\n-----END PRIVATE KEY-----\n";

/// Rows behind the API's back, secrets sealed with the server's master key
/// (as the consumer and certificate endpoints store them): a published
/// application with two published APIs and an unpublished one, an
/// unpublished application with a published API, a consumer, a server and a
/// client certificate. Returns (app, unpublished app).
async fn seed(w: &World, cp: &str) -> (i64, i64) {
    let key = meshcloud_kernel::secrets::load_key(None, &w.s.data_dir).expect("key").expect("a master key");
    let cp: i64 = cp.parse().expect("cp id");
    sql(&w.s.data_dir, move |c| {
        let sealer = meshcloud_kernel::secrets::Sealer::new(&key);
        let t = "2026-01-01T00:00:00.000000Z";
        let app = |name: &str, prefix: &str, spec: Value, active: i64| {
            c.execute(
                "INSERT INTO gateway_applications (uuid, control_plane_id, name, path_prefix, spec, active, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                rusqlite::params![uuid::Uuid::new_v4().to_string(), cp, name, prefix, spec.to_string(), active, t],
            )
            .expect("app");
            c.last_insert_rowid()
        };
        let spec = json!({
            "protocols": ["HTTP", "HTTPS"], "hosts": ["shop.example.com"], "default_upstream_version": "v2",
            "policies": {"cors": {"allow_origins": "*"}},
            "upstreams": [
                {"version": "v1", "upstream": {"scheme": "http", "targets": [{"host": "10.0.0.9", "port": 9, "weight": 1}]}},
                {"version": "v2", "upstream": {
                    "scheme": "https", "lb_type": "consistent_hash", "hash_key": "$http_x_user",
                    "targets": [{"host": "10.0.0.1", "port": 8443, "weight": 60}, {"host": "10.0.0.2", "port": 8443, "weight": 40}],
                    "retries": 2, "timeout": {"connect": 2, "send": 5, "read": 30},
                    "upstream_host_mode": "rewrite", "upstream_host": "backend.internal", "client_cert_id": "CLIENT_CERT"
                }}
            ]
        });
        let published = app("shop", "/shop", spec, 0);
        let hidden = app("draft", "/draft", json!({"hosts": ["draft.example.com"], "upstreams": []}), 1);
        let api = |app_id: i64, name: &str, spec: Value, active: i64| {
            c.execute(
                "INSERT INTO gateway_apis (uuid, app_id, control_plane_id, name, spec, active, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                rusqlite::params![uuid::Uuid::new_v4().to_string(), app_id, cp, name, spec.to_string(), active, t],
            )
            .expect("api");
        };
        api(
            published,
            "items",
            json!({"methods": ["GET", "POST"], "paths": [{"path": "/items", "path_type": "Prefix"}],
                   "strip_path_prefix": true, "type": "Rest", "policies": {"limit-count": {"count": 10, "time_window": 60}}}),
            0,
        );
        api(published, "live", json!({"methods": null, "paths": [{"path": "/live", "path_type": "Exact"}], "type": "WebSocket"}), 0);
        api(published, "unpublished_api", json!({"paths": [{"path": "/secret", "path_type": "Exact"}]}), 1);
        api(hidden, "draft_api", json!({"paths": [{"path": "/x", "path_type": "Exact"}]}), 0);

        let consumer_uuid = uuid::Uuid::new_v4().to_string();
        let full = json!({"key-auth": {"key": "key-SEALED-1"}, "jwt-auth": {"key": "jwt-key", "secret": "jwt-SEALED-2", "algorithm": "HS256"}});
        let blank = json!({"key-auth": {"key": ""}, "jwt-auth": {"key": "jwt-key", "secret": "", "algorithm": "HS256"}});
        let sealed = sealer.seal(full.to_string().as_bytes(), consumer_uuid.as_bytes()).expect("seal");
        c.execute(
            "INSERT INTO gateway_consumers (uuid, control_plane_id, name, description, credentials, credentials_sealed, created_at, updated_at)
             VALUES (?1, ?2, 'mobile_app', 'the app', ?3, ?4, ?5, ?5)",
            rusqlite::params![consumer_uuid, cp, blank.to_string(), sealed, t],
        )
        .expect("consumer");
        let cert = |kind: &str, snis: Value, ca: Option<&str>| {
            let uuid = uuid::Uuid::new_v4().to_string();
            let sealed = sealer.seal(KEY.as_bytes(), uuid.as_bytes()).expect("seal");
            c.execute(
                "INSERT INTO gateway_certificates (uuid, control_plane_id, type, certificate, private_key_sealed,
                        client_ca_certificate, snis, not_before, not_after, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, '2036-01-01T00:00:00.000000Z', ?8, ?8)",
                rusqlite::params![uuid, cp, kind, CERT, sealed, ca, snis.to_string(), t],
            )
            .expect("certificate");
            c.last_insert_rowid()
        };
        cert("server", json!(["shop.example.com"]), Some(CERT));
        let client = cert("client", json!([]), None);
        // The upstream names the client certificate by its id.
        c.execute(
            "UPDATE gateway_applications SET spec = replace(spec, 'CLIENT_CERT', ?1) WHERE id = ?2",
            rusqlite::params![client.to_string(), published],
        )
        .expect("cert id");
        c.execute(
            "UPDATE gateway_control_planes SET policies = ?1, settings = ?2 WHERE id = ?3",
            rusqlite::params![
                json!({"ip-restriction": {"blacklist": ["192.0.2.0/24"]}}).to_string(),
                json!({"client_settings": {"client_real_ip": {"enabled": true, "replace_from": {"position": "header", "name": "X-Real-IP"}},
                                           "maximum_request_body_size": 1024},
                       "observability_settings": {"metrics": {"enabled": true}}})
                .to_string(),
                cp
            ],
        )
        .expect("cp");
        (published, hidden)
    })
    .await
}

async fn version(w: &World, cp: &str) -> i64 {
    let cp: i64 = cp.parse().expect("cp id");
    sql(&w.s.data_dir, move |c| {
        c.query_row("SELECT config_version FROM gateway_control_planes WHERE id = ?1", [cp], |r| r.get(0)).expect("cp")
    })
    .await
}

#[tokio::test]
async fn the_export_renders_published_applications_consumers_and_certificates() {
    let w = world().await;
    let cp = w.seed_control_plane(&w.org_a, "edge").await;
    let (app, hidden) = seed(&w, &cp).await;
    let doc = parse(&w.alice.get(&path(&cp)).await, version(&w, &cp).await);
    let (app_s, hidden_s) = (app.to_string(), hidden.to_string());

    // One service and one upstream per published application; the draft is absent.
    assert_eq!(doc["services"].as_array().map(Vec::len), Some(1), "{doc}");
    let service = &doc["services"][0];
    assert_eq!(service["id"], app_s.as_str());
    assert_eq!(service["name"], "shop");
    assert_eq!(service["upstream_id"], app_s.as_str());
    assert_eq!(service["plugins"], json!({"cors": {"allow_origins": "*"}}));
    assert!(find(&doc, "services", "id", &hidden_s).is_none() && find(&doc, "upstreams", "id", &hidden_s).is_none());

    // The upstream is the default version's (v2), field by field.
    let client_cert =
        doc["ssls"].as_array().and_then(|s| s.iter().find(|s| s["type"] == "client")).expect("client ssl");
    let up = &doc["upstreams"][0];
    assert_eq!(up["desc"], "version v2");
    assert_eq!(up["scheme"], "https");
    assert_eq!(
        (up["type"].as_str(), up["hash_on"].as_str(), up["key"].as_str()),
        (Some("chash"), Some("header"), Some("x_user"))
    );
    assert_eq!(
        up["nodes"],
        json!([{"host": "10.0.0.1", "port": 8443, "weight": 60}, {"host": "10.0.0.2", "port": 8443, "weight": 40}])
    );
    assert_eq!(up["retries"], 2);
    assert_eq!(up["timeout"], json!({"connect": 2, "send": 5, "read": 30}));
    assert_eq!((up["pass_host"].as_str(), up["upstream_host"].as_str()), (Some("rewrite"), Some("backend.internal")));
    assert_eq!(up["tls"]["client_cert_id"], client_cert["id"]);

    // Routes: the two published APIs of the published application only.
    let routes = doc["routes"].as_array().expect("routes");
    let names: Vec<&str> = routes.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["items", "live"], "{doc}");
    let items = &routes[0];
    assert_eq!(items["uris"], json!(["/shop/items*"]));
    assert_eq!(items["hosts"], json!(["shop.example.com"]));
    assert_eq!(items["methods"], json!(["GET", "POST"]));
    assert_eq!(items["service_id"], app_s.as_str());
    assert!(items.get("vars").is_none(), "both protocols: no scheme condition");
    assert_eq!(
        items["plugins"],
        json!({"limit-count": {"count": 10, "time_window": 60}, "proxy-rewrite": {"regex_uri": ["^/shop/?(.*)$", "/$1"]}})
    );
    let live = &routes[1];
    assert_eq!(live["uris"], json!(["/shop/live"]));
    assert_eq!(live["enable_websocket"], true);
    assert!(live.get("methods").is_none() && live.get("plugins").is_none(), "{live}");

    // The consumer with its secrets opened.
    assert_eq!(
        doc["consumers"],
        json!([{"username": "mobile_app", "desc": "the app", "plugins": {
            "key-auth": {"key": "key-SEALED-1"},
            "jwt-auth": {"key": "jwt-key", "secret": "jwt-SEALED-2", "algorithm": "HS256"}
        }}])
    );
    // Certificates with their keys opened; the server one with its SNIs and client CA.
    let server = doc["ssls"].as_array().and_then(|s| s.iter().find(|s| s["type"] == "server")).expect("server ssl");
    assert_eq!(server["cert"], CERT);
    assert_eq!(server["key"], KEY);
    assert_eq!(server["snis"], json!(["shop.example.com"]));
    assert_eq!(server["client"], json!({"ca": CERT}));
    assert_eq!(client_cert["key"], KEY);
    assert!(client_cert.get("snis").is_none());

    // Policies and the settings APISIX has plugins for, as one global rule.
    assert_eq!(
        doc["global_rules"],
        json!([{"id": "1", "plugins": {
            "ip-restriction": {"blacklist": ["192.0.2.0/24"]},
            "real-ip": {"source": "http_x_real_ip"},
            "client-control": {"max_body_size": 1024},
            "prometheus": {}
        }}])
    );
}

#[tokio::test]
async fn an_empty_control_plane_renders_empty_sections() {
    let w = world().await;
    let cp = w.seed_control_plane(&w.org_a, "empty").await;
    let r = w.alice.get(&path(&cp)).await;
    let doc = parse(&r, 1);
    for key in ["routes", "services", "upstreams", "consumers", "ssls", "global_rules"] {
        assert_eq!(doc[key], json!([]), "{key}: {}", r.text);
    }
    assert!(r.text.starts_with("# Apache APISIX standalone configuration"), "{}", r.text);
    // The file may hold secrets: never stored by caches.
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
}

#[tokio::test]
async fn the_etag_follows_config_version_and_answers_304() {
    let w = world().await;
    let cp = w.seed_control_plane(&w.org_a, "edge").await;
    let r = w.alice.get(&path(&cp)).await;
    let etag = r.header("etag").expect("an ETag");
    assert_eq!(etag, format!("\"{cp}-1\""));
    parse(&r, 1);

    // The same version: 304 without a body, the ETag repeated.
    for sent in [etag.clone(), format!("W/{etag}"), format!("\"x\", {etag}"), "*".into()] {
        let r = w.alice.clone().header("If-None-Match", &sent).get(&path(&cp)).await;
        assert_eq!(r.status, 304, "{sent}: {}", r.text);
        assert!(r.text.is_empty(), "{}", r.text);
        assert_eq!(r.header("etag").as_deref(), Some(etag.as_str()));
    }
    // Another tag: the file.
    let r = w.alice.clone().header("If-None-Match", &format!("\"{cp}-0\"")).get(&path(&cp)).await;
    parse(&r, 1);

    // A change under the control plane bumps the version: the old tag gets the new file.
    let id: i64 = cp.parse().expect("id");
    sql(&w.s.data_dir, move |c| {
        c.execute("UPDATE gateway_control_planes SET config_version = config_version + 1 WHERE id = ?1", [id])
            .expect("bump")
    })
    .await;
    let r = w.alice.clone().header("If-None-Match", &etag).get(&path(&cp)).await;
    parse(&r, 2);
    assert_eq!(r.header("etag"), Some(format!("\"{cp}-2\"")));
}

#[tokio::test]
async fn who_may_read_the_export() {
    let w = world().await;
    let cp = w.seed_control_plane(&w.org_a, "edge").await;
    seed(&w, &cp).await;
    let v = version(&w, &cp).await;
    // Org A's admin and the provider admin read it.
    for api in [&w.alice, &w.admin] {
        parse(&api.get(&path(&cp)).await, v);
    }
    // A member reads the control plane but not its secrets: the export has a
    // key of its own (not even a 304 without it).
    let org = w.org_num(&w.org_a).await;
    w.carol.get(&format!("/api/v1/orgs/{org}/controlplanes/{cp}")).await.api7();
    w.carol.get(&path(&cp)).await.api7_error(403, 7);
    let tag = format!("\"{cp}-{v}\"");
    w.carol.clone().header("If-None-Match", &tag).get(&path(&cp)).await.api7_error(403, 7);
    // A role holding only that key is enough (a gateway's poller).
    w.admin.give_role_with_keys(&w.org_a, "gateway poller", &["gateway.controlplanes.export"], &w.carol_id).await;
    parse(&w.carol.get(&path(&cp)).await, v);
    // Another organization's member learns nothing; anonymous is refused.
    w.dave.get(&path(&cp)).await.api7_error(404, 4);
    w.s.anon().get(&path(&cp)).await.api7_error(401, 6);
    // Nor do 304s leak: the permission comes first.
    let tag = format!("\"{cp}-{v}\"");
    w.dave.clone().header("If-None-Match", &tag).get(&path(&cp)).await.api7_error(404, 4);
    w.s.anon().header("If-None-Match", &tag).get(&path(&cp)).await.api7_error(401, 6);
}

#[tokio::test]
async fn bad_and_unknown_control_planes() {
    let w = world().await;
    for bad in ["0", "x", "-1", "01"] {
        let e = w.alice.get(&path(bad)).await.api7_error(400, 1);
        assert!(e.contains("control_plane_id"), "{bad}: {e}");
    }
    w.alice.get(&path("999999")).await.api7_error(404, 4);
    // A deleted control plane is gone.
    let cp = w.seed_control_plane(&w.org_a, "gone").await;
    let id: i64 = cp.parse().expect("id");
    sql(&w.s.data_dir, move |c| {
        c.execute("UPDATE gateway_control_planes SET status = 6 WHERE id = ?1", [id]).expect("delete")
    })
    .await;
    w.alice.get(&path(&cp)).await.api7_error(404, 4);
    // Other methods on the path are not served.
    w.alice.post(&path(&cp), json!({})).await.api7_error(404, 4);
}

#[tokio::test]
async fn settings_and_policies_changed_through_the_api_reach_the_export() {
    let w = world().await;
    let cp = w.seed_control_plane(&w.org_a, "edge").await;
    let org = w.org_num(&w.org_a).await;
    let first = w.alice.get(&path(&cp)).await;
    let etag = first.header("etag").expect("etag");
    let before = version(&w, &cp).await;
    parse(&first, before);

    let body = json!({
        "client_settings": {
            "client_real_ip": {
                "enabled": true,
                "replace_from": {"position": "query", "name": "client_ip"},
                "trusted_addresses": ["10.0.0.0/8"],
                "recursive_search": true
            },
            "maximum_request_body_size": 2048
        },
        "observability_settings": {"metrics": {"enabled": true}},
        "api_proxy_settings": {
            "enable_request_buffering": false,
            "server_header_customization": {"mode": "Rewrite", "new_server_header": "edge"}
        },
        "policies": {"cors": {"allow_origins": "**"}}
    });
    w.alice.patch(&format!("/api/v1/orgs/{org}/controlplanes/{cp}/config"), body).await.api7();
    let after = version(&w, &cp).await;
    assert!(after > before, "the change bumps config_version");

    // The old tag gets the new file, with a new tag.
    let r = w.alice.clone().header("If-None-Match", &etag).get(&path(&cp)).await;
    let doc = parse(&r, after);
    assert_eq!(r.header("etag"), Some(format!("\"{cp}-{after}\"")));
    assert_eq!(
        doc["global_rules"],
        json!([{"id": "1", "plugins": {
            "cors": {"allow_origins": "**"},
            "real-ip": {"source": "arg_client_ip", "trusted_addresses": ["10.0.0.0/8"], "recursive": true},
            "client-control": {"max_body_size": 2048},
            "prometheus": {},
            "proxy-control": {"request_buffering": false},
            "response-rewrite": {"headers": {"set": {"Server": "edge"}}}
        }}])
    );
}

#[tokio::test]
async fn applications_and_apis_written_through_the_api_reach_the_export() {
    let w = world().await;
    let cp = w.seed_control_plane(&w.org_a, "edge").await;
    let app = w
        .alice
        .post(
            &format!("/api/v1/controlplanes/{cp}/apps"),
            json!({
                "name": "billing",
                "description": "invoices",
                "hosts": ["billing.example.com", "*.billing.example.org"],
                "path_prefix": "/billing",
                "protocols": ["HTTPS"],
                "policies": {"cors": {"allow_origins": "*"}},
                "default_upstream_version": "blue",
                "upstreams": [
                    {"version": "green", "upstream": {"scheme": "http", "targets": [{"host": "10.1.0.1", "port": 80, "weight": 100}]}},
                    {"version": "blue", "upstream": {
                        "scheme": "http", "lb_type": "ewma", "retries": 1,
                        "targets": [{"host": "10.2.0.1", "port": 8080, "weight": 50}, {"host": "10.2.0.2", "port": 8080, "weight": 50}],
                        "upstream_host_mode": "node"
                    }}
                ]
            }),
        )
        .await
        .api7();
    let app_id = app["id"].as_str().expect("id").to_string();
    let api = w
        .alice
        .post(
            &format!("/api/v1/apps/{app_id}/apis"),
            json!({
                "name": "invoices",
                "methods": ["GET"],
                "paths": [{"path": "/invoices", "path_type": "Prefix"}, {"path": "/health", "path_type": "Exact"}],
                "strip_path_prefix": true,
                "policies": {"limit-count": {"count": 100, "time_window": 60}}
            }),
        )
        .await
        .api7();
    let api_id = api["id"].as_str().expect("id").to_string();
    let v = version(&w, &cp).await;
    let r = w.alice.get(&path(&cp)).await;
    let etag = r.header("etag").expect("etag");
    let doc = parse(&r, v);
    let service = find(&doc, "services", "id", &app_id).expect("service");
    assert_eq!(service["name"], "billing");
    assert_eq!(service["desc"], "invoices");
    assert_eq!(service["plugins"], json!({"cors": {"allow_origins": "*"}}));
    let up = find(&doc, "upstreams", "id", &app_id).expect("upstream");
    assert_eq!(up["desc"], "version blue");
    assert_eq!(up["type"], "ewma");
    assert_eq!(up["retries"], 1);
    assert_eq!(up["pass_host"], "node");
    assert_eq!(
        up["nodes"],
        json!([{"host": "10.2.0.1", "port": 8080, "weight": 50}, {"host": "10.2.0.2", "port": 8080, "weight": 50}])
    );
    let route = find(&doc, "routes", "id", &api_id).expect("route");
    assert_eq!(route["name"], "invoices");
    assert_eq!(route["uris"], json!(["/billing/invoices*", "/billing/health"]));
    assert_eq!(route["hosts"], json!(["billing.example.com", "*.billing.example.org"]));
    assert_eq!(route["methods"], json!(["GET"]));
    assert_eq!(route["vars"], json!([["scheme", "==", "https"]]));
    assert_eq!(route["service_id"], app_id.as_str());
    assert_eq!(
        route["plugins"],
        json!({"limit-count": {"count": 100, "time_window": 60}, "proxy-rewrite": {"regex_uri": ["^/billing/?(.*)$", "/$1"]}})
    );

    // Unpublishing the API takes its route out; unpublishing the application
    // takes its service and upstream (and any route) out. Each is a new version.
    w.alice.patch(&format!("/api/v1/apps/{app_id}/apis/{api_id}"), json!({"active": 1})).await.api7();
    let v2 = version(&w, &cp).await;
    assert!(v2 > v);
    let r = w.alice.clone().header("If-None-Match", &etag).get(&path(&cp)).await;
    let doc = parse(&r, v2);
    assert_eq!(doc["routes"], json!([]));
    assert!(find(&doc, "services", "id", &app_id).is_some());
    w.alice.patch(&format!("/api/v1/apps/{app_id}/apis/{api_id}"), json!({"active": 0})).await.api7();
    w.alice.patch(&format!("/api/v1/controlplanes/{cp}/apps/{app_id}"), json!({"active": 1})).await.api7();
    let doc = parse(&w.alice.get(&path(&cp)).await, version(&w, &cp).await);
    for key in ["routes", "services", "upstreams"] {
        assert_eq!(doc[key], json!([]), "{key}");
    }
    // Published again and then deleted: gone as well.
    w.alice.patch(&format!("/api/v1/controlplanes/{cp}/apps/{app_id}"), json!({"active": 0})).await.api7();
    let doc = parse(&w.alice.get(&path(&cp)).await, version(&w, &cp).await);
    assert!(find(&doc, "routes", "id", &api_id).is_some());
    w.alice.delete(&format!("/api/v1/controlplanes/{cp}/apps/{app_id}")).await.api7();
    let doc = parse(&w.alice.get(&path(&cp)).await, version(&w, &cp).await);
    assert_eq!(doc["services"], json!([]));
}

/// A self-signed P-256 certificate for `names`, valid for a year, and its key.
fn cert_pair(names: &[&str]) -> (String, String) {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    let mut p = rcgen::CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).expect("params");
    p.not_before = rcgen::date_time_ymd(2025, 1, 1);
    p.not_after = rcgen::date_time_ymd(2099, 1, 1);
    (p.self_signed(&key).expect("certificate").pem(), key.serialize_pem())
}

#[tokio::test]
async fn consumers_and_certificates_written_through_the_api_reach_the_export_with_their_secrets() {
    let w = world().await;
    let cp = w.seed_control_plane(&w.org_a, "edge").await;
    let consumer = w
        .alice
        .post(
            &format!("/api/v1/controlplanes/{cp}/consumers"),
            json!({"name": "partner_a", "description": "a partner", "credentials": {
                "key-auth": {"key": "pa-key-0123456789"},
                "jwt-auth": {"key": "pa-jwt", "secret": "pa-jwt-secret-0123456789", "algorithm": "HS256"}
            }}),
        )
        .await
        .api7();
    // The API never shows the secrets; the export does.
    assert_eq!(consumer["credentials"]["key-auth"]["key"], "");
    let (server_pem, server_key) = cert_pair(&["api.example.com", "www.example.com"]);
    let server = w
        .alice
        .post(
            &format!("/api/v1/controlplanes/{cp}/certificates"),
            json!({"certificate": server_pem, "private_key": server_key}),
        )
        .await
        .api7();
    let (client_pem, client_key) = cert_pair(&["client.internal"]);
    let client = w
        .alice
        .post(
            &format!("/api/v1/controlplanes/{cp}/certificates"),
            json!({"certificate": client_pem, "private_key": client_key, "type": "client"}),
        )
        .await
        .api7();
    let (server_id, client_id) = (server["id"].as_str().expect("id"), client["id"].as_str().expect("id"));
    let app = w
        .alice
        .post(
            &format!("/api/v1/controlplanes/{cp}/apps"),
            json!({
                "name": "mtls", "hosts": ["api.example.com"], "path_prefix": "/",
                "upstreams": [{"version": "default", "upstream": {
                    "scheme": "https", "client_cert_id": client_id,
                    "targets": [{"host": "backend.internal", "port": 443, "weight": 100}]
                }}]
            }),
        )
        .await
        .api7();
    let app_id = app["id"].as_str().expect("id");

    let doc = parse(&w.alice.get(&path(&cp)).await, version(&w, &cp).await);
    let c = find(&doc, "consumers", "username", "partner_a").expect("consumer");
    assert_eq!(c["desc"], "a partner");
    assert_eq!(c["plugins"]["key-auth"], json!({"key": "pa-key-0123456789"}));
    assert_eq!(c["plugins"]["jwt-auth"]["key"], "pa-jwt");
    assert_eq!(c["plugins"]["jwt-auth"]["secret"], "pa-jwt-secret-0123456789");
    assert_eq!(c["plugins"]["jwt-auth"]["algorithm"], "HS256");

    let s = find(&doc, "ssls", "id", server_id).expect("server ssl");
    assert_eq!(s["type"], "server");
    assert_eq!(s["cert"].as_str().map(str::trim), Some(server_pem.trim()));
    assert_eq!(s["key"].as_str().map(str::trim), Some(server_key.trim()));
    let mut snis: Vec<&str> = s["snis"].as_array().expect("snis").iter().filter_map(Value::as_str).collect();
    snis.sort();
    assert_eq!(snis, ["api.example.com", "www.example.com"]);
    let k = find(&doc, "ssls", "id", client_id).expect("client ssl");
    assert_eq!(k["type"], "client");
    assert_eq!(k["key"].as_str().map(str::trim), Some(client_key.trim()));
    let up = find(&doc, "upstreams", "id", app_id).expect("upstream");
    assert_eq!(up["scheme"], "https");
    assert_eq!(up["tls"], json!({"client_cert_id": client_id}));

    // Deleting the consumer and the server certificate takes them out.
    w.alice
        .delete(&format!("/api/v1/controlplanes/{cp}/consumers/{}", consumer["id"].as_str().expect("id")))
        .await
        .api7();
    w.alice.delete(&format!("/api/v1/controlplanes/{cp}/certificates/{server_id}")).await.api7();
    let doc = parse(&w.alice.get(&path(&cp)).await, version(&w, &cp).await);
    assert_eq!(doc["consumers"], json!([]));
    assert!(find(&doc, "ssls", "id", server_id).is_none() && find(&doc, "ssls", "id", client_id).is_some());
}
