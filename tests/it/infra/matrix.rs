//! The permission matrix of the infrastructure family: every environment,
//! connection, credential and workspace endpoint (and the workspace events)
//! for five callers. Members read but do not write (401); a member of
//! another org gets "not found" (404) for org A's things and for collection
//! calls in org A; anonymous callers get 401. A `workspace admin` holds every
//! infra key, so with that role the member may do what the org admin may.
//!
//! Every call works on freshly made resources (`<placeholder>`s), so the
//! order of callers does not matter and an allowed delete starves no one.

use serde_json::json;

use crate::support::matrix::*;
use crate::support::*;

const ENV_BODY: &str = r#"{"name": "e<n>", "organization_id": "<org>"}"#;
const WS_BODY: &str = r#"{"name": "w<n>", "organization_id": "<org>"}"#;
const CONN_BODY: &str =
    r#"{"name": "c<n>", "type": "platform", "sub_type": "orchestration", "kind": "kubernetes", "status": "connected"}"#;

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
    // More than the Free plan allows.
    w.unlimited(&w.org_a).await;
    run(&w, &environments()).await;
}

#[tokio::test]
async fn connections_matrix() {
    let w = world().await;
    run(&w, &connections()).await;
}

#[tokio::test]
async fn credentials_matrix() {
    let w = world().await;
    run(&w, &credentials()).await;
}

#[tokio::test]
async fn workspaces_matrix() {
    let w = world().await;
    // More than the Free plan allows.
    w.unlimited(&w.org_a).await;
    run(&w, &workspaces()).await;
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
    // More than the Free plan allows.
    w.unlimited(&w.org_a).await;
    let grant = json!({"email": "carol@a.example", "roleNames": ["workspace admin"]});
    w.alice.ctx(&w.org_a).post("/api/identity/roles", grant).await.expect(201);
    let cases: Vec<Case> = [environments(), connections(), credentials(), workspaces()]
        .into_iter()
        .flatten()
        .map(Case::member_as_admin)
        .collect();
    run(&w, &cases).await;
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
