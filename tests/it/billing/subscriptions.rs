//! `/api/entitlement/subscriptions…`: subscribing (free, trial, offline,
//! Stripe), replacing an incomplete subscription, listing, reading, plan
//! changes with their preview, the downgrade refusal, the upcoming invoice
//! and who may do what.

use serde_json::{Value, json};

use crate::support::scheduler::{ManualClock, clocked_world, instant, manual_clock};
use crate::support::*;

const SUBS: &str = "/api/entitlement/subscriptions";

/// The id of the seeded plan `name` with `cadence` (`yearly` also finds the
/// current schema's `annually`).
pub async fn plan_id(api: &Api, name: &str, cadence: &str) -> String {
    let plans = api.get("/api/entitlement/plans").await.expect(200);
    let same = |c: &Value| c == cadence || (cadence == "yearly" && c == "annually");
    plans
        .as_array()
        .expect("plans")
        .iter()
        .find(|p| p["name"] == name && same(&p["cadence"]))
        .unwrap_or_else(|| panic!("no plan {name} {cadence}: {plans}"))["id"]
        .as_str()
        .expect("plan id")
        .to_string()
}

/// Subscribes `org` to `plan` (extra body fields in `extra`); the 201 body.
pub async fn subscribe(api: &Api, org: &str, plan: &str, extra: Value) -> Value {
    let mut body = json!({"orgId": org, "planId": plan});
    body.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
    api.post(&format!("{SUBS}/create"), body).await.expect(201)
}

fn sub_id(created: &Value) -> String {
    created["subscriptionId"].as_str().expect("subscriptionId").to_string()
}

