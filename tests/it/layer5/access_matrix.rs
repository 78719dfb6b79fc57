//! The permission matrix: for every identity and access endpoint, which of
//! five callers may use it. Allowed calls must succeed with the documented
//! status; denied ones get the Layer5 denial (401) or, when the caller is not
//! in the org the request is about, "not found" (404).
//!
//! Every call works on its own freshly made resources (`<placeholder>`s in
//! paths and bodies), so the order of callers does not matter and an allowed
//! delete never starves the next caller.

use serde_json::json;

use crate::support::matrix::*;
use crate::support::*;

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

/// Taking away: demoting, stripping a team's roles, removing a team member
/// or an org member. Carol holds every key of the organization admin role
/// through a custom role, but is no admin: she may take from members, never
/// from admins.
#[tokio::test]
async fn removals() {
    let w = world().await;
    // More than the Free plan allows.
    w.unlimited(&w.org_a).await;
    w.make_carol_deputy().await;
    let from_admins = [200, 200, 401, 404, 401];
    let from_admins_204 = [204, 204, 401, 404, 401];
    let from_members = [
        case(PUT, "/api/identity/orgs/<org>/roles", Some(r#"[{"user_id": "<member>", "roleNames": []}]"#), from_admins),
        case(PUT, "/api/identity/orgs/<org>/roles", Some(r#"[{"team_id": "<team>", "roleNames": []}]"#), from_admins),
        case(DELETE, "/api/identity/orgs/<org>/teams/<team_member>", None, from_admins_204),
        case(DELETE, "/api/identity/orgs/<org>/users/<member>", None, from_admins_204),
    ];
    let mut cases: Vec<Case> = from_members.into_iter().map(Case::member_as_admin).collect();
    cases.extend([
        case(
            PUT,
            "/api/identity/orgs/<org>/roles",
            Some(r#"[{"user_id": "<admin_member>", "roleNames": ["member"]}]"#),
            from_admins,
        ),
        case(
            PUT,
            "/api/identity/orgs/<org>/roles",
            Some(r#"[{"team_id": "<admin_team>", "roleNames": []}]"#),
            from_admins,
        ),
        case(DELETE, "/api/identity/orgs/<org>/teams/<admin_team_member>", None, from_admins_204),
        case(DELETE, "/api/identity/orgs/<org>/users/<admin_member>", None, from_admins_204),
        case(DELETE, "/api/identity/orgs/<org>/teams/<admin_team>", None, from_admins_204),
        case(POST, "/api/identity/orgs/<org>/teams/<admin_team>/remove", None, from_admins),
    ]);
    run(&w, &cases).await;
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
            // The reference documents no 404 here: an org the caller is not in is a bad `org_id`.
            case(POST, "/api/organizations/invitations", Some(PAYLOAD), [201, 201, 401, 400, 401]),
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
    // Fixtures file their requests from addresses of their own.
    let w = world_with(|c| c.trust_forwarded_for = true).await;
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
                [201, 201, 401, 400, 401],
            ),
            case(GET, "/api/organizations/badges/<badge>", None, READ),
            case(DELETE, "/api/organizations/badges/<badge>", None, [204, 204, 401, 404, 401]),
            in_ctx(PUT, "/api/identity/users/badges", Some(r#"{"user_id": "<carol>", "badges": []}"#), [200, 200, 401, 400, 401]),
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
