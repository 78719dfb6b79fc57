//! Import from a URL: the source is fetched from a host on the configured
//! allow-list, within the upload size limit and a time limit, and then goes
//! through the same detection as an uploaded file.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use meshcloud_kernel::{AppError, AppResult};

/// Redirects followed at most.
const MAX_REDIRECTS: usize = 5;

/// Where sources may be fetched from. `hosts` entries are host names
/// (`github.com`), `*.`-prefixed for every subdomain (`*.example.com`), with
/// an optional `:port`; such a host is fetched over HTTPS only. An entry
/// written `http://host[:port]` allows plain HTTP to that host too. No
/// entries: URL import is off.
#[derive(Debug, Clone)]
pub struct UrlImport {
    pub hosts: Vec<String>,
    pub timeout: Duration,
    /// The most bytes fetched (the upload limit).
    pub max_bytes: usize,
}

impl Default for UrlImport {
    fn default() -> Self {
        UrlImport { hosts: Vec::new(), timeout: Duration::from_secs(30), max_bytes: super::import::MAX_IMPORT_BYTES }
    }
}

/// One parsed allow-list entry.
#[derive(Debug, Clone)]
struct Allowed {
    http: bool,
    host: String,
    port: Option<u16>,
}

impl Allowed {
    fn parse(entry: &str) -> Option<Allowed> {
        let entry = entry.trim().to_ascii_lowercase();
        let (http, rest) = match entry.strip_prefix("http://") {
            Some(rest) => (true, rest.to_string()),
            None => (false, entry.strip_prefix("https://").unwrap_or(&entry).to_string()),
        };
        let rest = rest.trim_end_matches('/');
        if rest.is_empty() || rest.contains('/') {
            return None;
        }
        // A bracketed IPv6 literal keeps its colons.
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) if !h.is_empty() && !p.contains(']') => (h.to_string(), Some(p.parse().ok()?)),
            _ => (rest.to_string(), None),
        };
        Some(Allowed { http, host, port })
    }

    fn admits(&self, url: &url::Url) -> bool {
        let scheme_ok = match url.scheme() {
            "https" => true,
            "http" => self.http,
            _ => false,
        };
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let host_ok = match self.host.strip_prefix("*.") {
            Some(domain) => host.ends_with(&format!(".{domain}")),
            None => host == self.host,
        };
        let port_ok = self.port.is_none_or(|p| url.port_or_known_default() == Some(p));
        scheme_ok && host_ok && port_ok
    }
}

/// Checks an allow-list's entries; the message names the first bad one.
pub fn check_hosts(hosts: &[String]) -> Result<(), String> {
    match hosts.iter().find(|h| Allowed::parse(h).is_none()) {
        Some(bad) => Err(format!("url_import_hosts: {bad:?} is not a host name, host:port or http://host[:port]")),
        None => Ok(()),
    }
}

fn refused(msg: impl Into<String>) -> AppError {
    AppError::validation(format!("url: {}", msg.into()))
}

/// The name a fetched source goes by: the last segment of its path.
pub fn file_name(url: &url::Url) -> Option<String> {
    url.path_segments().and_then(|mut s| s.next_back()).filter(|s| !s.is_empty()).map(String::from)
}

impl UrlImport {
    fn allowed(&self) -> Vec<Allowed> {
        self.hosts.iter().filter_map(|h| Allowed::parse(h)).collect()
    }

    /// Fetches `raw`; a refused or failed fetch is a 400 naming `url`.
    pub async fn fetch(&self, raw: &str) -> AppResult<(url::Url, Vec<u8>)> {
        let allowed = self.allowed();
        if allowed.is_empty() {
            return Err(refused("import from a URL is switched off on this installation (url_import_hosts is empty)"));
        }
        let url = url::Url::parse(raw.trim()).map_err(|e| refused(format!("not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(refused("only http(s) URLs with a host can be imported"));
        }
        if !allowed.iter().any(|a| a.admits(&url)) {
            return Err(refused(format!(
                "{} is not on this installation's URL import allow-list (plain http only for hosts listed as http://)",
                url.host_str().unwrap_or_default()
            )));
        }
        // The redirect policy reports the first target it refused here.
        let blocked: Arc<Mutex<Option<String>>> = Arc::default();
        let policy = {
            let (allowed, blocked) = (allowed.clone(), blocked.clone());
            reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() > MAX_REDIRECTS {
                    let mut b = blocked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    *b = Some(format!("more than {MAX_REDIRECTS} redirects"));
                    return attempt.error("too many redirects");
                }
                if allowed.iter().any(|a| a.admits(attempt.url())) {
                    return attempt.follow();
                }
                let host = attempt.url().host_str().unwrap_or_default().to_string();
                let mut b = blocked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                *b = Some(format!("redirected to {host}, which is not on the URL import allow-list"));
                attempt.error("redirect refused")
            })
        };
        let client = reqwest::Client::builder()
            .redirect(policy)
            .timeout(self.timeout)
            .connect_timeout(self.timeout)
            .build()
            .map_err(AppError::internal)?;
        let secs = self.timeout.as_secs().max(1);
        let failed = |e: reqwest::Error| {
            if let Some(why) = blocked.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take() {
                return refused(why);
            }
            if e.is_timeout() {
                return refused(format!("the source did not answer within {secs} s"));
            }
            refused(format!("the source could not be fetched: {}", without_url(&e)))
        };
        let mut response = client.get(url.clone()).send().await.map_err(&failed)?;
        if !response.status().is_success() {
            return Err(refused(format!("the source answered HTTP {}", response.status().as_u16())));
        }
        let too_large =
            || refused(format!("the source is larger than the import limit of {} MiB", self.max_bytes / (1024 * 1024)));
        if response.content_length().is_some_and(|n| n > self.max_bytes as u64) {
            return Err(too_large());
        }
        let final_url = response.url().clone();
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(&failed)? {
            if bytes.len() + chunk.len() > self.max_bytes {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok((final_url, bytes))
    }
}

/// reqwest's error text without the URL it appends (the sender knows it).
fn without_url(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(u) = e.url() {
        text = text.replace(&format!(" ({u})"), "").replace(&format!(" for url ({u})"), "");
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admits(entry: &str, url: &str) -> bool {
        Allowed::parse(entry).expect("entry").admits(&url::Url::parse(url).expect("url"))
    }

    #[test]
    fn entries_admit_what_they_name() {
        assert!(admits("github.com", "https://github.com/a/b.yaml"));
        assert!(!admits("github.com", "http://github.com/a/b.yaml"), "https only unless listed as http");
        assert!(!admits("github.com", "https://gist.github.com/x"));
        assert!(admits("*.github.com", "https://gist.github.com/x"));
        assert!(admits("http://127.0.0.1", "http://127.0.0.1:8080/c.tgz"));
        assert!(admits("http://127.0.0.1", "https://127.0.0.1/c.tgz"));
        assert!(!admits("http://127.0.0.1:81", "http://127.0.0.1:8080/c.tgz"));
        assert!(admits("example.com:8443", "https://example.com:8443/"));
        assert!(check_hosts(&["github.com".into(), "http://[::1]:80".into()]).is_ok());
        assert!(check_hosts(&["github.com/path".into()]).is_err());
        assert!(check_hosts(&["host:port".into()]).is_err());
    }
}
