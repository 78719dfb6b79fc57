//! `POST /api/entitlement/subscriptions/webhooks`: Stripe's signature, one
//! application per event id, and what each event type does.

use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Sha256;

use super::rows::*;
use crate::support::scheduler::{ManualClock, clocked_world_with, manual_clock};
use crate::support::*;

const SECRET: &str = "whsec_meshcloud_test_secret";
const HOOK: &str = "/api/entitlement/subscriptions/webhooks";

fn sign(secret: &str, t: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// A server taking Stripe's webhooks, on a manual clock (the signature's
/// tolerance is checked against it).
async fn stripe_world(clock: &ManualClock) -> World {
    clocked_world_with(clock, |c| {
        c.stripe_secret_key = Some("sk_test_meshcloud".into());
        c.stripe_webhook_secret = Some(SECRET.into());
    })
    .await
}

async fn deliver(w: &World, signature: Option<&str>, body: &[u8]) -> Resp {
    let mut api = w.s.anon();
    if let Some(s) = signature {
        api = api.header("Stripe-Signature", s);
    }
    api.send(Method::POST, HOOK, Some(RawBody::Bytes("application/json; charset=utf-8".into(), body.to_vec()))).await
}

/// Delivers `event` signed as Stripe would at the clock's now.
async fn post_event(w: &World, clock: &ManualClock, event: &Value) -> Resp {
    let body = event.to_string();
    let t = clock.now().timestamp();
    let header = format!("t={t},v1={}", sign(SECRET, t, body.as_bytes()));
    deliver(w, Some(&header), body.as_bytes()).await
}

fn event(id: &str, kind: &str, object: Value) -> Value {
    json!({"id": id, "object": "event", "type": kind, "api_version": "2024-06-20", "data": {"object": object}})
}

#[track_caller]
fn processed(r: &Resp) {
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.is_empty(), "a 200 has no body: {}", r.text);
}

async fn webhook_rows(w: &World) -> i64 {
    sql(&w.s.data_dir, |c| c.query_row("SELECT count(*) FROM billing_webhook_events", [], |r| r.get(0)).unwrap()).await
}

#[tokio::test]
async fn without_stripe_no_webhook_is_taken() {
    let w = world().await;
    let body = event("evt_1", "customer.created", json!({"id": "cus_1"})).to_string();
    let t = chrono::Utc::now().timestamp();
    let r = deliver(&w, Some(&format!("t={t},v1={}", sign(SECRET, t, body.as_bytes()))), body.as_bytes()).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("no payment processor accepts webhooks"), "{}", r.text);
    assert_eq!(webhook_rows(&w).await, 0);
}

#[tokio::test]
async fn signatures_are_checked_before_anything_changes() {
    let clock = manual_clock();
    let w = stripe_world(&clock).await;
    let body = event("evt_sig", "customer.created", json!({"id": "cus_1"})).to_string();
    let b = body.as_bytes();
    let now = clock.now().timestamp();
    let good = sign(SECRET, now, b);

    let refused = [
        (None, "missing"),
        (Some(String::new()), "missing"),
        (Some("garbage".to_string()), "malformed"),
        (Some(format!("v1={good}")), "malformed"),
        (Some(format!("t=yesterday,v1={good}")), "malformed"),
        (Some(format!("t={now},v0={good}")), "no v1 signature"),
        (Some(format!("t={now},v1={}", sign("whsec_someone_else", now, b))), "matches"),
        (Some(format!("t={},v1={}", now - 301, sign(SECRET, now - 301, b))), "300 s"),
        (Some(format!("t={},v1={}", now + 301, sign(SECRET, now + 301, b))), "300 s"),
    ];
    for (header, why) in &refused {
        let r = deliver(&w, header.as_deref(), b).await;
        r.assert_l5_error(400, L5_BAD_REQUEST);
        assert!(r.text.contains(why), "{header:?}: expected {why:?} in {:?}", r.text);
    }
    // The body changed after signing.
    let changed = body.replace("cus_1", "cus_2");
    let r = deliver(&w, Some(&format!("t={now},v1={good}")), changed.as_bytes()).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("matches"), "{}", r.text);
    assert_eq!(webhook_rows(&w).await, 0, "nothing refused is recorded");
    assert_eq!(billing_events(&w, None).await, 0);

    // Several v1 signatures (a secret being rolled), one of them valid; and
    // the edges of the tolerance.
    let several = format!("t={now},v1={},v1={good},v0=00ff", sign("whsec_old", now, b));
    processed(&deliver(&w, Some(&several), b).await);
    assert_eq!(webhook_outcome(&w, "evt_sig").await.as_deref(), Some("ignored: not a type meshcloud handles"));
    for (i, t) in [now - 300, now + 300].into_iter().enumerate() {
        let body = event(&format!("evt_edge_{i}"), "customer.created", json!({})).to_string();
        let header = format!("t={t},v1={}", sign(SECRET, t, body.as_bytes()));
        processed(&deliver(&w, Some(&header), body.as_bytes()).await);
    }
    assert_eq!(webhook_rows(&w).await, 3);
    assert_eq!(billing_events(&w, Some("webhook.receive")).await, 3);

    // A signed body that is no event.
    let junk = b"not json";
    let r = deliver(&w, Some(&format!("t={now},v1={}", sign(SECRET, now, junk))), junk).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    let no_id = json!({"type": "invoice.paid"}).to_string();
    let r = deliver(&w, Some(&format!("t={now},v1={}", sign(SECRET, now, no_id.as_bytes()))), no_id.as_bytes()).await;
    r.assert_l5_error(400, L5_BAD_REQUEST);
    assert!(r.text.contains("no id"), "{}", r.text);
    assert_eq!(webhook_rows(&w).await, 3);
}

