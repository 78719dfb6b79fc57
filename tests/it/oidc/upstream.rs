//! Sign-in through an organization's own provider. The upstream provider is
//! a second meshcloud on loopback: the browser is sent there, signs in, and
//! comes back through `/oidc/callback` with an ID token meshcloud verifies.

use serde_json::json;

use crate::support::oidc::*;
use crate::support::{ADMIN_EMAIL, ADMIN_PASSWORD, Server, cli};

const USER: &str = "ursula@corp.test";
const PASSWORD: &str = "user-password-1";

/// meshcloud B with org `corp.test` signing in through meshcloud A.
async fn federation() -> (Server, Server, Registered) {
    let upstream = Server::start().await;
    let srv = Server::start().await;
    upstream.user(USER, None).await;
    let at_upstream = register_client(&upstream, &format!("{}/oidc/callback", srv.base)).await;

    let admin = srv.admin().await;
    let org = admin
        .post("/api/v1/organizations", json!({"metadata": {"name": "corp"}, "spec": {"organizationType": "adhoc"}}))
        .await;
    assert_eq!(org.status, 202, "{}", org.text);
    let org_id = org.json()["metadata"]["id"].as_str().expect("org id").to_string();
    let provider = admin
        .post(
            &format!("/api/v1/organizations/{org_id}/oauth2providers"),
            json!({"metadata": {"name": "corp-idp"},
                   "spec": {"issuer": upstream.base, "clientID": at_upstream.client_id, "clientSecret": at_upstream.secret}}),
        )
        .await;
    assert_eq!(provider.status, 201, "{}", provider.text);
    let provider_id = provider.json()["metadata"]["id"].as_str().expect("provider id").to_string();
    let put = admin
        .put(
            &format!("/api/v1/organizations/{org_id}"),
            json!({"metadata": {"name": "corp"},
                   "spec": {"organizationType": "domain", "domain": "corp.test",
                            "providerScope": "organization", "providerID": provider_id}}),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.text);
    srv.user(USER, Some((&org_id, false))).await;
    let client = register_client(&srv, REDIRECT).await;
    (upstream, srv, client)
}

#[tokio::test]
async fn an_organizations_users_sign_in_through_its_provider() {
    let (upstream, srv, client) = federation().await;
    let mut here = Browser::new(&srv.base);
    let mut there = Browser::new(&upstream.base);

    let page = here.get(&authorize_url(&client.client_id, REDIRECT, &[])).await;
    assert_eq!(page.status, 200);
    let state = page_state(&page.body);
    // No password: the e-mail's domain belongs to an org with its own provider.
    let go = here.post_form("/oauth2/v2/login", &[("state", &state), ("email", USER)]).await;
    assert_eq!(go.status, 302, "{}", go.body);
    let to_upstream = go.location.expect("location");
    assert!(to_upstream.starts_with(&format!("{}/oauth2/v2/authorization", upstream.base)), "{to_upstream}");
    assert_eq!(query_param(&to_upstream, "code_challenge_method").as_deref(), Some("S256"));

    // The upstream provider shows its own page; the user signs in there.
    let login = there.get(&to_upstream).await;
    assert_eq!(login.status, 200, "{}", login.body);
    let up_state = page_state(&login.body);
    let back =
        there.post_form("/oauth2/v2/login", &[("state", &up_state), ("email", USER), ("password", PASSWORD)]).await;
    assert_eq!(back.status, 302, "{}", back.body);
    let callback = back.location.expect("callback");
    assert!(callback.starts_with(&format!("{}/oidc/callback", srv.base)), "{callback}");

    let done = here.get(&callback).await;
    assert_eq!(done.status, 302, "{}", done.body);
    assert!(done.set_cookie.is_some(), "signed in here as well");
    let loc = done.location.expect("location");
    assert!(loc.starts_with(REDIRECT), "{loc}");
    assert_eq!(query_param(&loc, "state").as_deref(), Some("st-123"));
    let code = query_param(&loc, "code").expect("code");
    let (status, t) = exchange(&srv, &client, &code).await;
    assert_eq!(status, 200, "{t}");
    let claims = verify_id_token(&srv, t["id_token"].as_str().expect("id_token")).await;
    assert_eq!(claims["sub"], USER);
    assert_eq!(claims["iss"], srv.base.as_str());
}

