//! The permission matrix of the infrastructure family: every environment,
//! connection, credential and workspace endpoint (and the workspace events)
//! for five callers. Members read but do not write (401); a member of
//! another org gets "not found" (404) for org A's things and for collection
//! calls in org A; anonymous callers get 401. A `workspace admin` holds every
//! infra key, so with that role the member may do what the org admin may.
//!
//! Every call works on freshly made resources (`<placeholder>`s), so the
//! order of callers does not matter and an allowed delete starves no one.

use std::collections::HashMap;

use reqwest::Method;
use serde_json::json;

use crate::support::*;

/// Expected statuses for: provider admin, org A admin, org A member, org B member, anonymous.
type Expect = [u16; 5];

const CALLERS: [&str; 5] = ["provider admin", "org admin", "member", "other org's member", "anonymous"];

struct Case {
    method: Method,
    path: &'static str,
    body: Option<&'static str>,
    /// Sends `layer5-current-orgid: <org A>` (collection calls act in the org in context).
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

const READ: Expect = [200, 200, 200, 404, 401];
const fn write(ok: u16) -> Expect {
    [ok, ok, 401, 404, 401]
}

const ENV_BODY: &str = r#"{"name": "e<n>", "organization_id": "<org>"}"#;
const WS_BODY: &str = r#"{"name": "w<n>", "organization_id": "<org>"}"#;
const CONN_BODY: &str =
    r#"{"name": "c<n>", "type": "platform", "sub_type": "orchestration", "kind": "kubernetes", "status": "connected"}"#;

/// Makes the resources a call needs, as the provider admin, in org A.
struct Fixtures<'a> {
    w: &'a World,
    n: std::cell::Cell<u64>,
}