/// Team Operator (monthly) is sold as Stripe's `price_operator`.
async fn price_operator(w: &World) {
    sql(&w.s.data_dir, |c| {
        c.execute(
            "UPDATE billing_plans SET stripe_price_id = 'price_operator' WHERE name = 'Team Operator' AND cadence = 'monthly'",
            [],
        )
        .unwrap()
    })
    .await;
}

fn stripe_sub(id: &str, status: &str, start: i64, end: i64, extra: Value) -> Value {
    let mut v = json!({
        "id": id,
        "object": "subscription",
        "status": status,
        "current_period_start": start,
        "current_period_end": end,
        "cancel_at_period_end": false,
        "canceled_at": null,
        "items": {"data": [{"price": {"id": "price_operator"}, "quantity": 7}]},
    });
    if let (Value::Object(m), Value::Object(x)) = (&mut v, extra) {
        m.extend(x);
    }
    v
}

#[tokio::test]
async fn subscription_updates_link_and_apply_once() {
    let clock = manual_clock();
    let w = stripe_world(&clock).await;
    price_operator(&w).await;
    let sub = seed_sub(
        &w,
        Sub { org: &w.org_a, status: "incomplete", processor: "stripe", quantity: 3, ..Default::default() },
    )
    .await;
    assert_eq!(features_plan(&w, &w.org_a).await, "Free");

    // Not linked yet and not named: recorded, nothing changes.
    let (start, end) = (clock.now().timestamp(), clock.now().timestamp() + 30 * 86_400);
    let stray =
        event("evt_stray", "customer.subscription.updated", stripe_sub("sub_stray", "active", start, end, json!({})));
    processed(&post_event(&w, &clock, &stray).await);
    assert!(webhook_outcome(&w, "evt_stray").await.unwrap().starts_with("ignored: no subscription"));
    assert_eq!(sub_state(&w, &sub).await.status, "incomplete");

    // The metadata names the meshcloud subscription: linked and applied.
    let object = stripe_sub("sub_123", "active", start, end, json!({"metadata": {"meshcloud_subscription_id": sub}}));
    let e = event("evt_link", "customer.subscription.updated", object);
    processed(&post_event(&w, &clock, &e).await);
    let s = sub_state(&w, &sub).await;
    assert_eq!(s.billing_id.as_deref(), Some("sub_123"));
    assert_eq!((s.status.as_str(), s.plan.as_str(), s.quantity), ("active", "Team Operator monthly", 7));
    assert_eq!(s.period_start.as_deref(), Some(db(&chrono::DateTime::from_timestamp(start, 0).unwrap()).as_str()));
    assert_eq!(s.period_end.as_deref(), Some(db(&chrono::DateTime::from_timestamp(end, 0).unwrap()).as_str()));
    assert_eq!(features_plan(&w, &w.org_a).await, "Team Operator");
    assert_eq!(webhook_outcome(&w, "evt_link").await.as_deref(), Some("applied: active"));

    // The same event again (Stripe retries), even altered: nothing changes.
    let events = billing_events(&w, None).await;
    processed(&post_event(&w, &clock, &e).await);
    let replay =
        event("evt_link", "customer.subscription.updated", stripe_sub("sub_123", "past_due", start, end, json!({})));
    processed(&post_event(&w, &clock, &replay).await);
    assert_eq!(billing_events(&w, None).await, events, "a replay writes no event");
    assert_eq!(sub_state(&w, &sub).await.status, "active");
    assert_eq!(webhook_rows(&w).await, 2);

    // Later events find it by Stripe's id: cancel at period end, then past due.
    let cancel =
        stripe_sub("sub_123", "active", start, end, json!({"cancel_at_period_end": true, "canceled_at": start}));
    processed(&post_event(&w, &clock, &event("evt_cancel", "customer.subscription.updated", cancel)).await);
    let s = sub_state(&w, &sub).await;
    assert!(s.cancel_at_period_end && s.canceled_at.is_some(), "{s:?}");
    assert_eq!(billing_events(&w, Some("subscription.cancel")).await, 1);
    let due = stripe_sub("sub_123", "past_due", start, end, json!({"cancel_at_period_end": true}));
    processed(&post_event(&w, &clock, &event("evt_due", "customer.subscription.updated", due)).await);
    assert_eq!(sub_state(&w, &sub).await.status, "past_due");

    // Deleted in Stripe: canceled, ended, and the organization is on Free again.
    let gone = stripe_sub("sub_123", "canceled", start, end, json!({"ended_at": start + 60}));
    processed(&post_event(&w, &clock, &event("evt_gone", "customer.subscription.deleted", gone.clone())).await);
    let s = sub_state(&w, &sub).await;
    assert_eq!(s.status, "canceled");
    assert!(s.ended_at.is_some(), "{s:?}");
    assert_eq!(features_plan(&w, &w.org_a).await, "Free");
    assert_eq!(billing_events(&w, Some("subscription.end")).await, 1);
    processed(&post_event(&w, &clock, &event("evt_gone_again", "customer.subscription.deleted", gone)).await);
    assert_eq!(webhook_outcome(&w, "evt_gone_again").await.as_deref(), Some("ignored: already canceled"));
    assert_eq!(billing_events(&w, Some("subscription.end")).await, 1);
}

