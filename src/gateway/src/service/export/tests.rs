//! Every mapping rule of the APISIX export, on plain rows.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::apisix::*;
use super::{etag, none_match};
use crate::store::export::{Api, App, Certificate, Consumer};

fn app(id: i64, prefix: &str, spec: Value) -> App {
    App { id, name: format!("app{id}"), description: String::new(), path_prefix: prefix.into(), spec }
}

fn api(id: i64, app_id: i64, spec: Value) -> Api {
    Api { id, app_id, name: format!("api{id}"), description: String::new(), spec }
}

fn upstream_spec(upstream: Value) -> Value {
    json!({"hosts": ["a.example.com"], "upstreams": [{"version": "default", "upstream": upstream}]})
}

fn up(upstream: Value) -> Map<String, Value> {
    let a = app(1, "/", upstream_spec(upstream));
    match super::apisix::upstream(&a, &BTreeSet::from([9])) {
        Some(Value::Object(m)) => m,
        other => panic!("no upstream: {other:?}"),
    }
}

#[test]
fn paths_join_the_prefix_once() {
    assert_eq!(join_path("/", "/users"), "/users");
    assert_eq!(join_path("/v1", "/users"), "/v1/users");
    assert_eq!(join_path("/v1/", "/users"), "/v1/users");
    assert_eq!(join_path("/v1", "users"), "/v1/users");
    assert_eq!(join_path("/v1", "/"), "/v1/");
}

#[test]
fn prefix_paths_end_in_a_wildcard_and_exact_ones_do_not() {
    let paths = json!([
        {"path": "/users", "path_type": "Prefix"},
        {"path": "/health", "path_type": "Exact"},
        {"path": "/users", "path_type": "Prefix"},
        {"path": "/any"}
    ]);
    assert_eq!(route_uris("/v1", &paths), ["/v1/users*", "/v1/health", "/v1/any*"]);
    assert!(route_uris("/v1", &json!(null)).is_empty());
}

#[test]
fn hosts_are_kept_unless_any_host_matches() {
    assert_eq!(route_hosts(&json!(["A.example.com", "*.b.org"])), Some(vec!["a.example.com".into(), "*.b.org".into()]));
    assert_eq!(route_hosts(&json!(["*"])), None);
    assert_eq!(route_hosts(&json!([])), None);
    assert_eq!(route_hosts(&json!(null)), None);
}

#[test]
fn methods_absent_or_empty_mean_every_method() {
    assert_eq!(methods(&json!(["GET", "post"])), Some(vec!["GET".into(), "POST".into()]));
    assert_eq!(methods(&json!(null)), None);
    assert_eq!(methods(&json!([])), None);
}

#[test]
fn one_protocol_restricts_the_scheme() {
    assert_eq!(scheme_vars(&json!({"protocols": ["HTTPS"]})), Some(json!([["scheme", "==", "https"]])));
    assert_eq!(scheme_vars(&json!({"protocol": "HTTP"})), Some(json!([["scheme", "==", "http"]])));
    assert_eq!(scheme_vars(&json!({"protocols": ["HTTP", "HTTPS"]})), None);
    assert_eq!(scheme_vars(&json!({})), None);
}

#[test]
fn strip_path_prefix_rewrites_with_an_escaped_prefix() {
    let p = route_plugins("/v1.0/", &json!({"strip_path_prefix": true}));
    assert_eq!(p["proxy-rewrite"], json!({"regex_uri": ["^/v1\\.0/?(.*)$", "/$1"]}));
    // Nothing to strip under `/`, nothing when not asked.
    assert!(route_plugins("/", &json!({"strip_path_prefix": true})).is_empty());
    assert!(route_plugins("/v1", &json!({"strip_path_prefix": false})).is_empty());
    // A policy's own proxy-rewrite keeps its fields and gets the regex;
    // one that rewrites the path itself wins.
    let p = route_plugins(
        "/v1",
        &json!({"strip_path_prefix": true, "policies": {"proxy-rewrite": {"host": "x"}, "cors": {}}}),
    );
    assert_eq!(p["proxy-rewrite"], json!({"host": "x", "regex_uri": ["^/v1/?(.*)$", "/$1"]}));
    assert_eq!(p["cors"], json!({}));
    let p = route_plugins("/v1", &json!({"strip_path_prefix": true, "policies": {"proxy-rewrite": {"uri": "/x"}}}));
    assert_eq!(p["proxy-rewrite"], json!({"uri": "/x"}));
    assert_eq!(regex_escape("/a.b*(c)[d]{e}|f?g+h^i$j\\"), "/a\\.b\\*\\(c\\)\\[d\\]\\{e\\}\\|f\\?g\\+h\\^i\\$j\\\\");
}

