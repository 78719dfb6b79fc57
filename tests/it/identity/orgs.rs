//! Identity face organizations: CRUD, asynchronous provisioning and
//! deletion, the shared core with the Layer5 face, validation and the
//! permission matrix.

use serde_json::{Value, json};

use crate::support::scheduler::{ManualClock, clocked_world, manual_clock, run_job};
use crate::support::*;

pub const ORGS: &str = "/api/v1/organizations";

pub fn org_body(name: &str) -> Value {
    json!({"metadata": {"name": name}, "spec": {"organizationType": "adhoc"}})
}

/// Asserts an Identity-format error: status, JSON `{error, error_description}`.
#[track_caller]
pub fn assert_id_error(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status, status, "body: {}", r.text);
    assert!(r.content_type().starts_with("application/json"), "content type {:?}", r.content_type());
    let v = r.json();
    assert_eq!(v["error"], code, "{v}");
    assert!(v["error_description"].as_str().is_some_and(|d| !d.is_empty()), "{v}");
}

/// Provisioning and deletion are a job's work: these tests run the scheduler
/// on a manual clock and run that job when they mean it to happen.
async fn provision(w: &World, clock: &ManualClock) {
    run_job(&w.s, clock, "provisioning").await;
}

/// Creates an organization on the Identity face and has it provisioned.
async fn create_provisioned(w: &World, clock: &ManualClock, api: &Api, name: &str) -> String {
    let v = api.post(ORGS, org_body(name)).await.expect(202);
    let id = v["metadata"]["id"].as_str().unwrap().to_string();
    assert_eq!(v["metadata"]["provisioningStatus"], "provisioning", "{v}");
    provision(w, clock).await;
    let got = api.get(&format!("{ORGS}/{id}")).await.expect(200);
    assert_eq!(got["metadata"]["provisioningStatus"], "provisioned", "{got}");
    id
}

