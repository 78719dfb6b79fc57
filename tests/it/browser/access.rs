//! The access pages: members, roles, invitations, sign-up requests and
//! service accounts.

use super::suite_with;

#[tokio::test]
async fn access_pages() {
    // Anonymous sign-up requests are throttled per client address; trusting
    // X-Forwarded-For lets the suite send 60+ of them as many clients.
    suite_with("test_access.py", |c| c.trust_forwarded_for = true).await;
}
