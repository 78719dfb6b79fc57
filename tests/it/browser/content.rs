//! The content pages: designs, models, the catalog, views and filters.

use super::{suite, suite_with};

/// The suites import from a small HTTP server of their own on 127.0.0.1
/// (plain HTTP, so listed as `http://`); any other host is refused.
fn local_url_import(c: &mut meshcloud::config::Config) {
    c.url_import_hosts = vec!["http://127.0.0.1".into()];
}

#[tokio::test]
async fn designs() {
    suite_with("test_designs.py", local_url_import).await;
}

#[tokio::test]
async fn models() {
    suite_with("test_models.py", local_url_import).await;
}

#[tokio::test]
async fn catalog() {
    suite("test_catalog.py").await;
}

#[tokio::test]
async fn views_and_filters() {
    suite("test_views.py").await;
}

#[tokio::test]
async fn resources() {
    suite("test_resources.py").await;
}
