//! The shell and the organization pages that came first.

use super::suite;

#[tokio::test]
async fn shell_and_every_page() {
    suite("test_shell.py").await;
}

#[tokio::test]
async fn teams() {
    suite("test_teams.py").await;
}
