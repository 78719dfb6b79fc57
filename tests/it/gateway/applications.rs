//! API7 applications (`/api/v1/controlplanes/{id}/apps…`, docs/gateway.md
//! "Applications and APIs").

use serde_json::{Value, json};

use crate::support::*;

/// A valid application body.
pub fn app_body(name: &str, host: &str) -> Value {
    json!({
        "name": name,
        "description": format!("{name} application"),
        "hosts": [host],
        "path_prefix": "/api",
        "upstreams": [{
            "version": "default",
            "upstream": {"scheme": "http", "targets": [{"host": "10.0.0.1", "port": 8080, "weight": 100}]}
        }]
    })
}

pub async fn setup() -> (World, String) {
    let w = world().await;
    let cp = w.seed_control_plane(&w.org_a, "cp").await;
    (w, cp)
}

pub async fn config_version(w: &World, cp: &str) -> i64 {
    let cp: i64 = cp.parse().unwrap();
    sql(&w.s.data_dir, move |c| {
        c.query_row("SELECT config_version FROM gateway_control_planes WHERE id = ?1", [cp], |r| r.get(0)).unwrap()
    })
    .await
}

pub async fn events(w: &World, category: &str, action: &str) -> i64 {
    let (category, action) = (category.to_string(), action.to_string());
    sql(&w.s.data_dir, move |c| {
        c.query_row("SELECT count(*) FROM events WHERE category = ?1 AND action = ?2", [category, action], |r| r.get(0))
            .unwrap()
    })
    .await
}

pub async fn create_app(w: &World, cp: &str, body: Value) -> Value {
    w.alice.post(&format!("/api/v1/controlplanes/{cp}/apps"), body).await.api7()
}

#[tokio::test]
async fn create_get_and_the_payload_shape() {
    let (w, cp) = setup().await;
    let before = config_version(&w, &cp).await;
    let mut body = app_body("shop", "Shop.Example.com");
    body["labels"] = json!(["team-a", "prod"]);
    body["plugins"] = json!({"cors": {"allow_origins": "*"}});
    body["protocol"] = json!("HTTPS");
    body["id"] = json!("999");
    let app = create_app(&w, &cp, body).await;
    let id = app["id"].as_str().expect("id is a string").to_string();
    assert!(id.parse::<i64>().is_ok(), "{app}");
    assert_ne!(id, "999", "read-only fields of the body are ignored");
    assert_eq!(app["control_plane_id"], json!(cp));
    assert_eq!(app["status"], 50);
    assert_eq!(app["name"], "shop");
    assert_eq!(app["description"], "shop application");
    assert_eq!(app["hosts"], json!(["shop.example.com"]), "host names are lower-cased");
    assert_eq!(app["path_prefix"], "/api");
    assert_eq!(app["protocol"], "HTTPS");
    assert_eq!(app["protocols"], json!(["HTTPS"]), "protocols default to the protocol given");
    assert_eq!(app["policies"], json!({"cors": {"allow_origins": "*"}}), "plugins is accepted for policies");
    assert_eq!(app["labels"], json!(["prod", "team-a"]));
    assert_eq!(app["default_upstream_version"], "default");
    assert_eq!(app["active"], 0);
    assert_eq!(app["upstreams"][0]["version"], "default");
    assert_eq!(app["upstreams"][0]["upstream"]["lb_type"], "roundrobin");
    assert_eq!(app["upstreams"][0]["upstream"]["targets"], json!([{"host": "10.0.0.1", "port": 8080, "weight": 100}]));
    assert_eq!(app["available_cert_ids"], json!([]));
    assert_eq!(app["canary_release_id"], json!([]));
    assert_eq!(app["canary_upstream_version_list"], json!([]));
    for key in ["created_at", "updated_at"] {
        assert!(app[key].as_str().is_some_and(|t| t.ends_with('Z')), "{key}: {app}");
    }
    assert_eq!(config_version(&w, &cp).await, before + 1);
    assert_eq!(events(&w, "application", "create").await, 1);

    let got = w.carol.get(&format!("/api/v1/controlplanes/{cp}/apps/{id}")).await.api7();
    assert_eq!(got, app);
    // An application is found only under its own control plane.
    let other = w.seed_control_plane(&w.org_a, "cp2").await;
    w.alice.get(&format!("/api/v1/controlplanes/{other}/apps/{id}")).await.api7_error(404, 4);
    w.alice.get(&format!("/api/v1/controlplanes/{cp}/apps/424242")).await.api7_error(404, 4);
    w.alice.get(&format!("/api/v1/controlplanes/{cp}/apps/0")).await.api7_error(400, 1);
    w.alice.get(&format!("/api/v1/controlplanes/x/apps/{id}")).await.api7_error(400, 1);
    w.alice.get("/api/v1/controlplanes/424242/apps").await.api7_error(404, 4);
}

