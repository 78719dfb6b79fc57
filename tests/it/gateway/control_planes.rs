//! API7 control planes (docs/gateway.md, "Control planes"): create, list,
//! details, `PATCH …/config` in both body forms and its `PUT` alias, the
//! plan's limit, provisioning through the job, and who may do what.

use serde_json::{Value, json};

use crate::support::scheduler::{clocked_world, manual_clock, run_job};
use crate::support::{Api, World, sql, world};

fn cps(org: &str) -> String {
    format!("/api/v1/orgs/{org}/controlplanes")
}

fn cp_path(org: &str, cp: &str) -> String {
    format!("/api/v1/orgs/{org}/controlplanes/{cp}")
}

fn config(org: &str, cp: &str) -> String {
    format!("/api/v1/orgs/{org}/controlplanes/{cp}/config")
}

/// Creates a control plane through the API; its payload.
async fn create(api: &Api, org: &str, body: Value) -> Value {
    api.post(&cps(org), body).await.api7()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_string()
}

/// Events of `category/action` about the control plane with row id `cp`.
async fn events(w: &World, cp: &str, action: &str) -> i64 {
    let (cp, action) = (cp.parse::<i64>().unwrap(), action.to_string());
    sql(&w.s.data_dir, move |c| {
        c.query_row(
            "SELECT count(*) FROM events e JOIN gateway_control_planes cp ON cp.uuid = e.acted_upon
              WHERE cp.id = ?1 AND e.category = 'control_plane' AND e.action = ?2",
            rusqlite::params![cp, action],
            |r| r.get(0),
        )
        .unwrap()
    })
    .await
}

/// The settings of a control plane nobody configured.
fn default_settings() -> Value {
    json!({
        "client_settings": {
            "client_real_ip": {"replace_from": {}, "trusted_addresses": [], "recursive_search": false, "enabled": false},
            "maximum_request_body_size": 0,
        },
        "observability_settings": {
            "metrics": {"enabled": false},
            "show_upstream_status_in_response_header": false,
            "access_log_rotate": {"enabled": false, "interval": 3600, "maximum_kept_log_entries": 168, "enable_compression": false},
        },
        "api_proxy_settings": {"enable_request_buffering": true, "url_handling_options": []},
    })
}

#[tokio::test]
async fn create_answers_the_control_plane_and_reads_show_it() {
    let w = world().await;
    let org = w.org_num(&w.org_a).await;
    let cp = create(&w.alice, &org, json!({"name": "prod"})).await;
    let id = id(&cp);
    assert!(id.bytes().all(|b| b.is_ascii_digit()) && !id.starts_with('0'), "{cp}");
    assert_eq!(cp["name"], "prod");
    assert_eq!(cp["org_id"], org.as_str());
    assert_eq!(cp["region_id"], "1");
    assert_eq!(cp["status"], 1, "a new control plane is pending: {cp}");
    let authority = w.s.base.split_once("://").unwrap().1.trim_end_matches('/');
    assert_eq!(cp["domain"], authority, "the host gateways reach meshcloud at");
    assert_eq!(cp["settings"], default_settings());
    assert_eq!(cp["policies"], json!({}));
    assert_eq!(cp["config_version"], 1);
    let created = cp["created_at"].as_str().unwrap();
    assert!(created.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(created).is_ok(), "{cp}");
    assert_eq!(cp["updated_at"], cp["created_at"]);
    assert_eq!(events(&w, &id, "create").await, 1);

    // Details and the list show the same control plane (the job may have
    // moved its status on meanwhile).
    let mut got = w.alice.get(&cp_path(&org, &id)).await.api7();
    assert!([1, 2, 3].contains(&got["status"].as_i64().unwrap()), "{got}");
    got["status"] = cp["status"].clone();
    assert_eq!(got, cp);
    let list = w.carol.get(&cps(&org)).await.api7();
    assert_eq!(list["count"], 1);
    let mut item = list["list"][0].clone();
    item["status"] = cp["status"].clone();
    assert_eq!(item, cp);

    // Settings and policies given at create are checked and kept.
    w.unlimited(&w.org_a).await;
    let body = json!({"name": "edge", "region_id": 1,
        "settings": {"api_proxy_settings": {"enable_request_buffering": false},
                     "service_discovery_settings": {"kubernetes": {"enabled": true}}},
        "policies": {"cors": {"allow_origins": "*"}}});
    let edge = create(&w.alice, &org, body).await;
    assert_eq!(
        edge["settings"]["api_proxy_settings"],
        json!({"enable_request_buffering": false, "url_handling_options": []})
    );
    assert_eq!(edge["settings"]["client_settings"], default_settings()["client_settings"]);
    assert_eq!(edge["settings"]["service_discovery_settings"], json!({"kubernetes": {"enabled": true}}));
    assert_eq!(edge["policies"], json!({"cors": {"allow_origins": "*"}}));
    assert_eq!(w.alice.get(&cps(&org)).await.api7()["count"], 2);
}