/// (status, reason, subtotal, amount_due) of the invoices of a subscription, oldest first.
async fn invoices_of(s: &Server, sub: &str) -> Vec<(String, String, i64, i64)> {
    let sub = sub.to_string();
    sql(&s.data_dir, move |c| {
        let mut st = c
            .prepare(
                "SELECT i.status, i.reason, i.subtotal_minor, i.amount_due_minor FROM billing_invoices i
                   JOIN billing_subscriptions s ON s.id = i.subscription_id WHERE s.uuid = ?1 ORDER BY i.id",
            )
            .unwrap();
        st.query_map([sub], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(Result::unwrap).collect()
    })
    .await
}

/// Statuses of the payments of a subscription's invoices, oldest first.
async fn payments_of(s: &Server, sub: &str) -> Vec<String> {
    let sub = sub.to_string();
    sql(&s.data_dir, move |c| {
        let mut st = c
            .prepare(
                "SELECT y.status FROM billing_payments y JOIN billing_invoices i ON i.id = y.invoice_id
                   JOIN billing_subscriptions s ON s.id = i.subscription_id WHERE s.uuid = ?1 ORDER BY y.id",
            )
            .unwrap();
        st.query_map([sub], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    })
    .await
}

/// The lines (description, quantity, unit_amount, amount, proration) of the
/// subscription's last invoice.
async fn last_invoice_lines(s: &Server, sub: &str) -> Vec<Value> {
    let sub = sub.to_string();
    sql(&s.data_dir, move |c| {
        let mut st = c
            .prepare(
                "SELECT l.description, l.quantity, l.unit_amount_minor, l.amount_minor, l.proration
                   FROM billing_invoice_lines l WHERE l.invoice_id = (SELECT max(i.id) FROM billing_invoices i
                   JOIN billing_subscriptions s ON s.id = i.subscription_id WHERE s.uuid = ?1) ORDER BY l.position",
            )
            .unwrap();
        st.query_map([sub], |r| {
            Ok(json!({
                "description": r.get::<_, String>(0)?,
                "quantity": r.get::<_, i64>(1)?,
                "unit_amount": r.get::<_, i64>(2)?,
                "amount": r.get::<_, i64>(3)?,
                "proration": r.get::<_, i64>(4)? == 1,
            }))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    })
    .await
}

async fn events(s: &Server, category: &str, action: &str) -> i64 {
    let (category, action) = (category.to_string(), action.to_string());
    sql(&s.data_dir, move |c| {
        c.query_row("SELECT count(*) FROM events WHERE category = ?1 AND action = ?2", [category, action], |r| r.get(0))
            .unwrap()
    })
    .await
}

fn lines_without_periods(inv: &Value) -> Vec<Value> {
    inv["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            json!({"description": l["description"], "quantity": l["quantity"], "unit_amount": l["unit_amount"],
                   "amount": l["amount"], "proration": l["proration"]})
        })
        .collect()
}

#[tokio::test]
async fn a_free_plan_is_active_at_once_with_a_paid_invoice_of_nothing() {
    let w = world().await;
    let free = plan_id(&w.alice, "Free", "monthly").await;
    // No orgId: the organization in context.
    let created = w.alice.ctx(&w.org_a).post(&format!("{SUBS}/create"), json!({"planId": free})).await.expect(201);
    assert_eq!(created["clientSecret"], "", "{created}");
    let id = sub_id(&created);
    let sub = w.alice.get(&format!("{SUBS}/{id}")).await.expect(200);
    assert_eq!(sub["status"], "active", "{sub}");
    assert_eq!(sub["org_id"], w.org_a.as_str());
    assert_eq!(sub["plan_id"], free.as_str());
    assert_eq!(sub["plan"]["name"], "Free");
    assert_eq!(sub["quantity"], 1);
    assert_eq!(sub["payment_processor"], "offline");
    assert_eq!(sub["billing_id"], id.as_str(), "offline, meshcloud is the billing system");
    let (start, end) = (instant(sub["start_date"].as_str().unwrap()), instant(sub["end_date"].as_str().unwrap()));
    assert_eq!(end, start.checked_add_months(chrono::Months::new(1)).unwrap(), "{sub}");
    assert_eq!(sub["current_period_end"], sub["end_date"]);
    assert_eq!(invoices_of(&w.s, &id).await, vec![("paid".into(), "subscription_create".into(), 0, 0)]);
    assert!(payments_of(&w.s, &id).await.is_empty(), "nothing to pay");
    assert_eq!(events(&w.s, "subscription", "create").await, 1);
}

#[tokio::test]
async fn a_plan_with_a_trial_starts_trialing_without_an_invoice() {
    let w = world().await;
    let team = plan_id(&w.alice, "Team Designer", "monthly").await;
    let created = subscribe(&w.alice, &w.org_a, &team, json!({"userCount": 3, "email": "billing@a.example"})).await;
    assert_eq!(created["clientSecret"], "");
    let id = sub_id(&created);
    let sub = w.alice.get(&format!("{SUBS}/{id}")).await.expect(200);
    assert_eq!(sub["status"], "trialing", "{sub}");
    assert_eq!(sub["quantity"], 3);
    let start = instant(sub["start_date"].as_str().unwrap());
    let trial_end = instant(sub["trial_end"].as_str().unwrap());
    assert_eq!(trial_end - start, chrono::Duration::days(14));
    assert_eq!(sub["end_date"], sub["trial_end"]);
    assert!(invoices_of(&w.s, &id).await.is_empty(), "a trial bills nothing yet");

    // The first invoice comes at the trial's end: a month of 3 seats.
    let up = w.alice.get(&format!("{SUBS}/{id}/upcoming-invoice")).await.expect(200);
    assert_eq!(up["status"], "draft", "{up}");
    assert!(up.get("id").is_none() && up.get("number").is_none(), "{up}");
    assert_eq!(instant(up["period_start"].as_str().unwrap()), trial_end);
    assert_eq!(
        instant(up["period_end"].as_str().unwrap()),
        trial_end.checked_add_months(chrono::Months::new(1)).unwrap()
    );
    assert_eq!((up["subtotal"].as_i64(), up["amount_due"].as_i64()), (Some(4500), Some(4500)), "{up}");
    assert_eq!(up["lines"][0]["quantity"], 3);
    assert_eq!(up["lines"][0]["unit_amount"], 1500);
}

#[tokio::test]
async fn an_offline_plan_waits_for_its_payment_and_a_new_subscription_replaces_it() {
    let w = world().await;
    let enterprise = plan_id(&w.alice, "Enterprise", "monthly").await;
    let created = subscribe(&w.alice, &w.org_a, &enterprise, json!({})).await;
    let secret = created["clientSecret"].as_str().unwrap();
    assert!(secret.starts_with("pi_") && secret.contains("_secret_"), "{created}");
    let first = sub_id(&created);
    let sub = w.alice.get(&format!("{SUBS}/{first}")).await.expect(200);
    assert_eq!(sub["status"], "incomplete", "{sub}");
    assert_eq!(sub["quantity"], 25, "the plan's minimum units: {sub}");
    assert!(sub.get("start_date").is_none(), "the period starts with the payment: {sub}");
    assert_eq!(invoices_of(&w.s, &first).await, vec![("open".into(), "subscription_create".into(), 112_500, 112_500)]);
    assert_eq!(payments_of(&w.s, &first).await, vec!["pending"]);
    // Incomplete: nothing to renew yet.
    w.alice.get(&format!("{SUBS}/{first}/upcoming-invoice")).await.assert_l5_error(400, L5_BAD_REQUEST);

    // Subscribing again replaces the incomplete one.
    let free = plan_id(&w.alice, "Free", "monthly").await;
    let second = sub_id(&subscribe(&w.alice, &w.org_a, &free, json!({})).await);
    let old = w.alice.get(&format!("{SUBS}/{first}")).await.expect(200);
    assert_eq!(old["status"], "incomplete_expired", "{old}");
    assert_eq!(invoices_of(&w.s, &first).await[0].0, "void");
    assert_eq!(payments_of(&w.s, &first).await, vec!["canceled"]);
    assert_eq!(w.alice.get(&format!("{SUBS}/{second}")).await.expect(200)["status"], "active");

    // A live subscription is changed with upgrade, not replaced.
    let team = plan_id(&w.alice, "Team Designer", "monthly").await;
    let r = w.alice.post(&format!("{SUBS}/create"), json!({"orgId": w.org_a, "planId": team})).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("upgrade"), "{}", r.text);
    let all = w.alice.get(&format!("{SUBS}?orgId={}", w.org_a)).await.expect(200);
    assert_eq!(all["total_count"], 2, "{all}");
}

