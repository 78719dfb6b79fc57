//! The permission-matrix harness: a table of calls (method, path and body
//! templates with `<placeholder>`s, whether org A is in context) and the
//! status each of five callers must get. Every call is made on resources made
//! for it alone, so the order of callers does not matter and an allowed
//! delete starves no one; a run reports every deviation at once.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use reqwest::Method;
use serde_json::json;

use super::{L5_NOT_FOUND, L5_UNAUTHORIZED, RawBody, World, connection_body, multipart};

/// Expected statuses for: provider admin, org A admin, org A member, org B
/// member, anonymous. `0`: not asserted (the contract leaves it open).
pub type Expect = [u16; 5];

pub const CALLERS: [&str; 5] = ["provider admin", "org admin", "member", "other org's member", "anonymous"];

pub const GET: Method = Method::GET;
pub const POST: Method = Method::POST;
pub const PUT: Method = Method::PUT;
pub const DELETE: Method = Method::DELETE;

/// Org A's members read; org B's get "not found"; anonymous callers 401.
pub const READ: Expect = [200, 200, 200, 404, 401];
/// Anyone signed in.
pub const SIGNED_IN: Expect = [200, 200, 200, 200, 401];

/// Org A's admins write with `ok`; its members are denied, org B's get "not found".
pub const fn write(ok: u16) -> Expect {
    [ok, ok, 401, 404, 401]
}

pub struct Case {
    pub method: Method,
    pub path: &'static str,
    pub body: Option<&'static str>,
    /// Sends `layer5-current-orgid: <org A>` (for calls that act in the org in context).
    pub ctx: bool,
    pub expect: Expect,
    /// Sends the body as the `file` of a `multipart/form-data` form.
    pub form: bool,
}

pub fn case(method: Method, path: &'static str, body: Option<&'static str>, expect: Expect) -> Case {
    Case { method, path, body, ctx: false, expect, form: false }
}

pub fn in_ctx(method: Method, path: &'static str, body: Option<&'static str>, expect: Expect) -> Case {
    Case { method, path, body, ctx: true, expect, form: false }
}

impl Case {
    /// The body goes as the `file` of a form (`design.json`).
    pub fn form(mut self) -> Case {
        self.form = true;
        self
    }

    /// The member expected to fare as the org admin (once given a role that
    /// holds the keys the admin uses here).
    pub fn member_as_admin(mut self) -> Case {
        self.expect[2] = self.expect[1];
        self
    }
}

/// Runs every case as every caller and fails once, listing every deviation.
/// A 401 or 404 must also carry the Layer5 wording, as text/plain.
pub async fn run(w: &World, cases: &[Case]) {
    let fx = Fixtures { w, n: Cell::new(0), builtins: RefCell::default() };
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
                Some(b) if c.form => {
                    let text = fx.expand(b, &mut seen).await;
                    Some(multipart(&[("file", Some("design.json"), text.as_bytes())]))
                }
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

/// Makes the resources a call needs, as the provider admin, in org A.
struct Fixtures<'a> {
    w: &'a World,
    n: Cell<u64>,
    /// Ids of built-in things, looked up once per run.
    builtins: RefCell<HashMap<&'static str, String>>,
}

