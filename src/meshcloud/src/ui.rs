//! The web UI, embedded at build time (in debug builds read from `web/` on
//! disk, so editing the UI needs no rebuild). Unknown non-API paths fall back
//! to `index.html` so client-side routes survive a reload.

use poem::http::{StatusCode, header};
use poem::{Body, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../web"]
struct Assets;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The UI response for a GET of `path`, if there is one.
pub fn serve(path: &str, if_none_match: Option<&str>) -> Option<Response> {
    let name = path.trim_start_matches('/');
    let (name, file) = match Assets::get(if name.is_empty() { "index.html" } else { name }) {
        Some(f) => (if name.is_empty() { "index.html" } else { name }, f),
        // A path with an extension names a file; anything else is a UI route.
        None if !name.rsplit('/').next().unwrap_or("").contains('.') => ("index.html", Assets::get("index.html")?),
        None => return None,
    };
    let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()[..16]));
    let mime = mime_for(name);
    let cache = if name == "index.html" { "no-cache" } else { "public, max-age=300" };
    let builder = Response::builder()
        .header(header::ETAG, etag.clone())
        .header(header::CACHE_CONTROL, cache)
        .header("content-security-policy", CSP);
    if if_none_match == Some(etag.as_str()) {
        return Some(builder.status(StatusCode::NOT_MODIFIED).finish());
    }
    Some(builder.content_type(mime).body(Body::from_vec(file.data.into_owned())))
}

fn mime_for(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("json") => "application/json",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
