//! Operations: the dashboard, the event log and schedules.

use super::suite;

#[tokio::test]
async fn ops() {
    suite("test_ops.py").await;
}