#[tokio::test]
async fn a_second_live_subscription_is_refused_not_stored() {
    let clock = manual_clock();
    let w = stripe_world(&clock).await;
    price_operator(&w).await;
    seed_sub(&w, Sub { org: &w.org_a, ..Default::default() }).await;
    let other = seed_sub(
        &w,
        Sub {
            org: &w.org_a,
            status: "canceled",
            processor: "stripe",
            billing_id: Some("sub_old"),
            ..Default::default()
        },
    )
    .await;
    let now = clock.now().timestamp();
    let e = event(
        "evt_revive",
        "customer.subscription.updated",
        stripe_sub("sub_old", "active", now, now + 86_400, json!({})),
    );
    processed(&post_event(&w, &clock, &e).await);
    assert!(webhook_outcome(&w, "evt_revive").await.unwrap().starts_with("refused: the organization has another live"));
    assert_eq!(sub_state(&w, &other).await.status, "canceled");
}

fn stripe_invoice(id: &str, sub: &str, lines: Value) -> Value {
    json!({
        "id": id,
        "object": "invoice",
        "subscription": sub,
        "currency": "usd",
        "billing_reason": "subscription_cycle",
        "period_start": 1_800_000_000,
        "period_end": 1_802_592_000,
        "total": 5250,
        "lines": {"object": "list", "data": lines},
    })
}