#[test]
fn a_route_carries_everything_of_its_api_and_application() {
    let a = app(
        3,
        "/shop",
        json!({"hosts": ["shop.example.com"], "protocols": ["HTTPS"], "upstreams": [], "policies": {"cors": {}}}),
    );
    let mut b = api(
        7,
        3,
        json!({
            "methods": ["GET"], "paths": [{"path": "/items", "path_type": "Prefix"}],
            "strip_path_prefix": true, "type": "WebSocket", "policies": {"limit-count": {"count": 5, "time_window": 60}}
        }),
    );
    b.description = "items".into();
    let r = route(&a, &b).expect("route");
    assert_eq!(
        r,
        json!({
            "id": "7", "name": "api7", "desc": "items", "uris": ["/shop/items*"], "hosts": ["shop.example.com"],
            "methods": ["GET"], "vars": [["scheme", "==", "https"]], "service_id": "3", "enable_websocket": true,
            "plugins": {
                "limit-count": {"count": 5, "time_window": 60},
                "proxy-rewrite": {"regex_uri": ["^/shop/?(.*)$", "/$1"]}
            }
        })
    );
    // A REST API without policies: no websocket, no plugins; no paths: no route.
    let r =
        route(&a, &api(8, 3, json!({"paths": [{"path": "/", "path_type": "Exact"}], "type": "Rest"}))).expect("route");
    assert!(r.get("enable_websocket").is_none() && r.get("plugins").is_none() && r.get("methods").is_none());
    assert_eq!(r["uris"], json!(["/shop/"]));
    assert!(route(&a, &api(9, 3, json!({"paths": []}))).is_none());
}

#[test]
fn a_service_carries_the_application_policies_and_upstream() {
    let mut a = app(4, "/", json!({"policies": {"cors": {"allow_origins": "*"}}}));
    a.description = "d".into();
    assert_eq!(
        service(&a, true),
        json!({"id": "4", "name": "app4", "desc": "d", "upstream_id": "4", "plugins": {"cors": {"allow_origins": "*"}}})
    );
    assert_eq!(service(&app(5, "/", json!({})), false), json!({"id": "5", "name": "app5"}));
}

#[test]
fn the_default_upstream_version_selects_the_upstream() {
    let spec = json!({"default_upstream_version": "v2", "upstreams": [
        {"version": "v1", "upstream": {"scheme": "http"}},
        {"version": "v2", "upstream": {"scheme": "https"}}
    ]});
    assert_eq!(selected_upstream(&spec).expect("v2")["version"], "v2");
    // Unset: "default"; naming nothing: the first one.
    let spec = json!({"upstreams": [{"version": "a"}, {"version": "default"}]});
    assert_eq!(selected_upstream(&spec).expect("default")["version"], "default");
    let spec = json!({"default_upstream_version": "zz", "upstreams": [{"version": "a"}, {"version": "b"}]});
    assert_eq!(selected_upstream(&spec).expect("first")["version"], "a");
    assert!(selected_upstream(&json!({"upstreams": []})).is_none());
    assert!(super::apisix::upstream(&app(1, "/", json!({})), &BTreeSet::new()).is_none());
}

#[test]
fn an_upstream_maps_field_by_field() {
    let u = up(json!({
        "scheme": "https", "lb_type": "least_conn",
        "targets": [{"host": "10.0.0.1", "port": 8080, "weight": 10}, {"host": "b.internal", "port": 443, "weight": 0}],
        "retries": 2, "timeout": {"connect": 3, "read": 30},
        "upstream_host_mode": "rewrite", "upstream_host": "backend.internal", "client_cert_id": "9"
    }));
    assert_eq!(
        Value::Object(u),
        json!({
            "id": "1", "name": "app1", "desc": "version default", "scheme": "https", "type": "least_conn",
            "nodes": [{"host": "10.0.0.1", "port": 8080, "weight": 10}, {"host": "b.internal", "port": 443, "weight": 0}],
            "retries": 2, "timeout": {"connect": 3, "send": 60, "read": 30},
            "pass_host": "rewrite", "upstream_host": "backend.internal", "tls": {"client_cert_id": "9"}
        })
    );
}

