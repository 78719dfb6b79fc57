//! The catalogue managed by provider admins (`POST`/`PUT`/`DELETE
//! /api/entitlement/plans`), an organization's usage, and plans files loaded
//! at start and with `meshcloud plans load`.

use std::net::TcpListener;

use meshcloud::clock::Clock;
use meshcloud::config::Config;
use meshcloud::server::App;
use serde_json::{Value, json};

use crate::support::*;

const PLANS: &str = "/api/entitlement/plans";

fn plan_body(name: &str) -> Value {
    json!({"name": name, "cadence": "monthly", "currency": "eur", "unit": "user", "minimum_units": 2,
           "price_per_unit": 12.34, "trial_days": 7, "stripe_price_id": format!("price_{name}"),
           "features": [{"name": "WorkspacesInOrganization", "quantity": 2}, {"name": "MembersInOrganization", "quantity": 9999999999i64}]})
}

fn quantity(plan: &Value, feature: &str) -> Option<i64> {
    plan["features"].as_array()?.iter().find(|f| f["name"] == feature).and_then(|f| f["quantity"].as_i64())
}

async fn events(w: &World, kind: &str) -> usize {
    let kind = kind.to_string();
    sql(&w.s.data_dir, move |c| {
        c.query_row("SELECT count(*) FROM events WHERE category = 'plan' AND action = ?1", [kind], |r| {
            r.get::<_, i64>(0)
        })
        .expect("events")
    })
    .await as usize
}

#[tokio::test]
async fn provider_admins_create_replace_and_delete_plans() {
    let w = world().await;
    let r = w.admin.post(PLANS, plan_body("Studio")).await;
    let plan = r.expect(201);
    let id = plan["id"].as_str().expect("id").to_string();
    assert_eq!((plan["name"].as_str(), plan["currency"].as_str()), (Some("Studio"), Some("eur")));
    assert_eq!(plan["price_per_unit"], 12.34);
    assert_eq!((plan["minimum_units"].as_i64(), plan["trial_days"].as_i64()), (Some(2), Some(7)));
    assert_eq!(plan["default"], false);
    assert_eq!(quantity(&plan, "WorkspacesInOrganization"), Some(2), "{plan}");
    assert_eq!(quantity(&plan, "MembersInOrganization"), Some(9_999_999_999));
    assert_eq!(events(&w, "create").await, 1);
    // On offer, with its features.
    let listed = w.carol.get(PLANS).await.expect(200);
    assert!(listed.as_array().unwrap().iter().any(|p| p["id"] == id.as_str()), "{listed}");
    let features = w.carol.get("/api/entitlement/features").await.expect(200);
    let mine: Vec<&Value> = features.as_array().unwrap().iter().filter(|f| f["plan_id"] == id.as_str()).collect();
    assert_eq!(mine.len(), 2, "{features}");

    // PUT replaces everything, features too.
    let mut body = plan_body("Studio");
    body["price_per_unit"] = json!(20);
    body["features"] = json!([{"name": "DesignsInOrganization", "quantity": 5}]);
    let put = w.admin.put(&format!("{PLANS}/{id}"), body).await.expect(200);
    assert_eq!(put["price_per_unit"], 20.0);
    assert_eq!(quantity(&put, "DesignsInOrganization"), Some(5));
    assert_eq!(quantity(&put, "WorkspacesInOrganization"), None, "{put}");
    assert_eq!(events(&w, "update").await, 1);

    // A plan nobody subscribed to is deleted.
    w.admin.delete(&format!("{PLANS}/{id}")).await.expect_204();
    assert_eq!(events(&w, "delete").await, 1);
    let all = w.admin.get(&format!("{PLANS}?archived=true")).await.expect(200);
    assert!(!all.as_array().unwrap().iter().any(|p| p["id"] == id.as_str()), "gone: {all}");
    w.admin.delete(&format!("{PLANS}/{id}")).await.assert_l5_error(404, L5_NOT_FOUND);
    w.admin.put(&format!("{PLANS}/{id}"), plan_body("Studio")).await.assert_l5_error(404, L5_NOT_FOUND);
}