#[tokio::test]
async fn every_validation_rule_is_a_400_naming_the_field() {
    let (w, cp) = setup().await;
    let up = |u: Value| json!([{"version": "default", "upstream": u}]);
    let t = json!([{"host": "10.0.0.1", "port": 80, "weight": 1}]);
    let cases: Vec<(Value, &str)> = vec![
        (json!({"name": null}), "name"),
        (json!({"name": ""}), "name"),
        (json!({"name": "x".repeat(65)}), "name"),
        (json!({"description": "x".repeat(257)}), "description"),
        (json!({"hosts": null}), "hosts"),
        (json!({"hosts": []}), "hosts"),
        (json!({"hosts": ["a.example.com", "a.example.com"]}), "hosts"),
        (json!({"hosts": ["not a host"]}), "hosts"),
        (json!({"hosts": ["**.example.com"]}), "hosts"),
        (json!({"path_prefix": null}), "path_prefix"),
        (json!({"path_prefix": "api"}), "path_prefix"),
        (json!({"path_prefix": format!("/{}", "a".repeat(4096))}), "path_prefix"),
        (json!({"protocol": "TCP"}), "protocol"),
        (json!({"protocols": []}), "protocols"),
        (json!({"protocols": ["HTTP", "HTTP"]}), "protocols"),
        (json!({"protocols": ["HTTP", "GRPC"]}), "protocols"),
        (json!({"upstreams": null}), "upstreams"),
        (json!({"upstreams": []}), "upstreams"),
        (
            json!({"upstreams": (0..11).map(|i| json!({"version": format!("v{i}"), "upstream": {"scheme": "http", "targets": t}})).collect::<Vec<_>>()}),
            "upstreams",
        ),
        (
            json!({"upstreams": [{"version": "default", "upstream": {"scheme": "http", "targets": t}}, {"version": "default", "upstream": {"scheme": "http", "targets": t}}]}),
            "version",
        ),
        (json!({"upstreams": [{"upstream": {"scheme": "http", "targets": t}}]}), "upstreams[0].version"),
        (json!({"upstreams": up(json!({"targets": t}))}), "upstreams[0].upstream.scheme"),
        (json!({"upstreams": up(json!({"scheme": "tcp", "targets": t}))}), "scheme"),
        (json!({"upstreams": up(json!({"scheme": "http", "lb_type": "random", "targets": t}))}), "lb_type"),
        (json!({"upstreams": up(json!({"scheme": "http", "lb_type": "consistent_hash", "targets": t}))}), "hash_key"),
        (json!({"upstreams": up(json!({"scheme": "http"}))}), "targets"),
        (json!({"upstreams": up(json!({"scheme": "http", "targets": [{"host": "", "port": 80}]}))}), "targets[0].host"),
        (json!({"upstreams": up(json!({"scheme": "http", "targets": [{"host": "a", "port": 0}]}))}), "targets[0].port"),
        (
            json!({"upstreams": up(json!({"scheme": "http", "targets": [{"host": "a", "port": 70000}]}))}),
            "targets[0].port",
        ),
        (
            json!({"upstreams": up(json!({"scheme": "http", "targets": [{"host": "a", "port": 80, "weight": 101}]}))}),
            "weight",
        ),
        (json!({"upstreams": up(json!({"scheme": "http", "targets": t, "retries": -1}))}), "retries"),
        (
            json!({"upstreams": up(json!({"scheme": "http", "targets": t, "timeout": {"connect": -1}}))}),
            "timeout.connect",
        ),
        (json!({"upstreams": up(json!({"scheme": "http", "targets": t, "timeout": 5}))}), "timeout"),
        (
            json!({"upstreams": up(json!({"scheme": "http", "targets": t, "upstream_host_mode": "rewrite"}))}),
            "upstream_host",
        ),
        (
            json!({"upstreams": up(json!({"scheme": "http", "targets": t, "checks": {"active": {"type": "icmp"}}}))}),
            "checks.active.type",
        ),
        (
            json!({"upstreams": up(json!({"scheme": "http", "targets": t, "checks": {"active": {"http": {"healthy": {"successes": -2}}}}}))}),
            "successes",
        ),
        (json!({"upstreams": up(json!({"scheme": "http", "targets": t, "client_cert_id": "abc"}))}), "client_cert_id"),
        (json!({"upstreams": up(json!({"scheme": "http", "targets": t, "client_cert_id": "77"}))}), "client_cert_id"),
        (json!({"default_upstream_version": "v2"}), "default_upstream_version"),
        (json!({"default_upstream_version": "x".repeat(65)}), "default_upstream_version"),
        (json!({"active": 2}), "active"),
        (json!({"labels": ["a b"]}), "labels"),
        (json!({"labels": ["a", "a"]}), "labels"),
        (json!({"policies": {"cors": true}}), "policies.cors"),
        (json!({"policies": ["cors"]}), "policies"),
    ];
    for (patch, field) in cases {
        let mut body = app_body("shop", "shop.example.com");
        merge(&mut body, &patch);
        let r = w.alice.post(&format!("/api/v1/controlplanes/{cp}/apps"), body).await;
        let err = r.api7_error(400, 1);
        assert!(err.contains(field), "{patch}: {err}");
    }
    w.alice.post(&format!("/api/v1/controlplanes/{cp}/apps"), json!([1])).await.api7_error(400, 1);
    w.alice
        .raw(reqwest::Method::POST, &format!("/api/v1/controlplanes/{cp}/apps"), "{not json")
        .await
        .api7_error(400, 1);
    let listed = w.alice.get(&format!("/api/v1/controlplanes/{cp}/apps")).await.api7();
    assert_eq!(listed["count"], 0, "nothing stored on a refusal: {listed}");
    assert_eq!(config_version(&w, &cp).await, 1);
}

