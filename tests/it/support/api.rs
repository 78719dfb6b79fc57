//! The HTTP client the tests talk through, and what they assert about answers.

use std::time::Duration;

use reqwest::{Method, header::HeaderMap};
use serde_json::Value;

pub const L5_UNAUTHORIZED: &str = "Expired JWT token used or insufficient privilege";
pub const L5_NOT_FOUND: &str = "Result not found";
pub const L5_BAD_REQUEST: &str = "Invalid request body or request param";

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("client")
}

#[derive(Clone)]
pub struct Api {
    pub base: String,
    http: reqwest::Client,
    token: Option<String>,
    headers: Vec<(String, String)>,
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {:?} {}", self.status, self.text))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }

    pub fn content_type(&self) -> String {
        self.header("content-type").unwrap_or_default()
    }

    /// Asserts the status (showing the body otherwise) and returns the JSON
    /// body, or `null` when the body is empty.
    #[track_caller]
    pub fn expect(&self, status: u16) -> Value {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.text);
        if self.text.is_empty() { Value::Null } else { self.json() }
    }

    /// Asserts a bodiless `204 No Content`.
    #[track_caller]
    pub fn expect_204(&self) {
        assert_eq!(self.status, 204, "unexpected status; body: {}", self.text);
        assert!(self.text.is_empty(), "204 with a body: {}", self.text);
    }

    /// Asserts a Layer5-format error: status, text/plain, and the documented wording.
    #[track_caller]
    pub fn assert_l5_error(&self, status: u16, wording: &str) {
        assert_eq!(self.status, status, "body: {}", self.text);
        assert!(self.content_type().starts_with("text/plain"), "content type {:?}", self.content_type());
        assert!(self.text.starts_with(wording), "expected {wording:?}, got {:?}", self.text);
    }
}

impl Api {
    pub fn new(base: &str, http: reqwest::Client, token: Option<&str>) -> Api {
        Api { base: base.to_string(), http, token: token.map(str::to_string), headers: vec![] }
    }

    pub fn header(mut self, name: &str, value: &str) -> Api {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<RawBody>) -> Resp {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        for (k, v) in &self.headers {
            req = req.header(k, v);
        }
        match body {
            Some(RawBody::Json(v)) => req = req.json(&v),
            Some(RawBody::Text(t)) => req = req.header("content-type", "application/json").body(t),
            Some(RawBody::Bytes(content_type, b)) => req = req.header("content-type", content_type).body(b),
            None => {}
        }
        let r = req.send().await.expect("request");
        Resp { status: r.status().as_u16(), headers: r.headers().clone(), text: r.text().await.expect("body") }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Method::GET, path, None).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.send(Method::DELETE, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send(Method::POST, path, Some(RawBody::Json(body))).await
    }

    pub async fn post_empty(&self, path: &str) -> Resp {
        self.send(Method::POST, path, None).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.send(Method::PUT, path, Some(RawBody::Json(body))).await
    }

    /// Posts `multipart/form-data` (see [`multipart`]).
    pub async fn post_form(&self, path: &str, parts: &[Part<'_>]) -> Resp {
        self.send(Method::POST, path, Some(multipart(parts))).await
    }

    pub async fn raw(&self, method: Method, path: &str, text: &str) -> Resp {
        self.send(method, path, Some(RawBody::Text(text.into()))).await
    }

    /// Creates an organization and returns its id.
    pub async fn create_org(&self, body: Value) -> String {
        let r = self.post("/api/identity/orgs", body).await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.json()["organizations"][0]["id"].as_str().expect("id").to_string()
    }

    /// Issues a token through the API and returns (id, plaintext).
    pub async fn create_token(&self, name: &str) -> (String, String) {
        let r = self.post_empty(&format!("/api/identity/tokens?name={name}")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let t = &r.json()["tokens"][0];
        (t["id"].as_str().expect("id").into(), t["access_token"].as_str().expect("access_token").into())
    }
}

/// A client for a server at `base` (one not started through `Server`).
pub fn api_at(base: &str, token: &str) -> Api {
    Api::new(base, client(), Some(token))
}

pub enum RawBody {
    Json(Value),
    Text(String),
    /// A body of the given content type.
    Bytes(String, Vec<u8>),
}

/// A form field: name, file name (a file part when given) and content.
pub type Part<'a> = (&'a str, Option<&'a str>, &'a [u8]);

/// A `multipart/form-data` body of `parts`.
pub fn multipart(parts: &[Part<'_>]) -> RawBody {
    const BOUNDARY: &str = "meshcloud-test-boundary-7d1c";
    let mut body = Vec::new();
    for (name, file, content) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes());
        if let Some(f) = file {
            body.extend_from_slice(format!("; filename=\"{f}\"\r\nContent-Type: application/octet-stream").as_bytes());
        }
        body.extend_from_slice(b"\r\n\r\n");
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    RawBody::Bytes(format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// The `str` values of `key` in the items of a list.
pub fn strs(items: &Value, key: &str) -> Vec<String> {
    items
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {items}"))
        .iter()
        .map(|i| i[key].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Percent-encodes a query value (JSON filters and arrays travel in the URL).
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Asserts a Layer5 page envelope (`{<key>, page, page_size, total_count}`) and returns its items.
#[track_caller]
pub fn page_items(v: &Value, key: &str, page: u64, page_size: u64, total: u64) -> Vec<Value> {
    assert_eq!(
        (v["page"].as_u64(), v["page_size"].as_u64(), v["total_count"].as_u64()),
        (Some(page), Some(page_size), Some(total)),
        "page fields of {v}"
    );
    v[key].as_array().unwrap_or_else(|| panic!("no {key} array: {v}")).clone()
}
