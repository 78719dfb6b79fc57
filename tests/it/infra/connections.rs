//! Connections: both payload spellings, the status life cycle, list filters
//! and the status summary, inline credentials, the Kubernetes context, and
//! removing everything a Meshery server registered.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

const BASE: &str = "/api/integrations/connections";
const CONN_FIELDS: [&str; 14] = [
    "id",
    "name",
    "credential_id",
    "type",
    "sub_type",
    "kind",
    "metadata",
    "status",
    "user_id",
    "created_at",
    "updated_at",
    "deleted_at",
    "environments",
    "schemaVersion",
];

fn conn_path(id: &str) -> String {
    format!("{BASE}/{id}")
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id: {v}")).to_string()
}

async fn total(api: &Api) -> u64 {
    api.get(BASE).await.expect(200)["total_count"].as_u64().unwrap()
}

#[tokio::test]
async fn create_in_either_spelling() {
    let w = world().await;
    let cred = w.alice.create_credential(&w.org_a, "kubeconfig", json!({"token": "t"})).await;

    let body = json!({
        "name": "Cluster One", "type": "Platform", "sub_type": "Orchestration", "kind": "Kubernetes",
        "status": "Discovered", "metadata": {"server": "https://k8s.example:6443"}, "credential_id": cred,
    });
    let r = w.alice.ctx(&w.org_a).post(BASE, body).await;
    let c = r.expect(201);
    assert!(r.content_type().starts_with("application/json"));
    for f in CONN_FIELDS {
        assert!(c.get(f).is_some(), "connection lacks {f}: {c}");
    }
    assert_eq!(c["name"], "Cluster One", "the name keeps its case");
    assert_eq!(
        (c["type"].as_str(), c["sub_type"].as_str(), c["kind"].as_str(), c["status"].as_str()),
        (Some("platform"), Some("orchestration"), Some("kubernetes"), Some("discovered"))
    );
    assert!(c["schemaVersion"].as_str().is_some_and(|s| !s.is_empty()), "{c}");
    assert_eq!(c["environments"], json!([]));
    assert_eq!(c["metadata"], json!({"server": "https://k8s.example:6443"}));
    assert_eq!(c["credential_id"], cred.as_str());
    assert_eq!(c["user_id"], w.alice_id.as_str());
    assert!(c["deleted_at"].is_null());
    assert_eq!(w.carol.get(&conn_path(&id_of(&c))).await.expect(200), c, "a member reads the same connection");

    // The Meshery spelling; the answer keeps the Layer5 one.
    let id = uuid::Uuid::new_v4().to_string();
    let body = json!({
        "id": id, "name": "prom", "type": "telemetry", "subType": "Metrics", "kind": "prometheus",
        "status": "connected", "credentialId": cred,
    });
    let m = w.alice.create_connection(&w.org_a, body).await;
    assert_eq!(m["id"], id.as_str(), "a client-chosen id is kept");
    assert_eq!(m["sub_type"], "metrics");
    assert_eq!(m["credential_id"], cred.as_str());
    assert_eq!(m["metadata"], json!({}));
    assert!(m.get("subType").is_none() && m.get("credentialId").is_none(), "{m}");

    // An update may use either spelling too.
    let body = json!({"name": "prom", "type": "telemetry", "subType": "Monitoring", "kind": "prometheus", "status": "connected"});
    let u = w.alice.put(&conn_path(&id), body).await.expect(200);
    assert_eq!(u["sub_type"], "monitoring");
    assert_eq!(u["credential_id"], cred.as_str(), "an update naming no credential keeps it");
    assert_eq!(u["created_at"], m["created_at"]);

    // Bad input creates nothing.
    let before = total(&w.alice.ctx(&w.org_a)).await;
    for body in [
        json!({"name": "x", "type": "platform", "kind": "kubernetes", "status": "connected"}),
        json!({"name": "x", "type": "platform", "sub_type": "o", "status": "connected"}),
        json!({"name": "", "type": "platform", "sub_type": "o", "kind": "kubernetes", "status": "connected"}),
        json!({"type": "platform", "sub_type": "o", "kind": "kubernetes", "status": "connected"}),
        json!({"name": "x", "type": "platform", "sub_type": "o", "kind": "kubernetes"}),
        json!({"name": "x", "type": "platform", "sub_type": "o", "kind": "kubernetes", "status": "up"}),
        json!({"name": "x", "type": "platform", "sub_type": "o", "kind": "kubernetes", "status": "connected", "metadata": [1]}),
        json!({"name": "x", "type": "platform", "sub_type": "o", "kind": "kubernetes", "status": "connected", "credential_id": "nope"}),
    ] {
        w.alice.ctx(&w.org_a).post(BASE, body).await.assert_l5_error(400, L5_BAD_REQUEST);
    }
    w.alice.ctx(&w.org_a).raw(Method::POST, BASE, "{").await.assert_l5_error(400, L5_BAD_REQUEST);
    assert_eq!(total(&w.alice.ctx(&w.org_a)).await, before);
}

