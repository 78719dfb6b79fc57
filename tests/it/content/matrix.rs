//! The permission matrix of designs: every endpoint for five callers. The
//! designs made for it are public designs of org A, so its members read them
//! (200) but do not change them (401); a member of another org gets "not
//! found" (404), except for the bulk delete, which passes over designs the
//! caller cannot see (200, nothing deleted); anonymous callers 401. A `workspace admin` holds every
//! design key, so with that role the member may do what the org admin may.

use serde_json::json;

use crate::support::matrix::*;
use crate::support::*;

const SAVE: &str = r#"{"name": "d<n>", "patternData": {"components": []}}"#;
const UPDATE: &str = r#"{"name": "d<n>", "patternData": {"id": "<design>", "components": []}}"#;
/// A file to import or upload (sent as the form's `file`).
const FILE: &str = r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c<n>"}}"#;
const EVALUATE: &str = r#"{"design": {"name": "e<n>", "components": []}}"#;

fn designs() -> Vec<Case> {
    vec![
        in_ctx(GET, "/api/content/patterns", None, READ),
        in_ctx(POST, "/api/content/patterns", Some(SAVE), write(200)),
        case(POST, "/api/content/patterns", Some(UPDATE), write(200)),
        in_ctx(POST, "/api/content/patterns/clone/<design>", None, write(200)),
        // Ids the caller cannot see are passed over: another org's member deletes nothing, with 200.
        case(
            POST,
            "/api/content/patterns/delete",
            Some(r#"{"patterns": [{"id": "<design>"}]}"#),
            [200, 200, 401, 200, 401],
        ),
        case(GET, "/api/content/patterns/download/<design>", None, READ),
        case(GET, "/api/content/patterns/<design>", None, READ),
        case(DELETE, "/api/content/patterns/<design>", None, write(204)),
        case(GET, "/api/content/patterns/<design>/versions", None, READ),
        case(GET, "/api/content/patterns/<design>/versions/0.0.1", None, READ),
        case(POST, "/api/content/patterns/upload/<design>", Some(FILE), write(200)).form(),
    ]
}

/// Import and evaluation, outside `/api/content/patterns`.
fn wire() -> Vec<Case> {
    vec![
        in_ctx(POST, "/api/pattern/import", Some(FILE), write(200)).form(),
        in_ctx(POST, "/evaluate", Some(EVALUATE), READ),
    ]
}

#[tokio::test]
async fn designs_matrix() {
    let w = world().await;
    run(&w, &designs()).await;
    run(&w, &wire()).await;
}

#[tokio::test]
async fn a_workspace_admin_may_do_what_the_org_admin_may() {
    let w = world().await;
    let grant = json!({"email": "carol@a.example", "roleNames": ["workspace admin"]});
    w.alice.ctx(&w.org_a).post("/api/identity/roles", grant).await.expect(201);
    let cases: Vec<Case> = designs().into_iter().chain(wire()).map(Case::member_as_admin).collect();
    run(&w, &cases).await;
}

/// `METHOD /path/{}` with every placeholder and parameter spelled `{}`.
fn shape(method: &str, path: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for ch in path.chars() {
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
    let out = out.replace("/0.0.1", "/{}");
    format!("{} {}", method.to_uppercase(), out.trim_end_matches('/'))
}

#[tokio::test]
async fn the_matrix_covers_every_served_design_endpoint() {
    let s = Server::start().await;
    let spec = s.anon().get("/openapi.json").await.expect(200);
    // The sub-resources served by other parts of the family have matrices of their own.
    let theirs = ["/api/content/patterns/resource"];
    let mut served: Vec<String> = spec["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .filter(|(path, _)| path.starts_with("/api/content/patterns") && !theirs.iter().any(|t| path.starts_with(t)))
        .flat_map(|(path, ops)| ops.as_object().expect("operations").keys().map(move |m| shape(m, path)))
        .collect();
    served.sort();
    let mut tested: Vec<String> = designs().iter().map(|c| shape(c.method.as_str(), c.path)).collect();
    tested.sort();
    tested.dedup();
    assert_eq!(tested.len(), 10, "{tested:#?}");
    assert_eq!(tested, served, "the matrix and the served API differ");
}
