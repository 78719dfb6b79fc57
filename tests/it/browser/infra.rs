//! The infrastructure pages: environments, connections, credentials,
//! workspaces and projects.

use super::suite;

#[tokio::test]
async fn infra() {
    suite("test_infra.py").await;
}
