//! Organizations: envelope and fields, paging edges, search/order, update,
//! soft delete, domain discovery.

use serde_json::json;

use crate::support::*;

const ORG_FIELDS: [&str; 11] = [
    "id",
    "name",
    "description",
    "country",
    "region",
    "domain",
    "owner",
    "metadata",
    "created_at",
    "updated_at",
    "deleted_at",
];

fn assert_single_wrapper(v: &serde_json::Value) {
    assert_eq!(v["page"], 0);
    assert_eq!(v["page_size"], 1);
    assert_eq!(v["total_count"], 1);
    let orgs = v["organizations"].as_array().expect("organizations array");
    assert_eq!(orgs.len(), 1);
    for f in ORG_FIELDS {
        assert!(orgs[0].get(f).is_some(), "organization lacks {f}: {}", orgs[0]);
    }
}

#[tokio::test]
async fn create_read_and_envelope() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let r = admin
        .post(
            "/api/identity/orgs",
            json!({"name": "  Acme  ", "description": "rockets", "country": "DE", "region": "EU",
                   "preferences": {"theme": {"id": "x"}}, "notifyOrgUpdate": true}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(r.content_type().starts_with("application/json"));
    let v = r.json();
    assert_single_wrapper(&v);
    let org = &v["organizations"][0];
    assert_eq!(org["name"], "Acme", "names are trimmed");
    assert_eq!(org["description"], "rockets");
    assert_eq!(org["metadata"]["preferences"]["theme"]["id"], "x");
    assert_eq!(org["metadata"]["preferences"]["dashboard"], json!({}), "the upstream keys are always there");
    assert!(org["domain"].is_null());
    // Without stored preferences: a theme with the nil id and empty logos, and a dashboard.
    let plain = admin.create_org(json!({"name": "plain"})).await;
    let got = admin.get(&format!("/api/identity/orgs/{plain}")).await.expect(200);
    let prefs = &got["organizations"][0]["metadata"]["preferences"];
    assert_eq!(prefs["theme"]["id"], NIL_UUID, "{prefs}");
    for view in ["desktopView", "mobileView", "darkDesktopView", "darkMobileView"] {
        assert_eq!(prefs["theme"]["logo"][view], json!({"svg": "", "location": ""}), "{prefs}");
    }
    assert_eq!(prefs["dashboard"], json!({}));
    let own = admin.get(&format!("/api/identity/orgs/{plain}/preferences")).await.expect(200);
    assert_eq!(&own["preferences"], prefs);
    assert!(org["created_at"].as_str().unwrap().ends_with('Z'), "RFC 3339 UTC: {}", org["created_at"]);
    let profile = admin.get("/api/identity/users/profile").await.json();
    assert_eq!(org["owner"], profile["id"]);

    let id = org["id"].as_str().unwrap();
    let got = admin.get(&format!("/api/identity/orgs/{id}")).await;
    assert_eq!(got.status, 200);
    assert_single_wrapper(&got.json());
    assert_eq!(got.json()["organizations"][0], *org);

    let prefs = admin.get(&format!("/api/identity/orgs/{id}/preferences")).await;
    assert_eq!(prefs.status, 200);
    assert_eq!(prefs.json(), json!({"preferences": {"theme": {"id": "x"}, "dashboard": {}}}));
}

#[tokio::test]
async fn create_requires_a_name() {
    let s = Server::start().await;
    let admin = s.admin().await;
    for body in [json!({}), json!({"name": "   "}), json!({"name": "x".repeat(256)})] {
        admin.post("/api/identity/orgs", body).await.assert_l5_error(400, L5_BAD_REQUEST);
    }
    let list = admin.get("/api/identity/orgs").await.json();
    assert_eq!(list["total_count"], 1, "only the default organization exists");
}

#[tokio::test]
async fn paging_edges() {
    let s = Server::start().await;
    let admin = s.admin().await;
    for i in 0..12 {
        admin.create_org(json!({"name": format!("org-{i:02}")})).await;
    }
    // 12 + the default organization.
    let first = admin.get("/api/identity/orgs").await.json();
    assert_eq!(
        (first["page"].as_u64(), first["page_size"].as_u64(), first["total_count"].as_u64()),
        (Some(0), Some(10), Some(13))
    );
    assert_eq!(first["organizations"].as_array().unwrap().len(), 10);

    let second = admin.get("/api/identity/orgs?page=1").await.json();
    assert_eq!(second["page"], 1);
    assert_eq!(second["organizations"].as_array().unwrap().len(), 3);

    let past = admin.get("/api/identity/orgs?page=7&pagesize=5").await;
    assert_eq!(past.status, 200);
    let past = past.json();
    assert_eq!(past["organizations"].as_array().unwrap().len(), 0);
    assert_eq!(
        (past["page"].as_u64(), past["page_size"].as_u64(), past["total_count"].as_u64()),
        (Some(7), Some(5), Some(13))
    );

    let huge = admin.get("/api/identity/orgs?pagesize=1000000").await.json();
    assert_eq!(huge["page_size"], 500, "page size is clamped to the documented maximum");
    assert_eq!(huge["organizations"].as_array().unwrap().len(), 13);
    let overflow = admin.get("/api/identity/orgs?pagesize=99999999999999999999999&page=0").await.json();
    assert_eq!(overflow["page_size"], 500);

    let negative = admin.get("/api/identity/orgs?page=-4&pagesize=-2").await.json();
    assert_eq!((negative["page"].as_u64(), negative["page_size"].as_u64()), (Some(0), Some(10)));

    let all = admin.get("/api/identity/orgs?pagesize=all").await.json();
    assert_eq!(all["organizations"].as_array().unwrap().len(), 13);

    let pages: Vec<String> = {
        let mut names = vec![];
        for p in 0..3 {
            let v = admin.get(&format!("/api/identity/orgs?pagesize=5&page={p}&order=name")).await.json();
            names
                .extend(v["organizations"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap().to_string()));
        }
        names
    };
    let mut sorted = pages.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(pages, sorted, "pages are disjoint and ordered");
    assert_eq!(pages.len(), 13);

    // The list documents no 400: what is not a number is the default.
    assert_eq!(admin.get("/api/identity/orgs?page=first").await.expect(200)["page"], 0);
    assert_eq!(admin.get("/api/identity/orgs?pagesize=ten").await.expect(200)["page_size"], 10);
    // A flag that is not `true` is unset: a page, not the whole list.
    assert_eq!(admin.get("/api/identity/orgs?all=maybe").await.expect(200)["page_size"], 10);
}

#[tokio::test]
async fn search_and_order() {
    let s = Server::start().await;
    let admin = s.admin().await;
    admin.create_org(json!({"name": "alpha", "country": "c"})).await;
    admin.create_org(json!({"name": "beta", "description": "100% pure", "country": "a"})).await;
    admin.create_org(json!({"name": "gamma", "domain": "gamma.example", "country": "b"})).await;

    let names = |v: serde_json::Value| -> Vec<String> {
        v["organizations"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(names(admin.get("/api/identity/orgs?search=ET").await.json()), ["beta"], "case-insensitive");
    assert_eq!(names(admin.get("/api/identity/orgs?search=gamma.ex").await.json()), ["gamma"], "domain is searched");
    assert_eq!(names(admin.get("/api/identity/orgs?search=100%25").await.json()), ["beta"], "% is literal");
    let none = admin.get("/api/identity/orgs?search=zzz").await;
    assert_eq!(none.status, 200, "a search with no match is an empty page, not 204");
    assert_eq!(none.json()["total_count"], 0);

    let desc = names(admin.get("/api/identity/orgs?order=name%20desc&search=a").await.json());
    assert_eq!(desc, ["gamma", "beta", "alpha", "Default Organization"]);
    let by_country = names(admin.get("/api/identity/orgs?order=country&search=a").await.json());
    assert_eq!(by_country, ["Default Organization", "beta", "gamma", "alpha"]);
    admin.get("/api/identity/orgs?order=secret").await.expect(200);
    admin.get("/api/identity/orgs?order=name%20sideways").await.expect(200);
    // Only the first 200 characters of a search count.
    let long = admin.get(&format!("/api/identity/orgs?search={}", "x".repeat(201))).await.expect(200);
    assert_eq!(long["total_count"], 0, "{long}");
}

#[tokio::test]
async fn update_changes_only_given_fields() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let id = admin.create_org(json!({"name": "before", "description": "keep", "region": "r"})).await;
    let r = admin
        .put(&format!("/api/identity/orgs/{id}"), json!({"name": "after", "preferences": {"dashboard": {"a": 1}}}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_single_wrapper(&v);
    let org = &v["organizations"][0];
    assert_eq!(org["name"], "after");
    assert_eq!(org["description"], "keep");
    assert_eq!(org["region"], "r");
    assert_ne!(org["updated_at"], org["created_at"]);
    let prefs = admin.get(&format!("/api/identity/orgs/{id}/preferences")).await.json();
    assert_eq!(prefs["preferences"]["dashboard"]["a"], 1);

    // Bad input changes nothing.
    admin.put(&format!("/api/identity/orgs/{id}"), json!({"name": ""})).await.assert_l5_error(400, L5_BAD_REQUEST);
    admin
        .put(&format!("/api/identity/orgs/{id}"), json!({"preferences": [1]}))
        .await
        .assert_l5_error(400, L5_BAD_REQUEST);
    let now = admin.get(&format!("/api/identity/orgs/{id}")).await.json();
    assert_eq!(now["organizations"][0]["name"], "after");

    let missing = uuid::Uuid::now_v7();
    admin.put(&format!("/api/identity/orgs/{missing}"), json!({"name": "x"})).await.assert_l5_error(404, L5_NOT_FOUND);
    admin.get("/api/identity/orgs/not-a-uuid").await.assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn delete_is_soft_and_hides_the_org() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let id = admin.create_org(json!({"name": "doomed", "domain": "doomed.example"})).await;
    let before = admin.get("/api/identity/orgs").await.json()["total_count"].as_u64().unwrap();

    let r = admin.delete(&format!("/api/identity/orgs/{id}")).await;
    assert_eq!(r.status, 204);
    assert!(r.text.is_empty());

    admin.get(&format!("/api/identity/orgs/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    admin.get(&format!("/api/identity/orgs/{id}/preferences")).await.assert_l5_error(404, L5_NOT_FOUND);
    admin.delete(&format!("/api/identity/orgs/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    admin
        .get("/api/identity/orgs/by-domain?domain=doomed.example")
        .await
        .assert_l5_error(404, "Organization not found");
    let after = admin.get("/api/identity/orgs?all=true").await.json();
    assert_eq!(after["total_count"].as_u64().unwrap(), before - 1);
    assert!(after["organizations"].as_array().unwrap().iter().all(|o| o["id"] != id.as_str()));

    // The domain is free again once its organization is gone.
    admin.create_org(json!({"name": "reborn", "domain": "doomed.example"})).await;
}

#[tokio::test]
async fn domains_are_unique_and_discoverable() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let id = admin.create_org(json!({"name": "Example Corp", "domain": "Example.COM"})).await;
    let r = admin.post("/api/identity/orgs", json!({"name": "copycat", "domain": "example.com"})).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);

    let found = admin.get("/api/identity/orgs/by-domain?domain=example.com").await;
    assert_eq!(found.status, 200);
    let v = found.json();
    assert!(v.get("organizations").is_none(), "by-domain answers a bare organization");
    assert_eq!(v["id"], id.as_str());
    assert_eq!(v["domain"], "example.com");

    // Discovery: a user whose e-mail is in the domain finds the org without being a member.
    let (_, insider) = s.user("jo@example.com", None).await;
    assert_eq!(insider.get("/api/identity/orgs/by-domain?domain=example.com").await.status, 200);
    let (_, outsider) = s.user("jo@elsewhere.org", None).await;
    outsider
        .get("/api/identity/orgs/by-domain?domain=example.com")
        .await
        .assert_l5_error(404, "Organization not found");

    admin
        .get("/api/identity/orgs/by-domain?domain=nowhere.example")
        .await
        .assert_l5_error(404, "Organization not found");
    // Not a domain, or none: no organization (the reference documents 404, not 400).
    admin.get("/api/identity/orgs/by-domain?domain=not_a_domain").await.assert_l5_error(404, "Organization not found");
    admin.get("/api/identity/orgs/by-domain").await.assert_l5_error(404, "Organization not found");

    // Clearing a domain with null.
    let r = admin.put(&format!("/api/identity/orgs/{id}"), json!({"domain": null})).await;
    assert!(r.json()["organizations"][0]["domain"].is_null());
}

#[tokio::test]
async fn list_without_organizations_is_204() {
    let s = Server::start().await;
    let (_, loner) = s.user("loner@example.com", None).await;
    let r = loner.get("/api/identity/orgs").await;
    assert_eq!(r.status, 204);
    assert!(r.text.is_empty());
}

#[tokio::test]
async fn all_lists_every_org_for_provider_admins_only() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let (_, alice) = s.user("alice@example.com", None).await;
    alice.create_org(json!({"name": "alice's"})).await;
    let mine = admin.get("/api/identity/orgs").await.json();
    assert_eq!(mine["total_count"], 1, "without all, only the admin's memberships");
    let every = admin.get("/api/identity/orgs?all=true").await.json();
    assert_eq!(every["total_count"], 2);
    assert_eq!(every["page_size"], 2, "all returns the whole list as one page");
    let alices = alice.get("/api/identity/orgs?all=true").await.json();
    assert_eq!(alices["total_count"], 1, "all does not widen a normal user's view");
}
