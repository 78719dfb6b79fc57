//! An endpoint made on its first request. The OpenAPI document and the
//! Swagger page it is embedded in take milliseconds and megabytes to build;
//! start-up and idle memory should not pay for pages few ever open.

use std::sync::OnceLock;

use poem::endpoint::BoxEndpoint;
use poem::{Endpoint, Request, Response, Result};

pub struct Lazy<F> {
    make: F,
    built: OnceLock<BoxEndpoint<'static>>,
}

impl<F: Fn() -> BoxEndpoint<'static> + Send + Sync> Lazy<F> {
    pub fn new(make: F) -> Self {
        Lazy { make, built: OnceLock::new() }
    }
}

impl<F: Fn() -> BoxEndpoint<'static> + Send + Sync> Endpoint for Lazy<F> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        self.built.get_or_init(&self.make).call(req).await
    }
}
