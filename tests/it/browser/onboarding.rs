//! Onboarding from the UI: Your account, Organizations, Users, and a colleague
//! brought in end to end.

use super::suite;

#[tokio::test]
async fn onboarding() {
    suite("test_onboarding.py").await;
}
