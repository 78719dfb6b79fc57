//! API gateways (the API7 face): control planes and their settings,
//! applications and APIs with the OpenAPI import, consumers with their
//! JSON Web Tokens, certificates on their timeline, the APISIX export.

use super::suite;

#[tokio::test]
async fn gateway() {
    suite("test_gateway.py").await;
}
