//! Test setup for billing: putting an organization on a plan behind the
//! API's back (an active subscription inserted with plain SQL), so tests that
//! make more than the Free plan allows run under a plan that allows it.

use super::{Server, World, sql};

impl Server {
    /// Puts `org` (id) on the plan `name` (monthly) with `seats`, as an
    /// active subscription of the offline processor.
    pub async fn subscribe_sql(&self, org: &str, plan: &str, seats: i64) {
        let (org, plan, id) = (org.to_string(), plan.to_string(), uuid::Uuid::new_v4().to_string());
        let n = sql(&self.data_dir, move |c| {
            c.execute(
                "INSERT INTO billing_subscriptions (uuid, org_id, plan_id, quantity, status, processor,
                        current_period_start, current_period_end, created_at, updated_at)
                 SELECT ?4, o.id, p.id, ?3, 'active', 'offline',
                        '2026-01-01T00:00:00.000000Z', '2999-01-01T00:00:00.000000Z',
                        '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'
                   FROM organizations o, billing_plans p
                  WHERE o.uuid = ?1 AND p.name = ?2 AND p.cadence = 'monthly'",
                rusqlite::params![org, plan, seats, id],
            )
            .expect("insert the subscription")
        })
        .await;
        assert_eq!(n, 1, "no organization or plan to subscribe");
    }

    /// Sets what the plan `name` (every cadence) grants of `feature`, so a
    /// test reaches a limit in a few requests.
    pub async fn limit_sql(&self, plan: &str, feature: &str, quantity: i64) {
        let (plan, feature) = (plan.to_string(), feature.to_string());
        let n = sql(&self.data_dir, move |c| {
            c.execute(
                "UPDATE billing_features SET quantity = ?3
                  WHERE name = ?2 AND plan_id IN (SELECT id FROM billing_plans WHERE name = ?1)",
                rusqlite::params![plan, feature, quantity],
            )
            .expect("update the feature")
        })
        .await;
        assert!(n > 0, "the plan names no such feature");
    }

    /// Puts `org` (id) on the Enterprise plan with more seats than any test
    /// makes members: nothing it creates is refused.
    pub async fn unlimited(&self, org: &str) {
        self.subscribe_sql(org, "Enterprise", 1_000_000).await;
    }
}

impl World {
    /// `Server::unlimited` on this world's server.
    pub async fn unlimited(&self, org: &str) {
        self.s.unlimited(org).await;
    }
}

/// Writes, in `dir`, a plans file whose default plan limits nothing, and
/// returns its path: for suites whose organizations (made as they go) grow
/// past the seeded Free plan, as an installation with such a plan would.
pub fn unlimited_plans_file(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("unlimited-plans.json");
    let features: serde_json::Map<String, serde_json::Value> = meshcloud_kernel::entitle::Feature::ALL
        .iter()
        .map(|f| (f.wire().to_string(), 9_999_999_999i64.into()))
        .collect();
    let plans = serde_json::json!({"plans": [{"name": "Free", "cadence": "monthly", "unit": "free",
        "price_per_unit": 0, "default": true, "features": features}]});
    std::fs::write(&path, plans.to_string()).expect("write the plans file");
    path
}
