//! Domains are claimed, not taken: only a provider admin binds a domain
//! directly; an organization admin claims one, which binds nothing until a
//! DNS TXT record proves it (the `domain_check` job) or a provider admin
//! approves it.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::fake_dns::FakeDns;
use crate::support::*;

fn claims(org: &str) -> String {
    format!("/api/meshcloud/orgs/{org}/domain-claims")
}

#[tokio::test]
async fn only_provider_admins_bind_a_domain_directly() {
    let s = Server::start_with(|c| c.domain_check_schedule = String::new()).await;
    let admin = s.admin().await;
    let (_, mallory) = s.user("mallory@evil.example", None).await;
    // The provider admin's own domain (admin@example.com), on create and on update, on both faces.
    let r = mallory.post("/api/identity/orgs", json!({"name": "mine", "domain": "example.com"})).await;
    r.assert_l5_error(401, L5_UNAUTHORIZED);
    let org = mallory.create_org(json!({"name": "mine"})).await;
    let path = format!("/api/identity/orgs/{org}");
    mallory.put(&path, json!({"domain": "example.com"})).await.assert_l5_error(401, L5_UNAUTHORIZED);
    let spec = json!({"metadata": {"name": "mine"}, "spec": {"organizationType": "domain", "domain": "example.com"}});
    let r = mallory.put(&format!("/api/v1/organizations/{org}"), spec).await;
    assert_eq!((r.status, r.json()["error"].clone()), (403, json!("forbidden")), "{}", r.text);
    // Nothing was bound: no lookup leads to mallory, and the real owner is not blocked.
    assert_eq!(admin.get("/api/identity/orgs/by-domain?domain=example.com").await.status, 404);
    let real = admin.create_org(json!({"name": "real", "domain": "example.com"})).await;
    let found = admin.get("/api/identity/orgs/by-domain?domain=example.com").await.expect(200);
    assert_eq!(found["id"], real.as_str());
    // Dropping one's own domain stays possible for the org admin (and changes nothing here).
    assert_eq!(mallory.put(&path, json!({"domain": null, "description": "d"})).await.status, 200);
}

