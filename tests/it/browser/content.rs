//! The content pages: designs.

use super::suite;

#[tokio::test]
async fn designs() {
    suite("test_designs.py").await;
}
