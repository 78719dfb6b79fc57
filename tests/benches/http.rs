//! Load benchmark: starts meshcloud in-process on 127.0.0.1:0 with a fresh data
//! dir and drives it over loopback HTTP with bounded request counts.
//! Run: `cargo bench -p meshcloud-tests` (release build).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{CONCURRENCY, header, run};

use serde_json::json;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let tmp = tempfile::TempDir::new().unwrap();
        let dir = tmp.path().join("data");
        let common::Bench { http, base, bearer } = common::start(dir.clone(), |_| {}).await;

        println!("meshcloud HTTP benchmark, {CONCURRENCY} concurrent clients over loopback");
        header();
        let (h, b, base2) = (http.clone(), bearer.clone(), base.clone());
        run("create org (group commit)", 4000, move |i| {
            let (h, b, base) = (h.clone(), b.clone(), base2.clone());
            async move {
                h.post(format!("{base}/api/identity/orgs"))
                    .header("authorization", b)
                    .json(&json!({"name": format!("org-{i}")}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        })
        .await
        .print();

        let list: serde_json::Value = http
            .get(format!("{base}/api/identity/orgs?pagesize=1"))
            .header("authorization", &bearer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = list["organizations"][0]["id"].as_str().unwrap().to_string();
        let (h, b, base2) = (http.clone(), bearer.clone(), base.clone());
        let org = id.clone();
        run("get org by id (point read)", 20000, move |_| {
            let (h, b, url) = (h.clone(), b.clone(), format!("{base2}/api/identity/orgs/{org}"));
            async move { h.get(url).header("authorization", b).send().await.unwrap().status().as_u16() }
        })
        .await
        .print();

        // The same read as an ordinary member: the per-org grant lookup and
        // bit test run (a provider admin skips them). The member is a service
        // account in a group holding the built-in member role.
        let member = member_bearer(&http, &base, &bearer, &id).await;
        let (h, b, base2) = (http.clone(), member, base.clone());
        run("get org by id as a member (grant bit test)", 20000, move |_| {
            let (h, b, url) = (h.clone(), b.clone(), format!("{base2}/api/identity/orgs/{id}"));
            async move { h.get(url).header("authorization", b).send().await.unwrap().status().as_u16() }
        })
        .await
        .print();

        let (h, b, base2) = (http.clone(), bearer.clone(), base.clone());
        run("list orgs page 50/4001", 5000, move |i| {
            let (h, b, url) = (h.clone(), b.clone(), format!("{base2}/api/identity/orgs?page={}&pagesize=50", i % 80));
            async move { h.get(url).header("authorization", b).send().await.unwrap().status().as_u16() }
        })
        .await
        .print();

        let (h, base2) = (http.clone(), base.clone());
        run("healthz (HTTP floor)", 20000, move |_| {
            let (h, url) = (h.clone(), format!("{base2}/healthz"));
            async move { h.get(url).send().await.unwrap().status().as_u16() }
        })
        .await
        .print();
    });
}

/// A bearer token of a service account of `org` whose group holds the
/// built-in `member` role, made through the Identity API.
async fn member_bearer(http: &reqwest::Client, base: &str, admin: &str, org: &str) -> String {
    let api = format!("{base}/api/v1/organizations/{org}");
    let roles: serde_json::Value =
        http.get(format!("{api}/roles")).header("authorization", admin).send().await.unwrap().json().await.unwrap();
    let member =
        roles.as_array().unwrap().iter().find(|r| r["metadata"]["name"] == "user").unwrap()["metadata"]["id"].clone();
    let group =
        json!({"metadata": {"name": "readers"}, "spec": {"userIDs": [], "serviceAccountIDs": [], "roleIDs": [member]}});
    let post = |path: &str, body: serde_json::Value| {
        let req = http.post(format!("{api}/{path}")).header("authorization", admin).json(&body);
        async move { req.send().await.unwrap().json::<serde_json::Value>().await.unwrap() }
    };
    let g = post("groups", group).await;
    let sa = json!({"metadata": {"name": "bench-reader"}, "spec": {"groupIDs": [g["metadata"]["id"]]}});
    let v = post("serviceaccounts", sa).await;
    format!("Bearer {}", v["status"]["accessToken"].as_str().unwrap())
}