#[test]
fn upstream_defaults() {
    let u = up(json!({}));
    assert_eq!(u["scheme"], "http");
    assert_eq!(u["type"], "roundrobin");
    assert_eq!(u["nodes"], json!([]));
    assert_eq!(u["pass_host"], "pass");
    for absent in ["retries", "timeout", "tls", "checks", "hash_on", "key", "upstream_host"] {
        assert!(u.get(absent).is_none(), "{absent}: {u:?}");
    }
    // A target without a weight weighs 1; one without host or port is dropped.
    let u = up(json!({"targets": [{"host": "a", "port": 1}, {"host": "", "port": 2}, {"host": "c"}]}));
    assert_eq!(u["nodes"], json!([{"host": "a", "port": 1, "weight": 1}]));
}

#[test]
fn load_balancing_types_and_hash_keys() {
    assert_eq!(up(json!({"lb_type": "ewma"}))["type"], "ewma");
    assert_eq!(up(json!({"lb_type": "roundrobin"}))["type"], "roundrobin");
    let cases = [
        ("$remote_addr", "vars", Some("remote_addr")),
        ("uri", "vars", Some("uri")),
        ("$http_x_user", "header", Some("x_user")),
        ("cookie_session", "cookie", Some("session")),
        ("consumer", "consumer", None),
        ("$host$uri", "vars_combinations", Some("$host$uri")),
    ];
    for (hash_key, on, key) in cases {
        let u = up(json!({"lb_type": "consistent_hash", "hash_key": hash_key}));
        assert_eq!(u["type"], "chash");
        assert_eq!(u["hash_on"], on, "{hash_key}");
        assert_eq!(u.get("key").and_then(Value::as_str), key, "{hash_key}");
    }
    let u = up(json!({"lb_type": "consistent_hash"}));
    assert_eq!((u["hash_on"].as_str(), u["key"].as_str()), (Some("vars"), Some("remote_addr")));
}

#[test]
fn host_modes() {
    assert_eq!(up(json!({"upstream_host_mode": "node"}))["pass_host"], "node");
    assert_eq!(up(json!({"upstream_host_mode": "pass"}))["pass_host"], "pass");
    // Rewrite without a host keeps the client's.
    let u = up(json!({"upstream_host_mode": "Rewrite"}));
    assert_eq!(u["pass_host"], "pass");
    assert!(u.get("upstream_host").is_none());
}

#[test]
fn client_certificates_must_be_exported_ones() {
    // The deprecated outer client_cert_id counts too; a number is an id.
    let a = app(1, "/", json!({"upstreams": [{"version": "default", "client_cert_id": 9, "upstream": {}}]}));
    let u = super::apisix::upstream(&a, &BTreeSet::from([9])).expect("upstream");
    assert_eq!(u["tls"], json!({"client_cert_id": "9"}));
    let u = super::apisix::upstream(&a, &BTreeSet::from([8])).expect("upstream");
    assert!(u.get("tls").is_none());
}

#[test]
fn kubernetes_service_discovery_replaces_nodes() {
    let u = up(json!({
        "service_discovery": {"service_registry": 1, "kubernetes_service": {"namespace": "prod", "name": "api", "port": "http"}},
        "targets": [{"host": "ignored", "port": 1, "weight": 1}]
    }));
    assert_eq!(u["discovery_type"], "kubernetes");
    assert_eq!(u["service_name"], "prod/api:http");
    assert!(u.get("nodes").is_none());
}

#[test]
fn health_checks_take_apisix_names() {
    let u = up(json!({"checks": {
        "active": {"type": "https", "https": {
            "probe_timeout": 2, "concurrent_probes": 4, "http_probe_path": "/healthz", "http_probe_host": "h",
            "probe_target_port": 8443, "http_probe_headers": {"User-Agent": "probe"}, "verify_target_tls_certificate": true,
            "healthy": {"targets_check_interval": 5, "http_status_codes": [200], "successes": 2},
            "unhealthy": {"targets_check_interval": 1, "http_status_codes": [500], "http_failures": 3, "timeouts": 2}
        }},
        "passive": {"type": "tcp", "tcp": {"unhealthy": {"tcp_failures": 2, "timeouts": 7}}}
    }}));
    assert_eq!(
        u["checks"],
        json!({
            "active": {
                "type": "https", "timeout": 2, "concurrency": 4, "http_path": "/healthz", "host": "h", "port": 8443,
                "req_headers": ["User-Agent: probe"], "https_verify_certificate": true,
                "healthy": {"interval": 5, "http_statuses": [200], "successes": 2},
                "unhealthy": {"interval": 1, "http_statuses": [500], "http_failures": 3, "timeouts": 2}
            },
            "passive": {"type": "tcp", "unhealthy": {"tcp_failures": 2, "timeouts": 7}}
        })
    );
    assert!(checks(&json!({})).is_none());
    assert_eq!(checks(&json!({"active": {}})), Some(json!({"active": {"type": "http"}})));
}