impl Fixtures<'_> {
    fn next(&self) -> u64 {
        self.n.set(self.n.get() + 1);
        self.n.get()
    }

    /// `bkeychain`: the built-in Member keychain; `bkey`: a built-in key.
    async fn builtin(&self, name: &'static str) -> String {
        let cached = self.builtins.borrow().get(name).cloned();
        if let Some(id) = cached {
            return id;
        }
        let id = match name {
            "bkeychain" => self.w.admin.keychain_id("Member").await,
            "bkey" => self.w.admin.key_id("identity.teams.read").await,
            other => panic!("no built-in <{other}>"),
        };
        self.builtins.borrow_mut().insert(name, id.clone());
        id
    }

    async fn user(&self, org: Option<&str>) -> String {
        let email = format!("fresh{}@fresh.example", self.next());
        self.w.s.new_user(&email, org.map(|o| (o, false))).await
    }

    async fn conn(&self, n: u64, metadata: serde_json::Value) -> String {
        let mut body = connection_body(&format!("conn-{n}"), "kubernetes", "connected");
        body["metadata"] = metadata;
        let v = self.w.admin.create_connection(&self.w.org_a, body).await;
        v["id"].as_str().expect("connection id").to_string()
    }

    async fn value(&self, name: &str) -> String {
        let (w, admin, org) = (self.w, &self.w.admin, self.w.org_a.as_str());
        let n = self.next();
        match name {
            // Either family.
            "org" => org.to_string(),
            "n" => n.to_string(),
            "uuid" => uuid::Uuid::new_v4().to_string(),
            "team" => admin.create_team(org, &format!("team-{n}")).await,
            // Identity and access.
            "carol" => w.carol_id.clone(),
            "email" => format!("invitee{n}@fresh.example"),
            "bkeychain" => self.builtin("bkeychain").await,
            "bkey" => self.builtin("bkey").await,
            "user" => self.user(None).await,
            "member" => self.user(Some(org)).await,
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
            // An admin of org A (directly, or through a team holding the role).
            "admin_member" => {
                let u = self.user(Some(org)).await;
                let set = json!([{"user_id": u, "roleNames": ["member", "organization admin"]}]);
                admin.put(&format!("/api/identity/orgs/{org}/roles"), set).await.expect(200);
                u
            }
            "admin_team" | "admin_team_member" => {
                let t = admin.create_team(org, &format!("team-{n}")).await;
                let set = json!([{"team_id": t, "roleNames": ["organization admin"]}]);
                admin.put(&format!("/api/identity/orgs/{org}/roles"), set).await.expect(200);
                let u = self.user(Some(org)).await;
                admin.post_empty(&format!("/api/identity/orgs/{org}/teams/{t}/users/{u}")).await.expect(201);
                if name == "admin_team" { t } else { format!("{t}/users/{u}") }
            }
            "team_member" => {
                let t = admin.create_team(org, &format!("team-{n}")).await;
                let set = json!([{"team_id": t, "roleNames": ["workspace admin"]}]);
                admin.put(&format!("/api/identity/orgs/{org}/roles"), set).await.expect(200);
                let u = self.user(Some(org)).await;
                admin.post_empty(&format!("/api/identity/orgs/{org}/teams/{t}/users/{u}")).await.expect(201);
                format!("{t}/users/{u}")
            }
            "role" => admin.create_role(org, &format!("role-{n}")).await,
            "keychain" => admin.create_keychain(org, &format!("keychain-{n}")).await,
            "keychain_with_key" => {
                let kc = admin.create_keychain(org, &format!("keychain-{n}")).await;
                let key = self.builtin("bkey").await;
                admin.post_empty(&format!("/api/auth/keychains/{kc}/{key}")).await.expect_204();
                format!("{kc}/{key}")
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
                // Each from an address of its own (heeded where the world trusts
                // the header): anonymous requests are limited per address.
                w.s.anon()
                    .header("x-forwarded-for", &format!("10.77.{}.{}", n / 250, n % 250))
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
            // Infrastructure.
            "env" => admin.create_env(org, &format!("env-{n}")).await,
            "conn" => self.conn(n, json!({})).await,
            "k8s" => self.conn(n, json!({"context": {"cluster": "c"}})).await,
            "server" => {
                let server = uuid::Uuid::new_v4().to_string();
                self.conn(n, json!({"server_id": server})).await;
                server
            }
            "env_with_conn" => {
                let env = admin.create_env(org, &format!("env-{n}")).await;
                let conn = self.conn(n, json!({})).await;
                let r = admin.post_empty(&format!("/api/environments/{env}/connections/{conn}")).await;
                assert_eq!(r.status, 201, "{}", r.text);
                format!("{env}/connections/{conn}")
            }
            "cred" => admin.create_credential(org, &format!("cred-{n}"), json!({"k": "v"})).await,
            "ws" => admin.create_workspace(org, &format!("ws-{n}")).await,
            linked if linked.starts_with("ws_with_") => {
                let ws = admin.create_workspace(org, &format!("ws-{n}")).await;
                let (kind, target) = match &linked["ws_with_".len()..] {
                    "env" => ("environments", admin.create_env(org, &format!("env-{n}")).await),
                    "team" => ("teams", admin.create_team(org, &format!("team-{n}")).await),
                    "design" => ("designs", uuid::Uuid::new_v4().to_string()),
                    "view" => ("views", uuid::Uuid::new_v4().to_string()),
                    other => panic!("unknown link kind {other}"),
                };
                admin.post_empty(&format!("/api/workspaces/{ws}/{kind}/{target}")).await.expect(200);
                format!("{ws}/{kind}/{target}")
            }
            // Content: a public design of org A (members of org A read it).
            "design" => {
                let body =
                    json!({"name": format!("design-{n}"), "visibility": "public", "patternData": {"components": []}});
                admin.ctx(org).post("/api/content/patterns", body).await.expect(200)["id"]
                    .as_str()
                    .expect("design id")
                    .to_string()
            }
            // A public view and a public filter of org A.
            "view" => {
                let id = uuid::Uuid::new_v4().to_string();
                let body = json!({"name": format!("view-{n}"), "visibility": "public"});
                admin.ctx(org).put(&format!("/api/content/views/{id}"), body).await.expect(200);
                id
            }
            "filter" => {
                let body = json!({"name": format!("filter-{n}"), "visibility": "public", "filter_file": "AGFzbQ=="});
                admin.ctx(org).post("/api/content/filters", body).await.expect(200)["id"]
                    .as_str()
                    .expect("filter id")
                    .to_string()
            }
            // A pending request to publish a public design of org A, filed by its admin.
            "catalog_request" => {
                let body =
                    json!({"name": format!("design-{n}"), "visibility": "public", "patternData": {"components": []}});
                let design = w.alice.ctx(org).post("/api/content/patterns", body).await.expect(200)["id"]
                    .as_str()
                    .expect("design id")
                    .to_string();
                let data = json!({"compatibility": ["kubernetes"], "pattern_caveats": "", "pattern_info": "i", "type": "Deployment"});
                w.alice
                    .post("/api/catalog/content/pattern", json!({"id": design, "catalog_data": data}))
                    .await
                    .expect(200)["id"]
                    .as_str()
                    .expect("request id")
                    .to_string()
            }
            // A pattern resource: the one component of a public design of org A.
            "resource" => {
                let component = json!({"id": "c", "displayName": "web", "component": {"kind": "Deployment", "version": "apps/v1"},
                                       "model": {"name": "kubernetes"}, "configuration": {"metadata": {"name": "web"}}});
                let body = json!({"name": format!("design-{n}"), "visibility": "public",
                                  "patternData": {"components": [component]}});
                let design = admin.ctx(org).post("/api/content/patterns", body).await.expect(200)["id"]
                    .as_str()
                    .expect("design id")
                    .to_string();
                let v =
                    admin.ctx(org).get(&format!("/api/content/patterns/resource?designId={design}")).await.expect(200);
                v["resources"][0]["id"].as_str().expect("resource id").to_string()
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