#[tokio::test]
async fn create_checks_its_body_names_and_the_plan() {
    let w = world().await;
    let org = w.org_num(&w.org_a).await;
    for (body, needle) in [
        (json!({}), "name is required"),
        (json!({"name": ""}), "name"),
        (json!({"name": "   "}), "name"),
        (json!({"name": 7}), "name must be a string"),
        (json!({"name": "x".repeat(65)}), "at most 64"),
        (json!({"name": "p", "region_id": "2"}), "region_id"),
        (json!({"name": "p", "region_id": "x"}), "region_id"),
        (json!({"name": "p", "status": 3}), "status is not a field"),
        (json!({"name": "p", "settings": []}), "settings must be an object"),
        (
            json!({"name": "p", "settings": {"client_settings": {"maximum_request_body_size": -5}}}),
            "settings.client_settings.maximum_request_body_size",
        ),
        (json!({"name": "p", "settings": {"proxy": {}}}), "settings.proxy"),
        (json!({"name": "p", "policies": {"cors": "on"}}), "policies.cors"),
        (json!(["p"]), "JSON object"),
        (json!("p"), "JSON object"),
    ] {
        let e = w.alice.post(&cps(&org), body.clone()).await.api7_error(400, 1);
        assert!(e.contains(needle), "{body}: {e}");
    }
    let r = w.alice.raw(reqwest::Method::POST, &cps(&org), "{not json").await;
    r.api7_error(400, 1);
    assert_eq!(w.alice.get(&cps(&org)).await.api7()["count"], 0, "a refused create creates nothing");

    // 64 characters are fine; the name is trimmed.
    let long = "n".repeat(64);
    assert_eq!(create(&w.alice, &org, json!({"name": format!(" {long} ")})).await["name"], long.as_str());

    // Names are unique in an organization (409 before the plan's limit)…
    let e = w.alice.post(&cps(&org), json!({"name": long})).await.api7_error(409, 9);
    assert!(e.contains("exists"), "{e}");
    // …the Free plan allows one control plane…
    let e = w.alice.post(&cps(&org), json!({"name": "second"})).await.api7_error(400, 11);
    assert!(e.contains("ControlPlanesInOrganization"), "{e}");
    assert_eq!(w.alice.get(&cps(&org)).await.api7()["count"], 1);
    // …and a plan without limits more.
    w.unlimited(&w.org_a).await;
    create(&w.alice, &org, json!({"name": "second"})).await;
    create(&w.alice, &org, json!({"name": "third"})).await;
    assert_eq!(w.alice.get(&cps(&org)).await.api7()["count"], 3);
    // Another organization may use the same name.
    let org_b = w.org_num(&w.org_b).await;
    create(&w.admin, &org_b, json!({"name": "second"})).await;
}

