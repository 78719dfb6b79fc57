//! Operations endpoints: liveness, readiness and Prometheus metrics.

use std::sync::Arc;

use meshcloud_kernel::crypto::{ct_eq, sha256};
use meshcloud_kernel::db::Db;
use poem::Request;
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
    /// `metrics_token`: the bearer token `/metrics` asks for. `None`: only
    /// loopback peers that forward nobody else's request may read it.
    pub metrics_token: Option<String>,
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
    /// `metrics_token` is set and the request did not carry it as a bearer token.
    #[oai(status = 401)]
    Unauthorized(PlainText<&'static str>, #[oai(header = "WWW-Authenticate")] String),
    /// No `metrics_token` is set and the request did not come from this host.
    #[oai(status = 403)]
    Forbidden(PlainText<&'static str>),
}

/// A peer on this host, and no proxy header: a request a local reverse proxy
/// relays for a remote client is not a local one.
fn local_request(req: &Request) -> bool {
    let loopback = req.remote_addr().as_socket_addr().is_some_and(|a| a.ip().is_loopback());
    loopback && !["x-forwarded-for", "forwarded", "x-real-ip"].iter().any(|h| req.headers().contains_key(*h))
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
    ///
    /// With `metrics_token` set, the request must carry it as
    /// `Authorization: Bearer <token>` (401 otherwise). Without it, only
    /// requests from this host (loopback, not relayed by a proxy) are served
    /// (403 otherwise).
    #[oai(path = "/metrics", method = "get")]
    async fn metrics(&self, req: &Request) -> MetricsText {
        match &self.metrics_token {
            Some(token) => {
                let given = req.header("authorization").and_then(|v| v.strip_prefix("Bearer ")).unwrap_or_default();
                // Hashes are compared, so the time taken says nothing about the length either.
                if !ct_eq(&sha256(given.trim().as_bytes()), &sha256(token.as_bytes())) {
                    return MetricsText::Unauthorized(
                        PlainText("metrics need the configured bearer token"),
                        "Bearer".into(),
                    );
                }
            }
            None if !local_request(req) => {
                return MetricsText::Forbidden(PlainText(
                    "metrics are served to this host only; set metrics_token to read them from elsewhere",
                ));
            }
            None => {}
        }
        MetricsText::Ok(PlainText(self.metrics.render()))
    }
}