/// RFC 7386 for the tests' bodies (`null` removes).
fn merge(target: &mut Value, patch: &Value) {
    for (k, v) in patch.as_object().unwrap() {
        if v.is_null() {
            target.as_object_mut().unwrap().remove(k);
        } else {
            target[k] = v.clone();
        }
    }
}

#[tokio::test]
async fn a_full_upstream_and_a_certificate_of_the_control_plane() {
    let (w, cp) = setup().await;
    let cp_num: i64 = cp.parse().unwrap();
    let other_cp = w.seed_control_plane(&w.org_a, "other").await;
    let other_num: i64 = other_cp.parse().unwrap();
    // Certificates are rows of the control plane (the certificate endpoints
    // are not needed here): a server one for *.example.com, and a client one.
    let (server_cert, client_cert, foreign_cert) = sql(&w.s.data_dir, move |c| {
        let mut ids = vec![];
        for (cp, kind, snis) in
            [(cp_num, "server", "[\"*.example.com\"]"), (cp_num, "client", "[]"), (other_num, "client", "[]")]
        {
            c.execute(
                "INSERT INTO gateway_certificates (uuid, control_plane_id, type, certificate, private_key_sealed, snis,
                   not_before, not_after, created_at, updated_at)
                 VALUES (?1, ?2, ?3, 'pem', x'00', ?4, '2026-01-01T00:00:00.000000Z', '2036-01-01T00:00:00.000000Z',
                   '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
                rusqlite::params![uuid::Uuid::new_v4().to_string(), cp, kind, snis],
            )
            .unwrap();
            ids.push(c.last_insert_rowid().to_string());
        }
        (ids[0].clone(), ids[1].clone(), ids[2].clone())
    })
    .await;
    let upstream = json!({
        "scheme": "https", "lb_type": "consistent_hash", "hash_key": "remote_addr",
        "targets": [{"host": "a.internal", "port": 443, "weight": 10}, {"host": "b.internal", "port": 443, "weight": 0}],
        "retries": 3, "timeout": {"connect": 5, "send": 10, "read": 30},
        "upstream_host_mode": "rewrite", "upstream_host": "backend.internal", "client_cert_id": client_cert,
        "checks": {
            "active": {"type": "http", "http": {"probe_timeout": 2, "http_probe_path": "/health", "http_probe_headers": {"X-Probe": "1"},
                "healthy": {"targets_check_interval": 5, "http_status_codes": [200, 204], "successes": 2},
                "unhealthy": {"targets_check_interval": 5, "http_status_codes": [500], "http_failures": 3, "timeouts": 2}}},
            "passive": {"type": "http", "http": {"unhealthy": {"http_status_codes": [502], "http_failures": 3}}}
        }
    });
    let mut body = app_body("secure", "api.example.com");
    body["protocols"] = json!(["HTTP", "HTTPS"]);
    body["upstreams"] = json!([
        {"version": "v1", "upstream": upstream},
        {"version": "v2", "upstream": {"scheme": "http", "targets": [{"host": "c.internal", "port": 80}]}}
    ]);
    body["default_upstream_version"] = json!("v2");
    let app = create_app(&w, &cp, body.clone()).await;
    assert_eq!(app["upstreams"][0]["upstream"], upstream, "the upstream as sent: {app}");
    assert_eq!(app["upstreams"][1]["upstream"]["targets"][0]["weight"], 100, "weight defaults to 100");
    assert_eq!(app["default_upstream_version"], "v2");
    assert_eq!(app["available_cert_ids"], json!([server_cert]), "the server certificate covering the host");

    // A certificate of another control plane is refused.
    body["upstreams"][0]["upstream"]["client_cert_id"] = json!(foreign_cert);
    body["hosts"] = json!(["other.example.com"]);
    let err = w.alice.post(&format!("/api/v1/controlplanes/{cp}/apps"), body).await.api7_error(400, 1);
    assert!(err.contains("client_cert_id"), "{err}");
}

