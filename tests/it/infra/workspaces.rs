//! Workspaces: CRUD, soft delete and the deleted filter, what a workspace
//! holds (environments, teams, designs, views), the assigned/unassigned
//! lists, and the workspace's slice of the audit log.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

const WS_FIELDS: [&str; 9] =
    ["id", "name", "description", "organization_id", "owner", "metadata", "created_at", "updated_at", "deleted_at"];
const EVENT_FIELDS: [&str; 11] = [
    "id",
    "user_id",
    "system_id",
    "category",
    "action",
    "description",
    "firstName",
    "lastName",
    "email",
    "provider",
    "created_at",
];

fn ws_path(id: &str) -> String {
    format!("/api/workspaces/{id}")
}

async fn ws_names(api: &Api, filter: Option<&str>) -> Vec<String> {
    let f = filter.map(|f| format!("&filter={}", enc(f))).unwrap_or_default();
    let v = api.get(&format!("/api/workspaces?pagesize=all&order=name{f}")).await.expect(200);
    strs(&v["workspaces"], "name")
}

#[tokio::test]
async fn crud_round_trip() {
    let w = world().await;
    let body = json!({"name": "Platform", "description": "platform team space", "organization_id": w.org_a});
    let r = w.alice.post("/api/workspaces", body).await;
    let ws = r.expect(201);
    assert!(r.content_type().starts_with("application/json"));
    for f in WS_FIELDS {
        assert!(ws.get(f).is_some(), "workspace lacks {f}: {ws}");
    }
    assert_eq!((ws["name"].as_str(), ws["description"].as_str()), (Some("Platform"), Some("platform team space")));
    assert_eq!(ws["organization_id"], w.org_a.as_str());
    assert_eq!(ws["owner"], w.alice_id.as_str());
    assert_eq!(ws["metadata"], json!({}));
    assert!(ws["deleted_at"].is_null());
    let id = ws["id"].as_str().unwrap().to_string();

    assert_eq!(w.carol.get(&ws_path(&id)).await.expect(200), ws, "a bare workspace, for anyone in the org");
    let list = w.carol.ctx(&w.org_a).get("/api/workspaces").await.expect(200);
    assert_eq!(page_items(&list, "workspaces", 0, 10, 1)[0], ws);

    // Update: organization_id is required; name and description are optional.
    let v = w.alice.put(&ws_path(&id), json!({"organization_id": w.org_a, "name": "Platform 2"})).await.expect(200);
    assert_eq!((v["name"].as_str(), v["description"].as_str()), (Some("Platform 2"), Some("platform team space")));
    assert_eq!(v["created_at"], ws["created_at"]);
    let v = w.alice.put(&ws_path(&id), json!({"organization_id": w.org_a, "description": "d2"})).await.expect(200);
    assert_eq!((v["name"].as_str(), v["description"].as_str()), (Some("Platform 2"), Some("d2")));
    let v = w.alice.put(&ws_path(&id), json!({"organization_id": w.org_a})).await.expect(200);
    assert_eq!((v["name"].as_str(), v["description"].as_str()), (Some("Platform 2"), Some("d2")));

    let before = w.alice.get(&ws_path(&id)).await.expect(200);
    let org = &w.org_a;
    for body in [
        json!({"name": "no org"}),
        json!({"name": "other org", "organization_id": w.org_b}),
        json!({"name": "", "organization_id": org}),
        json!({"name": "n".repeat(256), "organization_id": org}),
        json!({"description": "d".repeat(5001), "organization_id": org}),
        json!({"name": 7, "organization_id": org}),
        json!({"organization_id": "not-a-uuid"}),
    ] {
        w.admin.put(&ws_path(&id), body).await.assert_l5_error(400, L5_BAD_REQUEST);
    }
    w.alice.raw(Method::PUT, &ws_path(&id), "{").await.assert_l5_error(400, L5_BAD_REQUEST);
    assert_eq!(w.alice.get(&ws_path(&id)).await.expect(200), before, "nothing changed");

    for body in [
        json!({"organization_id": org}),
        json!({"name": "", "organization_id": org}),
        json!({"name": "x"}),
        json!({"name": "x", "organization_id": "nope"}),
    ] {
        w.alice.post("/api/workspaces", body).await.assert_l5_error(400, L5_BAD_REQUEST);
    }
    w.alice
        .post("/api/workspaces", json!({"name": "x", "organization_id": w.org_b}))
        .await
        .assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(ws_names(&w.alice.ctx(&w.org_a), None).await, ["Platform 2"]);
    w.alice.create_workspace(&w.org_a, "Other").await;
    let v = w.carol.ctx(&w.org_a).get("/api/workspaces?search=d2").await.expect(200);
    assert_eq!(
        strs(&page_items(&v, "workspaces", 0, 10, 1).into(), "name"),
        ["Platform 2"],
        "search covers descriptions"
    );
    let v = w.carol.ctx(&w.org_a).get("/api/workspaces?order=name%20desc").await.expect(200);
    assert_eq!(strs(&v["workspaces"], "name"), ["Platform 2", "Other"]);
    w.alice.get("/api/workspaces/not-a-uuid").await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.get(&ws_path(&uuid::Uuid::new_v4().to_string())).await.assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn soft_delete_and_the_deleted_filter() {
    let w = world().await;
    let api = w.alice.ctx(&w.org_a);
    let gone = w.alice.create_workspace(&w.org_a, "gone").await;
    w.alice.create_workspace(&w.org_a, "kept").await;
    let env = w.alice.create_env(&w.org_a, "e").await;
    w.alice.post_empty(&format!("{}/environments/{env}", ws_path(&gone))).await.expect(200);

    w.alice.delete(&ws_path(&gone)).await.expect_204();
    w.alice.get(&ws_path(&gone)).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.put(&ws_path(&gone), json!({"organization_id": w.org_a})).await.assert_l5_error(404, L5_NOT_FOUND);
    w.alice.delete(&ws_path(&gone)).await.assert_l5_error(404, L5_NOT_FOUND);
    for kind in ["environments", "teams", "designs", "views", "events"] {
        w.alice.get(&format!("{}/{kind}", ws_path(&gone))).await.assert_l5_error(404, L5_NOT_FOUND);
    }
    w.alice.post_empty(&format!("{}/environments/{env}", ws_path(&gone))).await.assert_l5_error(404, L5_NOT_FOUND);

    assert_eq!(ws_names(&api, None).await, ["kept"]);
    assert_eq!(ws_names(&api, Some(r#"{"deleted": false}"#)).await, ["kept"]);
    let f = enc(r#"{"deleted": true}"#);
    let v = api.get(&format!("/api/workspaces?filter={f}")).await.expect(200);
    let items = page_items(&v, "workspaces", 0, 10, 1);
    assert_eq!(items[0]["id"], gone.as_str());
    assert!(items[0]["deleted_at"].is_string(), "a deleted workspace shows when: {v}");
    // Another org's deleted workspaces are not among them.
    let b = w.admin.create_workspace(&w.org_b, "b-gone").await;
    w.admin.delete(&ws_path(&b)).await.expect_204();
    assert_eq!(ws_names(&api, Some(r#"{"deleted": true}"#)).await, ["gone"]);

    // A filter the list cannot understand is ignored: the live workspaces.
    let live = ws_names(&api, None).await;
    for odd in ["nope", "[1]", r#"{"deleted": "yes"}"#] {
        assert_eq!(ws_names(&api, Some(odd)).await, live, "{odd}");
    }
}

/// What each link kind answers: (path segment, mapping page key, mapping id field, list key).
const KINDS: [(&str, &str, &str, &str); 4] = [
    ("environments", "workspacesEnvironmentsMapping", "environment_id", "environments"),
    ("teams", "workspacesTeamsMapping", "team_id", "teams"),
    ("designs", "workspacesDesignsMapping", "design_id", "designs"),
    ("views", "workspacesViewsMapping", "view_id", "views"),
];

#[tokio::test]
async fn links_of_every_kind() {
    let w = world().await;
    let ws = w.alice.create_workspace(&w.org_a, "holder").await;
    let targets = [
        w.alice.create_env(&w.org_a, "env").await,
        w.alice.create_team(&w.org_a, "team").await,
        uuid::Uuid::new_v4().to_string(),
        uuid::Uuid::new_v4().to_string(),
    ];
    for ((segment, key, field, list_key), target) in KINDS.iter().zip(&targets) {
        let link = format!("{}/{segment}/{target}", ws_path(&ws));
        let list = format!("{}/{segment}", ws_path(&ws));
        assert!(page_items(&w.carol.get(&list).await.expect(200), list_key, 0, 10, 0).is_empty(), "{segment}");

        let r = w.alice.post_empty(&link).await;
        let v = r.expect(200);
        let maps = page_items(&v, key, 0, 1, 1);
        assert_eq!(maps[0][*field], target.as_str(), "{segment}: {v}");
        assert_eq!(maps[0]["workspace_id"], ws.as_str(), "{segment}: {v}");
        assert!(maps[0]["id"].is_string() && maps[0]["created_at"].is_string(), "{segment}: {v}");
        // Linking twice answers the same mapping.
        let again = w.alice.post_empty(&link).await.expect(200);
        assert_eq!(again[*key][0]["id"], maps[0]["id"], "{segment}");

        let v = w.carol.get(&list).await.expect(200);
        let items = page_items(&v, list_key, 0, 10, 1);
        assert_eq!(items[0]["id"], target.as_str(), "{segment}: {v}");

        w.carol.delete(&link).await.assert_l5_error(401, L5_UNAUTHORIZED);
        w.alice.delete(&link).await.expect_204();
        w.alice.delete(&link).await.assert_l5_error(404, L5_NOT_FOUND);
        assert!(page_items(&w.carol.get(&list).await.expect(200), list_key, 0, 10, 0).is_empty(), "{segment}");
    }
    // Teams listed through a workspace are the org's team objects.
    w.alice.post_empty(&format!("{}/teams/{}", ws_path(&ws), targets[1])).await.expect(200);
    let v = w.carol.get(&format!("{}/teams", ws_path(&ws))).await.expect(200);
    assert_eq!(v["teams"][0]["name"], "team");
    // A deleted team leaves the workspace's list.
    w.alice.delete(&format!("/api/identity/orgs/{}/teams/{}", w.org_a, targets[1])).await.expect_204();
    let v = w.carol.get(&format!("{}/teams", ws_path(&ws))).await.expect(200);
    assert!(page_items(&v, "teams", 0, 10, 0).is_empty(), "{v}");

    // The permission is checked before anything is looked up.
    let nothing = uuid::Uuid::new_v4();
    let mut deviations = vec![];
    for segment in ["environments", "teams", "designs", "views"] {
        let link = format!("{}/{segment}/{nothing}", ws_path(&ws));
        for (method, r) in [("POST", w.carol.post_empty(&link).await), ("DELETE", w.carol.delete(&link).await)] {
            if r.status != 401 || !r.text.starts_with(L5_UNAUTHORIZED) {
                deviations.push(format!("{method} {segment}/<unknown> as a member: {} {:?}", r.status, r.text));
            }
        }
    }
    assert!(deviations.is_empty(), "{deviations:#?}");
}

#[tokio::test]
async fn assigned_and_unassigned_lists() {
    let w = world().await;
    let ws = w.alice.create_workspace(&w.org_a, "w").await;
    let other_ws = w.alice.create_workspace(&w.org_a, "other").await;
    let mut envs = vec![];
    for name in ["e1", "e2", "e3"] {
        envs.push(w.alice.create_env(&w.org_a, name).await);
    }
    let t1 = w.alice.create_team(&w.org_a, "t1").await;
    w.alice.create_team(&w.org_a, "t2").await;
    w.admin.create_env(&w.org_b, "b-env").await;
    w.admin.create_team(&w.org_b, "b-team").await;
    w.alice.post_empty(&format!("{}/environments/{}", ws_path(&ws), envs[0])).await.expect(200);
    w.alice.post_empty(&format!("{}/environments/{}", ws_path(&other_ws), envs[1])).await.expect(200);
    w.alice.post_empty(&format!("{}/teams/{t1}", ws_path(&ws))).await.expect(200);
    w.alice.post_empty(&format!("{}/designs/{}", ws_path(&ws), uuid::Uuid::new_v4())).await.expect(200);

    let unassigned = enc(r#"{"assigned": false}"#);
    let assigned = enc(r#"{"assigned": true}"#);
    let names = |v: &Value, key: &str| {
        let mut n = strs(&v[key], "name");
        n.sort();
        n
    };
    let get = |kind: &str, filter: &str| {
        let (api, path) = (&w.carol, format!("{}/{kind}?filter={filter}", ws_path(&ws)));
        async move { api.get(&path).await }
    };

    let v = w.carol.get(&format!("{}/environments", ws_path(&ws))).await.expect(200);
    assert_eq!(names(&v, "environments"), ["e1"]);
    assert_eq!(names(&get("environments", &assigned).await.expect(200), "environments"), ["e1"]);
    // Linked elsewhere is still available here; other orgs' never are.
    let v = get("environments", &unassigned).await.expect(200);
    assert_eq!(names(&v, "environments"), ["e2", "e3"]);
    assert_eq!(v["total_count"], 2);

    assert_eq!(names(&get("teams", &assigned).await.expect(200), "teams"), ["t1"]);
    let v = get("teams", &unassigned).await.expect(200);
    assert_eq!(names(&v, "teams"), ["t2"]);
    assert_eq!(v["total_count"], 1);

    assert_eq!(get("designs", &assigned).await.expect(200)["total_count"], 1);
    assert!(page_items(&get("designs", &unassigned).await.expect(200), "designs", 0, 10, 0).is_empty());
    assert!(page_items(&get("views", &unassigned).await.expect(200), "views", 0, 10, 0).is_empty());

    // A filter the list cannot understand is ignored: the assigned ones.
    for kind in ["environments", "teams", "designs", "views"] {
        let default = get(kind, "").await.expect(200)["total_count"].clone();
        assert_eq!(get(kind, "nope").await.expect(200)["total_count"], default, "{kind}");
        assert_eq!(get(kind, &enc(r#"{"assigned": "no"}"#)).await.expect(200)["total_count"], default, "{kind}");
    }
}

#[tokio::test]
async fn other_orgs_things_are_not_found() {
    let w = world().await;
    let ws = w.alice.create_workspace(&w.org_a, "w").await;
    let b_env = w.admin.create_env(&w.org_b, "b-env").await;
    let b_team = w.admin.create_team(&w.org_b, "b-team").await;
    let gone_env = w.alice.create_env(&w.org_a, "gone").await;
    w.alice.delete(&format!("/api/environments/{gone_env}")).await.expect_204();
    let gone_team = w.alice.create_team(&w.org_a, "gone-team").await;
    w.alice.delete(&format!("/api/identity/orgs/{}/teams/{gone_team}", w.org_a)).await.expect_204();
    let nobody = uuid::Uuid::new_v4().to_string();

    for api in [&w.alice, &w.admin] {
        for path in [
            format!("environments/{b_env}"),
            format!("teams/{b_team}"),
            format!("environments/{gone_env}"),
            format!("teams/{gone_team}"),
            format!("environments/{nobody}"),
            format!("teams/{nobody}"),
        ] {
            api.post_empty(&format!("{}/{path}", ws_path(&ws))).await.assert_l5_error(404, L5_NOT_FOUND);
        }
    }
    for kind in ["environments", "teams"] {
        let v = w.alice.get(&format!("{}/{kind}", ws_path(&ws))).await.expect(200);
        assert_eq!(v["total_count"], 0, "{kind}: {v}");
    }
    // Another org's member cannot reach the workspace at all.
    w.dave.get(&ws_path(&ws)).await.assert_l5_error(404, L5_NOT_FOUND);
    let b_ws = w.admin.create_workspace(&w.org_b, "b-ws").await;
    w.dave.post_empty(&format!("{}/environments/{b_env}", ws_path(&ws))).await.assert_l5_error(404, L5_NOT_FOUND);
    // Nor can an org admin put their own environment into another org's workspace.
    let a_env = w.alice.create_env(&w.org_a, "a-env").await;
    w.alice.post_empty(&format!("{}/environments/{a_env}", ws_path(&b_ws))).await.assert_l5_error(404, L5_NOT_FOUND);
    w.admin.post_empty(&format!("{}/environments/{a_env}", ws_path(&b_ws))).await.assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn workspace_events() {
    let w = world().await;
    let ws = w.alice.create_workspace(&w.org_a, "audited").await;
    let quiet = w.alice.create_workspace(&w.org_a, "quiet").await;
    let env = w.alice.create_env(&w.org_a, "env-for-events").await;
    let team = w.alice.create_team(&w.org_a, "team-for-events").await;
    w.alice.put(&ws_path(&ws), json!({"organization_id": w.org_a, "description": "changed"})).await.expect(200);
    w.alice.post_empty(&format!("{}/environments/{env}", ws_path(&ws))).await.expect(200);
    w.alice.post_empty(&format!("{}/teams/{team}", ws_path(&ws))).await.expect(200);
    w.alice.delete(&format!("{}/environments/{env}", ws_path(&ws))).await.expect_204();

    let events = format!("{}/events", ws_path(&ws));
    let r = w.carol.get(&events).await;
    let v = r.expect(200);
    let items = page_items(&v, "data", 0, 10, 5);
    for e in &items {
        for f in EVENT_FIELDS {
            assert!(e.get(f).is_some(), "event lacks {f}: {e}");
        }
        assert_eq!(e["email"], "alice@a.example", "{e}");
        assert_eq!(e["user_id"], w.alice_id.as_str(), "{e}");
    }
    // Newest first: the creation is last, the unassignment first.
    let times: Vec<&str> = items.iter().map(|e| e["created_at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|p| p[0] >= p[1]), "{times:?}");
    let actions = strs(&json!(items), "action");
    assert!(actions[4].contains("create"), "{actions:?}");
    assert!(actions[0].contains("unassign") || actions[0].contains("remove"), "{actions:?}");
    let text = v.to_string();
    assert!(text.contains("env-for-events") && text.contains("team-for-events"), "assignments name what: {v}");

    let v = w.carol.get(&format!("{events}?pagesize=2&page=1")).await.expect(200);
    assert_eq!(page_items(&v, "data", 1, 2, 5).len(), 2);
    assert_eq!(v["data"][0]["id"], items[2]["id"]);

    let v = w.carol.get(&format!("{}/events", ws_path(&quiet))).await.expect(200);
    assert_eq!(page_items(&v, "data", 0, 10, 1).len(), 1, "only its own creation: {v}");
    w.dave.get(&events).await.assert_l5_error(404, L5_NOT_FOUND);
    w.s.anon().get(&events).await.assert_l5_error(401, L5_UNAUTHORIZED);
    // A page that is not a number is the first one, as on every Layer5 list.
    assert_eq!(w.carol.get(&format!("{events}?page=x")).await.expect(200)["page"], 0);
}