/// The documented life cycle: where each status may go (besides staying put).
fn allowed(from: &str) -> &'static [&'static str] {
    match from {
        "discovered" => &["registered", "ignored", "not found"],
        "registered" => &["connected", "ignored", "disconnected", "not found", "deleted"],
        "connected" => &["disconnected", "maintenance", "ignored", "not found", "deleted"],
        "maintenance" => &["connected", "disconnected", "not found", "deleted"],
        "disconnected" => &["connected", "registered", "ignored", "not found", "deleted"],
        "ignored" => &["registered", "discovered", "deleted"],
        "not found" => &["discovered", "registered", "connected", "deleted"],
        _ => &[],
    }
}

const STATUSES: [&str; 8] =
    ["discovered", "registered", "connected", "ignored", "maintenance", "disconnected", "deleted", "not found"];

#[tokio::test]
async fn status_life_cycle() {
    let w = world().await;
    // More than the Free plan allows.
    w.unlimited(&w.org_a).await;
    let api = w.alice.ctx(&w.org_a);
    // What a connection cannot start in.
    for status in ["deleted", "not found", "disconnected", "Deleted"] {
        let r = api.post(BASE, connection_body("late", "kubernetes", status)).await;
        r.assert_l5_error(400, L5_BAD_REQUEST);
    }
    assert_eq!(total(&api).await, 0);

    let mut failures = vec![];
    for (n, from) in STATUSES.iter().enumerate() {
        for to in STATUSES {
            let name = format!("c-{n}-{}", to.replace(' ', "_"));
            // Statuses a connection cannot start in are reached from `connected`.
            let start = if ["disconnected", "deleted", "not found"].contains(from) { "connected" } else { from };
            let id = id_of(&api.post(BASE, connection_body(&name, "kubernetes", start)).await.expect(201));
            if start != *from {
                w.alice.put(&conn_path(&id), connection_body(&name, "kubernetes", from)).await.expect(200);
            }
            let ok = *from == to || allowed(from).contains(&to);
            let r = w.alice.put(&conn_path(&id), connection_body(&name, "kubernetes", to)).await;
            // `deleted` is final: the connection is gone, so it is "not found" from then on.
            if *from == "deleted" {
                if r.status != 404 {
                    failures.push(format!("{from} -> {to}: expected 404 for a deleted connection, got {}", r.status));
                }
                continue;
            }
            let after = w.alice.get(&conn_path(&id)).await;
            if to == "deleted" && ok {
                if r.status != 200 || r.json()["status"] != "deleted" || after.status != 404 {
                    failures.push(format!(
                        "{from} -> deleted: expected 200 then gone, got {} / {}",
                        r.status, after.status
                    ));
                }
                continue;
            }
            let now = after.expect(200)["status"].as_str().unwrap_or("").to_string();
            if ok && (r.status != 200 || r.json()["status"] != to || now != to) {
                failures.push(format!("{from} -> {to}: expected 200, got {} {} (now {now})", r.status, r.text));
            }
            if !ok {
                let names_targets = allowed(from).iter().all(|t| r.text.contains(t));
                if r.status != 400 || !r.text.starts_with(L5_BAD_REQUEST) || !names_targets || now != *from {
                    failures.push(format!(
                        "{from} -> {to}: expected 400 naming {:?}, got {} {:?} (now {now})",
                        allowed(from),
                        r.status,
                        r.text
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} deviation(s):\n{}", failures.len(), failures.join("\n"));

    // Status is compared in lower case.
    let id = id_of(&api.post(BASE, connection_body("case", "kubernetes", "REGISTERED")).await.expect(201));
    let v = w.alice.put(&conn_path(&id), connection_body("case", "kubernetes", "Connected")).await.expect(200);
    assert_eq!(v["status"], "connected");
}

async fn seed_for_filters(w: &World) {
    for (name, kind, ty, status) in [
        ("k8s-a", "kubernetes", "platform", "connected"),
        ("k8s-b", "kubernetes", "platform", "discovered"),
        ("prom", "prometheus", "telemetry", "connected"),
        ("graf", "grafana", "telemetry", "registered"),
        ("gh", "github", "collaboration", "ignored"),
    ] {
        let body = json!({"name": name, "type": ty, "sub_type": "x", "kind": kind, "status": status});
        w.alice.create_connection(&w.org_a, body).await;
    }
    w.admin.create_connection(&w.org_b, connection_body("k8s-other-org", "kubernetes", "connected")).await;
}

#[tokio::test]
async fn list_filters_and_status_summary() {
    let w = world().await;
    seed_for_filters(&w).await;
    let api = w.carol.ctx(&w.org_a);
    let names = |v: &Value| {
        let mut n = strs(&v["connections"], "name");
        n.sort();
        n
    };

    let v = api.get(&format!("{BASE}?pagesize=1&order=name")).await.expect(200);
    assert_eq!(page_items(&v, "connections", 0, 1, 5).len(), 1);
    assert_eq!(v["connections"][0]["name"], "gh");
    // The summary counts every match, not only the page.
    assert_eq!(v["statusSummary"], json!({"connected": 2, "discovered": 1, "registered": 1, "ignored": 1}));

    let cases: Vec<(String, Vec<&str>)> = vec![
        ("kind=kubernetes".into(), vec!["k8s-a", "k8s-b"]),
        ("kind=kubernetes&kind=prometheus".into(), vec!["k8s-a", "k8s-b", "prom"]),
        ("kind=kubernetes,prometheus".into(), vec!["k8s-a", "k8s-b", "prom"]),
        (format!("kind={}", enc(r#"["kubernetes","prometheus"]"#)), vec!["k8s-a", "k8s-b", "prom"]),
        ("status=connected".into(), vec!["k8s-a", "prom"]),
        ("status=registered,ignored".into(), vec!["gh", "graf"]),
        ("type=telemetry".into(), vec!["graf", "prom"]),
        ("type=telemetry&type=collaboration".into(), vec!["gh", "graf", "prom"]),
        ("status=connected&type=telemetry".into(), vec!["prom"]),
        ("name=k8s".into(), vec!["k8s-a", "k8s-b"]),
        ("name=8s-b".into(), vec!["k8s-b"]),
        (format!("filter={}", enc(r#"{"kind": ["kubernetes"], "status": ["connected"]}"#)), vec!["k8s-a"]),
        (format!("filter={}", enc(r#"{"type": ["telemetry"]}"#)), vec!["graf", "prom"]),
        (format!("filter={}", enc(r#"{"name": "gra"}"#)), vec!["graf"]),
        ("search=telemetry".into(), vec!["graf", "prom"]),
        ("kind=slack".into(), vec![]),
    ];
    for (query, want) in cases {
        let v = api.get(&format!("{BASE}?{query}")).await.expect(200);
        assert_eq!(names(&v), want, "{query}");
        assert_eq!(v["total_count"], want.len(), "{query}");
        let counted: u64 = v["statusSummary"].as_object().unwrap().values().map(|n| n.as_u64().unwrap()).sum();
        assert_eq!(counted, want.len() as u64, "statusSummary of {query}: {v}");
    }
    let v = api.get(&format!("{BASE}?kind=kubernetes&pagesize=1")).await.expect(200);
    assert_eq!(v["statusSummary"], json!({"connected": 1, "discovered": 1}));

    // The list documents no 400: what it cannot understand is ignored, and a
    // kind that is no array of strings is one value that names no kind.
    let all = api.get(BASE).await.expect(200)["total_count"].clone();
    for odd in ["filter=nope", "filter=%5B1%5D", "page=x", "order=secret"] {
        assert_eq!(api.get(&format!("{BASE}?{odd}")).await.expect(200)["total_count"], all, "{odd}");
    }
    let not_strings = format!("{BASE}?kind={}", enc("[1, 2]"));
    assert_eq!(api.get(&not_strings).await.expect(200)["total_count"], 0);
    // Another org's list is not found; its own holds only its connection.
    w.dave.ctx(&w.org_a).get(BASE).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(names(&w.dave.get(BASE).await.expect(200)), ["k8s-other-org"]);
}

#[tokio::test]
async fn ordering_and_the_org_in_context() {
    let w = world().await;
    seed_for_filters(&w).await;
    let api = w.alice.ctx(&w.org_a);
    for (order, field, descending) in
        [("status", "status", false), ("kind%20desc", "kind", true), ("type", "type", false), ("-name", "name", true)]
    {
        let v = api.get(&format!("{BASE}?order={order}")).await.expect(200);
        let got = strs(&v["connections"], field);
        let mut want = got.clone();
        want.sort();
        if descending {
            want.reverse();
        }
        assert_eq!(got, want, "order={order}");
        assert_eq!(got.len(), 5);
    }
    w.alice.ctx(&w.org_a).get(&format!("{BASE}?order=credential_id")).await.expect(200);

    // Creating acts in the org in context: the header, else the selected organization.
    let org_c = w.alice.create_org(json!({"name": "C"})).await;
    let in_c = w.alice.create_connection(&org_c, connection_body("in-c", "kubernetes", "connected")).await;
    w.alice.put("/api/identity/users/preferences", json!({"selectedOrganization": org_c})).await.expect(200);
    w.alice.post(BASE, connection_body("also-in-c", "kubernetes", "connected")).await.expect(201);
    let mut c = strs(&w.alice.get(BASE).await.expect(200)["connections"], "name");
    c.sort();
    assert_eq!(c, ["also-in-c", "in-c"]);
    assert_eq!(total(&api).await, 5, "org A got none of them");
    // A call naming a connection acts in its org, whatever the header says.
    let id = id_of(&in_c);
    assert_eq!(w.alice.ctx(&w.org_a).get(&conn_path(&id)).await.expect(200)["name"], "in-c");
    w.carol.ctx(&w.org_a).get(&conn_path(&id)).await.assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn credentials_of_connections() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let mut body = connection_body("vault-backed", "Kubernetes", "connected");
    body["credentialSecret"] = json!({"token": "inline-secret-9f2c"});
    let r = api.post(BASE, body).await;
    let c = r.expect(201);
    assert!(!r.text.contains("inline-secret-9f2c"), "the secret is not echoed: {}", r.text);
    let cred = c["credential_id"].as_str().unwrap_or_else(|| panic!("a credential was linked: {c}")).to_string();

    let k = w.alice.get(&format!("/api/integrations/credentials/{cred}")).await.expect(200);
    assert_eq!(k["name"], "vault-backed credential");
    assert_eq!(k["type"], "kubernetes");
    assert_eq!(k["user_id"], w.alice_id.as_str());
    assert_eq!(k["secret"], json!({"token": "inline-secret-9f2c"}));
    let list = api.get("/api/integrations/credentials").await.expect(200);
    assert_eq!(strs(&list["credentials"], "id"), [cred.as_str()]);

    // A PUT naming no credential keeps it; one naming another org's is refused.
    let id = id_of(&c);
    let keep = w.alice.put(&conn_path(&id), connection_body("vault-backed", "kubernetes", "connected")).await;
    assert_eq!(keep.expect(200)["credential_id"], cred.as_str());
    let foreign = w.admin.create_credential(&w.org_b, "b-cred", json!({"k": "v"})).await;
    for field in ["credential_id", "credentialId"] {
        let mut body = connection_body("vault-backed", "kubernetes", "maintenance");
        body[field] = json!(foreign);
        w.admin.put(&conn_path(&id), body.clone()).await.assert_l5_error(400, L5_BAD_REQUEST);
        body["name"] = json!("new");
        api.post(BASE, body).await.assert_l5_error(400, L5_BAD_REQUEST);
    }
    let mut body = connection_body("x", "kubernetes", "connected");
    body["credential_id"] = json!(uuid::Uuid::new_v4());
    api.post(BASE, body).await.assert_l5_error(400, L5_BAD_REQUEST);
    let now = w.alice.get(&conn_path(&id)).await.expect(200);
    assert_eq!((now["status"].as_str(), now["credential_id"].as_str()), (Some("connected"), Some(cred.as_str())));
    assert_eq!(total(&api).await, 1);

    // Linking another of the org's credentials by id.
    let other = w.alice.create_credential(&w.org_a, "second", json!({"k": "v"})).await;
    let mut body = connection_body("vault-backed", "kubernetes", "connected");
    body["credential_id"] = json!(other);
    assert_eq!(w.alice.put(&conn_path(&id), body).await.expect(200)["credential_id"], other.as_str());

    // An inline secret on an update stores a fresh credential.
    let mut body = connection_body("renamed", "grafana", "connected");
    body["credentialSecret"] = json!({"api_key": "fresh-inline"});
    let v = w.alice.put(&conn_path(&id), body).await.expect(200);
    let fresh = v["credential_id"].as_str().unwrap_or_default().to_string();
    assert!(fresh != cred && fresh != other && !fresh.is_empty(), "{v}");
    let k = w.alice.get(&format!("/api/integrations/credentials/{fresh}")).await.expect(200);
    assert_eq!((k["name"].as_str(), k["type"].as_str()), (Some("renamed credential"), Some("grafana")));
    assert_eq!(k["secret"], json!({"api_key": "fresh-inline"}));

    // An inline secret needs the permission to create credentials.
    let role = w.alice.create_role(&w.org_a, "connector").await;
    let kc = w.alice.create_keychain(&w.org_a, "connect only").await;
    for key in ["infra.connections.create", "infra.connections.update", "infra.connections.read"] {
        let key = w.alice.key_id(key).await;
        w.alice.post_empty(&format!("/api/auth/keychains/{kc}/{key}")).await.expect_204();
    }
    w.alice.post_empty(&format!("/api/identity/orgs/{}/roles/{role}/keychains/{kc}", w.org_a)).await.expect(200);
    let grant = json!({"email": "carol@a.example", "roleNames": ["connector"]});
    w.alice.ctx(&w.org_a).post("/api/identity/roles", grant).await.expect(201);
    let carol = w.carol.ctx(&w.org_a);
    carol.post(BASE, connection_body("plain", "kubernetes", "connected")).await.expect(201);
    let mut body = connection_body("with-secret", "kubernetes", "connected");
    body["credentialSecret"] = json!({"token": "nope"});
    carol.post(BASE, body).await.assert_l5_error(401, L5_UNAUTHORIZED);
    let creds = api.get("/api/integrations/credentials?pagesize=all").await.expect(200);
    assert_eq!(creds["total_count"], 3, "no credential was made for the refused connection: {creds}");
    assert_eq!(total(&api).await, 2);
}

#[tokio::test]
async fn kubernetes_context() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let ctx_url = |id: &str| format!("{BASE}/kubernetes/{id}/context");
    let mut body = connection_body("with-context", "kubernetes", "connected");
    body["metadata"] = json!({"context": {"cluster": "c1", "user": "u1", "namespace": "ns"}, "name": "ignored"});
    let stored = id_of(&api.post(BASE, body).await.expect(201));
    let mut body = connection_body("flat", "kubernetes", "connected");
    body["metadata"] =
        json!({"name": "ctx", "server": "https://k.example", "namespace": "default", "token": "no", "other": 1});
    let flat = id_of(&api.post(BASE, body).await.expect(201));
    let bare = id_of(&api.post(BASE, connection_body("bare", "kubernetes", "connected")).await.expect(201));
    let prom = id_of(&api.post(BASE, connection_body("prom", "prometheus", "connected")).await.expect(201));

    let v = w.carol.get(&ctx_url(&stored)).await.expect(200);
    assert_eq!(v, json!({"cluster": "c1", "user": "u1", "namespace": "ns"}));
    let v = w.carol.get(&ctx_url(&flat)).await.expect(200);
    assert_eq!(v, json!({"name": "ctx", "server": "https://k.example", "namespace": "default"}));
    w.carol.get(&ctx_url(&prom)).await.assert_l5_error(400, L5_BAD_REQUEST);
    w.carol.get(&ctx_url(&bare)).await.assert_l5_error(404, L5_NOT_FOUND);
    w.carol.get(&ctx_url(&uuid::Uuid::new_v4().to_string())).await.assert_l5_error(404, L5_NOT_FOUND);
    w.dave.get(&ctx_url(&stored)).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.delete(&conn_path(&stored)).await.expect_204();
    w.carol.get(&ctx_url(&stored)).await.assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn delete_meshery_server() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let server = uuid::Uuid::new_v4().to_string();
    let other_server = uuid::Uuid::new_v4().to_string();
    let mut body = connection_body("the server", "meshery", "connected");
    body["id"] = json!(server);
    let own = id_of(&api.post(BASE, body).await.expect(201));
    let mut gone = vec![own];
    for key in ["server_id", "meshery_server_id", "mesheryServerId", "meshery_instance_id"] {
        let mut body = connection_body(&format!("via {key}"), "kubernetes", "connected");
        body["metadata"] = json!({});
        body["metadata"][key] = json!(server);
        gone.push(id_of(&api.post(BASE, body).await.expect(201)));
    }
    let mut body = connection_body("elsewhere", "kubernetes", "connected");
    body["metadata"] = json!({"server_id": other_server});
    let stays = id_of(&api.post(BASE, body).await.expect(201));
    let mut body = connection_body("other org", "kubernetes", "connected");
    body["metadata"] = json!({"server_id": server});
    let b_conn = id_of(&w.admin.create_connection(&w.org_b, body).await);

    let path = format!("{BASE}/meshery/{server}");
    w.carol.ctx(&w.org_a).delete(&path).await.assert_l5_error(401, L5_UNAUTHORIZED);
    api.delete(&path).await.expect_204();
    for id in &gone {
        w.alice.get(&conn_path(id)).await.assert_l5_error(404, L5_NOT_FOUND);
    }
    assert_eq!(w.alice.get(&conn_path(&stays)).await.expect(200)["name"], "elsewhere");
    assert_eq!(w.admin.get(&conn_path(&b_conn)).await.expect(200)["name"], "other org", "another org's are untouched");
    assert_eq!(strs(&api.get(BASE).await.expect(200)["connections"], "id"), [stays.as_str()]);

    api.delete(&path).await.assert_l5_error(404, L5_NOT_FOUND);
    api.delete(&format!("{BASE}/meshery/{}", uuid::Uuid::new_v4())).await.assert_l5_error(404, L5_NOT_FOUND);
    // Org B's connection goes only when B is the org in context.
    w.admin.ctx(&w.org_b).delete(&path).await.expect_204();
    w.admin.get(&conn_path(&b_conn)).await.assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn soft_delete() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let c = api.post(BASE, connection_body("short-lived", "kubernetes", "connected")).await.expect(201);
    let keep = api.post(BASE, connection_body("keeper", "kubernetes", "registered")).await.expect(201);
    let (id, keep) = (id_of(&c), id_of(&keep));
    let env = w.alice.create_env(&w.org_a, "e").await;
    assert_eq!(w.alice.post_empty(&format!("/api/environments/{env}/connections/{id}")).await.status, 201);

    w.carol.delete(&conn_path(&id)).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.dave.delete(&conn_path(&id)).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.delete(&conn_path(&id)).await.expect_204();
    w.alice.get(&conn_path(&id)).await.assert_l5_error(404, L5_NOT_FOUND);
    let put = w.alice.put(&conn_path(&id), connection_body("short-lived", "kubernetes", "connected")).await;
    put.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.delete(&conn_path(&id)).await.assert_l5_error(404, L5_NOT_FOUND);

    let v = api.get(BASE).await.expect(200);
    assert_eq!(strs(&page_items(&v, "connections", 0, 10, 1).into(), "id"), [keep.as_str()]);
    assert_eq!(v["statusSummary"], json!({"registered": 1}));
    let v = w.alice.get(&format!("/api/environments/{env}/connections")).await.expect(200);
    assert!(page_items(&v, "connections", 0, 10, 0).is_empty(), "{v}");
    // Nothing is left to detach.
    w.alice.delete(&format!("/api/environments/{env}/connections/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
}

/// A PUT without `metadata` (or `sub_type`) keeps what is stored: the
/// Kubernetes context stays readable.
#[tokio::test]
async fn put_keeps_absent_fields() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let mut body = connection_body("cluster", "kubernetes", "connected");
    body["metadata"] = json!({"context": {"cluster": "c1", "user": "u1"}});
    let id = id_of(&api.post(BASE, body).await.expect(201));
    let update = json!({"name": "renamed", "type": "platform", "kind": "kubernetes", "status": "connected"});
    let v = api.put(&conn_path(&id), update).await.expect(200);
    assert_eq!(v["name"], "renamed");
    assert_eq!(v["metadata"], json!({"context": {"cluster": "c1", "user": "u1"}}), "{v}");
    assert_eq!(v["sub_type"], "orchestration", "{v}");
    let ctx = api.get(&format!("{BASE}/kubernetes/{id}/context")).await.expect(200);
    assert_eq!(ctx, json!({"cluster": "c1", "user": "u1"}));
    // Sent, it replaces.
    let mut replace = connection_body("renamed", "kubernetes", "connected");
    replace["metadata"] = json!({"other": 1});
    assert_eq!(api.put(&conn_path(&id), replace).await.expect(200)["metadata"], json!({"other": 1}));
}

/// A connection's `environments` are whole environment objects, as the
/// upstream schema has them; ids without a value are the nil UUID, not null.
#[tokio::test]
async fn environments_are_full_objects() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let id = id_of(&api.post(BASE, connection_body("k", "kubernetes", "connected")).await.expect(201));
    let env = w.alice.create_env(&w.org_a, "prod").await;
    assert_eq!(w.alice.post_empty(&format!("/api/environments/{env}/connections/{id}")).await.status, 201);
    let c = w.alice.get(&conn_path(&id)).await.expect(200);
    assert_eq!(c["credential_id"], NIL_UUID, "{c}");
    assert_eq!(c["user_id"], w.alice_id.as_str());
    let envs = c["environments"].as_array().expect("environments");
    assert_eq!(envs.len(), 1, "{c}");
    let whole = w.alice.get(&format!("/api/environments/{env}")).await.expect(200)["environments"][0].clone();
    assert_eq!(envs[0], whole, "the same object the environment API answers");
    for f in ["id", "schemaVersion", "name", "description", "organization_id", "owner", "created_at", "metadata"] {
        assert!(envs[0].get(f).is_some_and(|v| !v.is_null()), "{f}: {c}");
    }
}
