//! The offline processor's queue: `GET /api/entitlement/payments` and
//! `POST /api/entitlement/payments/confirm`.

use meshcloud_kernel::time;
use serde_json::{Value, json};

use super::seed;
use crate::support::scheduler::{clocked_world, instant, manual_clock};
use crate::support::*;

const CONFIRM: &str = "/api/entitlement/payments/confirm";

/// (status, current_period_start, current_period_end, dunning_attempts) of a subscription.
async fn subscription(s: &Server, id: i64) -> (String, Option<String>, Option<String>, i64) {
    sql(&s.data_dir, move |c| {
        c.query_row(
            "SELECT status, current_period_start, current_period_end, dunning_attempts FROM billing_subscriptions WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .expect("subscription")
    })
    .await
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_string(), b.to_string())
}

#[tokio::test]
async fn pending_payments_are_listed_across_organizations_without_their_secrets() {
    let w = world().await;
    let a = seed::offline_subscription(&w.s, &w.org_a, "incomplete", 2).await;
    let b = seed::offline_subscription(&w.s, &w.org_b, "incomplete", 1).await;
    let (a_pay, a_secret) = a.invoice.payment.clone().expect("pending payment");
    let (b_pay, b_secret) = b.invoice.payment.clone().expect("pending payment");

    let r = w.admin.get("/api/entitlement/payments").await;
    let all = r.expect(200);
    assert!(!r.text.contains(&a_secret) && !r.text.contains(&b_secret), "secrets are never listed: {all}");
    assert!(!r.text.contains("client_secret"), "{all}");
    assert_eq!(all["total_count"], 2, "pending is the default: {all}");
    assert_eq!(strs(&all["payments"], "id"), [a_pay.as_str(), b_pay.as_str()], "oldest first: {all}");
    let p = &all["payments"][0];
    assert_eq!(p["organization_id"], w.org_a.as_str());
    assert_eq!(p["organization_name"], "A");
    assert_eq!(p["invoice_id"], a.invoice.id.as_str());
    assert_eq!(p["invoice_number"], a.invoice.number.as_str());
    assert_eq!((p["amount"].as_i64(), p["currency"].as_str()), (Some(3000), Some("usd")));
    assert_eq!(p["status"], "pending");
    assert!(p["created_at"].is_string() && p.get("confirmed_at").is_none(), "{p}");

    let page = w.admin.get("/api/entitlement/payments?status=pending&page=1&pagesize=1").await.expect(200);
    assert_eq!(strs(&page["payments"], "id"), [b_pay.as_str()]);
    assert_eq!(
        (page["page"].as_u64(), page["page_size"].as_u64(), page["total_count"].as_u64()),
        (Some(1), Some(1), Some(2))
    );
    let done = w.admin.get("/api/entitlement/payments?status=succeeded").await.expect(200);
    assert_eq!(done["total_count"], 0);
    w.admin.get("/api/entitlement/payments?status=paid").await.assert_l5_error(400, L5_BAD_REQUEST);

    // Organization admins and members do not handle payments.
    for who in [&w.alice, &w.carol, &w.dave] {
        who.get("/api/entitlement/payments").await.assert_l5_error(401, L5_UNAUTHORIZED);
    }
}