#[tokio::test]
async fn config_patches_in_both_forms_and_counts_versions() {
    let w = world().await;
    let org = w.org_num(&w.org_a).await;
    let cp = create(&w.alice, &org, json!({"name": "prod"})).await;
    let id = id(&cp);
    let client = json!({
        "client_real_ip": {"replace_from": {"position": "header", "name": "X-Real-IP"},
                           "trusted_addresses": ["10.0.0.0/8", "192.168.1.1", "2001:db8::/32"],
                           "recursive_search": true, "enabled": true},
        "maximum_request_body_size": 1048576,
    });
    let done = w.alice.patch(&config(&org, &id), json!({"client_settings": client})).await.api7();
    assert_eq!(done, Value::Null, "the reference's answer has no payload");
    let got = w.alice.get(&cp_path(&org, &id)).await.api7();
    assert_eq!(got["settings"]["client_settings"], client);
    assert_eq!(got["settings"]["api_proxy_settings"], default_settings()["api_proxy_settings"]);
    assert_eq!(got["config_version"], 2);
    assert!(got["updated_at"].as_str() > cp["updated_at"].as_str(), "{got}");
    assert_eq!(got["created_at"], cp["created_at"]);

    // The SDK's form: a JSON string holding the base64 of the object, with
    // Go's zero values (null slices, omitted fields).
    let proxy = json!({"enable_request_buffering": false,
                       "server_header_customization": {"mode": "Rewrite", "new_server_header": "edge/1.0"},
                       "url_handling_options": ["Delete Tail Slash"]});
    let body = json!({"api_proxy_settings": proxy,
                      "observability_settings": {"metrics": {"enabled": true}, "show_upstream_status_in_response_header": true,
                                                 "access_log_rotate": {"enabled": true, "enable_compression": true}},
                      "policies": {"cors": {"allow_origins": "*"}, "limit-count": null}});
    w.alice.patch_b64(&config(&org, &id), body.clone()).await.api7();
    let got = w.alice.get(&cp_path(&org, &id)).await.api7();
    assert_eq!(got["settings"]["client_settings"], client, "what the body leaves out stays");
    assert_eq!(got["settings"]["api_proxy_settings"], proxy);
    let rotate = &got["settings"]["observability_settings"]["access_log_rotate"];
    assert_eq!(
        *rotate,
        json!({"enabled": true, "interval": 3600, "maximum_kept_log_entries": 168, "enable_compression": true})
    );
    assert_eq!(got["settings"]["observability_settings"]["metrics"]["enabled"], true);
    assert_eq!(got["policies"], json!({"cors": {"allow_origins": "*"}}));
    assert_eq!(got["config_version"], 3);

    // The same again changes nothing, and neither does an empty body.
    w.alice.patch(&config(&org, &id), body).await.api7();
    w.alice.patch(&config(&org, &id), json!({})).await.api7();
    let same = w.alice.get(&cp_path(&org, &id)).await.api7();
    assert_eq!(same["config_version"], 3);
    assert_eq!(same["updated_at"], got["updated_at"]);
    assert_eq!(events(&w, &id, "update").await, 2);

    // An object given replaces the stored one whole; null resets it.
    let body = json!({"client_settings": {"maximum_request_body_size": 10}, "api_proxy_settings": null,
                      "service_discovery_settings": {"kubernetes": {"enabled": true}}});
    w.alice.patch(&config(&org, &id), body).await.api7();
    let got = w.alice.get(&cp_path(&org, &id)).await.api7();
    let mut expect = default_settings()["client_settings"].clone();
    expect["maximum_request_body_size"] = json!(10);
    assert_eq!(got["settings"]["client_settings"], expect);
    assert_eq!(got["settings"]["api_proxy_settings"], default_settings()["api_proxy_settings"]);
    assert_eq!(got["settings"]["service_discovery_settings"], json!({"kubernetes": {"enabled": true}}));
    assert_eq!(got["settings"]["observability_settings"]["metrics"]["enabled"], true);
    assert_eq!(got["config_version"], 4);
    w.alice.patch(&config(&org, &id), json!({"service_discovery_settings": null})).await.api7();
    let got = w.alice.get(&cp_path(&org, &id)).await.api7();
    assert!(got["settings"].get("service_discovery_settings").is_none(), "{got}");
    assert_eq!(got["config_version"], 5);

    // PUT replaces everything: what it leaves out goes back to its default.
    let put = w
        .alice
        .put(&cp_path(&org, &id), json!({"policies": {"ip-restriction": {"whitelist": ["10.0.0.0/8"]}}}))
        .await
        .api7();
    assert_eq!(put["settings"], default_settings());
    assert_eq!(put["policies"], json!({"ip-restriction": {"whitelist": ["10.0.0.0/8"]}}));
    assert_eq!(put["config_version"], 6);
    assert_eq!(put["id"], id.as_str());
    assert_eq!(w.alice.get(&cp_path(&org, &id)).await.api7(), put);
    assert_eq!(events(&w, &id, "update").await, 5);
}

