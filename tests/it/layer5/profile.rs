//! The caller's profile, preferences, and the org context they select.

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn profile_has_the_reference_fields() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let r = admin.get("/api/identity/users/profile").await;
    assert_eq!(r.status, 200);
    let p = r.json();
    for f in [
        "id",
        "user_id",
        "email",
        "first_name",
        "last_name",
        "provider",
        "status",
        "last_login_time",
        "created_at",
        "updated_at",
        "deleted_at",
        "preferences",
        "organizations",
        "teams",
        "role_names",
    ] {
        assert!(p.get(f).is_some(), "profile lacks {f}");
    }
    assert_eq!(p["email"], ADMIN_EMAIL);
    assert_eq!(p["status"], "active");
    assert!(p["deleted_at"].is_null());
    assert_eq!(p["role_names"], json!(["admin"]));
    assert_eq!(p["last_login_time"], "0001-01-01T00:00:00Z", "never signed in with a password");
    let orgs = &p["organizations"];
    assert_eq!(orgs["total_count"], 1);
    assert_eq!(orgs["organizations_with_roles"][0]["name"], "Default Organization");
    assert_eq!(orgs["organizations_with_roles"][0]["role_names"], json!(["organization admin"]));
}

#[tokio::test]
async fn preferences_merge_and_validate() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let org = admin.create_org(json!({"name": "second"})).await;
    let ws = uuid::Uuid::now_v7().to_string();
    let r = admin
        .put(
            "/api/identity/users/preferences",
            json!({"selectedOrganization": org, "selectedWorkspace": ws, "theme": "dark"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let prefs = &r.json()["preferences"];
    assert_eq!(prefs["selectedOrganization"], org.as_str());
    assert_eq!(prefs["selectedWorkspace"], ws.as_str());

    // Merge: untouched keys stay; null removes.
    let r = admin.put("/api/identity/users/preferences", json!({"theme": null, "lang": "de"})).await;
    let prefs = r.json()["preferences"].clone();
    assert_eq!(prefs["selectedOrganization"], org.as_str());
    assert!(prefs.get("theme").is_none());
    assert_eq!(prefs["lang"], "de");

    // Invalid input changes nothing.
    let (_, bob) = s.user("bob@example.com", None).await;
    let bobs_org = bob.create_org(json!({"name": "bob's"})).await;
    assert_eq!(bob.put("/api/identity/users/preferences", json!({"selectedOrganization": bobs_org})).await.status, 200);
    for bad in [
        json!({"selectedOrganization": org}),
        json!({"selectedOrganization": "not-a-uuid"}),
        json!({"selectedOrganization": 7}),
        json!({"selectedWorkspace": "nope"}),
        json!(["not", "an", "object"]),
    ] {
        bob.put("/api/identity/users/preferences", bad.clone()).await.assert_l5_error(400, L5_BAD_REQUEST);
    }
    let now = bob.get("/api/identity/users/profile").await.json();
    assert_eq!(now["preferences"]["selectedOrganization"], bobs_org.as_str());
    assert_eq!(now["preferences"]["selectedOrganizationId"], bobs_org.as_str());
    assert!(now["preferences"].get("selectedWorkspace").is_none(), "{now}");
    assert_eq!(admin.get("/api/identity/users/profile").await.json()["preferences"], prefs);
}

#[tokio::test]
async fn org_context_follows_header_then_preference_then_first_org() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let default_org =
        admin.get("/api/identity/orgs").await.json()["organizations"][0]["id"].as_str().unwrap().to_string();
    let second = admin.create_org(json!({"name": "second"})).await;
    let third = admin.create_org(json!({"name": "third"})).await;
    let current = |v: serde_json::Value| v["current_organization"]["id"].as_str().map(str::to_string);

    let first = admin.get("/api/meshcloud/session").await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(current(first.json()).as_deref(), Some(default_org.as_str()), "first membership by default");
    assert!(first.json()["csrf_token"].is_null(), "token requests need no CSRF token");

    admin.put("/api/identity/users/preferences", json!({"selectedOrganization": second})).await;
    assert_eq!(current(admin.get("/api/meshcloud/session").await.json()).as_deref(), Some(second.as_str()));

    let with_header = admin.clone().header("layer5-current-orgid", &third);
    assert_eq!(current(with_header.get("/api/meshcloud/session").await.json()).as_deref(), Some(third.as_str()));

    // A preference pointing at a deleted org falls back to the first membership.
    admin.delete(&format!("/api/identity/orgs/{second}")).await;
    assert_eq!(current(admin.get("/api/meshcloud/session").await.json()).as_deref(), Some(default_org.as_str()));

    // A header naming an org the caller cannot see is "not found", never its data.
    let (_, bob) = s.user("bob@example.com", None).await;
    let foreign = bob.clone().header("layer5-current-orgid", &third);
    let r = foreign.get("/api/meshcloud/session").await;
    assert_eq!(r.status, 404);
    assert!(!r.text.contains("third"));
    let bad = bob.header("layer5-current-orgid", "zzz");
    assert_eq!(bad.get("/api/meshcloud/session").await.status, 400);
}

/// Fields the seed types without saying nullable are never null: strings are
/// empty, objects `{}`, unset times the zero time. `preferences` carries the
/// upstream schema's required keys with defaults.
#[tokio::test]
async fn unset_fields_are_empty_not_null() {
    let s = Server::start().await;
    let (_, bob) = s.user("bob@example.com", None).await;
    let p = bob.get("/api/identity/users/profile").await.expect(200);
    assert_eq!(p["bio"].as_str(), Some(""), "{p}");
    // The seed types it as an optional URI: left out, as "" is no URI.
    assert!(p.get("avatar_url").is_none(), "{p}");
    assert_eq!((&p["country"], &p["region"]), (&json!({}), &json!({})), "{p}");
    assert_eq!(p["accepted_terms_at"], "0001-01-01T00:00:00Z", "{p}");
    assert!(p["first_login_time"].is_string(), "{p}");
    let prefs = &p["preferences"];
    assert_eq!(prefs["anonymousUsageStats"], false);
    assert_eq!(prefs["anonymousPerfResults"], false);
    assert!(prefs["updated_at"].is_string(), "{prefs}");
    for key in [
        "dashboardPreferences",
        "selectedWorkspaceForOrganizations",
        "usersExtensionPreferences",
        "remoteProviderPreferences",
    ] {
        assert_eq!(prefs[key], json!({}), "{key}: {prefs}");
    }
    assert_eq!(prefs["selectedOrganizationId"], NIL_UUID, "none selected yet");
    // The colleague view and the org user list carry the same shape.
    let org = bob.create_org(json!({"name": "bob's"})).await;
    let listed = bob.get(&format!("/api/identity/orgs/{org}/users")).await.expect(200);
    let me = &listed["data"][0];
    assert_eq!(me["bio"], "", "{me}");
    assert_eq!(me["preferences"]["anonymousUsageStats"], false, "{me}");
}

/// `selectedOrganizationId` (the upstream schema's key) selects the org
/// context like `selectedOrganization`; both read back the same.
#[tokio::test]
async fn selected_organization_id_selects_the_context() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let second = admin.create_org(json!({"name": "second"})).await;
    let current = |v: serde_json::Value| v["current_organization"]["id"].as_str().map(str::to_string);
    let r = admin.put("/api/identity/users/preferences", json!({"selectedOrganizationId": second})).await.expect(200);
    assert_eq!(r["preferences"]["selectedOrganizationId"], second.as_str());
    assert_eq!(r["preferences"]["selectedOrganization"], second.as_str());
    let session = admin.get("/api/meshcloud/session").await.expect(200);
    assert_eq!(current(session).as_deref(), Some(second.as_str()));
    // Sending back what was read changes nothing; the nil UUID clears it.
    let prefs = admin.get("/api/identity/users/profile").await.expect(200)["preferences"].clone();
    admin.put("/api/identity/users/preferences", prefs).await.expect(200);
    let cleared = json!({"selectedOrganizationId": NIL_UUID, "selectedOrganization": null});
    let r = admin.put("/api/identity/users/preferences", cleared).await.expect(200);
    assert_eq!(r["preferences"]["selectedOrganizationId"], NIL_UUID, "{r}");
    assert!(r["preferences"].get("selectedOrganization").is_none(), "{r}");
    // An org the caller is not in, or two keys that disagree, are refused.
    let (_, bob) = s.user("bob@example.com", None).await;
    bob.put("/api/identity/users/preferences", json!({"selectedOrganizationId": second}))
        .await
        .assert_l5_error(400, L5_BAD_REQUEST);
    let bobs = bob.create_org(json!({"name": "bob's"})).await;
    let split = json!({"selectedOrganizationId": bobs, "selectedOrganization": second});
    bob.put("/api/identity/users/preferences", split).await.assert_l5_error(400, L5_BAD_REQUEST);
}