#[tokio::test]
async fn two_applications_may_not_claim_the_same_host_and_prefix() {
    let (w, cp) = setup().await;
    let first = create_app(&w, &cp, app_body("first", "shop.example.com")).await;
    let r = w.alice.post(&format!("/api/v1/controlplanes/{cp}/apps"), app_body("second", "SHOP.example.com")).await;
    let err = r.api7_error(409, 9);
    assert!(err.contains("first") && err.contains(first["id"].as_str().unwrap()), "names the other application: {err}");
    // Another prefix, another host, or another control plane is no clash.
    let mut other_prefix = app_body("second", "shop.example.com");
    other_prefix["path_prefix"] = json!("/v2");
    let second = create_app(&w, &cp, other_prefix).await;
    create_app(&w, &cp, app_body("third", "blog.example.com")).await;
    let cp2 = w.seed_control_plane(&w.org_a, "cp2").await;
    create_app(&w, &cp2, app_body("fourth", "shop.example.com")).await;
    // Moving onto a claimed pair is a clash too; PUT of an application onto
    // its own pairs is not.
    let id2 = second["id"].as_str().unwrap();
    let r =
        w.alice.put(&format!("/api/v1/controlplanes/{cp}/apps/{id2}"), app_body("second", "shop.example.com")).await;
    r.api7_error(409, 9);
    let id1 = first["id"].as_str().unwrap();
    w.alice.put(&format!("/api/v1/controlplanes/{cp}/apps/{id1}"), app_body("first", "shop.example.com")).await.api7();
    // A deleted application frees its pairs.
    w.alice.delete(&format!("/api/v1/controlplanes/{cp}/apps/{id1}")).await.api7();
    w.alice.put(&format!("/api/v1/controlplanes/{cp}/apps/{id2}"), app_body("second", "shop.example.com")).await.api7();
}

