//! The permission matrix: for every identity and access endpoint, which of
//! five callers may use it. Allowed calls must succeed with the documented
//! status; denied ones get the Layer5 denial (401) or, when the caller is not
//! in the org the request is about, "not found" (404).
//!
//! Every call works on its own freshly made resources (`<placeholder>`s in
//! paths and bodies), so the order of callers does not matter and an allowed
//! delete never starves the next caller.

use std::collections::HashMap;

use reqwest::Method;
use serde_json::json;

use crate::support::*;

/// Expected statuses for: provider admin, org A admin, org A member,
/// org B member, anonymous. `0`: not asserted (the contract leaves it open).
type Expect = [u16; 5];

const CALLERS: [&str; 5] = ["provider admin", "org admin", "member", "other org's member", "anonymous"];

struct Case {
    method: Method,
    path: &'static str,
    body: Option<&'static str>,
    /// Sends `layer5-current-orgid: <org A>` (for endpoints whose org is the one in context).
    ctx: bool,
    expect: Expect,
}

fn case(method: Method, path: &'static str, body: Option<&'static str>, expect: Expect) -> Case {
    Case { method, path, body, ctx: false, expect }
}

fn in_ctx(method: Method, path: &'static str, body: Option<&'static str>, expect: Expect) -> Case {
    Case { method, path, body, ctx: true, expect }
}

const GET: Method = Method::GET;
const POST: Method = Method::POST;
const PUT: Method = Method::PUT;
const DELETE: Method = Method::DELETE;

// Common rows.
const READ: Expect = [200, 200, 200, 404, 401];
const SIGNED_IN: Expect = [200, 200, 200, 200, 401];

/// Makes the resources a call needs, as the provider admin.
struct Fixtures<'a> {
    w: &'a World,
    n: std::cell::Cell<u64>,
    builtin_keychain: String,
    builtin_key: String,
}