#[tokio::test]
async fn bad_configs_and_ids_are_refused_and_change_nothing() {
    let w = world().await;
    let org = w.org_num(&w.org_a).await;
    let cp = create(&w.alice, &org, json!({"name": "prod"})).await;
    let id = id(&cp);
    let rip = |v: Value| json!({"client_settings": {"client_real_ip": v}});
    let cases = [
        (json!({"client_settings": {"maximum_request_body_size": -1}}), "client_settings.maximum_request_body_size"),
        (json!({"client_settings": {"maximum_request_body_size": "10"}}), "maximum_request_body_size"),
        (json!({"client_settings": 5}), "client_settings must be an object"),
        (json!({"client_settings": {"real_ip": {}}}), "client_settings.real_ip"),
        (rip(json!({"enabled": "yes"})), "client_settings.client_real_ip.enabled must be a boolean"),
        (rip(json!({"replace_from": {"position": "body", "name": "x"}})), "position"),
        (rip(json!({"replace_from": {"position": "header", "name": "X Real IP"}})), "replace_from.name"),
        (rip(json!({"enabled": true, "replace_from": {"position": "header"}})), "required"),
        (rip(json!({"trusted_addresses": ["10.0.0.0/33"]})), "trusted_addresses"),
        (rip(json!({"trusted_addresses": ["example.com"]})), "trusted_addresses"),
        (rip(json!({"trusted_addresses": "10.0.0.1"})), "trusted_addresses must be an array"),
        (rip(json!({"trusted_addresses": [1]})), "trusted_addresses must hold strings"),
        (json!({"observability_settings": {"access_log_rotate": {"interval": 1.5}}}), "access_log_rotate.interval"),
        (json!({"observability_settings": {"metrics": true}}), "observability_settings.metrics must be an object"),
        (json!({"observability_settings": {"show_upstream_status_in_response_header": 1}}), "must be a boolean"),
        (json!({"api_proxy_settings": {"server_header_customization": {"mode": "Replace"}}}), "mode"),
        (
            json!({"api_proxy_settings": {"server_header_customization": {"mode": "Rewrite"}}}),
            "new_server_header is required",
        ),
        (
            json!({"api_proxy_settings": {"server_header_customization": {"new_server_header": "x"}}}),
            "mode is required",
        ),
        (json!({"api_proxy_settings": {"url_handling_options": ["Delete Slash"]}}), "url_handling_options"),
        (json!({"api_proxy_settings": {"url_handling_options": ["Delete Tail Slash", "Delete Tail Slash"]}}), "twice"),
        (json!({"service_discovery_settings": []}), "service_discovery_settings must be an object"),
        (json!({"policies": []}), "policies must be an object"),
        (json!({"policies": {"cors": true}}), "policies.cors"),
        (json!({"policies": {"no space": {}}}), "plugin name"),
        (json!({"settings": {}}), "settings is not a field"),
        (json!([1]), "JSON object"),
        (json!("not base64!"), "base64"),
    ];
    for (body, needle) in cases {
        for replace in [false, true] {
            let r = if replace {
                w.alice.put(&cp_path(&org, &id), body.clone()).await
            } else {
                w.alice.patch(&config(&org, &id), body.clone()).await
            };
            let e = r.api7_error(400, 1);
            assert!(e.contains(needle), "{body} (put: {replace}): {e}");
        }
    }
    // The base64 form must hold an object too.
    w.alice.patch_b64(&config(&org, &id), json!([1])).await.api7_error(400, 1);
    w.alice.patch_b64(&config(&org, &id), json!({"policies": 1})).await.api7_error(400, 1);
    let mut got = w.alice.get(&cp_path(&org, &id)).await.api7();
    got["status"] = cp["status"].clone();
    assert_eq!(got, cp, "refused changes change nothing");
    assert_eq!(events(&w, &id, "update").await, 0);

    // Path ids that are not ids are 400s; ids naming nothing one may see, 404s.
    for bad in ["0", "x", "01", "-1"] {
        w.alice.get(&cps(bad)).await.api7_error(400, 1);
        w.alice.post(&cps(bad), json!({"name": "n"})).await.api7_error(400, 1);
        w.alice.get(&cp_path(bad, &id)).await.api7_error(400, 1);
        w.alice.get(&cp_path(&org, bad)).await.api7_error(400, 1);
        w.alice.patch(&config(&org, bad), json!({})).await.api7_error(400, 1);
        w.alice.put(&cp_path(bad, &id), json!({})).await.api7_error(400, 1);
    }
    w.alice.get(&cp_path(&org, "999999")).await.api7_error(404, 4);
    w.alice.patch(&config(&org, "999999"), json!({})).await.api7_error(404, 4);
    w.alice.get(&cps("999999")).await.api7_error(404, 4);
    w.admin.post(&cps("999999"), json!({"name": "n"})).await.api7_error(404, 4);
    // A control plane under another organization's id is not found, for
    // those who may see both too.
    let org_b = w.org_num(&w.org_b).await;
    for api in [&w.alice, &w.admin] {
        api.get(&cp_path(&org_b, &id)).await.api7_error(404, 4);
        api.patch(&config(&org_b, &id), json!({})).await.api7_error(404, 4);
        api.put(&cp_path(&org_b, &id), json!({})).await.api7_error(404, 4);
    }
    // Methods a path does not serve.
    w.alice.delete(&cp_path(&org, &id)).await.api7_error(404, 4);
}