#[tokio::test]
async fn a_plan_with_subscriptions_is_archived_and_the_default_stays() {
    let w = world().await;
    w.s.subscribe_sql(&w.org_a, "Team Designer", 2).await;
    let plans = w.admin.get(PLANS).await.expect(200);
    let find = |name: &str, cadence: &str| {
        plans.as_array().unwrap().iter().find(|p| p["name"] == name && p["cadence"] == cadence).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (team, free) = (find("Team Designer", "monthly"), find("Free", "monthly"));
    w.admin.delete(&format!("{PLANS}/{team}")).await.expect_204();
    let offered = w.admin.get(PLANS).await.expect(200);
    assert!(!offered.as_array().unwrap().iter().any(|p| p["id"] == team.as_str()), "off the offer: {offered}");
    let all = w.admin.get(&format!("{PLANS}?archived=true")).await.expect(200);
    assert!(all.as_array().unwrap().iter().any(|p| p["id"] == team.as_str()), "archived, not deleted: {all}");
    // The subscribed organization keeps its plan's features.
    let f = w.alice.get(&format!("/api/entitlement/subscriptions/organizations/{}/features", w.org_a)).await;
    assert!(f.expect(200).as_array().unwrap().iter().all(|x| x["plan"]["name"] == "Team Designer"));

    // The default plan is neither deleted nor archived, nor stops being the default by itself.
    let r = w.admin.delete(&format!("{PLANS}/{free}")).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("default"), "{}", r.text);
    let free_body =
        json!({"name": "Free", "cadence": "monthly", "unit": "free", "price_per_unit": 0, "default": false});
    w.admin.put(&format!("{PLANS}/{free}"), free_body).await.assert_l5_error(400, L5_BAD_REQUEST);
    // `default: true` moves it.
    let mut body = plan_body("Starter");
    body["default"] = json!(true);
    let starter = w.admin.post(PLANS, body).await.expect(201);
    assert_eq!(starter["default"], true);
    // Organizations without a subscription now have Starter's limits, and
    // Free is an ordinary plan that may go.
    let r = w.admin.get(&format!("/api/entitlement/organizations/{}/usage", w.org_b)).await.expect(200);
    assert_eq!(r["plan"]["name"], "Starter", "{r}");
    w.admin.delete(&format!("{PLANS}/{free}")).await.expect_204();
}