#[test]
fn consumers_carry_their_credentials_as_plugins() {
    let c = Consumer {
        id: 1,
        name: "alice_app".into(),
        description: "mobile".into(),
        credentials: json!({
            "key-auth": {"key": "k-secret"},
            "basic-auth": {"username": "u", "password": "p"},
            "jwt-auth": {"key": "jk", "secret": "js", "algorithm": "RS256", "public_key": "PUB", "private_key": "PRIV", "exp": null},
            "hmac-auth": {"access_key": "ak", "secret_key": "sk"},
            "bogus": "not an object"
        }),
        ..Default::default()
    };
    assert_eq!(
        consumer(&c),
        json!({
            "username": "alice_app", "desc": "mobile",
            "plugins": {
                "key-auth": {"key": "k-secret"},
                "basic-auth": {"username": "u", "password": "p"},
                "jwt-auth": {"key": "jk", "secret": "js", "algorithm": "RS256", "public_key": "PUB"},
                "hmac-auth": {"access_key": "ak", "secret_key": "sk"}
            }
        })
    );
    let bare = Consumer { name: "n".into(), credentials: Value::Null, ..Default::default() };
    assert_eq!(consumer(&bare), json!({"username": "n"}));
}

#[test]
fn certificates_become_ssl_objects() {
    let server = Certificate {
        id: 5,
        kind: "server".into(),
        certificate: "CERT".into(),
        private_key: "KEY".into(),
        client_ca_certificate: Some("CA".into()),
        snis: vec!["a.example.com".into(), "*.example.com".into()],
        ..Default::default()
    };
    assert_eq!(
        ssl(&server),
        Some(json!({
            "id": "5", "type": "server", "cert": "CERT", "key": "KEY",
            "snis": ["a.example.com", "*.example.com"], "client": {"ca": "CA"}
        }))
    );
    // A server certificate naming no host serves nothing; a client one needs none.
    assert_eq!(ssl(&Certificate { snis: vec![], ..server.clone() }), None);
    let client = Certificate { kind: "client".into(), snis: vec![], client_ca_certificate: None, ..server };
    assert_eq!(ssl(&client), Some(json!({"id": "5", "type": "client", "cert": "CERT", "key": "KEY"})));
}

#[test]
fn settings_with_an_apisix_plugin_become_global_plugins() {
    let settings = json!({
        "client_settings": {
            "client_real_ip": {
                "enabled": true, "replace_from": {"position": "header", "name": "X-Real-IP"},
                "trusted_addresses": ["10.0.0.0/8"], "recursive_search": true
            },
            "maximum_request_body_size": 1048576
        },
        "observability_settings": {"metrics": {"enabled": true}, "show_upstream_status_in_response_header": true},
        "api_proxy_settings": {
            "enable_request_buffering": false,
            "server_header_customization": {"mode": "Rewrite", "new_server_header": "edge"},
            "url_handling_options": ["Delete Tail Slash"]
        }
    });
    let g = global_plugins(&settings, &json!({"cors": {}, "prometheus": {"prefer_name": true}}));
    assert_eq!(
        Value::Object(g),
        json!({
            "real-ip": {"source": "http_x_real_ip", "trusted_addresses": ["10.0.0.0/8"], "recursive": true},
            "client-control": {"max_body_size": 1048576},
            "prometheus": {"prefer_name": true},
            "proxy-control": {"request_buffering": false},
            "response-rewrite": {"headers": {"set": {"Server": "edge"}}},
            "cors": {}
        })
    );
}

#[test]
fn settings_without_an_effect_add_nothing() {
    let settings = json!({
        "client_settings": {"client_real_ip": {"enabled": false, "replace_from": {"position": "query", "name": "ip"}}, "maximum_request_body_size": 0},
        "observability_settings": {"metrics": {"enabled": false}},
        "api_proxy_settings": {"enable_request_buffering": true, "server_header_customization": {"mode": "Hide Version Token"}}
    });
    assert!(global_plugins(&settings, &json!({})).is_empty());
    assert!(global_plugins(&json!({}), &json!(null)).is_empty());
    let ip = |pos: &str, name: Value| {
        let s = json!({"client_settings": {"client_real_ip": {"enabled": true, "replace_from": {"position": pos, "name": name}}}});
        global_plugins(&s, &json!({})).get("real-ip").map(|r| r["source"].clone())
    };
    assert_eq!(ip("query", json!("ip")), Some(json!("arg_ip")));
    assert_eq!(ip("cookie", json!("ip")), Some(json!("cookie_ip")));
    assert_eq!(ip("header", json!(null)), Some(json!("http_x_forwarded_for")));
    assert_eq!(ip("query", json!(null)), None);
}