#[tokio::test]
async fn every_refused_create_is_a_400_and_changes_nothing() {
    let w = world().await;
    let a = w.org_a.clone();
    let enterprise = plan_id(&w.alice, "Enterprise", "monthly").await;
    let free = plan_id(&w.alice, "Free", "monthly").await;
    // An archived plan, and a plan sold as a Stripe price.
    let archived = plan_id(&w.alice, "Team Operator", "yearly").await;
    let (arch, fr) = (archived.clone(), free.clone());
    sql(&w.s.data_dir, move |c| {
        c.execute("UPDATE billing_plans SET archived_at = '2026-01-01T00:00:00.000000Z' WHERE uuid = ?1", [arch])
            .unwrap();
        c.execute("UPDATE billing_plans SET stripe_price_id = 'price_free' WHERE uuid = ?1", [fr]).unwrap();
    })
    .await;
    let cases = [
        (json!({"orgId": a, "planId": free, "paymentProcessor": "paypal"}), "paypal is not supported"),
        (json!({"orgId": a, "planId": free, "paymentProcessor": "braintree"}), "braintree is not supported"),
        (json!({"orgId": a, "planId": free, "paymentProcessor": "cash"}), "unknown processor"),
        (json!({"orgId": a, "planId": free, "paymentProcessor": "stripe"}), "stripe is not configured"),
        (json!({"orgId": a, "planId": free, "couponId": "SAVE10"}), "coupons are not supported"),
        (json!({"orgId": a, "planId": enterprise, "userCount": 24}), "userCount must be at least 25"),
        (json!({"orgId": a, "planId": free, "userCount": 0}), "userCount must be at least 1"),
        (json!({"orgId": a, "planId": archived}), "is archived"),
        (json!({"orgId": a, "planId": "00000000-0000-0000-0000-00000000beef"}), "no plan"),
        (json!({"orgId": a, "planId": "price_unknown"}), "no plan"),
        (json!({"orgId": a}), "planId is required"),
        (json!({"orgId": "not-a-uuid", "planId": free}), "orgId"),
        (json!({"orgId": a, "planId": free, "email": "nobody"}), "email"),
    ];
    for (body, wording) in cases {
        let r = w.alice.post(&format!("{SUBS}/create"), body.clone()).await;
        r.assert_l5_error(400, L5_BAD_REQUEST);
        assert!(r.text.contains(wording), "{body}: expected {wording:?} in {:?}", r.text);
    }
    let all = w.alice.get(&format!("{SUBS}?orgId={a}")).await.expect(200);
    assert_eq!(all["total_count"], 0, "{all}");

    // A plan named by its Stripe price.
    let created = subscribe(&w.alice, &a, "price_free", json!({})).await;
    let sub = w.alice.get(&format!("{SUBS}/{}", sub_id(&created))).await.expect(200);
    assert_eq!(sub["plan_id"], free.as_str(), "{sub}");
}

