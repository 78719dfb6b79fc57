//! A browser and an OAuth client for the OIDC tests: no redirects followed,
//! cookies kept by hand, ID tokens verified against the JWKS.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use p521::ecdsa::signature::Verifier;
use serde_json::{Value, json};
use sha2::Digest;

use crate::support::{ADMIN_EMAIL, ADMIN_PASSWORD, Server};

pub const REDIRECT: &str = "http://127.0.0.1:9/callback";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

pub struct Registered {
    pub id: String,
    pub client_id: String,
    pub secret: String,
}

pub async fn register_client(srv: &Server, redirect: &str) -> Registered {
    register(srv, json!({"name": "portal", "redirectUris": [redirect]})).await
}

/// Registers a client described by `body` (as a provider admin).
pub async fn register(srv: &Server, body: Value) -> Registered {
    let admin = srv.admin().await;
    let r = admin.post("/api/meshcloud/oauth/clients", body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let c = r.json();
    Registered {
        id: c["id"].as_str().expect("id").into(),
        client_id: c["clientId"].as_str().expect("clientId").into(),
        secret: c["clientSecret"].as_str().expect("secret").into(),
    }
}

/// A browser: never follows redirects, keeps the session cookie.
pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
    pub cookie: Option<String>,
}

/// An HTTP client that shows redirects instead of following them.
pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookie: Option<String>,
    pub body: String,
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        Browser { http: no_redirects(), base: base.to_string(), cookie: None }
    }

    async fn finish(&mut self, resp: reqwest::Response) -> Page {
        let h = |n: &str| resp.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
        let (location, set_cookie) = (h("location"), h("set-cookie"));
        if let Some(c) = &set_cookie
            && let Some(v) = c.split(';').next()
        {
            self.cookie = Some(v.to_string());
        }
        let status = resp.status().as_u16();
        Page { status, location, set_cookie, body: resp.text().await.unwrap_or_default() }
    }

    pub async fn get(&mut self, url: &str) -> Page {
        let url = if url.starts_with("http") { url.to_string() } else { format!("{}{url}", self.base) };
        let mut req = self.http.get(&url);
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let resp = req.send().await.expect("get");
        self.finish(resp).await
    }

    pub async fn post_form(&mut self, url: &str, form: &[(&str, &str)]) -> Page {
        let url = if url.starts_with("http") { url.to_string() } else { format!("{}{url}", self.base) };
        let mut req = self.http.post(&url).form(form);
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let resp = req.send().await.expect("post");
        self.finish(resp).await
    }
}

/// The authorization URL with PKCE S256, a state and a nonce.
pub fn authorize_url(client_id: &str, redirect: &str, extra: &[(&str, &str)]) -> String {
    let mut u = url::Url::parse("http://x/oauth2/v2/authorization").expect("url");
    {
        let mut q = u.query_pairs_mut();
        for (k, v) in [
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", redirect),
            ("scope", "openid email profile"),
            ("state", "st-123"),
            ("nonce", "n-456"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ] {
            if !extra.iter().any(|(ek, _)| *ek == k) {
                q.append_pair(k, v);
            }
        }
        for (k, v) in extra {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
    }
    format!("{}?{}", u.path(), u.query().unwrap_or(""))
}

/// The sealed state the sign-in page carries.
pub fn page_state(html: &str) -> String {
    let marker = "name=\"state\" value=\"";
    let start = html.find(marker).expect("state field") + marker.len();
    let end = html[start..].find('"').expect("end") + start;
    html[start..end].replace("&amp;", "&")
}

pub fn query_param(location: &str, name: &str) -> Option<String> {
    let u = url::Url::parse(location).expect("location url");
    u.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// Signs in on the page with a password; returns the code.
pub async fn sign_in(b: &mut Browser, client_id: &str, email: &str, password: &str) -> String {
    let page = b.get(&authorize_url(client_id, REDIRECT, &[])).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let state = page_state(&page.body);
    let done = b.post_form("/oauth2/v2/login", &[("state", &state), ("email", email), ("password", password)]).await;
    assert_eq!(done.status, 302, "{}", done.body);
    let loc = done.location.expect("location");
    assert!(loc.starts_with(REDIRECT), "{loc}");
    assert_eq!(query_param(&loc, "state").as_deref(), Some("st-123"));
    query_param(&loc, "code").expect("code")
}

pub async fn admin_code(srv: &Server, c: &Registered) -> (Browser, String) {
    let mut b = Browser::new(&srv.base);
    let code = sign_in(&mut b, &c.client_id, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    (b, code)
}

/// `POST /oauth2/v2/token` with client_secret_basic.
pub async fn token(srv: &Server, c: &Registered, form: &[(&str, &str)]) -> (u16, Value) {
    let resp = crate::support::client()
        .post(format!("{}/oauth2/v2/token", srv.base))
        .basic_auth(&c.client_id, Some(&c.secret))
        .form(form)
        .send()
        .await
        .expect("token");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

pub async fn exchange(srv: &Server, c: &Registered, code: &str) -> (u16, Value) {
    token(
        srv,
        c,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
    )
    .await
}

/// Verifies a compact ES512 JWS against the server's JWKS; returns its claims.
pub async fn verify_id_token(srv: &Server, jwt: &str) -> Value {
    let jwks: Value = crate::support::client()
        .get(format!("{}/oauth2/v2/jwks", srv.base))
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("json");
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: Value = serde_json::from_slice(&B64.decode(parts[0]).expect("b64")).expect("header");
    assert_eq!(header["alg"], "ES512");
    let kid = header["kid"].as_str().expect("kid");
    let key = jwks["keys"].as_array().expect("keys").iter().find(|k| k["kid"] == kid).expect("key in jwks");
    assert_eq!(key["crv"], "P-521");
    let mut sec1 = vec![4u8];
    sec1.extend(B64.decode(key["x"].as_str().expect("x")).expect("x"));
    sec1.extend(B64.decode(key["y"].as_str().expect("y")).expect("y"));
    let vk = p521::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).expect("key");
    let sig = p521::ecdsa::Signature::from_slice(&B64.decode(parts[2]).expect("sig")).expect("sig");
    vk.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig).expect("signature verifies");
    serde_json::from_slice(&B64.decode(parts[1]).expect("b64")).expect("claims")
}

pub fn at_hash(access_token: &str) -> String {
    B64.encode(&sha2::Sha512::digest(access_token.as_bytes())[..32])
}