#[tokio::test]
async fn upstream_refusals_and_unknown_users_go_back_to_the_client() {
    let (upstream, srv, client) = federation().await;
    let mut here = Browser::new(&srv.base);
    let page = here.get(&authorize_url(&client.client_id, REDIRECT, &[])).await;
    let state = page_state(&page.body);
    let go = here.post_form("/oauth2/v2/login", &[("state", &state), ("email", "nobody@corp.test")]).await;
    let to_upstream = go.location.expect("location");
    let sealed = query_param(&to_upstream, "state").expect("state");

    // The upstream provider refuses: its error is relayed with the client's state.
    let refused =
        here.get(&format!("/oidc/callback?state={}&error=access_denied&error_description=no", urlenc(&sealed))).await;
    assert_eq!(refused.status, 302);
    let loc = refused.location.expect("location");
    assert_eq!(query_param(&loc, "error").as_deref(), Some("access_denied"));
    assert_eq!(query_param(&loc, "state").as_deref(), Some("st-123"));

    // The same callback in another browser (login CSRF) is refused: the
    // state is bound to the browser that started the sign-in.
    let mut elsewhere = Browser::new(&srv.base);
    let stolen = elsewhere
        .get(&format!("/oidc/callback?state={}&error=access_denied&error_description=no", urlenc(&sealed)))
        .await;
    assert_eq!(stolen.status, 400);
    assert!(stolen.location.is_none());

    // A forged state is a page, not a redirect.
    let forged = here.get("/oidc/callback?state=forged&code=x").await;
    assert_eq!(forged.status, 400);
    assert!(forged.location.is_none());

    // Someone the upstream knows but meshcloud does not: no account is made.
    upstream.user("nobody@corp.test", None).await;
    let mut there = Browser::new(&upstream.base);
    let login = there.get(&to_upstream).await;
    let up_state = page_state(&login.body);
    let back = there
        .post_form("/oauth2/v2/login", &[("state", &up_state), ("email", "nobody@corp.test"), ("password", PASSWORD)])
        .await;
    let done = here.get(&back.location.expect("callback")).await;
    assert_eq!(done.status, 302);
    let loc = done.location.expect("location");
    assert_eq!(query_param(&loc, "error").as_deref(), Some("server_error"));
    assert_eq!(query_param(&loc, "error_description").as_deref(), Some("user signup is not permitted"));
}