impl<'a> Fixtures<'a> {
    async fn new(w: &'a World) -> Fixtures<'a> {
        let builtin_keychain = w.admin.keychain_id("Member").await;
        let builtin_key = w.admin.key_id("identity.teams.read").await;
        Fixtures { w, n: std::cell::Cell::new(0), builtin_keychain, builtin_key }
    }

    fn next(&self) -> u64 {
        self.n.set(self.n.get() + 1);
        self.n.get()
    }

    async fn user(&self, org: Option<&str>) -> String {
        let email = format!("fresh{}@fresh.example", self.next());
        self.w.s.new_user(&email, org.map(|o| (o, false))).await
    }

    async fn value(&self, name: &str) -> String {
        let (w, admin, org) = (self.w, &self.w.admin, self.w.org_a.as_str());
        let n = self.next();
        match name {
            "org" => org.to_string(),
            "carol" => w.carol_id.clone(),
            "n" => n.to_string(),
            "email" => format!("invitee{n}@fresh.example"),
            "bkeychain" => self.builtin_keychain.clone(),
            "bkey" => self.builtin_key.clone(),
            "user" => self.user(None).await,
            "member" => self.user(Some(org)).await,
            "team" => admin.create_team(org, &format!("team-{n}")).await,
            "removed_team" => {
                let t = admin.create_team(org, &format!("team-{n}")).await;
                admin.post_empty(&format!("/api/identity/orgs/{org}/teams/{t}/remove")).await.expect(200);
                t
            }
            "team_with_carol" => {
                let t = admin.create_team(org, &format!("team-{n}")).await;
                admin.post_empty(&format!("/api/identity/orgs/{org}/teams/{t}/users/{}", w.carol_id)).await.expect(201);
                format!("{t}/users/{}", w.carol_id)
            }
            "role" => admin.create_role(org, &format!("role-{n}")).await,
            "keychain" => admin.create_keychain(org, &format!("keychain-{n}")).await,
            "keychain_with_key" => {
                let kc = admin.create_keychain(org, &format!("keychain-{n}")).await;
                admin.post_empty(&format!("/api/auth/keychains/{kc}/{}", self.builtin_key)).await.expect_204();
                format!("{kc}/{}", self.builtin_key)
            }
            "role_with_keychain" => {
                let role = admin.create_role(org, &format!("role-{n}")).await;
                let kc = admin.create_keychain(org, &format!("keychain-{n}")).await;
                admin.post_empty(&format!("/api/identity/orgs/{org}/roles/{role}/keychains/{kc}")).await.expect(200);
                format!("{role}/keychains/{kc}")
            }
            "key" => {
                let body =
                    json!({"function": format!("f{n}"), "category": "ext", "subcategory": "matrix", "description": ""});
                admin.post("/api/auth/keys", body).await.expect(200)["id"].as_str().expect("id").to_string()
            }
            "invitation" => {
                let body = json!({"name": format!("inv-{n}"), "description": "", "emails": [], "roles": [], "teams": [], "status": "enabled", "org_id": org});
                admin.post("/api/organizations/invitations", body).await.expect(201)["id"]
                    .as_str()
                    .expect("id")
                    .to_string()
            }
            "signup" => {
                let email = format!("applicant{n}@fresh.example");
                w.s.anon()
                    .post("/api/identity/users/request", json!({"email": email, "org_id": org}))
                    .await
                    .expect(201);
                let v = admin.get("/api/identity/users/request?pagesize=500").await.expect(200);
                let r = v["data"].as_array().expect("data").iter().find(|r| r["email"] == email.as_str()).cloned();
                r.unwrap_or_else(|| panic!("request of {email} not listed: {v}"))["id"]
                    .as_str()
                    .expect("id")
                    .to_string()
            }
            "badge" => {
                let body = json!({"name": format!("badge {n}"), "label": format!("badge-{n}"), "description": "", "image_url": "https://example.com/b.png", "org_id": org});
                admin.post("/api/organizations/badges", body).await.expect(201)["id"].as_str().expect("id").to_string()
            }
            "fresh_org" => {
                let id = w.alice.create_org(json!({"name": format!("org-{n}")})).await;
                admin.post_empty(&format!("/api/identity/orgs/{id}/users/{}", w.carol_id)).await.expect(201);
                id
            }
            other => panic!("unknown placeholder <{other}>"),
        }
    }

    /// Replaces each `<name>` (one value per name per call).
    async fn expand(&self, template: &str, seen: &mut HashMap<String, String>) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find('<') {
            let end = rest[start..].find('>').expect("closing >") + start;
            let name = &rest[start + 1..end];
            if !seen.contains_key(name) {
                let v = self.value(name).await;
                seen.insert(name.to_string(), v);
            }
            out.push_str(&rest[..start]);
            out.push_str(&seen[name]);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// Runs every case as every caller and fails once, listing every deviation.
async fn run(w: &World, cases: &[Case]) {
    let fx = Fixtures::new(w).await;
    let anon = w.s.anon();
    let callers = [&w.admin, &w.alice, &w.carol, &w.dave, &anon];
    let mut failures = vec![];
    for c in cases {
        for (i, api) in callers.iter().enumerate() {
            let want = c.expect[i];
            if want == 0 {
                continue;
            }
            let mut seen = HashMap::new();
            let path = fx.expand(c.path, &mut seen).await;
            let body = match c.body {
                Some(b) => Some(RawBody::Text(fx.expand(b, &mut seen).await)),
                None => None,
            };
            let api = if c.ctx { api.ctx(&w.org_a) } else { (*api).clone() };
            let r = api.send(c.method.clone(), &path, body).await;
            let wording = match want {
                401 => Some(L5_UNAUTHORIZED),
                404 => Some(L5_NOT_FOUND),
                _ => None,
            };
            let wording_ok =
                wording.is_none_or(|w| r.text.starts_with(w) && r.content_type().starts_with("text/plain"));
            if r.status != want || !wording_ok {
                failures.push(format!(
                    "{} {} as {}: expected {want}, got {} {:?}",
                    c.method,
                    c.path,
                    CALLERS[i],
                    r.status,
                    r.text.chars().take(160).collect::<String>()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{} deviation(s):\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test]
async fn teams() {
    let w = world().await;
    run(
        &w,
        &[
            case(GET, "/api/identity/orgs/<org>/teams", None, READ),
            case(POST, "/api/identity/orgs/<org>/teams", Some(r#"{"name": "t<n>"}"#), [201, 201, 401, 404, 401]),
            case(GET, "/api/identity/orgs/<org>/teams/<team>", None, READ),
            case(PUT, "/api/identity/orgs/<org>/teams/<team>", Some(r#"{"name": "t<n>"}"#), [200, 200, 401, 404, 401]),
            case(DELETE, "/api/identity/orgs/<org>/teams/<team>", None, [204, 204, 401, 404, 401]),
            case(
                POST,
                "/api/identity/orgs/<org>/teams/<team>",
                Some(r#"{"action": "delete"}"#),
                [201, 201, 401, 404, 401],
            ),
            case(POST, "/api/identity/orgs/<org>/teams/<team>/remove", None, [200, 200, 401, 404, 401]),
            case(POST, "/api/identity/orgs/<org>/teams/<removed_team>", None, [201, 201, 401, 404, 401]),
            case(GET, "/api/identity/orgs/<org>/teams/<team>/users", None, READ),
            case(POST, "/api/identity/orgs/<org>/teams/<team>/users/<member>", None, [201, 201, 401, 404, 401]),
            case(DELETE, "/api/identity/orgs/<org>/teams/<team_with_carol>", None, [204, 204, 401, 404, 401]),
            case(GET, "/api/identity/teams/<team>/users", None, READ),
        ],
    )
    .await;
}

#[tokio::test]
async fn org_users() {
    let w = world().await;
    run(
        &w,
        &[
            case(GET, "/api/identity/orgs/<org>/users", None, READ),
            // Adding an account without its consent is a provider admin's power.
            case(POST, "/api/identity/orgs/<org>/users/<user>", None, [201, 401, 401, 404, 401]),
            case(DELETE, "/api/identity/orgs/<org>/users/<member>", None, [204, 204, 401, 404, 401]),
            case(GET, "/api/identity/orgs/<org>/users/keys", None, READ),
            case(
                POST,
                "/api/identity/orgs/<org>/users/invite",
                Some(r#"{"emails": ["<email>"]}"#),
                [200, 200, 401, 404, 401],
            ),
            case(GET, "/api/users", None, [200, 200, 200, 200, 200]),
        ],
    )
    .await;
}

#[tokio::test]
async fn roles() {
    let w = world().await;
    run(
        &w,
        &[
            case(GET, "/api/identity/orgs/<org>/roles", None, READ),
            case(
                POST,
                "/api/identity/orgs/<org>/roles",
                Some(r#"{"role_name": "r<n>", "description": ""}"#),
                [200, 200, 401, 404, 401],
            ),
            case(
                PUT,
                "/api/identity/orgs/<org>/roles",
                Some(r#"[{"user_id": "<member>", "roleNames": ["member", "workspace admin"]}]"#),
                [200, 200, 401, 404, 401],
            ),
            case(GET, "/api/identity/orgs/<org>/roles/<role>/keychains", None, READ),
            case(POST, "/api/identity/orgs/<org>/roles/<role>/keychains/<keychain>", None, [200, 200, 401, 404, 401]),
            case(DELETE, "/api/identity/orgs/<org>/roles/<role_with_keychain>", None, [204, 204, 401, 404, 401]),
            in_ctx(
                POST,
                "/api/identity/roles",
                Some(r#"{"email": "carol@a.example", "roleNames": ["workspace admin"]}"#),
                [201, 201, 401, 404, 401],
            ),
            case(DELETE, "/api/identity/roles/<role>", None, [204, 204, 401, 404, 401]),
        ],
    )
    .await;
}

#[tokio::test]
async fn keys_and_keychains() {
    let w = world().await;
    run(
        &w,
        &[
            case(GET, "/api/auth/keys", None, SIGNED_IN),
            case(
                POST,
                "/api/auth/keys",
                Some(r#"{"function": "f<n>", "category": "ext", "subcategory": "matrix", "description": ""}"#),
                [200, 401, 401, 401, 401],
            ),
            case(GET, "/api/auth/key/<bkey>", None, SIGNED_IN),
            case(DELETE, "/api/auth/key/<key>", None, [204, 401, 401, 401, 401]),
            case(GET, "/api/auth/keychains", None, SIGNED_IN),
            in_ctx(POST, "/api/auth/keychains", Some(r#"{"name": "k<n>"}"#), [200, 200, 401, 404, 401]),
            case(GET, "/api/auth/keychains/<bkeychain>", None, SIGNED_IN),
            case(PUT, "/api/auth/keychains/<keychain>", Some(r#"{"name": "k<n>"}"#), [200, 200, 401, 404, 401]),
            case(DELETE, "/api/auth/keychains/<keychain>", None, [204, 204, 401, 404, 401]),
            case(GET, "/api/auth/keychains/<bkeychain>/keys", None, SIGNED_IN),
            case(POST, "/api/auth/keychains/<keychain>/<bkey>", None, [204, 204, 401, 404, 401]),
            case(DELETE, "/api/auth/keychains/<keychain_with_key>", None, [204, 204, 401, 404, 401]),
        ],
    )
    .await;
}

#[tokio::test]
async fn invitations() {
    let w = world().await;
    const PAYLOAD: &str = r#"{"name": "i<n>", "description": "", "emails": [], "roles": [], "teams": [], "status": "enabled", "org_id": "<org>"}"#;
    run(
        &w,
        &[
            in_ctx(GET, "/api/organizations/invitations", None, [200, 200, 401, 404, 401]),
            case(POST, "/api/organizations/invitations", Some(PAYLOAD), [201, 201, 401, 404, 401]),
            case(GET, "/api/organizations/invitations/<invitation>", None, [200, 200, 401, 404, 401]),
            case(PUT, "/api/organizations/invitations/<invitation>", Some(PAYLOAD), [200, 200, 401, 404, 401]),
            case(DELETE, "/api/organizations/invitations/<invitation>", None, [204, 204, 401, 404, 401]),
            // Anyone signed in may accept; what an existing member gets is not specified.
            case(POST, "/api/organizations/invitations/<invitation>/accept", None, [200, 0, 0, 200, 401]),
        ],
    )
    .await;
}

#[tokio::test]
async fn signup_requests() {
    let w = world().await;
    // One request stays pending throughout, so the notification has something to say.
    w.s.anon()
        .post("/api/identity/users/request", json!({"email": "waiting@fresh.example", "org_id": w.org_a}))
        .await
        .expect(201);
    run(
        &w,
        &[
            case(
                POST,
                "/api/identity/users/request",
                Some(r#"{"email": "<email>", "org_id": "<org>"}"#),
                [201, 201, 201, 201, 201],
            ),
            // Turning requests into accounts is the appliance operators' job.
            case(GET, "/api/identity/users/request", None, [200, 401, 401, 401, 401]),
            case(GET, "/api/identity/users/request/notification", None, [200, 401, 401, 401, 401]),
            case(POST, "/api/identity/users/request/approve", Some(r#"{"id": "<signup>"}"#), [200, 401, 401, 401, 401]),
            case(POST, "/api/identity/users/request/deny", Some(r#"{"id": "<signup>"}"#), [200, 401, 401, 401, 401]),
        ],
    )
    .await;
}

#[tokio::test]
async fn badges() {
    let w = world().await;
    run(
        &w,
        &[
            in_ctx(GET, "/api/identity/badges", None, READ),
            case(
                POST,
                "/api/organizations/badges",
                Some(r#"{"name": "b<n>", "label": "b<n>", "description": "", "image_url": "https://example.com/b.png", "org_id": "<org>"}"#),
                [201, 201, 401, 404, 401],
            ),
            case(GET, "/api/organizations/badges/<badge>", None, READ),
            case(DELETE, "/api/organizations/badges/<badge>", None, [204, 204, 401, 404, 401]),
            in_ctx(PUT, "/api/identity/users/badges", Some(r#"{"user_id": "<carol>", "badges": []}"#), [200, 200, 401, 404, 401]),
        ],
    )
    .await;
}

#[tokio::test]
async fn organizations_and_preferences() {
    let w = world().await;
    run(
        &w,
        &[
            case(GET, "/api/identity/orgs", None, SIGNED_IN),
            case(POST, "/api/identity/orgs", Some(r#"{"name": "o<n>"}"#), [201, 201, 201, 201, 401]),
            case(GET, "/api/identity/orgs/<org>", None, READ),
            case(PUT, "/api/identity/orgs/<org>", Some(r#"{"description": "d<n>"}"#), [200, 200, 401, 404, 401]),
            case(GET, "/api/identity/orgs/<org>/preferences", None, READ),
            case(DELETE, "/api/identity/orgs/<fresh_org>", None, [204, 204, 401, 404, 401]),
            case(GET, "/api/identity/users/profile", None, SIGNED_IN),
            case(GET, "/api/identity/users/profile/<carol>", None, READ),
            case(PUT, "/api/identity/users/preferences", Some(r#"{"theme": "t<n>"}"#), SIGNED_IN),
        ],
    )
    .await;
}