impl Fixtures<'_> {
    fn next(&self) -> u64 {
        self.n.set(self.n.get() + 1);
        self.n.get()
    }

    async fn conn(&self, n: u64, metadata: serde_json::Value) -> String {
        let mut body = connection_body(&format!("conn-{n}"), "kubernetes", "connected");
        body["metadata"] = metadata;
        let v = self.w.admin.create_connection(&self.w.org_a, body).await;
        v["id"].as_str().expect("connection id").to_string()
    }

    async fn value(&self, name: &str) -> String {
        let (admin, org) = (&self.w.admin, self.w.org_a.as_str());
        let n = self.next();
        match name {
            "org" => org.to_string(),
            "n" => n.to_string(),
            "uuid" => uuid::Uuid::new_v4().to_string(),
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
            "team" => admin.create_team(org, &format!("team-{n}")).await,
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
/// With `member_is_workspace_admin`, the member is expected to fare like the org admin.
async fn run(w: &World, cases: &[Case], member_is_workspace_admin: bool) {
    let fx = Fixtures { w, n: std::cell::Cell::new(0) };
    let anon = w.s.anon();
    let callers = [&w.admin, &w.alice, &w.carol, &w.dave, &anon];
    let mut failures = vec![];
    for c in cases {
        for (i, api) in callers.iter().enumerate() {
            let want = if member_is_workspace_admin && i == 2 { c.expect[1] } else { c.expect[i] };
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

fn environments() -> Vec<Case> {
    vec![
        in_ctx(GET, "/api/environments", None, READ),
        // Acts in the body's org, so no header is needed.
        case(POST, "/api/environments", Some(ENV_BODY), write(201)),
        case(GET, "/api/environments/<env>", None, READ),
        case(PUT, "/api/environments/<env>", Some(ENV_BODY), write(200)),
        case(DELETE, "/api/environments/<env>", None, write(204)),
        case(GET, "/api/environments/<env>/connections", None, READ),
    ]
}

fn connections() -> Vec<Case> {
    vec![
        case(POST, "/api/environments/<env>/connections/<conn>", None, write(201)),
        case(DELETE, "/api/environments/<env_with_conn>", None, write(204)),
        in_ctx(GET, "/api/integrations/connections", None, READ),
        in_ctx(POST, "/api/integrations/connections", Some(CONN_BODY), write(201)),
        case(GET, "/api/integrations/connections/kubernetes/<k8s>/context", None, READ),
        in_ctx(DELETE, "/api/integrations/connections/meshery/<server>", None, write(204)),
        case(GET, "/api/integrations/connections/<conn>", None, READ),
        case(PUT, "/api/integrations/connections/<conn>", Some(CONN_BODY), write(200)),
        case(DELETE, "/api/integrations/connections/<conn>", None, write(204)),
    ]
}

fn credentials() -> Vec<Case> {
    vec![
        in_ctx(GET, "/api/integrations/credentials", None, READ),
        in_ctx(
            POST,
            "/api/integrations/credentials",
            Some(r#"{"name": "k<n>", "type": "token", "secret": {"t": "<n>"}}"#),
            write(201),
        ),
        case(
            PUT,
            "/api/integrations/credentials",
            Some(r#"{"id": "<cred>", "name": "k<n>", "type": "token"}"#),
            write(200),
        ),
        case(DELETE, "/api/integrations/credentials?credentialId=<cred>", None, write(204)),
        case(GET, "/api/integrations/credentials/<cred>", None, READ),
    ]
}

fn workspaces() -> Vec<Case> {
    vec![
        in_ctx(GET, "/api/workspaces", None, READ),
        case(POST, "/api/workspaces", Some(WS_BODY), write(201)),
        case(GET, "/api/workspaces/<ws>", None, READ),
        case(PUT, "/api/workspaces/<ws>", Some(WS_BODY), write(200)),
        case(DELETE, "/api/workspaces/<ws>", None, write(204)),
        case(GET, "/api/workspaces/<ws>/designs", None, READ),
        case(POST, "/api/workspaces/<ws>/designs/<uuid>", None, write(200)),
        case(DELETE, "/api/workspaces/<ws_with_design>", None, write(204)),
        case(GET, "/api/workspaces/<ws>/environments", None, READ),
        case(POST, "/api/workspaces/<ws>/environments/<env>", None, write(200)),
        case(DELETE, "/api/workspaces/<ws_with_env>", None, write(204)),
        case(GET, "/api/workspaces/<ws>/teams", None, READ),
        case(POST, "/api/workspaces/<ws>/teams/<team>", None, write(200)),
        case(DELETE, "/api/workspaces/<ws_with_team>", None, write(204)),
        case(GET, "/api/workspaces/<ws>/views", None, READ),
        case(POST, "/api/workspaces/<ws>/views/<uuid>", None, write(200)),
        case(DELETE, "/api/workspaces/<ws_with_view>", None, write(204)),
        case(GET, "/api/workspaces/<ws>/events", None, READ),
    ]
}

#[tokio::test]
async fn environments_matrix() {
    let w = world().await;
    run(&w, &environments(), false).await;
}

#[tokio::test]
async fn connections_matrix() {
    let w = world().await;
    run(&w, &connections(), false).await;
}

#[tokio::test]
async fn credentials_matrix() {
    let w = world().await;
    run(&w, &credentials(), false).await;
}

#[tokio::test]
async fn workspaces_matrix() {
    let w = world().await;
    run(&w, &workspaces(), false).await;
}

/// `METHOD /path/{}` with every parameter (and multi-segment placeholder) spelled out.
fn shape(method: &str, path: &str) -> String {
    let mut p = path.split('?').next().unwrap_or_default().to_string();
    for (placeholder, segments) in [
        ("<env_with_conn>", "{}/connections/{}"),
        ("<ws_with_env>", "{}/environments/{}"),
        ("<ws_with_team>", "{}/teams/{}"),
        ("<ws_with_design>", "{}/designs/{}"),
        ("<ws_with_view>", "{}/views/{}"),
    ] {
        p = p.replace(placeholder, segments);
    }
    let mut out = String::new();
    let mut depth = 0;
    for ch in p.chars() {
        match ch {
            '<' | '{' => depth += 1,
            '>' | '}' => {
                depth -= 1;
                out.push_str("{}");
            }
            _ if depth == 0 => out.push(ch),
            _ => {}
        }
    }
    format!("{} {}", method.to_uppercase(), out.trim_end_matches('/'))
}

#[tokio::test]
async fn the_matrix_covers_every_served_endpoint() {
    let s = Server::start().await;
    let spec = s.anon().get("/openapi.json").await.expect(200);
    let prefixes =
        ["/api/environments", "/api/integrations/connections", "/api/integrations/credentials", "/api/workspaces"];
    let mut served: Vec<String> = spec["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .filter(|(path, _)| prefixes.iter().any(|p| path.starts_with(p)))
        .flat_map(|(path, ops)| ops.as_object().expect("operations").keys().map(move |m| shape(m, path)))
        .collect();
    served.sort();
    let mut tested: Vec<String> = [environments(), connections(), credentials(), workspaces()]
        .iter()
        .flatten()
        .map(|c| shape(c.method.as_str(), c.path))
        .collect();
    tested.sort();
    tested.dedup();
    // The reference's four categories (37 endpoints) plus the workspace events.
    assert_eq!(tested.len(), 38, "{tested:#?}");
    assert_eq!(tested, served, "the matrix and the served API differ");
}

#[tokio::test]
async fn a_workspace_admin_may_do_what_the_org_admin_may() {
    let w = world().await;
    let grant = json!({"email": "carol@a.example", "roleNames": ["workspace admin"]});
    w.alice.ctx(&w.org_a).post("/api/identity/roles", grant).await.expect(201);
    let cases: Vec<Case> = [environments(), connections(), credentials(), workspaces()].into_iter().flatten().collect();
    run(&w, &cases, true).await;
}

#[tokio::test]
async fn each_key_guards_its_own_operations() {
    let w = world().await;
    let (org, alice) = (&w.org_a, &w.alice);
    let ws = alice.create_workspace(org, "ws").await;
    let env = alice.create_env(org, "env").await;
    let cred = alice.create_credential(org, "cred", json!({"k": "v"})).await;
    // Carol holds nothing but a role with the workspace read key.
    alice.give_role_with_keys(org, "workspace reader", &["infra.workspaces.read"], &w.carol_id).await;
    assert_eq!(alice.roles_of(org, &w.carol_id).await, ["workspace reader"]);

    let carol = w.carol.ctx(org);
    carol.get("/api/workspaces").await.expect(200);
    carol.get(&format!("/api/workspaces/{ws}")).await.expect(200);
    // The workspace's events are also events: they need the events key.
    carol.get(&format!("/api/workspaces/{ws}/events")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    for path in [
        "/api/environments".to_string(),
        format!("/api/environments/{env}"),
        format!("/api/environments/{env}/connections"),
        "/api/integrations/connections".to_string(),
        "/api/integrations/credentials".to_string(),
        format!("/api/integrations/credentials/{cred}"),
    ] {
        carol.get(&path).await.assert_l5_error(401, L5_UNAUTHORIZED);
    }
    carol
        .put(&format!("/api/workspaces/{ws}"), json!({"organization_id": org}))
        .await
        .assert_l5_error(401, L5_UNAUTHORIZED);
    carol.post_empty(&format!("/api/workspaces/{ws}/environments/{env}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
}
