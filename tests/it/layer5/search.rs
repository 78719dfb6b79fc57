//! Searches of the identity lists (organizations, teams and their members,
//! an org's users, roles, keychains, keys, tokens, sign-up requests) answer
//! exactly the rows a case-insensitive substring match over their columns
//! finds, through the search indexes.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::support::*;

/// Texts with LIKE's and FTS5's syntax, quotes, mixed case and letters
/// outside ASCII; "cross-ab"/"cd-col" put "abcd" across two columns.
const TEXTS: &[(&str, &str)] = &[
    ("Alpha%Beta", "first of 100% pure"),
    ("under_score", "50_50 split"),
    ("quote\"d", "says \"hi\""),
    ("o'brien", "it's"),
    ("MiXeD CaSe", "UPPER lower"),
    ("été", "ÉTÉ hiver"),
    ("cross-ab", "cd-col"),
];

fn searches() -> Vec<String> {
    let mut s: Vec<String> = TRICKY_SEARCHES.iter().map(|s| s.to_string()).collect();
    s.extend(
        ["Alpha%Beta", "100% pure", "says \"hi\"", "hiver", "ab", "ross-abc", "identity", "org"].map(String::from),
    );
    s
}

async fn check_list(api: &Api, path: &str, key: &str, fields: &[&str]) {
    let (all, total) = every_item(api, path, key, 500).await;
    assert_eq!(total, all.len() as u64, "{path}");
    assert!(all.len() > 2, "{path} lists too little to search: {all:?}");
    for s in searches() {
        check_search(api, path, key, fields, &all, &s).await;
    }
}

#[tokio::test]
async fn identity_searches_find_exactly_the_substring_matches() {
    let w = world().await;
    let org = w.org_a.clone();
    let api = w.alice.ctx(&org);

    // People: sign-up requests with these names, most approved into org A.
    for (i, (first, last)) in TEXTS.iter().enumerate() {
        let body = json!({"email": format!("s{i}@signup.example"), "first_name": first, "last_name": last,
                          "password": "newcomer-password-1", "org_id": org});
        w.s.anon().post("/api/identity/users/request", body).await.expect(201);
    }
    let requests = w.admin.get("/api/identity/users/request?pagesize=500").await.expect(200);
    for r in requests["data"].as_array().expect("data").iter().skip(2) {
        w.admin.post("/api/identity/users/request/approve", json!({"id": r["id"]})).await.expect(200);
    }
    check_list(&w.admin, "/api/identity/users/request", "data", &["email", "first_name", "last_name"]).await;
    let users_path = format!("/api/identity/orgs/{org}/users");
    check_list(&w.alice, &users_path, "data", &["email", "first_name", "last_name", "user_id"]).await;

    // Teams, and the members of one: the members list searches the members' names.
    let mut team = String::new();
    for (name, desc) in TEXTS {
        let body = json!({"name": name, "description": desc});
        let v = w.alice.post(&format!("/api/identity/orgs/{org}/teams"), body).await.expect(201);
        team = v["id"].as_str().expect("id").to_string();
    }
    check_list(&w.alice, &format!("/api/identity/orgs/{org}/teams"), "teams", &["name", "description"]).await;
    let (people, _) = every_item(&w.alice, &users_path, "data", 500).await;
    for p in &people {
        let user = p["id"].as_str().expect("id");
        w.alice.post_empty(&format!("/api/identity/orgs/{org}/teams/{team}/users/{user}")).await.expect(201);
    }
    let by_id: HashMap<&str, &Value> = people.iter().map(|p| (p["id"].as_str().expect("id"), p)).collect();
    let members_path = format!("/api/identity/teams/{team}/users");
    let (mut members, _) = every_item(&w.alice, &members_path, "teamsUsersMapping", 500).await;
    for m in &mut members {
        let p = by_id[m["user_id"].as_str().expect("user_id")];
        for f in ["email", "first_name", "last_name"] {
            m[f] = p[f].clone();
        }
    }
    for s in searches() {
        check_search(&w.alice, &members_path, "teamsUsersMapping", &["email", "first_name", "last_name"], &members, &s)
            .await;
    }

    // Roles and keychains of org A besides the built-in ones; custom keys.
    for (name, _) in TEXTS {
        w.alice.create_role(&org, name).await;
        w.alice.create_keychain(&org, name).await;
        let key = json!({"function": "read", "category": "custom", "subcategory": name, "description": TEXTS[1].1});
        w.admin.post("/api/auth/keys", key).await.expect(200);
    }
    check_list(&w.alice, &format!("/api/identity/orgs/{org}/roles"), "roles", &["role_name", "description"]).await;
    check_list(&api, "/api/auth/keychains", "keychains", &["name"]).await;
    check_list(&w.alice, "/api/auth/keys", "keys", &["function", "category", "subcategory", "description"]).await;

    // Organizations (name, description, domain) and tokens (name, purpose).
    for (i, (name, desc)) in TEXTS.iter().enumerate() {
        w.admin
            .create_org(json!({"name": name, "description": desc, "domain": format!("d{i}.alpha-org.example")}))
            .await;
        let q = format!("name={}&purpose={}", enc(name), enc(desc));
        w.alice.post_empty(&format!("/api/identity/tokens?{q}")).await.expect(200);
    }
    check_list(&w.admin, "/api/identity/orgs", "organizations", &["name", "description", "domain"]).await;
    check_list(&w.alice, "/api/identity/tokens", "tokens", &["name", "purpose"]).await;
}
