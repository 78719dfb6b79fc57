//! The removal matrix of this face: taking a group's roles or members away,
//! deleting a group, suspending or removing a user, when the one losing
//! access is an organization admin, and when they are not.

use serde_json::json;

use crate::identity::groups::{create_group, group_body, identity_role};
use crate::support::*;

/// What one call takes away from the member of a fresh group.
const OPS: [&str; 5] = ["strip roles", "drop member", "delete group", "suspend", "delete user"];

/// Makes a member of org A in a fresh group carrying `role`, and takes it
/// away from them by `op` as `api`; the status.
async fn take(w: &World, api: &Api, n: usize, role: &str, op: &str) -> u16 {
    let org = &w.org_a;
    let email = format!("target{n}@a.example");
    let (uid, _) = w.s.user(&email, Some((org, false))).await;
    let name = format!("group-{n}");
    let g = create_group(&w.alice, org, &name, &[&uid], &[role]).await;
    let group = format!("/api/v1/organizations/{org}/groups/{g}");
    let user = format!("/api/v1/organizations/{org}/users/{uid}");
    let r = match op {
        "strip roles" => api.put(&group, group_body(&name, &[&uid], &[])).await,
        "drop member" => api.put(&group, group_body(&name, &[], &[role])).await,
        "delete group" => api.delete(&group).await,
        "suspend" => api.put(&user, json!({"spec": {"subject": email, "state": "suspended", "groupIDs": [g]}})).await,
        _ => api.delete(&user).await,
    };
    r.status
}

/// Carol holds every key of the organization admin role through a custom
/// role, but is no admin: she takes from members, never from admins.
#[tokio::test]
async fn removal_matrix() {
    let w = world().await;
    // More than the Free plan allows.
    w.unlimited(&w.org_a).await;
    let org = &w.org_a;
    w.make_carol_deputy().await;
    let admin_role = identity_role(&w.alice, org, "organization admin").await;
    let plain_role = identity_role(&w.alice, org, "workspace admin").await;

    let anon = w.s.anon();
    let from_admins: [(&str, &Api, u16); 5] = [
        ("provider admin", &w.admin, 200),
        ("org admin", &w.alice, 200),
        ("deputy", &w.carol, 403),
        ("other org's member", &w.dave, 403),
        ("anonymous", &anon, 401),
    ];
    let mut n = 0;
    let mut failures = vec![];
    for (who, api, want) in from_admins {
        for op in OPS {
            n += 1;
            let got = take(&w, api, n, &admin_role, op).await;
            if got != want {
                failures.push(format!("{op} from an admin as {who}: expected {want}, got {got}"));
            }
        }
    }
    for op in OPS {
        n += 1;
        let got = take(&w, &w.carol, n, &plain_role, op).await;
        if got != 200 {
            failures.push(format!("{op} from a member as deputy: expected 200, got {got}"));
        }
    }
    assert!(failures.is_empty(), "{} deviation(s):\n{}", failures.len(), failures.join("\n"));
}

/// A suspended admin is still an admin (reinstated, they administer again):
/// a deputy holding every key of the role takes nothing from them, on either
/// face, while an admin may.
#[tokio::test]
async fn a_suspended_admin_is_protected_too() {
    let w = world().await;
    let org = &w.org_a;
    w.make_carol_deputy().await;
    let email = "second@a.example";
    let (uid, _) = w.s.user(email, Some((org, true))).await;
    let user = format!("/api/v1/organizations/{org}/users/{uid}");
    let suspended = json!({"spec": {"subject": email, "state": "suspended", "groupIDs": []}});
    w.alice.put(&user, suspended).await.expect(200);
    assert_eq!(w.carol.delete(&user).await.status, 403, "the Identity face");
    let l5 = format!("/api/identity/orgs/{org}/users/{uid}");
    w.carol.delete(&l5).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.alice.delete(&l5).await.expect_204();
}