#[tokio::test]
async fn a_stripe_subscription_waits_for_stripe_and_is_changed_there() {
    let w = world_with(|c| {
        c.stripe_secret_key = Some("sk_test_1".into());
        c.stripe_webhook_secret = Some("whsec_1".into());
    })
    .await;
    let team = plan_id(&w.alice, "Team Designer", "monthly").await;
    let created = subscribe(&w.alice, &w.org_a, &team, json!({"paymentProcessor": "stripe", "userCount": 2})).await;
    assert_eq!(created["clientSecret"], "", "{created}");
    let id = sub_id(&created);
    let sub = w.alice.get(&format!("{SUBS}/{id}")).await.expect(200);
    assert_eq!((sub["status"].as_str(), sub["payment_processor"].as_str()), (Some("incomplete"), Some("stripe")));
    assert!(invoices_of(&w.s, &id).await.is_empty(), "Stripe issues its invoices");
    let other = plan_id(&w.alice, "Team Operator", "monthly").await;
    let r = w.alice.post(&format!("{SUBS}/{id}/upgrade"), json!({"oldPlanId": team, "newPlanId": other})).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("change it in Stripe"), "{}", r.text);
}

#[tokio::test]
async fn lists_filter_by_status_order_and_page() {
    let w = world().await;
    let a = &w.org_a;
    let enterprise = plan_id(&w.alice, "Enterprise", "monthly").await;
    let free = plan_id(&w.alice, "Free", "monthly").await;
    subscribe(&w.alice, a, &enterprise, json!({})).await;
    subscribe(&w.alice, a, &free, json!({})).await;
    let statuses = |v: &Value| strs(&v["subscriptions"], "status");
    let all = w.alice.get(&format!("{SUBS}?orgId={a}")).await.expect(200);
    assert_eq!(
        (all["page"].as_u64(), all["page_size"].as_u64(), all["total_count"].as_u64()),
        (Some(0), Some(10), Some(2))
    );
    assert_eq!(statuses(&all), ["active", "incomplete_expired"], "newest first: {all}");
    let v = w.alice.ctx(a).get(&format!("{SUBS}?status=active")).await.expect(200);
    assert_eq!(statuses(&v), ["active"]);
    let v = w.alice.ctx(a).get(&format!("{SUBS}?status=active&status=incomplete_expired")).await.expect(200);
    assert_eq!(v["total_count"], 2);
    let v = w.alice.ctx(a).get(&format!("{SUBS}?{}=incomplete_expired", enc("status[]"))).await.expect(200);
    assert_eq!(statuses(&v), ["incomplete_expired"]);
    let v = w.alice.ctx(a).get(&format!("{SUBS}?status=canceled")).await.expect(200);
    assert_eq!(v["total_count"], 0);
    w.alice.ctx(a).get(&format!("{SUBS}?status=bogus")).await.assert_l5_error(400, L5_BAD_REQUEST);
    w.alice.ctx(a).get(&format!("{SUBS}?{}=bogus", enc("status[]"))).await.assert_l5_error(400, L5_BAD_REQUEST);
    let v = w.alice.ctx(a).get(&format!("{SUBS}?order={}", enc("created_at asc"))).await.expect(200);
    assert_eq!(statuses(&v), ["incomplete_expired", "active"]);
    let v = w.alice.ctx(a).get(&format!("{SUBS}?order={}", enc("status desc"))).await.expect(200);
    assert_eq!(statuses(&v), ["incomplete_expired", "active"]);
    let v = w.alice.ctx(a).get(&format!("{SUBS}?order=quantity&pagesize=1&page=1")).await.expect(200);
    assert_eq!((v["page"].as_u64(), v["page_size"].as_u64(), v["total_count"].as_u64()), (Some(1), Some(1), Some(2)));
    assert_eq!(v["subscriptions"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn who_may_subscribe_read_and_change() {
    let w = world().await;
    let (a, b) = (&w.org_a, &w.org_b);
    let free = plan_id(&w.alice, "Free", "monthly").await;
    let team = plan_id(&w.alice, "Team Designer", "monthly").await;
    let change = json!({"oldPlanId": free, "newPlanId": team, "userCount": 2});

    // carol, a member without the billing keys: 401 everywhere.
    let r = w.carol.post(&format!("{SUBS}/create"), json!({"orgId": a, "planId": free})).await;
    r.assert_l5_error(401, L5_UNAUTHORIZED);
    w.carol.get(&format!("{SUBS}?orgId={a}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
    // alice, the org admin, may.
    let id = sub_id(&subscribe(&w.alice, a, &free, json!({})).await);
    w.alice.get(&format!("{SUBS}?orgId={a}")).await.expect(200);
    for path in [format!("{SUBS}/{id}"), format!("{SUBS}/{id}/upcoming-invoice")] {
        w.carol.get(&path).await.assert_l5_error(401, L5_UNAUTHORIZED);
        w.dave.get(&path).await.assert_l5_error(404, L5_NOT_FOUND);
        w.alice.get(&path).await.expect(200);
        w.admin.get(&path).await.expect(200);
    }
    for op in ["upgrade-preview", "upgrade"] {
        let path = format!("{SUBS}/{id}/{op}");
        w.carol.post(&path, change.clone()).await.assert_l5_error(401, L5_UNAUTHORIZED);
        w.dave.post(&path, change.clone()).await.assert_l5_error(404, L5_NOT_FOUND);
    }
    // dave, an outsider to org A: it does not exist for him (a bad orgId:
    // the reference documents no 404 for these two), nor does its subscription.
    let r = w.dave.post(&format!("{SUBS}/create"), json!({"orgId": a, "planId": free})).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("orgId: no organization"), "{}", r.text);
    let r = w.dave.get(&format!("{SUBS}?orgId={a}")).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("orgId: no organization"), "{}", r.text);
    // Nor in context: the header names an organization he cannot reach.
    w.dave.ctx(a).get(SUBS).await.assert_l5_error(404, L5_NOT_FOUND);
    // An unknown subscription.
    w.alice.get(&format!("{SUBS}/{NIL_UUID}")).await.assert_l5_error(404, L5_NOT_FOUND);
    // The provider admin may, in any organization.
    let other = sub_id(&subscribe(&w.admin, b, &team, json!({})).await);
    let v = w.admin.get(&format!("{SUBS}?orgId={b}")).await.expect(200);
    assert_eq!(strs(&v["subscriptions"], "id"), [other]);
    w.admin.post(&format!("{SUBS}/{id}/upgrade-preview"), change.clone()).await.expect(200);
    w.alice.post(&format!("{SUBS}/{id}/upgrade"), change).await.expect(200);
    // Nothing carol or dave tried changed anything.
    assert_eq!(w.alice.get(&format!("{SUBS}?orgId={a}")).await.expect(200)["total_count"], 1);
    // Unauthenticated.
    w.s.anon().get(&format!("{SUBS}/{id}")).await.assert_l5_error(401, L5_UNAUTHORIZED);
}

/// A Free subscription in org A on a manual clock, and the clock.
async fn free_on_a_clock() -> (World, ManualClock, String, String) {
    let clock = manual_clock();
    let w = clocked_world(&clock).await;
    let free = plan_id(&w.alice, "Free", "monthly").await;
    let id = sub_id(&subscribe(&w.alice, &w.org_a, &free, json!({})).await);
    (w, clock, free, id)
}

#[tokio::test]
async fn an_upgrade_invoices_what_its_preview_showed() {
    let (w, clock, free, id) = free_on_a_clock().await;
    let team = plan_id(&w.alice, "Team Designer", "monthly").await;
    let before = w.alice.get(&format!("{SUBS}/{id}")).await.expect(200);
    let (start, end) = (instant(before["start_date"].as_str().unwrap()), instant(before["end_date"].as_str().unwrap()));
    let now = clock.advance(chrono::Duration::days(10));
    let change = json!({"oldPlanId": free, "newPlanId": team, "userCount": 2});

    let preview = w.alice.post(&format!("{SUBS}/{id}/upgrade-preview"), change.clone()).await.expect(200);
    assert_eq!(preview["status"], "draft", "{preview}");
    assert_eq!(preview["billing_reason"], "subscription_update");
    assert!(preview.get("id").is_none(), "{preview}");
    // 2 seats at 15.00 for the rest of the period, to the second.
    let (whole, left) = ((end - start).num_seconds(), (end - now).num_seconds());
    let charge = ((3000 * left) as f64 / whole as f64).round() as i64;
    let amounts: Vec<i64> =
        preview["lines"].as_array().unwrap().iter().map(|l| l["amount"].as_i64().unwrap()).collect();
    assert_eq!(amounts, vec![0, charge], "{preview}");
    assert_eq!((preview["subtotal"].as_i64(), preview["amount_due"].as_i64()), (Some(charge), Some(charge)));
    assert_eq!(instant(preview["period_start"].as_str().unwrap()), now);
    assert_eq!(instant(preview["period_end"].as_str().unwrap()), end);
    // A preview stores nothing.
    assert_eq!(invoices_of(&w.s, &id).await.len(), 1);

    let after = w.alice.post(&format!("{SUBS}/{id}/upgrade"), change.clone()).await.expect(200);
    assert_eq!((after["plan_id"].as_str(), after["quantity"].as_i64()), (Some(team.as_str()), Some(2)), "{after}");
    assert_eq!(
        (after["start_date"].clone(), after["end_date"].clone()),
        (before["start_date"].clone(), before["end_date"].clone())
    );
    assert_eq!(last_invoice_lines(&w.s, &id).await, lines_without_periods(&preview));
    let invoices = invoices_of(&w.s, &id).await;
    assert_eq!(invoices[1], ("open".into(), "subscription_update".into(), charge, charge));
    assert_eq!(payments_of(&w.s, &id).await, vec!["pending"]);
    assert_eq!(events(&w.s, "subscription", "upgrade").await, 1);
    // The same change again: nothing to change; the old plan is no longer current.
    let r = w
        .alice
        .post(&format!("{SUBS}/{id}/upgrade"), json!({"oldPlanId": team, "newPlanId": team, "userCount": 2}))
        .await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("nothing to change"), "{}", r.text);
    let r = w.alice.post(&format!("{SUBS}/{id}/upgrade"), change).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("oldPlanId"), "{}", r.text);

    // A new cadence restarts the cycle now and bills a whole year.
    // Stored times keep microseconds.
    let now = chrono::SubsecRound::trunc_subsecs(clock.advance(chrono::Duration::days(1)), 6);
    let yearly = plan_id(&w.alice, "Team Designer", "yearly").await;
    let after = w
        .alice
        .post(&format!("{SUBS}/{id}/upgrade"), json!({"oldPlanId": team, "newPlanId": yearly}))
        .await
        .expect(200);
    assert_eq!(instant(after["start_date"].as_str().unwrap()), now, "{after}");
    assert_eq!(instant(after["end_date"].as_str().unwrap()), now.checked_add_months(chrono::Months::new(12)).unwrap());
    let lines = last_invoice_lines(&w.s, &id).await;
    assert_eq!(lines[1]["amount"], 30_000, "a year of 2 seats: {lines:?}");
    assert_eq!(lines[1]["proration"], false);
    assert!(lines[0]["amount"].as_i64().unwrap() < 0, "the unused month is credited: {lines:?}");
}

#[tokio::test]
async fn refused_plan_changes_are_400s() {
    let (w, _clock, free, id) = free_on_a_clock().await;
    let team = plan_id(&w.alice, "Team Designer", "monthly").await;
    let enterprise = plan_id(&w.alice, "Enterprise", "monthly").await;
    let archived = plan_id(&w.alice, "Team Operator", "yearly").await;
    let arch = archived.clone();
    sql(&w.s.data_dir, move |c| {
        c.execute("UPDATE billing_plans SET archived_at = '2026-01-01T00:00:00.000000Z' WHERE uuid = ?1", [arch])
            .unwrap();
    })
    .await;
    let cases = [
        (json!({"oldPlanId": team, "newPlanId": enterprise}), "oldPlanId"),
        (json!({"oldPlanId": free, "newPlanId": free}), "nothing to change"),
        (json!({"oldPlanId": free, "newPlanId": archived}), "archived"),
        (json!({"oldPlanId": free, "newPlanId": enterprise, "userCount": 3}), "at least 25"),
        (json!({"oldPlanId": free}), "newPlanId is required"),
        (json!({"newPlanId": team}), "oldPlanId is required"),
    ];
    for op in ["upgrade-preview", "upgrade"] {
        for (body, wording) in &cases {
            let r = w.alice.post(&format!("{SUBS}/{id}/{op}"), body.clone()).await;
            r.assert_l5_error(400, L5_BAD_REQUEST);
            assert!(r.text.contains(wording), "{op} {body}: expected {wording:?} in {:?}", r.text);
        }
    }
    assert_eq!(invoices_of(&w.s, &id).await.len(), 1, "nothing was invoiced");
    assert_eq!(w.alice.get(&format!("{SUBS}/{id}")).await.expect(200)["plan_id"], free.as_str());
}

#[tokio::test]
async fn a_downgrade_past_what_the_organization_has_is_refused_with_the_list() {
    let w = world().await;
    let a = &w.org_a;
    let team = plan_id(&w.alice, "Team Designer", "monthly").await;
    let free = plan_id(&w.alice, "Free", "monthly").await;
    let id = sub_id(&subscribe(&w.alice, a, &team, json!({"userCount": 2})).await);
    for i in 0..11 {
        w.alice.create_workspace(a, &format!("ws-{i}")).await;
    }
    let change = json!({"oldPlanId": team, "newPlanId": free});
    for op in ["upgrade-preview", "upgrade"] {
        let r = w.alice.post(&format!("{SUBS}/{id}/{op}"), change.clone()).await;
        r.assert_l5_error(400, L5_BAD_REQUEST);
        assert!(r.text.contains("WorkspacesInOrganization: 11 of 10"), "{op}: {}", r.text);
    }
    // Fewer seats than members is over the limit too.
    let r = w
        .alice
        .post(&format!("{SUBS}/{id}/upgrade"), json!({"oldPlanId": team, "newPlanId": team, "userCount": 1}))
        .await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("MembersInOrganization: 2 of 1"), "{}", r.text);
    // A trialing subscription changes without an invoice.
    let operator = plan_id(&w.alice, "Team Operator", "monthly").await;
    let after = w
        .alice
        .post(&format!("{SUBS}/{id}/upgrade"), json!({"oldPlanId": team, "newPlanId": operator}))
        .await
        .expect(200);
    assert_eq!((after["status"].as_str(), after["quantity"].as_i64()), (Some("trialing"), Some(2)), "{after}");
    assert!(invoices_of(&w.s, &id).await.is_empty());
}