async fn claim(api: &Api, org: &str, domain: &str) -> Value {
    let r = api.post(&claims(org), json!({"domain": domain})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()
}

#[tokio::test]
async fn an_unproved_claim_blocks_nobody_and_a_dns_record_proves_it() {
    let dns = FakeDns::start();
    let s = Server::start_with(|c| {
        c.dns_resolver = Some(dns.addr.to_string());
        c.domain_check_schedule = "* * * * * *".into();
    })
    .await;
    let admin = s.admin().await;
    let (_, mallory) = s.user("mallory@evil.example", None).await;
    let (_, olga) = s.user("olga@olga.example", None).await;
    let m_org = mallory.create_org(json!({"name": "m"})).await;
    let o_org = olga.create_org(json!({"name": "o"})).await;

    // Mallory claims Olga's domain: a claim, nothing bound.
    let m_claim = claim(&mallory, &m_org, "Olga.Example").await;
    assert_eq!((m_claim["domain"].as_str(), m_claim["status"].as_str()), (Some("olga.example"), Some("pending")));
    assert_eq!(m_claim["dnsRecord"]["type"], "TXT");
    assert_eq!(m_claim["dnsRecord"]["name"], "_meshcloud-challenge.olga.example");
    assert!(
        mallory.get(&format!("/api/identity/orgs/{m_org}")).await.expect(200)["organizations"][0]["domain"].is_null()
    );
    // It blocks nobody and redirects no lookup.
    let o_claim = claim(&olga, &o_org, "olga.example").await;
    assert_eq!(olga.get("/api/identity/orgs/by-domain?domain=olga.example").await.status, 404);
    let again = mallory.post(&claims(&m_org), json!({"domain": "olga.example"})).await;
    assert_eq!(again.status, 409, "one claim per organization and domain: {}", again.text);

    // Olga publishes her record; the job proves her claim and binds the domain.
    let record = &o_claim["dnsRecord"];
    dns.set_txt(record["name"].as_str().unwrap(), record["value"].as_str().unwrap());
    let o_path = format!("{}/{}", claims(&o_org), o_claim["id"].as_str().unwrap());
    poll("the DNS proof of olga's claim", Duration::from_secs(30), || async {
        let v = olga.get(&o_path).await.expect(200);
        (v["status"] == "verified").then_some(())
    })
    .await;
    let o = olga.get(&format!("/api/identity/orgs/{o_org}")).await.expect(200);
    assert_eq!(o["organizations"][0]["domain"], "olga.example");
    let found = olga.get("/api/identity/orgs/by-domain?domain=olga.example").await.expect(200);
    assert_eq!(found["id"], o_org.as_str());

    // Mallory's claim found only Olga's value: still pending, with the reason.
    let m_path = format!("{}/{}", claims(&m_org), m_claim["id"].as_str().unwrap());
    let m = poll("a check of mallory's claim", Duration::from_secs(30), || async {
        let v = mallory.get(&m_path).await.expect(200);
        (!v["checkedAt"].is_null() && v["lastError"] != "").then_some(v)
    })
    .await;
    assert_eq!(m["status"], "pending", "{m}");
    let pending = admin.get("/api/meshcloud/domain-claims?status=pending").await.expect(200);
    assert_eq!(strs(&pending, "id"), [m_claim["id"].as_str().unwrap()]);
    // Claims are the organization's business.
    assert_eq!(mallory.get(&claims(&o_org)).await.status, 404);
    assert_eq!(mallory.get(&format!("{}/{}", claims(&m_org), o_claim["id"].as_str().unwrap())).await.status, 404);
    assert_eq!(mallory.post(&claims(&o_org), json!({"domain": "x.example"})).await.status, 404);
}

#[tokio::test]
async fn a_provider_admin_approves_a_claim() {
    let s = Server::start_with(|c| c.domain_check_schedule = String::new()).await;
    let admin = s.admin().await;
    let (_, olga) = s.user("olga@olga.example", None).await;
    let org = olga.create_org(json!({"name": "o"})).await;
    let (_, member) = s.user("mo@olga.example", Some((&org, false))).await;
    let r = member.post(&claims(&org), json!({"domain": "olga.example"})).await;
    assert_eq!((r.status, r.json()["error"].clone()), (403, json!("forbidden")), "{}", r.text);
    assert_eq!(olga.post(&claims(&org), json!({"domain": "not a domain"})).await.status, 400);
    let c = claim(&olga, &org, "olga.example").await;
    let approve = format!("/api/meshcloud/domain-claims/{}/approve", c["id"].as_str().unwrap());
    assert_eq!(olga.post_empty(&approve).await.status, 403, "not the organization admin's decision");
    let done = admin.post_empty(&approve).await.expect(200);
    assert_eq!(done["status"], "approved");
    let o = olga.get(&format!("/api/identity/orgs/{org}")).await.expect(200);
    assert_eq!(o["organizations"][0]["domain"], "olga.example");

    // A claim of a domain another organization holds cannot be approved.
    let (_, other) = s.user("otto@otto.example", None).await;
    let o2 = other.create_org(json!({"name": "o2"})).await;
    let c2 = claim(&other, &o2, "olga.example").await;
    let r = admin.post_empty(&format!("/api/meshcloud/domain-claims/{}/approve", c2["id"].as_str().unwrap())).await;
    assert_eq!(r.status, 409, "{}", r.text);
    let every = admin.get("/api/meshcloud/domain-claims").await.expect(200);
    assert_eq!(strs(&every, "status"), ["approved", "pending"]);
    assert_eq!(admin.get("/api/meshcloud/domain-claims?status=lost").await.status, 400);
    assert_eq!(other.get("/api/meshcloud/domain-claims").await.status, 403, "provider admins only");
    // Withdrawing a claim.
    let path = format!("{}/{}", claims(&o2), c2["id"].as_str().unwrap());
    assert_eq!(other.delete(&path).await.status, 204);
    assert_eq!(other.get(&path).await.status, 404);
    // A domain let go is claimed afresh, its settled claim notwithstanding.
    olga.put(&format!("/api/identity/orgs/{org}"), json!({"domain": null})).await.expect(200);
    let again = claim(&olga, &org, "olga.example").await;
    assert_eq!(again["status"], "pending");
}
