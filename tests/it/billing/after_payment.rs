//! Subscriptions after their first offline payment is confirmed
//! (`POST /api/entitlement/payments/confirm`): activation from the
//! confirmation, and a paid plan's downgrade turned into credit.

use serde_json::json;

use super::subscriptions::{plan_id, subscribe};
use crate::support::scheduler::{clocked_world, instant, manual_clock};

const SUBS: &str = "/api/entitlement/subscriptions";

#[tokio::test]
async fn a_confirmed_first_payment_activates_the_subscription_from_then() {
    let clock = manual_clock();
    let w = clocked_world(&clock).await;
    let enterprise = plan_id(&w.alice, "Enterprise", "monthly").await;
    let created = subscribe(&w.alice, &w.org_a, &enterprise, json!({"userCount": 30})).await;
    let id = created["subscriptionId"].as_str().unwrap().to_string();
    let paid_at = chrono::SubsecRound::trunc_subsecs(clock.advance(chrono::Duration::days(2)), 6);
    let body = json!({"clientSecret": created["clientSecret"], "reference": "WIRE-0001"});
    w.admin.post("/api/entitlement/payments/confirm", body).await.expect(200);
    let sub = w.alice.get(&format!("{SUBS}/{id}")).await.expect(200);
    assert_eq!(sub["status"], "active", "{sub}");
    assert_eq!(instant(sub["start_date"].as_str().unwrap()), paid_at);
    assert_eq!(instant(sub["end_date"].as_str().unwrap()), paid_at.checked_add_months(chrono::Months::new(1)).unwrap());

    // Fewer seats half way through: the unused seats' rest is credit, used by the renewal.
    clock.advance(chrono::Duration::days(10));
    let preview = w
        .alice
        .post(
            &format!("{SUBS}/{id}/upgrade-preview"),
            json!({"oldPlanId": enterprise, "newPlanId": enterprise, "userCount": 25}),
        )
        .await
        .expect(200);
    let credit = -preview["subtotal"].as_i64().unwrap();
    assert!(credit > 0, "{preview}");
    assert_eq!(preview["amount_due"], 0);
    w.alice
        .post(
            &format!("{SUBS}/{id}/upgrade"),
            json!({"oldPlanId": enterprise, "newPlanId": enterprise, "userCount": 25}),
        )
        .await
        .expect(200);
    let up = w.alice.get(&format!("{SUBS}/{id}/upcoming-invoice")).await.expect(200);
    assert_eq!(up["subtotal"], 112_500, "{up}");
    assert_eq!(up["balance_applied"], credit, "{up}");
    assert_eq!(up["amount_due"], 112_500 - credit);
}