#[tokio::test]
async fn put_replaces_the_whole_application() {
    let (w, cp) = setup().await;
    let mut body = app_body("shop", "shop.example.com");
    body["labels"] = json!(["a"]);
    body["policies"] = json!({"cors": {}});
    let app = create_app(&w, &cp, body).await;
    let id = app["id"].as_str().unwrap();
    let path = format!("/api/v1/controlplanes/{cp}/apps/{id}");
    let before = config_version(&w, &cp).await;
    let mut replacement = app_body("shop2", "www.example.com");
    replacement["path_prefix"] = json!("/v2");
    let put = w.alice.put(&path, replacement).await.api7();
    assert_eq!(put["id"], app["id"]);
    assert_eq!(put["name"], "shop2");
    assert_eq!(put["hosts"], json!(["www.example.com"]));
    assert_eq!(put["path_prefix"], "/v2");
    assert_eq!(put["labels"], json!([]), "absent optional fields go back to their defaults: {put}");
    assert_eq!(put["policies"], json!({}));
    assert_eq!(put["created_at"], app["created_at"]);
    assert_eq!(w.alice.get(&path).await.api7(), put);
    assert_eq!(config_version(&w, &cp).await, before + 1);
    // The required fields again.
    let err = w.alice.put(&path, json!({"name": "x"})).await.api7_error(400, 1);
    assert!(err.contains("path_prefix") || err.contains("hosts"), "{err}");
    assert_eq!(w.alice.get(&path).await.api7(), put, "unchanged by the refusal");
    w.alice
        .put(&format!("/api/v1/controlplanes/{cp}/apps/424242"), app_body("x", "x.example.com"))
        .await
        .api7_error(404, 4);
    assert_eq!(events(&w, "application", "update").await, 1);
}

#[tokio::test]
async fn patch_merges_in_both_forms_and_publishes() {
    let (w, cp) = setup().await;
    let mut body = app_body("shop", "shop.example.com");
    body["labels"] = json!(["a", "b"]);
    body["policies"] = json!({"cors": {"x": 1}, "limit-count": {"count": 2}});
    let app = create_app(&w, &cp, body).await;
    let id = app["id"].as_str().unwrap();
    let path = format!("/api/v1/controlplanes/{cp}/apps/{id}");

    // Unpublish as the SDK does: the base64 form.
    let v0 = config_version(&w, &cp).await;
    let off = w.alice.patch_b64(&path, json!({"active": 1})).await.api7();
    assert_eq!(off["active"], 1);
    assert_eq!(off["name"], "shop", "the rest stays: {off}");
    assert_eq!(config_version(&w, &cp).await, v0 + 1);
    let on = w.alice.patch(&path, json!({"active": 0})).await.api7();
    assert_eq!(on["active"], 0);

    // A merge: objects merge, null removes, arrays replace.
    let merged = w
        .alice
        .patch(
            &path,
            json!({"description": "new", "policies": {"cors": null, "limit-count": {"count": 5}}, "labels": ["c"]}),
        )
        .await
        .api7();
    assert_eq!(merged["description"], "new");
    assert_eq!(merged["policies"], json!({"limit-count": {"count": 5}}));
    assert_eq!(merged["labels"], json!(["c"]));
    assert_eq!(merged["hosts"], json!(["shop.example.com"]));
    assert_eq!(merged["upstreams"], app["upstreams"]);
    let b64 = w.alice.patch_b64(&path, json!({"plugins": {"cors": {}}})).await.api7();
    assert_eq!(
        b64["policies"],
        json!({"cors": {}, "limit-count": {"count": 5}}),
        "the SDK's plugins merges into policies"
    );

    // The merged result is checked as a whole; nothing changes on refusal.
    let before = w.alice.get(&path).await.api7();
    for (patch, field) in [
        (json!({"hosts": null}), "hosts"),
        (json!({"active": 5}), "active"),
        (json!({"name": ""}), "name"),
        (json!({"default_upstream_version": "v9"}), "default_upstream_version"),
        (json!({"upstreams": []}), "upstreams"),
    ] {
        let err = w.alice.patch(&path, patch.clone()).await.api7_error(400, 1);
        assert!(err.contains(field), "{patch}: {err}");
    }
    w.alice.patch(&path, json!([1])).await.api7_error(400, 1);
    w.alice.patch(&path, json!("not base64!")).await.api7_error(400, 1);
    assert_eq!(w.alice.get(&path).await.api7(), before);
    w.alice.patch(&format!("/api/v1/controlplanes/{cp}/apps/424242"), json!({"active": 1})).await.api7_error(404, 4);
    assert_eq!(events(&w, "application", "update").await, 4);
}