fn urlenc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn unknown_people_are_onboarded_with_their_own_organization() {
    let (upstream, srv, _) = federation().await;
    let admin = srv.admin().await;
    let onboarding = "http://127.0.0.1:9/onboarding";
    let r = admin
        .post(
            "/api/meshcloud/oauth/clients",
            json!({"name": "portal-with-onboarding", "redirectUris": [REDIRECT], "onboardingUri": onboarding,
                   "trusted": true}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let c = r.json();
    let client = Registered {
        id: c["id"].as_str().expect("id").into(),
        client_id: c["clientId"].as_str().expect("cid").into(),
        secret: c["clientSecret"].as_str().expect("secret").into(),
    };
    let newbie = "newbie@corp.test";
    upstream.user(newbie, None).await;

    let mut here = Browser::new(&srv.base);
    let mut there = Browser::new(&upstream.base);
    // The portal reads the new organization through the API.
    let scope = [("scope", "openid email meshcloud:api")];
    let page = here.get(&authorize_url(&client.client_id, REDIRECT, &scope)).await;
    let go = here.post_form("/oauth2/v2/login", &[("state", &page_state(&page.body)), ("email", newbie)]).await;
    let login = there.get(&go.location.expect("to upstream")).await;
    let back = there
        .post_form(
            "/oauth2/v2/login",
            &[("state", &page_state(&login.body)), ("email", newbie), ("password", PASSWORD)],
        )
        .await;
    let to_onboarding = here.get(&back.location.expect("callback")).await;
    assert_eq!(to_onboarding.status, 302, "{}", to_onboarding.body);
    let loc = to_onboarding.location.expect("onboarding");
    assert!(loc.starts_with(onboarding), "{loc}");
    assert_eq!(query_param(&loc, "email").as_deref(), Some(newbie));
    assert_eq!(query_param(&loc, "callback"), Some(format!("{}/oauth2/v2/onboard", srv.base)));
    let state = query_param(&loc, "state").expect("state");

    let bad = here
        .post_form("/oauth2/v2/onboard", &[("state", "forged"), ("organization_name", "x"), ("group_name", "y")])
        .await;
    assert_eq!(bad.status, 400);
    let done = here
        .post_form(
            "/oauth2/v2/onboard",
            &[
                ("state", &state),
                ("organization_name", "newbie-org"),
                ("group_name", "engineers"),
                ("roles", "member"),
                ("roles", "workspace admin"),
            ],
        )
        .await;
    assert_eq!(done.status, 302, "{}", done.body);
    // The onboarding URL works once: seen later (history, logs) it opens nothing.
    let again = Browser::new(&srv.base)
        .post_form("/oauth2/v2/onboard", &[("state", &state), ("organization_name", "second"), ("group_name", "g")])
        .await;
    assert_eq!(again.status, 400, "{}", again.body);
    assert!(again.set_cookie.is_none() && again.location.is_none());
    let code = query_param(&done.location.expect("to client"), "code").expect("code");
    let (status, t) = exchange(&srv, &client, &code).await;
    assert_eq!(status, 200, "{t}");
    let me = srv.with_token(t["access_token"].as_str().expect("access"));
    let orgs = me.get("/api/identity/orgs").await;
    assert!(orgs.text.contains("newbie-org"), "{}", orgs.text);
    let org_id = orgs.json()["organizations"][0]["id"].as_str().expect("org").to_string();
    let teams = me.get(&format!("/api/identity/orgs/{org_id}/teams")).await;
    assert!(teams.text.contains("engineers"), "{}", teams.text);
}

/// Starts a sign-in here for `email` (routed by its domain), signs in at the
/// upstream provider as `upstream_email`, and returns the callback's answer.
async fn via_upstream(srv: &Server, upstream: &Server, client: &Registered, email: &str, upstream_email: &str) -> Page {
    let mut here = Browser::new(&srv.base);
    let page = here.get(&authorize_url(&client.client_id, REDIRECT, &[])).await;
    let state = page_state(&page.body);
    let go = here.post_form("/oauth2/v2/login", &[("state", &state), ("email", email)]).await;
    let to_upstream = go.location.expect("routed to the upstream provider");
    assert!(to_upstream.starts_with(&upstream.base), "{to_upstream}");
    let mut there = Browser::new(&upstream.base);
    let login = there.get(&to_upstream).await;
    let up_state = page_state(&login.body);
    let password = if upstream_email == ADMIN_EMAIL { ADMIN_PASSWORD } else { PASSWORD };
    let back = there
        .post_form("/oauth2/v2/login", &[("state", &up_state), ("email", upstream_email), ("password", password)])
        .await;
    assert_eq!(back.status, 302, "{}", back.body);
    here.get(&back.location.expect("callback")).await
}

#[tokio::test]
async fn an_organizations_provider_speaks_only_for_its_domain() {
    let (upstream, srv, client) = federation().await;
    // The upstream provider vouches for an address outside corp.test (here:
    // the provider admin's): refused, nobody is signed in.
    let done = via_upstream(&srv, &upstream, &client, USER, ADMIN_EMAIL).await;
    assert_eq!(done.status, 302);
    assert!(done.set_cookie.is_none(), "no session");
    let loc = done.location.expect("location");
    assert_eq!(query_param(&loc, "error").as_deref(), Some("server_error"), "{loc}");
    assert!(query_param(&loc, "error_description").is_some_and(|d| d.contains("cannot sign in this address")), "{loc}");

    // A provider admin inside the domain still signs in only with meshcloud's own password.
    let out = cli(
        &srv.data_dir,
        &["user", "create", "--email", "boss@corp.test", "--provider-admin", "--password-stdin"],
        Some(PASSWORD),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    upstream.user("boss@corp.test", None).await;
    let done = via_upstream(&srv, &upstream, &client, "boss@corp.test", "boss@corp.test").await;
    assert!(done.set_cookie.is_none(), "no session");
    let loc = done.location.expect("location");
    assert_eq!(query_param(&loc, "error").as_deref(), Some("access_denied"), "{loc}");
}

#[tokio::test]
async fn binding_a_domain_to_an_organizations_provider_is_for_provider_admins() {
    let srv = Server::start().await;
    let admin = srv.admin().await;
    let (_, olga) = srv.user("olga@olga.test", None).await;
    let org = olga.create_org(json!({"name": "olgas"})).await;
    let provider = olga
        .post(
            &format!("/api/v1/organizations/{org}/oauth2providers"),
            json!({"metadata": {"name": "olga-idp"}, "spec": {"issuer": "https://idp.olga.test", "clientID": "c"}}),
        )
        .await;
    assert_eq!(provider.status, 201, "{}", provider.text);
    let provider_id = provider.json()["metadata"]["id"].as_str().expect("id").to_string();
    let bind = |domain: &str, description: &str| {
        json!({"metadata": {"name": "olgas", "description": description},
               "spec": {"organizationType": "domain", "domain": domain,
                        "providerScope": "organization", "providerID": provider_id}})
    };
    let path = format!("/api/v1/organizations/{org}");
    // The org admin cannot make her provider speak for a domain.
    let r = olga.put(&path, bind("example.com", "")).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.json()["error"], "forbidden");
    // A provider admin can; the org admin may then edit the rest.
    assert_eq!(admin.put(&path, bind("olga.test", "")).await.status, 200);
    let r = olga.put(&path, bind("olga.test", "Olga's team")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Moving the domain is not hers, on either face.
    assert_eq!(olga.put(&path, bind("example.com", "")).await.status, 403);
    let r = olga.put(&format!("/api/identity/orgs/{org}"), json!({"name": "olgas", "domain": "example.com"})).await;
    assert_eq!(r.status, 401, "the Layer5 face's refusal: {}", r.text);
    let got = admin.get(&path).await.expect(200);
    assert_eq!(got["spec"]["domain"], "olga.test");
}

#[tokio::test]
async fn onboarding_posts_are_limited_per_address() {
    let srv = Server::start().await;
    let mut browser = Browser::new(&srv.base);
    let form = [("state", "forged"), ("organization_name", "x"), ("group_name", "y")];
    for _ in 0..10 {
        assert_eq!(browser.post_form("/oauth2/v2/onboard", &form).await.status, 400, "a forged state");
    }
    let refused = browser.post_form("/oauth2/v2/onboard", &form).await;
    assert_eq!(refused.status, 429, "anonymous writes share a per-address budget: {}", refused.body);
}