fn names(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|o| o["metadata"]["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn crud_with_provisioning_and_deletion() {
    let clock = manual_clock();
    let w = clocked_world(&clock).await;
    let body = json!({
        "metadata": {"name": "acme", "description": "the acme org", "tags": [{"name": "env", "value": "prod"}]},
        "spec": {"organizationType": "domain", "domain": "Acme.Example"},
    });
    let r = w.admin.post(ORGS, body).await;
    let created = r.expect(202);
    let md = &created["metadata"];
    assert_eq!(md["name"], "acme");
    assert_eq!(md["description"], "the acme org");
    assert_eq!(md["tags"], json!([{"name": "env", "value": "prod"}]));
    assert_eq!(md["provisioningStatus"], "provisioning");
    assert_eq!(md["healthStatus"], "healthy");
    assert_eq!(md["createdBy"], ADMIN_EMAIL);
    assert!(md["creationTime"].is_string() && md.get("deletionTime").is_none(), "{md}");
    assert_eq!(created["spec"], json!({"organizationType": "domain", "domain": "acme.example"}));
    let id = md["id"].as_str().unwrap().to_string();
    let path = format!("{ORGS}/{id}");

    provision(&w, &clock).await;
    let got = w.admin.get(&path).await.expect(200);
    assert_eq!(got["metadata"]["provisioningStatus"], "provisioned", "{got}");
    assert_eq!(got["metadata"]["id"], id.as_str());

    // The creator administers it on both faces.
    let l5 = w.admin.get(&format!("/api/identity/orgs/{id}")).await.expect(200);
    assert_eq!(l5["organizations"][0]["name"], "acme");
    assert_eq!(l5["organizations"][0]["domain"], "acme.example");

    let update = json!({
        "metadata": {"name": "acme-2", "description": ""},
        "spec": {"organizationType": "adhoc"},
    });
    let r = w.admin.put(&path, update).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.is_empty(), "PUT answers without a body: {}", r.text);
    let got = w.admin.get(&path).await.expect(200);
    assert_eq!(got["metadata"]["name"], "acme-2");
    assert!(got["metadata"].get("description").is_none() && got["metadata"].get("tags").is_none(), "{got}");
    assert_eq!(got["spec"], json!({"organizationType": "adhoc"}));

    let r = w.admin.delete(&path).await;
    assert_eq!(r.status, 202, "{}", r.text);
    // Until the job runs, the org is being deprovisioned.
    let got = w.admin.get(&path).await.expect(200);
    let md = &got["metadata"];
    assert_eq!(md["provisioningStatus"], "deprovisioning");
    assert!(md["deletionTime"].is_string(), "{md}");
    provision(&w, &clock).await;
    assert_id_error(&w.admin.get(&path).await, 404, "not_found");
    w.admin.get(&format!("/api/identity/orgs/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    assert!(!names(&w.admin.get(ORGS).await.expect(200)).contains(&"acme-2".to_string()));
}

#[tokio::test]
async fn one_core_for_both_faces() {
    let clock = manual_clock();
    let w = clocked_world(&clock).await;
    // Layer5 orgs are provisioned Identity orgs, names in their label form.
    let spaced = w.alice.create_org(json!({"name": "Org With Spaces"})).await;
    let mine = w.alice.get(ORGS).await.expect(200);
    assert_eq!(names(&mine), ["A", "Org-With-Spaces"], "alice's orgs by name: {mine}");
    let o = mine.as_array().unwrap().iter().find(|o| o["metadata"]["id"] == spaced.as_str()).unwrap();
    assert_eq!(o["metadata"]["provisioningStatus"], "provisioned");
    assert_eq!(o["spec"]["organizationType"], "adhoc");

    // An Identity org is a Layer5 org, and its creator's.
    let id = create_provisioned(&w, &clock, &w.admin, "from-identity").await;
    let l5 = w.admin.get("/api/identity/orgs?all=true&pagesize=100").await.expect(200);
    let l5_ids: Vec<String> = strs(&l5["organizations"], "id");
    assert!(l5_ids.contains(&id), "{l5}");
    let all = w.admin.get(ORGS).await.expect(200);
    // SQLite's binary order: capitals first (the bootstrap made the default org).
    assert_eq!(names(&all), ["A", "B", "Default-Organization", "Org-With-Spaces", "from-identity"]);
    // A Layer5 delete is seen here at once.
    w.admin.delete(&format!("/api/identity/orgs/{id}")).await;
    assert_id_error(&w.admin.get(&format!("{ORGS}/{id}")).await, 404, "not_found");
}

#[tokio::test]
async fn input_is_validated() {
    let w = world().await;
    let before = w.admin.get(ORGS).await.expect(200);
    for (body, what) in [
        (org_body("my org"), "metadata.name"),
        (org_body("-x"), "metadata.name"),
        (json!({"metadata": {"name": "d"}, "spec": {"organizationType": "domain"}}), "spec.domain"),
        (json!({"metadata": {"name": "d"}, "spec": {"organizationType": "adhoc", "domain": "no"}}), "spec.domain"),
        (
            json!({"metadata": {"name": "p"}, "spec": {"organizationType": "adhoc", "providerScope": "global"}}),
            "spec.providerID",
        ),
        (
            json!({"metadata": {"name": "p"}, "spec": {"organizationType": "adhoc", "providerScope": "global",
                   "providerID": "7b0a2f4e-8b9c-4d2e-9f1a-0c3b5d7e9f11"}}),
            "spec.providerID",
        ),
        (
            json!({"metadata": {"name": "t", "tags": [{"name": "a", "value": "1"}, {"name": "a", "value": "2"}]},
                   "spec": {"organizationType": "adhoc"}}),
            "metadata.tags",
        ),
    ] {
        let r = w.admin.post(ORGS, body.clone()).await;
        assert_id_error(&r, 400, "invalid_request");
        assert!(r.json()["error_description"].as_str().unwrap().contains(what), "{body}: {}", r.text);
    }
    for bad in [json!({"metadata": {"name": "x"}, "spec": {"organizationType": "nope"}}), json!({"spec": {}})] {
        assert_id_error(&w.admin.post(ORGS, bad).await, 400, "invalid_request");
    }
    assert_id_error(&w.admin.put(&format!("{ORGS}/{}", w.org_a), org_body("a b")).await, 400, "invalid_request");
    assert_eq!(w.admin.get(ORGS).await.expect(200), before, "nothing was created or changed");
}

#[tokio::test]
async fn permission_matrix() {
    let clock = manual_clock();
    let w = clocked_world(&clock).await;
    let a = format!("{ORGS}/{}", w.org_a);
    assert_id_error(&w.s.anon().get(ORGS).await, 401, "access_denied");
    assert_id_error(&w.s.anon().get(&a).await, 401, "access_denied");
    assert_id_error(&w.s.with_token("nope").get(&a).await, 401, "access_denied");

    // Reading: members of A and provider admins; outsiders are refused.
    for who in [&w.admin, &w.alice, &w.carol] {
        assert_eq!(who.get(&a).await.expect(200)["metadata"]["name"], "A");
    }
    assert_id_error(&w.dave.get(&a).await, 403, "forbidden");
    assert_eq!(names(&w.carol.get(ORGS).await.expect(200)), ["A"]);
    assert_eq!(names(&w.dave.get(ORGS).await.expect(200)), ["B"]);

    // Creating is global: provider admins only.
    for who in [&w.alice, &w.carol, &w.dave] {
        assert_id_error(&who.post(ORGS, org_body("mine")).await, 403, "forbidden");
    }
    // Changing and deleting: the org's admins (and provider admins).
    for who in [&w.carol, &w.dave] {
        assert_id_error(&who.put(&a, org_body("renamed")).await, 403, "forbidden");
        assert_id_error(&who.delete(&a).await, 403, "forbidden");
    }
    assert_eq!(w.alice.put(&a, org_body("A2")).await.status, 200);
    assert_eq!(w.admin.put(&a, org_body("A3")).await.status, 200);

    // Another user's organizations: provider admins only.
    assert_id_error(&w.alice.get(&format!("{ORGS}?email=carol@a.example")).await, 403, "forbidden");
    assert_eq!(names(&w.admin.get(&format!("{ORGS}?email=carol@a.example")).await.expect(200)), ["A3"]);
    assert_id_error(&w.admin.get(&format!("{ORGS}?email=nobody@a.example")).await, 404, "not_found");

    // A provider admin outside an org that does not exist learns so; others are refused.
    let ghost = format!("{ORGS}/0195f0a2-0000-7000-8000-000000000000");
    assert_id_error(&w.admin.get(&ghost).await, 404, "not_found");
    assert_id_error(&w.alice.get(&ghost).await, 403, "forbidden");

    assert_eq!(w.alice.delete(&a).await.status, 202);
    provision(&w, &clock).await;
    assert_eq!(w.alice.get(ORGS).await.expect(200), json!([]), "alice's only org is gone");
}

#[tokio::test]
async fn an_org_named_on_the_layer5_face_keeps_its_name_through_an_update() {
    let srv = Server::start().await;
    let admin = srv.admin().await;
    let list = admin.get("/api/v1/organizations").await.json();
    let default = list
        .as_array()
        .expect("array")
        .iter()
        .find(|o| o["metadata"]["name"] == "Default-Organization")
        .expect("the default org, in its label form")
        .clone();
    let id = default["metadata"]["id"].as_str().expect("id");
    // Either the core name or the label form read back keeps the name.
    for name in ["Default Organization", "Default-Organization"] {
        let keep = json!({"metadata": {"name": name}, "spec": {"organizationType": "domain", "domain": "keep.test"}});
        let r = admin.put(&format!("/api/v1/organizations/{id}"), keep).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let got = admin.get(&format!("/api/v1/organizations/{id}")).await.json();
        assert_eq!(got["spec"]["domain"], "keep.test");
        assert_eq!(got["metadata"]["name"], "Default-Organization");
        let l5 = admin.get(&format!("/api/identity/orgs/{id}")).await.json();
        assert!(l5.to_string().contains("\"Default Organization\""), "the core name stays: {l5}");
    }
    let rename = json!({"metadata": {"name": "Another Name"}, "spec": {"organizationType": "adhoc"}});
    let r = admin.put(&format!("/api/v1/organizations/{id}"), rename).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_request");
}

/// The reference's name pattern, `^[0-9A-Za-z](?:[0-9A-Za-z-_.]{0,61}[0-9A-Za-z])?$`.
fn is_label(name: &str) -> bool {
    let b = name.as_bytes();
    (1..=63).contains(&b.len())
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// Every `metadata.name` this face shows is a label value, whatever the core
/// name (spaces, accents, e-mail addresses, role names); the same name always
/// shows the same label.
#[tokio::test]
async fn every_name_shown_is_a_label() {
    let w = world().await;
    let org = w.alice.create_org(json!({"name": "Équipe de l'été"})).await;
    w.alice.create_team(&org, "My Team").await;
    w.alice.create_workspace(&org, "My Workspace").await;
    w.alice.create_role(&org, "Read Only").await;
    w.alice.create_role(&org, "開発").await;
    w.admin.post_empty(&format!("/api/identity/orgs/{org}/users/{}", w.carol_id)).await.expect(201);
    let base = format!("{ORGS}/{org}");
    let mut seen = vec![];
    for path in [
        ORGS.to_string(),
        format!("{base}/groups"),
        format!("{base}/projects"),
        format!("{base}/roles"),
        format!("{base}/users"),
    ] {
        let list = w.alice.get(&path).await.expect(200);
        for item in list.as_array().unwrap() {
            let name = item["metadata"]["name"].as_str().unwrap().to_string();
            assert!(is_label(&name), "{path}: {name:?} is no label value");
            seen.push(name);
        }
    }
    for want in ["Equipe-de-l-ete", "My-Team", "My-Workspace", "Read-Only", "organization-admin", "carol-a.example"] {
        assert!(seen.iter().any(|n| n == want), "{want} not among {seen:?}");
    }
    assert_eq!(names(&w.alice.get(ORGS).await.expect(200)), names(&w.alice.get(ORGS).await.expect(200)), "stable");
}