fn snapshot() -> Snapshot {
    let published = app(
        1,
        "/v1",
        json!({"hosts": ["api.example.com"], "upstreams": [{"version": "default", "upstream": {
            "scheme": "http", "targets": [{"host": "127.0.0.1", "port": 8080, "weight": 100}]
        }}]}),
    );
    Snapshot {
        control_plane_id: 12,
        config_version: 7,
        settings: json!({}),
        policies: json!({"cors": {}}),
        apps: vec![published],
        apis: vec![
            api(10, 1, json!({"paths": [{"path": "/a", "path_type": "Exact"}]})),
            // An API whose application is not in the snapshot (unpublished): no route.
            api(11, 2, json!({"paths": [{"path": "/b", "path_type": "Exact"}]})),
        ],
        consumers: vec![Consumer {
            id: 1,
            name: "c1".into(),
            credentials: json!({"key-auth": {"key": "k1"}}),
            ..Default::default()
        }],
        certificates: vec![Certificate {
            id: 2,
            kind: "server".into(),
            certificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".into(),
            private_key: "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n".into(),
            snis: vec!["api.example.com".into()],
            ..Default::default()
        }],
    }
}

#[test]
fn the_document_has_every_section() {
    let d = document(&snapshot());
    assert_eq!(d["routes"].as_array().map(Vec::len), Some(1));
    assert_eq!(d["routes"][0]["id"], "10");
    assert_eq!(d["routes"][0]["service_id"], "1");
    assert_eq!(d["services"], json!([{"id": "1", "name": "app1", "upstream_id": "1"}]));
    assert_eq!(d["upstreams"][0]["nodes"], json!([{"host": "127.0.0.1", "port": 8080, "weight": 100}]));
    assert_eq!(d["consumers"], json!([{"username": "c1", "plugins": {"key-auth": {"key": "k1"}}}]));
    assert_eq!(d["ssls"][0]["snis"], json!(["api.example.com"]));
    assert_eq!(d["global_rules"], json!([{"id": "1", "plugins": {"cors": {}}}]));
    let empty = document(&Snapshot::default());
    for key in ["routes", "services", "upstreams", "consumers", "ssls", "global_rules"] {
        assert_eq!(empty[key], json!([]), "{key}");
    }
}

#[test]
fn the_file_parses_back_and_ends_with_end() {
    let s = snapshot();
    let yaml = render(&s).expect("render");
    assert!(yaml.ends_with("\n#END\n"), "{yaml}");
    assert!(yaml.starts_with("# Apache APISIX"), "{yaml}");
    assert!(yaml.contains("\n# config_version: 7\n"), "{yaml}");
    let parsed: Value = serde_saphyr::from_str(&yaml).expect("YAML");
    assert_eq!(parsed, document(&s));
    // PEM stays a literal block, byte for byte.
    assert_eq!(parsed["ssls"][0]["key"], s.certificates[0].private_key.as_str());
    // Rendering is deterministic: one version, one file.
    assert_eq!(render(&s).expect("render"), yaml);
}

#[test]
fn long_lines_are_not_folded() {
    let mut s = Snapshot::default();
    let long = "x".repeat(50) + " " + &"y".repeat(100);
    s.consumers = vec![Consumer { name: "c".into(), description: long.clone(), ..Default::default() }];
    let yaml = render(&s).expect("render");
    assert!(yaml.lines().any(|l| l.contains(&long)), "{yaml}");
}

#[test]
fn etags_and_if_none_match() {
    let e = etag(12, 7);
    assert_eq!(e, "\"12-7\"");
    assert!(none_match("\"12-7\"", &e));
    assert!(none_match("W/\"12-7\"", &e));
    assert!(none_match("\"1-1\", \"12-7\"", &e));
    assert!(none_match("*", &e));
    assert!(!none_match("\"12-6\"", &e));
    assert!(!none_match("12-7", &e));
    assert!(!none_match("", &e));
}
