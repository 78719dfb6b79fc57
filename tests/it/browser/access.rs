//! The access pages: members, roles, invitations, sign-up requests and
//! service accounts.

use super::suite;

#[tokio::test]
async fn access_pages() {
    suite("test_access.py").await;
}