#[tokio::test]
async fn delete_takes_the_apis_along() {
    let (w, cp) = setup().await;
    let app = create_app(&w, &cp, app_body("shop", "shop.example.com")).await;
    let id = app["id"].as_str().unwrap();
    for n in ["one", "two"] {
        w.alice.post(&format!("/api/v1/apps/{id}/apis"), json!({"name": n, "paths": [{"path": "/x"}]})).await.api7();
    }
    let before = config_version(&w, &cp).await;
    let done = w.alice.delete(&format!("/api/v1/controlplanes/{cp}/apps/{id}")).await.api7();
    assert_eq!(done, Value::Null, "no payload");
    assert_eq!(config_version(&w, &cp).await, before + 1);
    w.alice.get(&format!("/api/v1/controlplanes/{cp}/apps/{id}")).await.api7_error(404, 4);
    w.alice.get(&format!("/api/v1/apps/{id}/apis")).await.api7_error(404, 4);
    let apis: i64 =
        sql(&w.s.data_dir, |c| c.query_row("SELECT count(*) FROM gateway_apis", [], |r| r.get(0)).unwrap()).await;
    assert_eq!(apis, 0);
    w.alice.delete(&format!("/api/v1/controlplanes/{cp}/apps/{id}")).await.api7_error(404, 4);
    assert_eq!(events(&w, "application", "delete").await, 1);
}

#[tokio::test]
async fn list_pages_orders_searches_and_filters_by_labels() {
    let (w, cp) = setup().await;
    let base = format!("/api/v1/controlplanes/{cp}/apps");
    let specs = [
        ("alpha", "Payments gateway", vec!["prod", "eu"]),
        ("beta", "search", vec!["prod"]),
        ("gamma", "x", vec!["eu"]),
    ];
    let mut ids = vec![];
    for (i, (name, desc, labels)) in specs.iter().enumerate() {
        let mut b = app_body(name, &format!("h{i}.example.com"));
        b["description"] = json!(desc);
        b["labels"] = json!(labels);
        ids.push(create_app(&w, &cp, b).await["id"].as_str().unwrap().to_string());
    }
    // Touch alpha so that it is the most recently updated.
    w.alice.patch(&format!("{base}/{}", ids[0]), json!({"description": "Payments gateway"})).await.api7();
    let names = |v: &Value| strs(&v["list"], "name");

    let all = w.carol.get(&base).await.api7();
    assert_eq!(
        (all["count"].as_u64(), names(&all)),
        (Some(3), vec!["alpha".to_string(), "gamma".into(), "beta".into()])
    );
    let by_created = w.carol.get(&format!("{base}?order_by=created_at&direction=asc")).await.api7();
    assert_eq!(names(&by_created), ["alpha", "beta", "gamma"]);
    let desc = w.carol.get(&format!("{base}?order_by=created_at&direction=DESC")).await.api7();
    assert_eq!(names(&desc), ["gamma", "beta", "alpha"]);

    let p2 = w.carol.get(&format!("{base}?order_by=created_at&direction=asc&page=2&page_size=2")).await.api7();
    assert_eq!((p2["count"].as_u64(), names(&p2)), (Some(3), vec!["gamma".to_string()]));
    let past = w.carol.get(&format!("{base}?page=9&page_size=2")).await.api7();
    assert_eq!((past["count"].as_u64(), past["list"].as_array().map(Vec::len)), (Some(3), Some(0)), "{past}");

    let search = w.carol.get(&format!("{base}?search=PAYMENT")).await.api7();
    assert_eq!(
        (search["count"].as_u64(), names(&search)),
        (Some(1), vec!["alpha".to_string()]),
        "description, any case"
    );
    let search = w.carol.get(&format!("{base}?search=bet")).await.api7();
    assert_eq!(names(&search), ["beta"], "name");
    let none = w.carol.get(&format!("{base}?search=%25")).await.api7();
    assert_eq!(none["count"], 0, "LIKE wildcards are literal");

    let repeated = w.carol.get(&format!("{base}?labels=prod&labels=eu")).await.api7();
    assert_eq!((repeated["count"].as_u64(), names(&repeated)), (Some(1), vec!["alpha".to_string()]), "has all");
    let comma = w.carol.get(&format!("{base}?labels=prod,eu")).await.api7();
    assert_eq!(names(&comma), ["alpha"]);
    let prod = w.carol.get(&format!("{base}?labels=prod&order_by=created_at&direction=asc")).await.api7();
    assert_eq!(names(&prod), ["alpha", "beta"]);
    let both = w.carol.get(&format!("{base}?labels=eu&search=gam")).await.api7();
    assert_eq!(names(&both), ["gamma"]);
    assert_eq!(w.carol.get(&format!("{base}?labels=nope")).await.api7()["count"], 0);

    for bad in ["page=0", "page_size=0", "page=x", "order_by=name", "direction=up", "labels=a%20b"] {
        w.carol.get(&format!("{base}?{bad}")).await.api7_error(400, 1);
    }
    // Another control plane's list is its own.
    let cp2 = w.seed_control_plane(&w.org_a, "cp2").await;
    assert_eq!(w.carol.get(&format!("/api/v1/controlplanes/{cp2}/apps")).await.api7()["count"], 0);
}

