//! The outermost middleware: request id, one log line per request, metrics,
//! security headers, the UI fallback, and rendering every error in the format
//! of the face its path belongs to.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use futures_util::FutureExt;
use meshcloud_kernel::AppError;
use meshcloud_kernel::http::face::{Face, is_api_path, json_without_content_type, render_error};
use poem::PathPattern;
use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use tracing::Instrument;

use crate::metrics::Metrics;

/// Request bodies larger than this are refused with 413 (or cut off, when
/// they come without a length, which then fails to parse).
pub const MAX_BODY: u64 = 8 * 1024 * 1024;

/// The limit for the endpoints anyone may post to without signing in: their
/// forms and documents are small, and nobody is accountable for a large one.
pub const ANONYMOUS_MAX_BODY: u64 = 64 * 1024;

const ANONYMOUS_POSTS: [&str; 6] = [
    "/api/identity/users/request",
    "/api/meshcloud/login",
    "/oauth2/v2/authorization",
    "/oauth2/v2/login",
    "/oauth2/v2/onboard",
    "/oauth2/v2/token",
];

/// Payment processors' webhooks: anonymous too, signed, a few kilobytes each.
const WEBHOOKS: &str = "/api/entitlement/subscriptions/webhooks";

fn body_limit(method: &Method, path: &str) -> u64 {
    if *method != Method::POST {
        MAX_BODY
    } else if ANONYMOUS_POSTS.contains(&path) {
        ANONYMOUS_MAX_BODY
    } else if path == WEBHOOKS {
        meshcloud_billing::service::webhooks::MAX_BODY as u64
    } else {
        MAX_BODY
    }
}

pub async fn handle<E: Endpoint>(next: Arc<E>, metrics: Arc<Metrics>, mut req: Request) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let if_none_match = req.header(header::IF_NONE_MATCH).map(str::to_string);
    let request_id = req
        .header("x-request-id")
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map_or_else(new_request_id, str::to_string);
    let span = tracing::info_span!("request", request_id = %request_id);

    if req.header(header::CONTENT_TYPE).is_none() && json_without_content_type(&path) {
        req.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    let declared = req.header(header::CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok());
    let limit = body_limit(&method, &path);
    let result = if declared.is_some_and(|n| n > limit) {
        Err(poem::Error::from_status(StatusCode::PAYLOAD_TOO_LARGE))
    } else {
        if declared.is_none() {
            let body = req.take_body();
            req.set_body(poem::Body::from_async_read(tokio::io::AsyncReadExt::take(body.into_async_read(), limit)));
        }
        // A panic in a handler becomes a 500 in the face's format, not a
        // dropped connection. (Caught in place: a task per request costs a
        // third of the throughput on two cores.)
        let call = AssertUnwindSafe(next.call(req).instrument(span.clone())).catch_unwind();
        match call.await {
            Ok(result) => result.map(IntoResponse::into_response),
            Err(_) => Err(AppError::internal("handler panicked").into()),
        }
    };
    let (mut resp, route) = match result {
        Ok(resp) => {
            let route = resp.data::<PathPattern>().map(|p| p.0.to_string());
            (resp, route)
        }
        Err(err) => {
            let route = err.data::<PathPattern>().map(|p| p.0.to_string());
            let ui = (err.status() == StatusCode::NOT_FOUND && method == Method::GET && !is_api_path(&path))
                .then(|| crate::ui::serve(&path, if_none_match.as_deref()))
                .flatten();
            match ui {
                Some(resp) => (resp, Some("/ui".to_string())),
                None => {
                    if err.status().is_server_error() {
                        span.in_scope(|| tracing::error!(error = %err, "request failed"));
                    }
                    (render_error(Face::for_path(&path), &err), route)
                }
            }
        }
    };

    let headers = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        headers.insert("x-request-id", v);
    }
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    headers.entry("x-frame-options").or_insert(HeaderValue::from_static("DENY"));
    // API answers can carry credentials (a new token, a session): never cache them.
    if is_api_path(&path) {
        headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    }

    let status = resp.status().as_u16();
    let elapsed = start.elapsed();
    metrics.observe(method.as_str(), route.as_deref().unwrap_or("unmatched"), status, elapsed);
    span.in_scope(
        || tracing::info!(method = %method, path = %path, status, micros = elapsed.as_micros() as u64, "request"),
    );
    resp
}

/// A request id unique over the process's life (a random prefix drawn once
/// and a counter), as long as a UUID's simple form, without reading the
/// system's random source on every request.
fn new_request_id() -> String {
    static PREFIX: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let prefix = *PREFIX.get_or_init(|| uuid::Uuid::new_v4().as_u64_pair().0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{prefix:016x}{n:016x}")
}
