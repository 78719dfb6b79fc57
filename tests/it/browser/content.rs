//! The content pages: designs, the catalog, views and filters.

use super::suite;

#[tokio::test]
async fn designs() {
    suite("test_designs.py").await;
}

#[tokio::test]
async fn catalog() {
    suite("test_catalog.py").await;
}

#[tokio::test]
async fn views_and_filters() {
    suite("test_views.py").await;
}
