//! `POST /api/meshcloud/users`: a provider admin creates an account with a
//! generated one-time password, answered once, optionally in an organization.

use serde_json::json;

use crate::support::*;

const PATH: &str = "/api/meshcloud/users";

#[track_caller]
fn meshcloud_error(r: &Resp, status: u16, code: &str) -> String {
    assert_eq!(r.status, status, "body: {}", r.text);
    let v = r.json();
    assert_eq!(v["error"], code, "{v}");
    v["message"].as_str().expect("message").to_string()
}

async fn created_events(s: &Server, email: &'static str) -> Vec<Option<i64>> {
    sql(&s.data_dir, move |c| {
        let mut stmt = c
            .prepare("SELECT user_id FROM events WHERE category = 'user' AND action = 'create' AND description LIKE ?1")
            .unwrap();
        stmt.query_map([format!("%{email}%")], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    })
    .await
}

#[tokio::test]
async fn only_provider_admins_create_users() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let org = admin.create_org(json!({"name": "acme"})).await;
    let (_, org_admin) = s.user("boss@example.com", Some((&org, true))).await;
    let (_, member) = s.user("member@example.com", Some((&org, false))).await;

    let body = json!({"email": "new@example.com", "orgId": org});
    meshcloud_error(&org_admin.post(PATH, body.clone()).await, 403, "forbidden");
    meshcloud_error(&member.post(PATH, body.clone()).await, 403, "forbidden");
    meshcloud_error(&s.anon().post(PATH, body.clone()).await, 401, "unauthenticated");
    assert_eq!(
        s.anon().post("/api/meshcloud/login", json!({"email": "new@example.com", "password": "x"})).await.status,
        401
    );
    assert!(created_events(&s, "new@example.com").await.is_empty(), "nothing was created");

    let made = admin.post(PATH, body).await.expect(201);
    assert_eq!(made["email"], "new@example.com");
    assert!(made["id"].as_str().is_some_and(|id| id.parse::<uuid::Uuid>().is_ok()), "{made}");
    assert_eq!(created_events(&s, "new@example.com").await.len(), 1);
}

#[tokio::test]
async fn the_new_user_signs_in_with_the_one_time_password_and_is_in_the_org() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let org = admin.create_org(json!({"name": "acme"})).await;
    let made = admin
        .post(PATH, json!({"email": " Ada@Example.com ", "firstName": "Ada", "lastName": "Lovelace", "orgId": org, "orgAdmin": true}))
        .await
        .expect(201);
    assert_eq!(made["email"], "ada@example.com", "normalised as everywhere");
    let password = made["password"].as_str().expect("password");
    assert!(password.len() >= 16, "{password}");

    let login = s.anon().post("/api/meshcloud/login", json!({"email": "ada@example.com", "password": password})).await;
    let session = login.expect(200);
    assert_eq!(session["user"]["first_name"], "Ada");
    assert_eq!(session["current_organization"]["id"], org.as_str());

    let users = admin.get(&format!("/api/identity/orgs/{org}/users?search=ada")).await.expect(200);
    let ada = &users["data"][0];
    assert_eq!(ada["email"], "ada@example.com", "{users}");
    assert!(ada["role_names"].as_array().expect("role_names").iter().any(|r| r == "organization admin"), "{ada}");

    // Without an organization the account stands alone; no two passwords are alike.
    let other = admin.post(PATH, json!({"email": "solo@example.com"})).await.expect(201);
    assert_ne!(other["password"], made["password"]);
    let solo = s
        .anon()
        .post("/api/meshcloud/login", json!({"email": "solo@example.com", "password": other["password"]}))
        .await;
    assert!(solo.expect(200)["current_organization"].is_null());
}

#[tokio::test]
async fn bad_input_and_taken_addresses_are_refused() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let org = admin.create_org(json!({"name": "acme"})).await;
    for email in ["", "not-an-address", "a@b"] {
        let msg = meshcloud_error(&admin.post(PATH, json!({"email": email})).await, 400, "invalid_request");
        assert!(msg.starts_with("email"), "{msg}");
    }
    meshcloud_error(&admin.post(PATH, json!({"email": 5})).await, 400, "invalid_request");
    let msg = meshcloud_error(
        &admin.post(PATH, json!({"email": "x@example.com", "firstName": "x".repeat(201)})).await,
        400,
        "invalid_request",
    );
    assert!(msg.starts_with("first_name"), "{msg}");
    let nowhere = uuid::Uuid::new_v4();
    let msg = meshcloud_error(
        &admin.post(PATH, json!({"email": "x@example.com", "orgId": nowhere})).await,
        400,
        "invalid_request",
    );
    assert!(msg.starts_with("orgId"), "{msg}");
    let msg = meshcloud_error(
        &admin.post(PATH, json!({"email": "x@example.com", "orgAdmin": true})).await,
        400,
        "invalid_request",
    );
    assert!(msg.starts_with("orgAdmin"), "{msg}");
    // None of those made the account (the unknown organization rolled it back).
    assert!(created_events(&s, "x@example.com").await.is_empty());

    admin.post(PATH, json!({"email": "x@example.com", "orgId": org})).await.expect(201);
    let msg = meshcloud_error(&admin.post(PATH, json!({"email": "X@example.com"})).await, 409, "conflict");
    assert!(msg.starts_with("email"), "{msg}");
    meshcloud_error(&admin.post(PATH, json!({"email": ADMIN_EMAIL})).await, 409, "conflict");
}

#[tokio::test]
async fn provider_admins_list_every_account_with_its_address() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let org = admin.create_org(json!({"name": "acme"})).await;
    let (_, org_admin) = s.user("boss@example.com", Some((&org, true))).await;
    for i in 0..12 {
        admin
            .post(PATH, json!({"email": format!("listed{i:02}@example.com"), "firstName": "Listed"}))
            .await
            .expect(201);
    }
    meshcloud_error(&org_admin.get(PATH).await, 403, "forbidden");
    meshcloud_error(&s.anon().get(PATH).await, 401, "unauthenticated");

    let page = admin.get(&format!("{PATH}?search=listed&pagesize=5&page=2&order=email")).await.expect(200);
    assert_eq!(page["total_count"], 12, "{page}");
    let emails: Vec<&str> = page["users"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap()).collect();
    assert_eq!(emails, ["listed10@example.com", "listed11@example.com"], "the addresses, not hidden ones");
    let first = &admin.get(&format!("{PATH}?search=boss")).await.expect(200)["users"][0];
    assert_eq!(first["email"], "boss@example.com");
    assert_eq!(first["provider_admin"], false);
    assert!(first["created_at"].as_str().is_some(), "{first}");
}
