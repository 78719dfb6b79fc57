//! The web UI, embedded at build time (in debug builds read from `web/` on
//! disk, so editing the UI needs no rebuild). Unknown non-API paths fall back
//! to `index.html` so client-side routes survive a reload.

use poem::http::{StatusCode, header};
use poem::{Body, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../web"]
struct Assets;

/// The policy every UI response carries. Scripts come only from the server,
/// plus the one inline script the browser needs: the import map in
/// `index.html` (allowed by its hash, computed from the file served).
fn csp() -> &'static str {
    static CSP: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    CSP.get_or_init(|| {
        let index = Assets::get("index.html").map(|f| f.data.into_owned()).unwrap_or_default();
        let map =
            import_map_hash(&String::from_utf8_lossy(&index)).map(|h| format!(" 'sha256-{h}'")).unwrap_or_default();
        format!(
            "default-src 'self'; script-src 'self'{map}; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
        )
    })
}

/// The CSP hash (base64 of SHA-256) of the text of the page's import map.
fn import_map_hash(index: &str) -> Option<String> {
    use base64::Engine;
    const OPEN: &str = "<script type=\"importmap\">";
    let start = index.find(OPEN)? + OPEN.len();
    let len = index[start..].find("</script>")?;
    let digest = meshcloud_kernel::crypto::sha256(&index.as_bytes()[start..start + len]);
    Some(base64::engine::general_purpose::STANDARD.encode(digest))
}

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
        .header("content-security-policy", csp());
    if if_none_match == Some(etag.as_str()) {
        return Some(builder.status(StatusCode::NOT_MODIFIED).finish());
    }
    Some(builder.content_type(mime).body(Body::from_vec(file.data.into_owned())))
}

fn mime_for(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_import_map_is_allowed_by_its_hash() {
        let page = "<head><script type=\"importmap\">{\"imports\":{}}</script></head>";
        use base64::Engine;
        let want =
            base64::engine::general_purpose::STANDARD.encode(meshcloud_kernel::crypto::sha256(b"{\"imports\":{}}"));
        assert_eq!(import_map_hash(page), Some(want));
        assert!(csp().contains("'sha256-"), "index.html has an import map: {}", csp());
    }

    /// The vendored libraries are the files their README lists, unedited.
    #[test]
    fn vendored_files_match_their_recorded_sha256() {
        let readme = Assets::get("vendor/README.md").expect("vendor README");
        let readme = String::from_utf8_lossy(&readme.data).into_owned();
        let block = readme.split("```").nth(1).expect("sha256 block");
        let mut checked = 0;
        for line in block.lines().filter(|l| !l.trim().is_empty()) {
            let (sum, name) = line.split_once("  ").expect("<sum>  <file>");
            let file = Assets::get(&format!("vendor/{}", name.trim())).expect(name);
            assert_eq!(hex(&meshcloud_kernel::crypto::sha256(&file.data)), sum, "{name}");
            checked += 1;
        }
        assert!(checked >= 5);
    }
}
