//! Operations endpoints: liveness, readiness and Prometheus metrics.

use std::sync::Arc;

use meshcloud_kernel::db::Db;
use poem_openapi::payload::PlainText;
use poem_openapi::{ApiResponse, OpenApi, Tags};

use crate::metrics::Metrics;

#[derive(Tags)]
enum Tag {
    /// meshcloud: health, readiness and metrics.
    Operations,
}

pub struct OpsApi {
    pub db: Db,
    pub metrics: Arc<Metrics>,
}

#[derive(ApiResponse)]
enum Ready {
    /// The database answers reads and accepts writes.
    #[oai(status = 200)]
    Ready(PlainText<&'static str>),
    /// The database does not answer; see the logs.
    #[oai(status = 503)]
    Unavailable(PlainText<&'static str>),
}

#[derive(ApiResponse)]
enum MetricsText {
    /// Prometheus text exposition format 0.0.4.
    #[oai(status = 200, content_type = "text/plain; version=0.0.4")]
    Ok(PlainText<String>),
}

#[OpenApi(tag = "Tag::Operations")]
impl OpsApi {
    /// Liveness: the process is up
    #[oai(path = "/healthz", method = "get")]
    async fn healthz(&self) -> PlainText<&'static str> {
        PlainText("ok")
    }

    /// Readiness: the store answers
    #[oai(path = "/readyz", method = "get")]
    async fn readyz(&self) -> Ready {
        // A reader answers and the writer accepts an (empty) transaction.
        let ready = match self.db.ping().await {
            Ok(()) => self.db.write(|_| Ok(())).await,
            Err(e) => Err(e),
        };
        match ready {
            Ok(()) => Ready::Ready(PlainText("ready")),
            Err(e) => {
                tracing::warn!(error = %e, "readiness check failed");
                Ready::Unavailable(PlainText("database unavailable"))
            }
        }
    }

    /// Prometheus metrics
    #[oai(path = "/metrics", method = "get")]
    async fn metrics(&self) -> MetricsText {
        MetricsText::Ok(PlainText(self.metrics.render()))
    }
}
