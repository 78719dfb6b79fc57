//! The API7 face on the one core: an OAuth access token with meshcloud's API
//! scope is an API7 personal access token, and an organization made on the
//! API7 face is the core organization every other face sees.

use serde_json::json;

use crate::support::oidc::*;
use crate::support::*;

#[tokio::test]
async fn oauth_access_tokens_work_as_personal_access_tokens() {
    let w = world().await;
    let org_b = w.org_num(&w.org_b).await;
    let c = register(&w.s, json!({"name": "api7-cli", "redirectUris": [REDIRECT], "trusted": true})).await;
    let (mut browser, code) = admin_code(&w.s, &c).await;

    // Without `meshcloud:api` the token signs in but is no API credential.
    let (status, t) = exchange(&w.s, &c, &code).await;
    assert_eq!(status, 200, "{t}");
    let plain = w.s.with_token(t["access_token"].as_str().expect("access token"));
    let refused = plain.get(&format!("/api/v1/orgs/{org_b}")).await;
    refused.api7_error(403, 7);

    let page = browser
        .get(&authorize_url(&c.client_id, REDIRECT, &[("prompt", "none"), ("scope", "openid meshcloud:api")]))
        .await;
    assert_eq!(page.status, 302, "{}", page.body);
    let code = query_param(&page.location.expect("location"), "code").expect("code");
    let (status, t) = exchange(&w.s, &c, &code).await;
    assert_eq!(status, 200, "{t}");
    let api = w.s.with_token(t["access_token"].as_str().expect("access token"));
    assert_eq!(api.get(&format!("/api/v1/orgs/{org_b}")).await.api7()["name"], "B");
    let me = api.get("/api/v1/user/me").await.api7();
    assert_eq!(me["email"], ADMIN_EMAIL);
    // A revoked or unknown token is the reference's 401.
    w.s.with_token("mc_nope").get(&format!("/api/v1/orgs/{org_b}")).await.api7_error(401, 6);
}

#[tokio::test]
async fn an_api7_organization_is_the_core_organization() {
    let w = world().await;
    let made = w.alice.post("/api/v1/orgs", json!({"name": "Gateways"})).await.api7();
    let id = made["id"].as_str().expect("id").to_string();
    // The Layer5 face lists it for its creator, who administers it there.
    let orgs = w.alice.get("/api/identity/orgs").await.expect(200);
    let l5 = orgs["organizations"]
        .as_array()
        .expect("organizations")
        .iter()
        .find(|o| o["name"] == "Gateways")
        .unwrap_or_else(|| panic!("not on the Layer5 face: {orgs}"))
        .clone();
    let uuid = l5["id"].as_str().expect("uuid").to_string();
    assert_eq!(w.org_num(&uuid).await, id);
    w.alice.create_team(&uuid, "gateway-admins").await;
    // What the plan allows is the core's: the Free plan's one control plane.
    let cp = json!({"name": "edge"});
    w.alice.post(&format!("/api/v1/orgs/{id}/controlplanes"), cp).await.api7();
    let second = w.alice.post(&format!("/api/v1/orgs/{id}/controlplanes"), json!({"name": "edge-2"})).await;
    assert!(second.api7_error(400, 11).contains("ControlPlanesInOrganization"), "{}", second.text);
    let usage = w.alice.get(&format!("/api/entitlement/organizations/{uuid}/usage")).await.expect(200);
    let counted = usage["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["name"] == "ControlPlanesInOrganization")
        .unwrap_or_else(|| panic!("no control-plane usage: {usage}"))
        .clone();
    assert_eq!(counted["used"], 1, "{counted}");
}