#[tokio::test]
async fn the_upcoming_invoice_uses_the_organizations_credit() {
    let (w, clock, free, id) = free_on_a_clock().await;
    let team = plan_id(&w.alice, "Team Designer", "monthly").await;
    clock.advance(chrono::Duration::days(3));
    w.alice
        .post(&format!("{SUBS}/{id}/upgrade"), json!({"oldPlanId": free, "newPlanId": team, "userCount": 3}))
        .await
        .expect(200);
    // Down to 2 seats at the same instant: the third seat's rest is credit.
    w.alice
        .post(&format!("{SUBS}/{id}/upgrade"), json!({"oldPlanId": team, "newPlanId": team, "userCount": 2}))
        .await
        .expect(200);
    let org = w.org_a.clone();
    let balance: i64 = sql(&w.s.data_dir, move |c| {
        c.query_row(
            "SELECT b.amount_minor FROM billing_balances b JOIN organizations o ON o.id = b.org_id WHERE o.uuid = ?1",
            [org],
            |r| r.get(0),
        )
        .unwrap()
    })
    .await;
    assert!(balance > 0 && balance < 1500, "a part of one seat's month: {balance}");
    let sub = w.alice.get(&format!("{SUBS}/{id}")).await.expect(200);
    let up = w.alice.get(&format!("{SUBS}/{id}/upcoming-invoice")).await.expect(200);
    assert_eq!(up["period_start"], sub["end_date"], "{up}");
    assert_eq!(up["subtotal"], 3000, "{up}");
    assert_eq!(up["balance_applied"], balance);
    assert_eq!(up["amount_due"], 3000 - balance);
    assert_eq!(up["status"], "draft");
}
