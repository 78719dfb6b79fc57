//! Keys (permissions) and keychains: the built-in catalogue is read-only,
//! custom keys are the provider's, keychains belong to an org.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

const KEY_FIELDS: [&str; 8] =
    ["id", "owner", "function", "category", "subcategory", "description", "created_at", "updated_at"];
const KEYCHAIN_FIELDS: [&str; 5] = ["id", "name", "owner", "created_at", "updated_at"];

fn code(k: &Value) -> String {
    format!(
        "{}.{}.{}",
        k["category"].as_str().unwrap(),
        k["subcategory"].as_str().unwrap(),
        k["function"].as_str().unwrap()
    )
}

fn codes(page: &Value) -> BTreeSet<String> {
    page["keys"].as_array().unwrap_or_else(|| panic!("keys page: {page}")).iter().map(code).collect()
}

#[tokio::test]
async fn the_built_in_catalogue_is_listed_and_read_only() {
    let w = world().await;
    let v = w.dave.get("/api/auth/keys?pagesize=500").await.expect(200);
    let keys = v["keys"].as_array().unwrap();
    assert_eq!(v["total_count"].as_u64(), Some(keys.len() as u64));
    assert!(keys.len() >= 26, "the catalogue guards every identity operation: {}", keys.len());
    for k in keys {
        for f in KEY_FIELDS {
            assert!(k.get(f).is_some(), "key lacks {f}: {k}");
        }
        assert_eq!(k["owner"], NIL_UUID, "built-in keys belong to the appliance: {k}");
    }
    let all = codes(&v);
    for c in ["identity.teams.create", "identity.teams.read", "identity.keys.manage", "identity.signup_requests.decide"]
    {
        assert!(all.contains(c), "{c} missing from {all:?}");
    }

    let paged = w.carol.get("/api/auth/keys?pagesize=5&page=1").await.expect(200);
    assert_eq!((paged["page"].as_u64(), paged["page_size"].as_u64()), (Some(1), Some(5)));
    assert_eq!(paged["keys"].as_array().unwrap().len(), 5);
    assert_eq!(paged["total_count"], v["total_count"]);
    w.s.anon().get("/api/auth/keys").await.assert_l5_error(401, L5_UNAUTHORIZED);

    let id = w.carol.key_id("identity.teams.create").await;
    let one = w.carol.get(&format!("/api/auth/key/{id}")).await.expect(200);
    assert_eq!(code(&one), "identity.teams.create");
    assert_eq!(one["owner"], NIL_UUID);

    w.admin.delete(&format!("/api/auth/key/{id}")).await.assert_l5_error(400, L5_BAD_REQUEST);
    let r = w.admin.post("/api/auth/keys", json!({"id": id, "function": "create", "category": "identity", "subcategory": "teams", "description": "mine now"})).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert_eq!(w.carol.get(&format!("/api/auth/key/{id}")).await.expect(200), one, "unchanged");
    w.carol.get("/api/auth/key/not-a-uuid").await.assert_l5_error(404, L5_NOT_FOUND);
    w.carol.get(&format!("/api/auth/key/{}", uuid::Uuid::now_v7())).await.assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn custom_keys_are_for_provider_admins() {
    let w = world().await;
    let before = w.carol.all_keys().await.len();
    let body = json!({"function": "deploy", "category": "pipelines", "subcategory": "runs", "description": "start a pipeline run"});
    w.alice.post("/api/auth/keys", body.clone()).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.carol.post("/api/auth/keys", body.clone()).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.s.anon().post("/api/auth/keys", body.clone()).await.assert_l5_error(401, L5_UNAUTHORIZED);
    assert_eq!(w.carol.all_keys().await.len(), before, "refusals created nothing");

    let key = w.admin.post("/api/auth/keys", body).await.expect(200);
    for f in KEY_FIELDS {
        assert!(key.get(f).is_some(), "key lacks {f}: {key}");
    }
    assert_eq!(code(&key), "pipelines.runs.deploy");
    assert_eq!(key["description"], "start a pipeline run");
    let id = key["id"].as_str().unwrap().to_string();
    assert_eq!(w.carol.all_keys().await.len(), before + 1);

    let updated = w
        .admin
        .post("/api/auth/keys", json!({"id": id, "function": "deploy", "category": "pipelines", "subcategory": "runs", "description": "changed"}))
        .await
        .expect(200);
    assert_eq!(updated["id"], id.as_str(), "an id updates in place");
    assert_eq!(updated["description"], "changed");
    assert_eq!(w.carol.all_keys().await.len(), before + 1);
    assert_eq!(w.dave.get(&format!("/api/auth/key/{id}")).await.expect(200)["description"], "changed");

    w.alice.delete(&format!("/api/auth/key/{id}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.admin.delete(&format!("/api/auth/key/{id}")).await.expect_204();
    w.admin.get(&format!("/api/auth/key/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.admin.delete(&format!("/api/auth/key/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(w.carol.all_keys().await.len(), before);
    w.admin.raw(Method::POST, "/api/auth/keys", r#"{"function": 1}"#).await.assert_l5_error(400, L5_BAD_REQUEST);
}

#[tokio::test]
async fn keychains_belong_to_their_org() {
    let w = world().await;
    let r = w.alice.post("/api/auth/keychains", json!({"name": "ops"})).await;
    let kc = r.expect(200);
    for f in KEYCHAIN_FIELDS {
        assert!(kc.get(f).is_some(), "keychain lacks {f}: {kc}");
    }
    assert_eq!(kc["name"], "ops");
    assert_eq!(kc["owner"], w.org_a.as_str(), "owned by the org in context");
    let id = kc["id"].as_str().unwrap().to_string();
    let path = format!("/api/auth/keychains/{id}");

    assert_eq!(w.carol.get(&path).await.expect(200), kc);
    let renamed = w.alice.put(&path, json!({"name": "ops-2"})).await.expect(200);
    assert_eq!((renamed["id"].as_str(), renamed["name"].as_str()), (Some(id.as_str()), Some("ops-2")));
    let list = w.alice.get("/api/auth/keychains?pagesize=500").await.expect(200);
    let names: BTreeSet<String> = strs(&list["keychains"], "name").into_iter().collect();
    for n in ["Provider administration", "Organization administration", "Workspace administration", "Member", "ops-2"] {
        assert!(names.contains(n), "{n} missing from {names:?}");
    }
    assert_eq!(list["total_count"].as_u64(), Some(names.len() as u64));

    w.alice.post("/api/auth/keychains", json!({"name": "ops-2"})).await.assert_l5_error(400, L5_BAD_REQUEST);
    for body in ["{", "{}", r#"{"name": ""}"#, r#"{"name": 4}"#] {
        w.alice.raw(Method::POST, "/api/auth/keychains", body).await.assert_l5_error(400, L5_BAD_REQUEST);
        w.alice.raw(Method::PUT, &path, body).await.assert_l5_error(400, L5_BAD_REQUEST);
    }

    // Members read but do not change; other orgs do not reach it.
    w.carol.post("/api/auth/keychains", json!({"name": "mine"})).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.carol.put(&path, json!({"name": "carol's"})).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.carol.delete(&path).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.dave.put(&path, json!({"name": "dave's"})).await.assert_l5_error(404, L5_NOT_FOUND);
    w.dave.delete(&path).await.assert_l5_error(404, L5_NOT_FOUND);
    w.s.anon().get(&path).await.assert_l5_error(401, L5_UNAUTHORIZED);
    assert_eq!(w.alice.get(&path).await.expect(200)["name"], "ops-2");

    w.alice.delete(&path).await.expect_204();
    w.alice.get(&path).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.delete(&path).await.assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn keys_in_a_keychain() {
    let w = world().await;
    let kc = w.alice.create_keychain(&w.org_a, "readers").await;
    let read = w.alice.key_id("identity.teams.read").await;
    let create = w.alice.key_id("identity.teams.create").await;
    let keys = format!("/api/auth/keychains/{kc}/keys");

    let v = w.carol.get(&keys).await.expect(200);
    assert_eq!(v["total_count"], 0);
    assert!(v["keys"].as_array().unwrap().is_empty());
    w.alice.post_empty(&format!("/api/auth/keychains/{kc}/{read}")).await.expect_204();
    w.alice.post_empty(&format!("/api/auth/keychains/{kc}/{create}")).await.expect_204();
    let v = w.carol.get(&keys).await.expect(200);
    assert_eq!(v["total_count"], 2);
    assert_eq!(codes(&v), BTreeSet::from(["identity.teams.create".to_string(), "identity.teams.read".to_string()]));
    let v = w.carol.get(&format!("{keys}?pagesize=1")).await.expect(200);
    assert_eq!((v["page_size"].as_u64(), v["total_count"].as_u64()), (Some(1), Some(2)));

    w.alice.delete(&format!("/api/auth/keychains/{kc}/{create}")).await.expect_204();
    w.alice.delete(&format!("/api/auth/keychains/{kc}/{create}")).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(codes(&w.carol.get(&keys).await.expect(200)), BTreeSet::from(["identity.teams.read".to_string()]));

    // Nobody can put a key they do not hold into a keychain.
    let manage = w.alice.key_id("identity.keys.manage").await;
    w.alice.post_empty(&format!("/api/auth/keychains/{kc}/{manage}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.carol.post_empty(&format!("/api/auth/keychains/{kc}/{read}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.alice
        .post_empty(&format!("/api/auth/keychains/{kc}/{}", uuid::Uuid::now_v7()))
        .await
        .assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(w.carol.get(&keys).await.expect(200)["total_count"], 1);
}

#[tokio::test]
async fn built_in_keychains_are_read_only() {
    let w = world().await;
    let member = w.alice.keychain_id("Member").await;
    let path = format!("/api/auth/keychains/{member}");
    let kc = w.carol.get(&path).await.expect(200);
    assert_eq!(kc["owner"], NIL_UUID);
    let member_keys = codes(&w.carol.get(&format!("{path}/keys?pagesize=500")).await.expect(200));
    assert!(member_keys.contains("identity.teams.read"));
    assert!(!member_keys.contains("identity.teams.create"));

    let read = w.alice.key_id("identity.teams.read").await;
    let create = w.alice.key_id("identity.teams.create").await;
    for api in [&w.admin, &w.alice] {
        api.put(&path, json!({"name": "Everyone"})).await.assert_l5_error(400, L5_BAD_REQUEST);
        api.delete(&path).await.assert_l5_error(400, L5_BAD_REQUEST);
        api.post_empty(&format!("{path}/{create}")).await.assert_l5_error(400, L5_BAD_REQUEST);
        api.delete(&format!("{path}/{read}")).await.assert_l5_error(400, L5_BAD_REQUEST);
    }
    assert_eq!(w.carol.get(&path).await.expect(200), kc);
    assert_eq!(codes(&w.carol.get(&format!("{path}/keys?pagesize=500")).await.expect(200)), member_keys);
}

#[tokio::test]
async fn effective_keys_of_the_caller() {
    let w = world().await;
    let path = format!("/api/identity/orgs/{}/users/keys?pagesize=500", w.org_a);
    let carol = w.carol.get(&path).await.expect(200);
    let alice = w.alice.get(&path).await.expect(200);
    let admin = w.admin.get(&path).await.expect(200);
    for v in [&carol, &alice, &admin] {
        assert_eq!(v["total_count"].as_u64(), Some(v["keys"].as_array().unwrap().len() as u64));
    }
    let (c, a, p) = (codes(&carol), codes(&alice), codes(&admin));
    let member = w.carol.keychain_id("Member").await;
    let member_keys = codes(&w.carol.get(&format!("/api/auth/keychains/{member}/keys?pagesize=500")).await.expect(200));
    assert_eq!(c, member_keys, "a member holds exactly the Member keychain");
    assert!(c.is_subset(&a) && c.len() < a.len(), "an org admin holds more than a member");
    assert!(c.contains("identity.teams.read") && !c.contains("identity.teams.create"));
    assert!(a.contains("identity.teams.create") && !a.contains("identity.keys.manage"));
    assert!(a.is_subset(&p) && p.contains("identity.keys.manage"), "a provider admin holds everything");
    w.dave.get(&path).await.assert_l5_error(404, L5_NOT_FOUND);
    w.s.anon().get(&path).await.assert_l5_error(401, L5_UNAUTHORIZED);

    // A custom key reaches the users whose roles carry it.
    let custom = w
        .admin
        .post(
            "/api/auth/keys",
            json!({"function": "deploy", "category": "pipelines", "subcategory": "runs", "description": ""}),
        )
        .await
        .expect(200)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let kc = w.admin.create_keychain(&w.org_a, "pipelines").await;
    w.admin.post_empty(&format!("/api/auth/keychains/{kc}/{custom}")).await.expect_204();
    let role = w.admin.create_role(&w.org_a, "deployer").await;
    w.admin.post_empty(&format!("/api/identity/orgs/{}/roles/{role}/keychains/{kc}", w.org_a)).await.expect(200);
    let grant = json!({"email": "carol@a.example", "roleNames": ["deployer"]});
    w.admin.ctx(&w.org_a).post("/api/identity/roles", grant).await.expect(201);
    let now = codes(&w.carol.get(&path).await.expect(200));
    assert_eq!(now.difference(&c).collect::<Vec<_>>(), ["pipelines.runs.deploy"]);

    // Deleting the key takes it out of every keychain and every holder's keys.
    w.admin.delete(&format!("/api/auth/key/{custom}")).await.expect_204();
    assert_eq!(codes(&w.carol.get(&path).await.expect(200)), c);
    assert_eq!(w.carol.get(&format!("/api/auth/keychains/{kc}/keys")).await.expect(200)["total_count"], 0);
}