#[tokio::test]
async fn lists_page_and_order() {
    let w = world().await;
    w.unlimited(&w.org_a).await;
    let org = w.org_num(&w.org_a).await;
    let mut ids = vec![];
    for n in 1..=5 {
        ids.push(id(&create(&w.alice, &org, json!({"name": format!("cp{n}")})).await));
    }
    let names = |v: &Value| {
        v["list"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    let list = |q: &str| {
        let path = format!("{}?{q}", cps(&org));
        let api = w.carol.clone();
        async move { api.get(&path).await }
    };

    // Default: updated_at descending, 10 a page.
    let v = list("").await.api7();
    assert_eq!(names(&v), ["cp5", "cp4", "cp3", "cp2", "cp1"]);
    assert_eq!(v["count"], 5);
    let v = list("page_size=2").await.api7();
    assert_eq!(names(&v), ["cp5", "cp4"]);
    let v = list("page_size=2&page=3").await.api7();
    assert_eq!(names(&v), ["cp1"]);
    assert_eq!(v["count"], 5);
    let v = list("page_size=2&page=4").await.api7();
    assert_eq!((v["list"].clone(), v["count"].clone()), (json!([]), json!(5)), "a page past the end is empty");
    let v = list("page=99999999999999999999").await.api7();
    assert_eq!((v["list"].clone(), v["count"].clone()), (json!([]), json!(5)));
    let v = list("page_size=100000").await.api7();
    assert_eq!(names(&v).len(), 5, "a large page size is clamped, not refused");
    let v = list("order_by=created_at&direction=asc&page_size=3").await.api7();
    assert_eq!(names(&v), ["cp1", "cp2", "cp3"]);
    let v = list("order_by=created_at&direction=DESC&page_size=2&page=2").await.api7();
    assert_eq!(names(&v), ["cp3", "cp2"]);

    // A change moves a control plane up the default order, not the other.
    w.alice.patch(&config(&org, &ids[1]), json!({"policies": {"cors": {}}})).await.api7();
    assert_eq!(names(&list("page_size=1").await.api7()), ["cp2"]);
    assert_eq!(names(&list("order_by=updated_at&direction=ASC&page_size=1").await.api7()), ["cp1"]);
    assert_eq!(names(&list("order_by=created_at&page_size=1").await.api7()), ["cp5"]);

    for bad in ["page=0", "page=-1", "page=x", "page_size=0", "page_size=1.5", "order_by=name", "direction=up"] {
        let e = list(bad).await.api7_error(400, 1);
        assert!(e.contains(bad.split('=').next().unwrap()), "{bad}: {e}");
    }
}

#[tokio::test]
async fn who_may_read_and_change_control_planes() {
    let w = world().await;
    w.unlimited(&w.org_a).await;
    let (org_a, org_b) = (w.org_num(&w.org_a).await, w.org_num(&w.org_b).await);
    let a = id(&create(&w.alice, &org_a, json!({"name": "a"})).await);
    let b = id(&create(&w.admin, &org_b, json!({"name": "b"})).await);
    let anon = w.s.anon();

    // Reads: org A's admin and member, the provider admin; not org B's member.
    for api in [&w.admin, &w.alice, &w.carol] {
        assert_eq!(api.get(&cps(&org_a)).await.api7()["count"], 1);
        assert_eq!(api.get(&cp_path(&org_a, &a)).await.api7()["name"], "a");
    }
    w.dave.get(&cps(&org_a)).await.api7_error(404, 4);
    w.dave.get(&cp_path(&org_a, &a)).await.api7_error(404, 4);
    assert_eq!(w.dave.get(&cp_path(&org_b, &b)).await.api7()["name"], "b");
    w.alice.get(&cps(&org_b)).await.api7_error(404, 4);
    w.alice.get(&cp_path(&org_b, &b)).await.api7_error(404, 4);
    w.alice.get(&cp_path(&org_a, &b)).await.api7_error(404, 4);
    anon.get(&cps(&org_a)).await.api7_error(401, 6);
    anon.get(&cp_path(&org_a, &a)).await.api7_error(401, 6);

    // Writes: admins only. A member is refused before her body is read.
    for (api, name) in [(&w.admin, "by-admin"), (&w.alice, "by-alice")] {
        create(api, &org_a, json!({"name": name})).await;
        api.patch(&config(&org_a, &a), json!({"policies": {name: {}}})).await.api7();
        assert_eq!(
            api.put(&cp_path(&org_a, &a), json!({"policies": {name: {}}})).await.api7()["policies"],
            json!({name: {}})
        );
    }
    let before = w.alice.get(&cp_path(&org_a, &a)).await.api7();
    w.carol.post(&cps(&org_a), json!({"name": "by-carol"})).await.api7_error(403, 7);
    w.carol.post(&cps(&org_a), json!({"name": 1})).await.api7_error(403, 7);
    w.carol.patch(&config(&org_a, &a), json!({"policies": {}})).await.api7_error(403, 7);
    w.carol.patch(&config(&org_a, &a), json!("not base64!")).await.api7_error(403, 7);
    w.carol.put(&cp_path(&org_a, &a), json!({})).await.api7_error(403, 7);
    w.dave.post(&cps(&org_a), json!({"name": "by-dave"})).await.api7_error(404, 4);
    w.dave.patch(&config(&org_a, &a), json!({})).await.api7_error(404, 4);
    w.dave.put(&cp_path(&org_a, &a), json!({})).await.api7_error(404, 4);
    w.dave.patch(&config(&org_b, &b), json!({})).await.api7_error(403, 7);
    anon.post(&cps(&org_a), json!({"name": "by-anon"})).await.api7_error(401, 6);
    anon.patch(&config(&org_a, &a), json!({})).await.api7_error(401, 6);
    anon.put(&cp_path(&org_a, &a), json!({})).await.api7_error(401, 6);
    let mut after = w.alice.get(&cp_path(&org_a, &a)).await.api7();
    after["status"] = before["status"].clone();
    assert_eq!(after, before, "refused writes change nothing");
    assert_eq!(w.alice.get(&cps(&org_a)).await.api7()["count"], 3);
}

#[tokio::test]
async fn provisioning_makes_a_control_plane_normal_one_step_a_run() {
    let clock = manual_clock();
    let w = clocked_world(&clock).await;
    let org = w.org_num(&w.org_a).await;
    let cp = create(&w.alice, &org, json!({"name": "prod"})).await;
    let id = id(&cp);
    let status = || async { w.alice.get(&cp_path(&org, &id)).await.api7() };
    assert_eq!(status().await["status"], 1);
    run_job(&w.s, &clock, "provisioning").await;
    assert_eq!(status().await["status"], 2, "creating");
    assert_eq!(events(&w, &id, "status").await, 0);
    run_job(&w.s, &clock, "provisioning").await;
    let got = status().await;
    assert_eq!(got["status"], 3, "normal");
    assert_eq!(events(&w, &id, "status").await, 1);
    run_job(&w.s, &clock, "provisioning").await;
    let again = status().await;
    assert_eq!(again["status"], 3);
    assert_eq!(events(&w, &id, "status").await, 1, "one event, when it became normal");
    // Provisioning is no edit: the configuration and updated_at stay.
    assert_eq!((again["config_version"].clone(), again["updated_at"].clone()), (json!(1), cp["updated_at"].clone()));
    let (cp_id, at) = (id.parse::<i64>().unwrap(), clock.now());
    let status_at: String = sql(&w.s.data_dir, move |c| {
        c.query_row("SELECT status_at FROM gateway_control_planes WHERE id = ?1", [cp_id], |r| r.get(0)).unwrap()
    })
    .await;
    let status_at = chrono::DateTime::parse_from_rfc3339(&status_at).unwrap();
    let status_at = status_at.with_timezone(&chrono::Utc);
    assert!(
        status_at <= at && status_at > at - chrono::Duration::seconds(30),
        "status_at {status_at} follows the job's clock ({at})"
    );
}

#[tokio::test]
async fn deleted_control_planes_are_gone_but_keep_their_name() {
    let w = world().await;
    let org = w.org_num(&w.org_a).await;
    let id = id(&create(&w.alice, &org, json!({"name": "old"})).await);
    let cp_id = id.parse::<i64>().unwrap();
    sql(&w.s.data_dir, move |c| {
        c.execute("UPDATE gateway_control_planes SET status = 6 WHERE id = ?1", [cp_id]).unwrap();
    })
    .await;
    w.alice.get(&cp_path(&org, &id)).await.api7_error(404, 4);
    w.alice.patch(&config(&org, &id), json!({})).await.api7_error(404, 4);
    w.alice.put(&cp_path(&org, &id), json!({})).await.api7_error(404, 4);
    let v = w.alice.get(&cps(&org)).await.api7();
    assert_eq!((v["list"].clone(), v["count"].clone()), (json!([]), json!(0)));
    // It no longer counts against the plan; its name stays taken.
    w.alice.post(&cps(&org), json!({"name": "old"})).await.api7_error(409, 9);
    create(&w.alice, &org, json!({"name": "new"})).await;
}