#[tokio::test]
async fn permissions() {
    let (w, cp) = setup().await;
    let app = create_app(&w, &cp, app_body("shop", "shop.example.com")).await;
    let id = app["id"].as_str().unwrap();
    let list = format!("/api/v1/controlplanes/{cp}/apps");
    let one = format!("{list}/{id}");
    let anon = w.s.anon();

    // Reads: members and admins; the provider admin; not other orgs.
    for who in [&w.alice, &w.carol, &w.admin] {
        who.get(&list).await.api7();
        who.get(&one).await.api7();
    }
    w.dave.get(&list).await.api7_error(404, 4);
    w.dave.get(&one).await.api7_error(404, 4);
    anon.get(&list).await.api7_error(401, 6);
    anon.get(&one).await.api7_error(401, 6);

    // Writes: a member is refused, other orgs see nothing, anonymous is 401.
    let body = app_body("other", "other.example.com");
    w.carol.post(&list, body.clone()).await.api7_error(403, 7);
    w.carol.put(&one, body.clone()).await.api7_error(403, 7);
    w.carol.patch(&one, json!({"active": 1})).await.api7_error(403, 7);
    w.carol.delete(&one).await.api7_error(403, 7);
    w.carol.post(&format!("{list}/import"), json!({})).await.api7_error(403, 7);
    w.dave.post(&list, body.clone()).await.api7_error(404, 4);
    w.dave.put(&one, body.clone()).await.api7_error(404, 4);
    w.dave.patch(&one, json!({"active": 1})).await.api7_error(404, 4);
    w.dave.delete(&one).await.api7_error(404, 4);
    anon.post(&list, body.clone()).await.api7_error(401, 6);
    anon.delete(&one).await.api7_error(401, 6);
    // A refused write whose body is also wrong says "forbidden", not why.
    w.carol.post(&list, json!({})).await.api7_error(403, 7);
    assert_eq!(w.alice.get(&one).await.api7(), app, "unchanged");

    w.admin.patch(&one, json!({"active": 1})).await.api7();
    w.alice.post(&list, body).await.api7();
    assert_eq!(w.alice.get(&list).await.api7()["count"], 2);
}
