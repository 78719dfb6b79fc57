//! API7 members: the list (shape, order, pages), one member, the invitation
//! (pending at once, active once the invitee accepts the core invitation on
//! the Layer5 face), its refusals, and who may do what.

use serde_json::{Value, json};

use crate::support::*;

async fn one_i64(w: &World, q: &str, arg: &str) -> String {
    let (q, arg) = (q.to_string(), arg.to_string());
    sql(&w.s.data_dir, move |c| c.query_row(&q, [arg], |r| r.get::<_, i64>(0)).expect(&q).to_string()).await
}

async fn builtin_role(w: &World, name: &str) -> String {
    one_i64(w, "SELECT id FROM roles WHERE org_id IS NULL AND role_name = ?1", name).await
}

async fn user_row(w: &World, email: &str) -> String {
    one_i64(w, "SELECT id FROM users WHERE email = ?1", email).await
}

fn members(org: &str) -> String {
    format!("/api/v1/orgs/{org}/members")
}

fn emails(list: &Value) -> Vec<String> {
    list["list"].as_array().unwrap().iter().map(|m| m["email"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn list_shows_memberships_with_their_roles() {
    let w = world().await;
    let a = w.org_num(&w.org_a).await;
    let v = w.alice.get(&members(&a)).await.api7();
    assert_eq!(v["count"], 2);
    let list = v["list"].as_array().unwrap();
    let alice = list.iter().find(|m| m["email"] == "alice@a.example").expect("alice");
    assert_eq!(alice["id"], user_row(&w, "alice@a.example").await.as_str());
    assert_eq!(alice["org_id"], a.as_str());
    assert_eq!(alice["status"], 50);
    assert_eq!(alice["state"], "Active");
    assert_eq!(alice["user_id"], w.alice_id.as_str());
    assert_eq!(alice["first_name"], "");
    assert!(alice["created_at"].is_string() && alice["updated_at"].is_string(), "{alice}");
    let role = &alice["roles"][0];
    assert_eq!(role["id"], builtin_role(&w, "organization admin").await.as_str());
    assert_eq!(role["name"], "organization admin");
    assert_eq!(role["org_id"], a.as_str());
    assert_eq!(role["owner"], true);
    assert_eq!(role["scope"], "organization");
    let perms = &role["permissions"];
    assert_eq!(
        perms["organization"]["member"],
        json!({"get": true, "put": true, "post": true, "patch": true, "delete": true})
    );
    assert_eq!(perms["billing"]["invoice"]["get"], true);
    assert_eq!(perms["api_management"]["consumer"]["post"], true);
    let carol = list.iter().find(|m| m["email"] == "carol@a.example").expect("carol");
    let roles: Vec<&str> = carol["roles"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(roles, ["user"]);
    let p = &carol["roles"][0]["permissions"];
    assert_eq!(carol["roles"][0]["owner"], false);
    assert_eq!(
        p["organization"]["member"],
        json!({"get": true, "put": false, "post": false, "patch": false, "delete": false})
    );
    assert_eq!(p["billing"]["subscription"]["get"], false);
    assert_eq!(
        p["control_plane"]["control_plane"],
        json!({"get": true, "put": false, "post": false, "patch": false, "delete": false})
    );
    assert_eq!(p["api_management"]["application"]["get"], true);
    assert_eq!(p["api_management"]["application"]["post"], false);

    // One member, as the list shows it.
    let carol_id = carol["id"].as_str().unwrap();
    assert_eq!(&w.alice.get(&format!("{}/{carol_id}", members(&a))).await.api7(), carol);
    // dave is no member of A; ids that are not ids.
    let dave = user_row(&w, "dave@b.example").await;
    w.alice.get(&format!("{}/{dave}", members(&a))).await.api7_error(404, 4);
    w.alice.get(&format!("{}/999999", members(&a))).await.api7_error(404, 4);
    w.alice.get(&format!("{}/x", members(&a))).await.api7_error(400, 1);
    w.alice.get(&format!("{}/0", members(&a))).await.api7_error(400, 1);

    // A membership suspended on the Identity face is shown as such.
    sql(&w.s.data_dir, |c| c.execute("UPDATE org_members SET state = 'suspended' WHERE user_id IN (SELECT id FROM users WHERE email = 'carol@a.example')", []).unwrap()).await;
    let suspended = w.alice.get(&format!("{}/{carol_id}", members(&a))).await.api7();
    assert_eq!(suspended["state"], "Suspended");
    assert_eq!(suspended["user_id"], w.carol_id.as_str());
}

#[tokio::test]
async fn list_orders_and_pages() {
    let w = world().await;
    let a = w.org_num(&w.org_a).await;
    for e in ["m1@a.example", "m2@a.example", "m3@a.example"] {
        w.s.new_user(e, Some((&w.org_a, false))).await;
    }
    let get = |q: &str| {
        let path = format!("{}?{q}", members(&a));
        let alice = w.alice.clone();
        async move { alice.get(&path).await }
    };
    let by_id = get("order_by=id&direction=asc&page_size=500").await.api7();
    assert_eq!(by_id["count"], 5);
    let asc = emails(&by_id);
    assert_eq!(asc, ["alice@a.example", "carol@a.example", "m1@a.example", "m2@a.example", "m3@a.example"]);
    let mut desc = emails(&get("order_by=id&direction=DESC").await.api7());
    desc.reverse();
    assert_eq!(desc, asc);
    // The default is updated_at, newest first; ties go by id the same way.
    let default = emails(&get("").await.api7());
    assert_eq!(default.first().map(String::as_str), Some("m3@a.example"), "{default:?}");
    assert_eq!(emails(&get("order_by=created_at&direction=asc").await.api7())[0], "alice@a.example");
    assert_eq!(
        emails(&get("order_by=role&direction=asc").await.api7())[0],
        "alice@a.example",
        "organization admin < user"
    );
    for q in ["order_by=user_id", "order_by=org_id", "order_by=updated_at&direction=Asc"] {
        assert_eq!(get(q).await.api7()["count"], 5, "{q}");
    }
    // Pages: 1-based, a page past the end is empty.
    let mut seen = vec![];
    for page in 1..=3 {
        let v = get(&format!("order_by=id&direction=asc&page_size=2&page={page}")).await.api7();
        assert_eq!(v["count"], 5);
        seen.extend(emails(&v));
    }
    assert_eq!(seen, asc);
    let past = get("page=4&page_size=2").await.api7();
    assert_eq!(past, json!({"list": [], "count": 5}));
    assert_eq!(emails(&get("page_size=100000").await.api7()).len(), 5, "clamped, not refused");
    for q in ["page=0", "page_size=0", "page=-1", "page=x", "order_by=name", "order_by=email", "direction=up"] {
        get(q).await.api7_error(400, 1);
    }
}

#[tokio::test]
async fn permission_matrix() {
    let w = world().await;
    let a = w.org_num(&w.org_a).await;
    let list = members(&a);
    for who in [&w.admin, &w.alice, &w.carol] {
        assert_eq!(who.get(&list).await.api7()["count"], 2);
    }
    w.dave.get(&list).await.api7_error(404, 4);
    w.s.anon().get(&list).await.api7_error(401, 6);
    w.alice.get(&members("999999")).await.api7_error(404, 4);
    let user = builtin_role(&w, "user").await;
    let invite = |email: &str| json!({"email": email, "role_id": user});
    w.carol.post(&list, invite("x1@a.example")).await.api7_error(403, 7);
    w.dave.post(&list, invite("x2@a.example")).await.api7_error(404, 4);
    w.s.anon().post(&list, invite("x3@a.example")).await.api7_error(401, 6);
    assert_eq!(w.admin.post(&list, invite("x4@a.example")).await.api7()["state"], "Pending");
    assert_eq!(w.alice.post(&list, invite("x5@a.example")).await.api7()["state"], "Pending");
    // A member whose roles hold no member read key.
    let carol_member = user_row(&w, "carol@a.example").await;
    w.alice.give_role_with_keys(&w.org_a, "gw-only", &["gateway.controlplanes.read"], &w.carol_id).await;
    w.carol.get(&list).await.api7_error(403, 7);
    w.carol.get(&format!("{list}/{carol_member}")).await.api7_error(403, 7);
}

#[tokio::test]
async fn invitation_is_pending_until_accepted_on_the_layer5_face() {
    let w = world().await;
    let a = w.org_num(&w.org_a).await;
    let list = members(&a);
    let admin_role = builtin_role(&w, "organization admin").await;
    let m = w.alice.post(&list, json!({"email": "Erin@A.example", "role_id": admin_role})).await.api7();
    assert_eq!(m["email"], "erin@a.example");
    assert_eq!(m["state"], "Pending");
    assert_eq!(m["user_id"], "");
    assert_eq!(m["org_id"], a.as_str());
    assert_eq!(m["status"], 50);
    assert_eq!(m["id"], user_row(&w, "erin@a.example").await.as_str());
    assert_eq!(m["roles"][0]["name"], "organization admin");
    assert_eq!(m["roles"][0]["owner"], true);
    let v = w.alice.get(&list).await.api7();
    assert_eq!(v["count"], 3);
    assert!(v["list"].as_array().unwrap().contains(&m), "{v}");

    // Pending: the invitee (a new account without a password) holds nothing yet.
    let erin = w.s.with_token(&w.s.token_for("erin@a.example", "t").await);
    erin.get(&format!("/api/v1/orgs/{a}")).await.api7_error(404, 4);
    assert_eq!(erin.get("/api/v1/user/me").await.api7()["org_ids"], json!([]));

    // The core invitation made for them, accepted on the Layer5 face.
    let inv = sql(&w.s.data_dir, |c| {
        c.query_row("SELECT uuid, roles, quota FROM invitations WHERE emails LIKE '%erin@a.example%'", [], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<i64>>(2)?))
        })
        .expect("invitation")
    })
    .await;
    assert_eq!(inv.1, r#"["organization admin"]"#);
    assert_eq!(inv.2, Some(1));
    // Both events, by alice, in the organization.
    let events = sql(&w.s.data_dir, {
        let inv = inv.0.clone();
        move |c| {
            c.query_row(
                "SELECT (SELECT count(*) FROM events WHERE category = 'invitation' AND action = 'create' AND acted_upon = ?1),
                        (SELECT count(*) FROM events WHERE description LIKE 'erin@a.example invited as organization admin%')",
                [inv],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
            )
            .unwrap()
        }
    })
    .await;
    assert_eq!(events, (1, 1));
    let r = w.carol.post_empty(&format!("/api/organizations/invitations/{}/accept", inv.0)).await;
    assert_eq!(r.status, 400, "addressed to erin: {}", r.text);
    erin.post_empty(&format!("/api/organizations/invitations/{}/accept", inv.0)).await.expect(200);
    let active = w.alice.get(&format!("{list}/{}", m["id"].as_str().unwrap())).await.api7();
    assert_eq!(active["state"], "Active");
    let erin_uuid = sql(&w.s.data_dir, |c| {
        c.query_row("SELECT uuid FROM users WHERE email = 'erin@a.example'", [], |r| r.get::<_, String>(0)).unwrap()
    })
    .await;
    assert_eq!(active["user_id"], erin_uuid.as_str());
    let mut roles: Vec<&str> =
        active["roles"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    roles.sort();
    assert_eq!(roles, ["organization admin", "user"]);
    assert_eq!(erin.get(&format!("/api/v1/orgs/{a}")).await.api7()["id"], a.as_str());
    assert_eq!(erin.get("/api/v1/user/me").await.api7()["org_ids"], json!([a]));
    // Accepting twice is refused, as for any invitation.
    let r = erin.post_empty(&format!("/api/organizations/invitations/{}/accept", inv.0)).await;
    assert_eq!(r.status, 400, "{}", r.text);
    // An active member cannot be invited again.
    w.alice.post(&list, json!({"email": "erin@a.example", "role_id": admin_role})).await.api7_error(409, 9);
}

#[tokio::test]
async fn an_existing_account_is_invited_too() {
    let w = world().await;
    let a = w.org_num(&w.org_a).await;
    let user = builtin_role(&w, "user").await;
    let m = w.alice.post(&members(&a), json!({"email": "dave@b.example", "role_id": user})).await.api7();
    assert_eq!(m["id"], user_row(&w, "dave@b.example").await.as_str());
    assert_eq!(m["state"], "Pending");
    w.dave.get(&format!("/api/v1/orgs/{a}")).await.api7_error(404, 4);
    // Still pending: invited again is a conflict.
    w.alice.post(&members(&a), json!({"email": "dave@b.example", "role_id": user})).await.api7_error(409, 9);
}

#[tokio::test]
async fn invitation_refusals_change_nothing() {
    let w = world().await;
    let a = w.org_num(&w.org_a).await;
    let list = members(&a);
    let user = builtin_role(&w, "user").await;
    let provider = builtin_role(&w, "admin").await;
    let b_role = w.admin.create_role(&w.org_b, "b-only").await;
    let b_role_row = one_i64(&w, "SELECT id FROM roles WHERE uuid = ?1", &b_role).await;
    let invitations =
        || sql(&w.s.data_dir, |c| c.query_row("SELECT count(*) FROM invitations", [], |r| r.get::<_, i64>(0)).unwrap());
    let before = invitations().await;
    for body in [
        json!({"email": "nope", "role_id": user}),
        json!({"email": "", "role_id": user}),
        json!({"role_id": user}),
        json!({"email": "f@a.example"}),
        json!({"email": "f@a.example", "role_id": "abc"}),
        json!({"email": "f@a.example", "role_id": "0"}),
        json!({"email": "f@a.example", "role_id": "999999"}),
        json!({"email": "f@a.example", "role_id": provider}),
        json!({"email": "f@a.example", "role_id": b_role_row}),
    ] {
        w.alice.post(&list, body.clone()).await.api7_error(400, 1);
    }
    w.alice.post(&list, json!({"email": "carol@a.example", "role_id": user})).await.api7_error(409, 9);
    w.alice.post(&list, json!({"email": "alice@a.example", "role_id": user})).await.api7_error(409, 9);
    // An inviter who does not hold what the role grants.
    w.alice
        .give_role_with_keys(&w.org_a, "inviter", &["identity.members.invite", "identity.members.read"], &w.carol_id)
        .await;
    w.carol.post(&list, json!({"email": "f@a.example", "role_id": user})).await.api7_error(403, 7);
    assert_eq!(invitations().await, before);
    assert_eq!(w.alice.get(&list).await.api7()["count"], 2);
    let f = sql(&w.s.data_dir, |c| {
        c.query_row("SELECT count(*) FROM users WHERE email = 'f@a.example'", [], |r| r.get::<_, i64>(0)).unwrap()
    })
    .await;
    assert_eq!(f, 0, "no account made on a refusal");
}
