//! The infrastructure pages: environments, connections and credentials;
//! workspaces and projects.

use super::suite;

#[tokio::test]
async fn infra() {
    suite("test_infra.py").await;
}

#[tokio::test]
async fn infra_projects() {
    suite("test_infra_projects.py").await;
}