#[tokio::test]
async fn only_those_who_manage_plans_change_them_and_bad_bodies_name_the_field() {
    let w = world().await;
    w.alice.post(PLANS, plan_body("Mine")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.alice.get(&format!("{PLANS}?archived=true")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.carol.post(PLANS, plan_body("Mine")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    let plans = w.alice.get(PLANS).await.expect(200);
    let free = plans[0]["id"].as_str().unwrap().to_string();
    w.alice.delete(&format!("{PLANS}/{free}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.alice.put(&format!("{PLANS}/{free}"), plan_body("Free")).await.assert_l5_error(401, L5_UNAUTHORIZED);

    let cases: Vec<(Value, &str)> = vec![
        (json!({"cadence": "monthly", "price_per_unit": 1}), "name"),
        (json!({"name": "X", "cadence": "weekly", "price_per_unit": 1}), "cadence"),
        (json!({"name": "X", "cadence": "monthly"}), "price_per_unit"),
        (json!({"name": "X", "cadence": "monthly", "price_per_unit": 1.999}), "price_per_unit"),
        (json!({"name": "X", "cadence": "monthly", "price_per_unit": -1}), "price_per_unit"),
        (json!({"name": "X", "cadence": "monthly", "price_per_unit": 1, "currency": "dollars"}), "currency"),
        (json!({"name": "X", "cadence": "monthly", "price_per_unit": 1, "unit": "seat"}), "unit"),
        (json!({"name": "X", "cadence": "monthly", "price_per_unit": 1, "trial_days": -1}), "trial_days"),
        (json!({"name": "X", "cadence": "monthly", "price_per_unit": 1, "minimum_units": -1}), "minimum_units"),
        (
            json!({"name": "X", "cadence": "monthly", "price_per_unit": 1, "features": [{"name": "Nope", "quantity": 1}]}),
            "features",
        ),
        (
            json!({"name": "X", "cadence": "monthly", "price_per_unit": 1, "features": [{"name": "SizePerDesign", "quantity": 10_000_000_000i64}]}),
            "features",
        ),
        (json!({"name": "Free", "cadence": "monthly", "price_per_unit": 1}), "already exists"),
    ];
    for (body, field) in cases {
        let r = w.admin.post(PLANS, body.clone()).await;
        r.assert_l5_error(400, L5_BAD_REQUEST);
        assert!(r.text.contains(field), "{body}: expected {field:?} in {:?}", r.text);
    }
    assert_eq!(w.admin.get(&format!("{PLANS}?archived=true")).await.expect(200).as_array().unwrap().len(), 7);
    // Yen have no minor unit: 1.5 is no amount.
    let mut yen = plan_body("Yen");
    yen["currency"] = json!("jpy");
    yen["price_per_unit"] = json!(1.5);
    w.admin.post(PLANS, yen).await.assert_l5_error(400, L5_BAD_REQUEST);
}

#[tokio::test]
async fn usage_shows_the_plan_limits_and_what_the_organization_has() {
    let w = world().await;
    w.alice.create_workspace(&w.org_a, "one").await;
    let path = format!("/api/entitlement/organizations/{}/usage", w.org_a);
    let u = w.alice.get(&path).await.expect(200);
    assert_eq!(u["plan"]["name"], "Free", "{u}");
    let feature = |name: &str| u["features"].as_array().unwrap().iter().find(|f| f["name"] == name).unwrap().clone();
    let ws = feature("WorkspacesInOrganization");
    assert_eq!((ws["quantity"].as_i64(), ws["used"].as_i64()), (Some(10), Some(1)), "{ws}");
    assert!(ws["description"].is_string());
    assert_eq!(feature("MembersInOrganization")["used"], 2);
    assert!(feature("ComponentsInDesign")["used"].is_null(), "not counted per organization");
    // Billing readers only.
    w.carol.get(&path).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.dave.get(&path).await.assert_l5_error(404, L5_NOT_FOUND);
    // On Enterprise: unlimited, and members up to the seats.
    w.s.subscribe_sql(&w.org_a, "Enterprise", 30).await;
    let u = w.alice.get(&path).await.expect(200);
    assert_eq!(u["plan"]["name"], "Enterprise");
    let ws = u["features"].as_array().unwrap().iter().find(|f| f["name"] == "WorkspacesInOrganization").unwrap();
    assert_eq!(ws["quantity"], 9_999_999_999i64);
    let m = u["features"].as_array().unwrap().iter().find(|f| f["name"] == "MembersInOrganization").unwrap();
    assert_eq!(m["quantity"], 30);
}

const PLANS_TOML: &str = r#"
[[plans]]
name = "Free"
cadence = "monthly"
unit = "free"
price_per_unit = 0
default = true
features = { WorkspacesInOrganization = 1, MembersInOrganization = 10 }

[[plans]]
name = "Site"
cadence = "monthly"
currency = "eur"
price_per_unit = 1000.5
features = { WorkspacesInOrganization = 100 }
"#;

#[tokio::test]
async fn a_plans_file_is_loaded_at_start_and_its_limits_hold() {
    let tmp = tempfile::TempDir::new().unwrap();
    let file = tmp.path().join("plans.toml");
    std::fs::write(&file, PLANS_TOML).unwrap();
    let f = file.clone();
    let w = world_with(move |c| c.plans_file = Some(f)).await;
    let plans = w.carol.get(PLANS).await.expect(200);
    let site = plans.as_array().unwrap().iter().find(|p| p["name"] == "Site").expect("Site loaded");
    assert_eq!((site["currency"].as_str(), site["price_per_unit"].as_f64()), (Some("eur"), Some(1000.5)));
    // The file's Free replaces the seeded one: one workspace.
    w.alice.create_workspace(&w.org_a, "only").await;
    let r = w.alice.post("/api/workspaces", json!({"name": "second", "organization_id": w.org_a})).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("WorkspacesInOrganization is limited to 1 on the Free plan"), "{}", r.text);
    // Plans the file does not name stay.
    assert!(plans.as_array().unwrap().iter().any(|p| p["name"] == "Team Designer"));
    // Loading again (a restart) writes nothing and makes no second plan.
    let tmp_dir = w.s.stop().await;
    let f = file.clone();
    let s = Server::start_in(tmp_dir, move |c| c.plans_file = Some(f)).await;
    let again = s.admin().await.get(PLANS).await.expect(200);
    assert_eq!(again.as_array().unwrap().iter().filter(|p| p["name"] == "Site").count(), 1);
    let written = sql(&s.data_dir, |c| {
        c.query_row("SELECT count(*) FROM events WHERE category = 'plan'", [], |r| r.get::<_, i64>(0)).unwrap()
    })
    .await;
    assert_eq!(written, 2, "the first start created Site and replaced Free; the second wrote nothing");
}

#[tokio::test]
async fn a_bad_plans_file_refuses_the_start_saying_what_is_wrong() {
    let tmp = tempfile::TempDir::new().unwrap();
    for (name, text, says) in [
        ("bad.toml", "[[plans]]\nname = \"X\"\ncadence = \"weekly\"\nprice_per_unit = 1\n", "plans[0] (X): cadence"),
        (
            "bad.json",
            r#"{"plans": [{"name": "X", "cadence": "monthly", "price_per_unit": 1, "features": {"Seats": 1}}]}"#,
            "Seats",
        ),
        ("bad.yaml", "plans:\n  - name: [unclosed\n", "bad.yaml"),
        ("plans.ini", "", ".toml, .json, .yaml"),
        ("missing.toml", "", "missing.toml"),
    ] {
        let file = tmp.path().join(name);
        if name != "missing.toml" {
            std::fs::write(&file, text).unwrap();
        }
        let config = Config {
            data_dir: tmp.path().join(format!("data-{name}")),
            admin_email: ADMIN_EMAIL.into(),
            admin_password: Some(ADMIN_PASSWORD.into()),
            plans_file: Some(file),
            ..Config::default()
        };
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let err = match App::start(listener, config, Clock::Real).await {
            Ok(_) => panic!("{name}: started"),
            Err(e) => e,
        };
        assert!(err.contains("plans file") && err.contains(says), "{name}: {err}");
    }
}

#[tokio::test]
async fn plans_load_and_list_on_the_command_line() {
    let tmp = tempfile::TempDir::new().unwrap();
    let dir = tmp.path().join("data");
    let file = tmp.path().join("plans.toml");
    std::fs::write(&file, PLANS_TOML).unwrap();
    let (d, f) = (dir.clone(), file.clone());
    let out = tokio::task::spawn_blocking(move || {
        cli_ok(&d, &["migrate"]);
        cli_ok(&d, &["plans", "load", f.to_str().unwrap()])
    })
    .await
    .unwrap();
    assert_eq!(out, "updated Free (monthly)\ncreated Site (monthly)", "the default goes first");
    let d = dir.clone();
    let listed = tokio::task::spawn_blocking(move || cli_ok(&d, &["plans", "list"])).await.unwrap();
    let listed: Value = serde_json::from_str(&listed).expect("JSON");
    let site = listed["plans"].as_array().unwrap().iter().find(|p| p["name"] == "Site").expect("Site");
    assert_eq!(site["features"], json!({"WorkspacesInOrganization": 100}));
    assert_eq!(site["price_per_unit"], 1000.5);
    // What `list` prints loads back unchanged.
    let dumped = tmp.path().join("dump.json");
    std::fs::write(&dumped, listed.to_string()).unwrap();
    let (d, f) = (dir.clone(), dumped.clone());
    let out = tokio::task::spawn_blocking(move || cli_ok(&d, &["plans", "load", f.to_str().unwrap()])).await.unwrap();
    assert!(out.lines().all(|l| l.starts_with("unchanged ")), "{out}");
    let d = dir.clone();
    let again: Value =
        serde_json::from_str(&tokio::task::spawn_blocking(move || cli_ok(&d, &["plans", "list"])).await.unwrap())
            .unwrap();
    assert_eq!(again, listed);
    // A bad file: a non-zero exit that names the problem, nothing loaded.
    std::fs::write(&file, "[[plans]]\nname = \"Y\"\ncadence = \"monthly\"\n").unwrap();
    let (d, f) = (dir.clone(), file.clone());
    let r = tokio::task::spawn_blocking(move || cli(&d, &["plans", "load", f.to_str().unwrap()], None)).await.unwrap();
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("price_per_unit is required"), "{r:?}");
}
