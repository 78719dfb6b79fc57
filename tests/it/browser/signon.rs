//! Sign-on: sign-in providers and settings, OAuth clients.

use super::suite;

#[tokio::test]
async fn signon() {
    suite("test_signon.py").await;
}
