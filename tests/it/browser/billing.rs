//! Billing: an organization's plan, usage, subscription and invoices, pending
//! payments, and the plans editor.

use super::suite_with;

/// On the seeded catalogue (the Free plan's 10 members…), not the unlimited
/// default plan the other suites run under: the page shows real limits.
#[tokio::test]
async fn billing() {
    suite_with("test_billing.py", |c| c.plans_file = None).await;
}