#[tokio::test]
async fn paid_invoices_are_recorded_once_and_failed_payments_make_it_past_due() {
    let clock = manual_clock();
    let w = stripe_world(&clock).await;
    let sub = seed_sub(
        &w,
        Sub { org: &w.org_a, processor: "stripe", billing_id: Some("sub_9"), quantity: 3, ..Default::default() },
    )
    .await;

    let lines = json!([
        {"amount": 4500, "description": "3 × Team Designer", "quantity": 3, "price": {"id": "price_x", "unit_amount": 1500},
         "period": {"start": 1_800_000_000, "end": 1_802_592_000}},
        {"amount": 750, "description": "Unused time", "quantity": 1, "proration": true},
    ]);
    let paid = event("evt_paid", "invoice.paid", stripe_invoice("in_1", "sub_9", lines));
    processed(&post_event(&w, &clock, &paid).await);
    let invoices = invoices_of(&w, &sub).await;
    assert_eq!(invoices.len(), 1, "{invoices:?}");
    let (number, status, reason, total, start, _) = &invoices[0];
    assert_eq!((status.as_str(), reason.as_str(), *total), ("paid", "subscription_cycle", 5250));
    assert_eq!(number, "INV-000001");
    assert_eq!(start.as_deref(), Some("2027-01-15T08:00:00.000000Z"));
    let stored: Vec<(i64, i64, i64, bool, Option<String>)> = sql(&w.s.data_dir, |c| {
        let mut st = c
            .prepare(
                "SELECT l.quantity, l.unit_amount_minor, l.amount_minor, l.proration, i.processor_ref
                   FROM billing_invoice_lines l JOIN billing_invoices i ON i.id = l.invoice_id ORDER BY l.position",
            )
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, i64>(3)? == 1, r.get(4)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    })
    .await;
    assert_eq!(
        stored,
        vec![(3, 1500, 4500, false, Some("in_1".into())), (1, 750, 750, true, Some("in_1".into()))],
        "lines as Stripe sent them"
    );
    assert_eq!(billing_events(&w, Some("invoice.issue")).await, 1);

    // The same invoice in another event (Stripe sends invoice.paid and
    // invoice.payment_succeeded, or retries with a new id): no second invoice.
    let again = event("evt_paid_2", "invoice.paid", stripe_invoice("in_1", "sub_9", json!([])));
    processed(&post_event(&w, &clock, &again).await);
    assert_eq!(invoices_of(&w, &sub).await.len(), 1);
    assert_eq!(webhook_outcome(&w, "evt_paid_2").await.as_deref(), Some("ignored: already paid"));

    // A failed payment: past due, recorded; the plan is kept while Stripe retries.
    let failed = json!({"id": "in_2", "object": "invoice", "subscription": "sub_9", "attempt_count": 1});
    processed(&post_event(&w, &clock, &event("evt_fail", "invoice.payment_failed", failed)).await);
    assert_eq!(sub_state(&w, &sub).await.status, "past_due");
    assert_eq!(billing_events(&w, Some("payment.fail")).await, 1);
    assert_eq!(features_plan(&w, &w.org_a).await, "Team Designer");

    // An invoice of a subscription meshcloud does not bill: recorded only.
    let stray = event("evt_stray_inv", "invoice.paid", stripe_invoice("in_3", "sub_unknown", json!([])));
    processed(&post_event(&w, &clock, &stray).await);
    assert!(webhook_outcome(&w, "evt_stray_inv").await.unwrap().starts_with("ignored: no subscription"));
    let all: i64 =
        sql(&w.s.data_dir, |c| c.query_row("SELECT count(*) FROM billing_invoices", [], |r| r.get(0)).unwrap()).await;
    assert_eq!(all, 1);
}

#[tokio::test]
async fn an_open_invoice_paid_in_stripe_activates_its_subscription() {
    let clock = manual_clock();
    let w = stripe_world(&clock).await;
    let sub = seed_sub(
        &w,
        Sub {
            org: &w.org_b,
            status: "incomplete",
            processor: "stripe",
            billing_id: Some("sub_new"),
            ..Default::default()
        },
    )
    .await;
    let due = clock.now() + chrono::Duration::days(3);
    let number = seed_open_invoice(&w, &sub, 1500, due, Some("in_open")).await;
    let e = event(
        "evt_open_paid",
        "invoice.paid",
        json!({"id": "in_open", "object": "invoice", "subscription": "sub_new"}),
    );
    processed(&post_event(&w, &clock, &e).await);
    let invoices = invoices_of(&w, &sub).await;
    assert_eq!((invoices.len(), invoices[0].0.as_str(), invoices[0].1.as_str()), (1, number.as_str(), "paid"));
    assert_eq!(payment_statuses(&w, &sub).await, ["canceled"], "the pending payment is not needed any more");
    let s = sub_state(&w, &sub).await;
    assert_eq!(s.status, "active");
    assert_eq!(s.period_start.as_deref(), Some(db(&clock.now()).as_str()), "the first period starts when paid");
    assert_eq!(billing_events(&w, Some("invoice.paid")).await, 1);
    assert_eq!(billing_events(&w, Some("subscription.activate")).await, 1);
}