#[tokio::test]
async fn confirming_the_first_payment_activates_the_subscription_from_now() {
    let clock = manual_clock();
    let w = clocked_world(&clock).await;
    let seeded = seed::offline_subscription(&w.s, &w.org_a, "incomplete", 2).await;
    let (pay, _) = seeded.invoice.payment.clone().expect("pending payment");

    // Refused, changing nothing: not a payments admin, no reference, a
    // reference too long, both or neither way of naming the payment, unknown.
    let ok = json!({"paymentId": pay, "reference": "TRX-42"});
    w.alice.post(CONFIRM, ok.clone()).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.dave.post(CONFIRM, ok.clone()).await.assert_l5_error(401, L5_UNAUTHORIZED);
    w.admin.post(CONFIRM, json!({"paymentId": pay})).await.assert_l5_error(400, L5_BAD_REQUEST);
    w.admin.post(CONFIRM, json!({"paymentId": pay, "reference": "  "})).await.assert_l5_error(400, L5_BAD_REQUEST);
    let long = "x".repeat(201);
    w.admin.post(CONFIRM, json!({"paymentId": pay, "reference": long})).await.assert_l5_error(400, L5_BAD_REQUEST);
    w.admin.post(CONFIRM, json!({"reference": "TRX-42"})).await.assert_l5_error(400, L5_BAD_REQUEST);
    let both = json!({"paymentId": pay, "clientSecret": "pi_x_secret_y", "reference": "TRX-42"});
    w.admin.post(CONFIRM, both).await.assert_l5_error(400, L5_BAD_REQUEST);
    w.admin.post(CONFIRM, json!({"paymentId": "nope", "reference": "r"})).await.assert_l5_error(400, L5_BAD_REQUEST);
    let unknown = json!({"paymentId": uuid::Uuid::new_v4(), "reference": "TRX-42"});
    w.admin.post(CONFIRM, unknown).await.assert_l5_error(404, L5_NOT_FOUND);
    let unknown = json!({"clientSecret": "pi_0_secret_0", "reference": "TRX-42"});
    w.admin.post(CONFIRM, unknown).await.assert_l5_error(404, L5_NOT_FOUND);
    assert_eq!(subscription(&w.s, seeded.sub_id).await.0, "incomplete");
    assert_eq!(w.admin.get("/api/entitlement/payments").await.expect(200)["total_count"], 1);

    // Billing's "now" is the scheduler's clock: the period starts there.
    let t = instant(&time::to_db(&(clock.now() + chrono::Duration::hours(3))));
    clock.set(t);
    let r = w.admin.post(CONFIRM, ok.clone()).await.expect(200);
    assert_eq!(r["id"], pay.as_str());
    assert_eq!(r["status"], "succeeded");
    assert_eq!(r["reference"], "TRX-42");
    assert_eq!(instant(r["confirmed_at"].as_str().expect("confirmed_at")), t);
    assert_eq!(r["invoice_number"], seeded.invoice.number.as_str());

    let (status, start, end, _) = subscription(&w.s, seeded.sub_id).await;
    assert_eq!(status, "active");
    assert_eq!(instant(&start.expect("period start")), t);
    let month = t.checked_add_months(chrono::Months::new(1)).expect("a month on");
    assert_eq!(instant(&end.expect("period end")), month);
    let inv = w.alice.get(&format!("/api/entitlement/invoices/{}", seeded.invoice.id)).await.expect(200);
    assert_eq!((inv["status"].as_str(), inv["paid_at"].as_str().map(instant)), (Some("paid"), Some(t)), "{inv}");
    assert_eq!(seed::events_on(&w.s, &pay).await, [pair("payment", "confirm")]);
    assert_eq!(seed::events_on(&w.s, &seeded.invoice.id).await, [pair("invoice", "paid")]);
    assert_eq!(seed::events_on(&w.s, &seeded.sub).await, [pair("subscription", "activate")]);

    // Twice: refused, and nothing more happens.
    w.admin.post(CONFIRM, ok).await.assert_l5_error(400, L5_BAD_REQUEST);
    assert_eq!(seed::events_on(&w.s, &pay).await.len(), 1);
    assert_eq!(w.admin.get("/api/entitlement/payments").await.expect(200)["total_count"], 0);
    let done = w.admin.get("/api/entitlement/payments?status=succeeded").await.expect(200);
    assert_eq!(strs(&done["payments"], "id"), [pay.as_str()]);
    assert_eq!(done["payments"][0]["reference"], "TRX-42");
}

#[tokio::test]
async fn a_payment_is_confirmed_by_the_client_secret_the_subscriber_was_given() {
    let w = world().await;
    let seeded = seed::offline_subscription(&w.s, &w.org_b, "incomplete", 1).await;
    let (pay, secret) = seeded.invoice.payment.clone().expect("pending payment");
    let body = json!({"clientSecret": secret, "reference": "PO 2026/117"});
    let r: Value = w.admin.post(CONFIRM, body.clone()).await.expect(200);
    assert_eq!((r["id"].as_str(), r["status"].as_str()), (Some(pay.as_str()), Some("succeeded")));
    assert_eq!(r["organization_name"], "B");
    assert!(r.get("client_secret").is_none(), "{r}");
    assert_eq!(subscription(&w.s, seeded.sub_id).await.0, "active");
    w.admin.post(CONFIRM, body).await.assert_l5_error(400, L5_BAD_REQUEST);
}

#[tokio::test]
async fn paying_a_past_due_subscriptions_invoice_makes_it_active_again() {
    let w = world().await;
    let seeded = seed::offline_subscription(&w.s, &w.org_a, "past_due", 3).await;
    let before = subscription(&w.s, seeded.sub_id).await;
    assert_eq!((before.0.as_str(), before.3), ("past_due", 1));
    let (pay, _) = seeded.invoice.payment.clone().expect("pending payment");
    w.admin.post(CONFIRM, json!({"paymentId": pay, "reference": "late transfer"})).await.expect(200);
    let (status, start, end, attempts) = subscription(&w.s, seeded.sub_id).await;
    assert_eq!(status, "active");
    assert_eq!(attempts, 0, "the reminders are forgotten");
    assert_eq!((start, end), (before.1, before.2), "the period runs on unchanged");
    assert_eq!(seed::events_on(&w.s, &seeded.sub).await, [pair("subscription", "activate")]);
}
