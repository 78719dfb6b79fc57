//! Billing: an organization's plan, usage, subscription and invoices, pending
//! payments, and the plans editor.

use super::suite;

#[tokio::test]
async fn billing() {
    suite("test_billing.py").await;
}
