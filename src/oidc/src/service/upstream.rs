//! Sign-in through an upstream OIDC provider: an organization's own (found by
//! the e-mail domain) or a global one chosen on the page. The provider sends
//! the browser back to `/oidc/callback`; the code is exchanged over the back
//! channel and the upstream ID token checked before the user is signed in.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use meshcloud_kernel::crypto::random_secret;
use meshcloud_kernel::{AppError, AppResult};
use p521::ecdsa::signature::Verifier as _;
use serde::{Deserialize, Serialize};
use sha2::Digest;

use super::Oidc;
use super::authorize::{AuthRequest, Outcome};
use crate::store::upstream::{self, Upstream};

const UPSTREAM_PURPOSE: &str = "oidc-upstream";
const UPSTREAM_STATE_SECS: i64 = 10 * 60;

/// What travels (sealed) through the upstream provider and back.
#[derive(Debug, Serialize, Deserialize)]
pub struct UpstreamState {
    pub pending: AuthRequest,
    pub provider: uuid::Uuid,
    /// SHA-256 of the browser-binding cookie set when the sign-in started:
    /// a callback arriving in another browser (login CSRF) is refused.
    pub binding: String,
    pub nonce: String,
    pub verifier: String,
}

#[derive(Debug, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: Option<String>,
}

#[derive(Debug, Deserialize)]
struct UpstreamTokens {
    id_token: Option<String>,
}

/// The upstream sign-in's result: whom it proved, and via which provider.
pub struct Proven {
    pub pending: AuthRequest,
    pub email: String,
    pub provider_name: String,
    /// Proven by an organization's own provider, which never speaks for a
    /// provider admin.
    pub org_scoped: bool,
}

fn binding_hash(value: &str) -> String {
    B64.encode(sha2::Sha256::digest(value.as_bytes()))
}

/// The cookie that binds an upstream sign-in to the browser that started it.
pub const BINDING_COOKIE: &str = "meshcloud_upstream";

/// A failure talking to the provider: logged in full, answered in general
/// terms, so that the answer tells nothing about the network behind meshcloud
/// (an organization admin chooses the provider's address).
fn unusable(step: &str, detail: impl std::fmt::Display) -> AppError {
    tracing::warn!(step, %detail, "upstream provider request failed");
    AppError::oauth("server_error", "upstream provider: it could not be reached or its answer could not be used")
}

fn upstream_error(msg: impl std::fmt::Display) -> AppError {
    AppError::oauth("server_error", format!("upstream provider: {msg}"))
}

impl Oidc {
    pub fn callback_url(&self) -> String {
        format!("{}/oidc/callback", self.issuer())
    }

    async fn discover(&self, issuer: &str) -> AppResult<Discovery> {
        let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
        let resp = self.http()?.get(&url).send().await.map_err(|e| unusable("discovery", e))?;
        if !resp.status().is_success() {
            return Err(unusable("discovery", resp.status()));
        }
        resp.json::<Discovery>().await.map_err(|e| unusable("discovery", e))
    }

    /// Where the sign-in form goes when no password was given: the chosen
    /// global provider, or the provider of the org owning the e-mail's
    /// domain. `None`: no upstream provider applies.
    pub async fn upstream_start(
        &self,
        pending: &AuthRequest,
        email: Option<&str>,
        chosen: Option<&str>,
    ) -> AppResult<Option<(Outcome, String)>> {
        let provider = match (chosen, email) {
            (Some(id), _) => {
                let Ok(id) = uuid::Uuid::parse_str(id.trim()) else { return Ok(None) };
                self.db().read(move |c| upstream::global(c, id)).await?
            }
            (None, Some(email)) => {
                let Some((_, domain)) = email.rsplit_once('@') else { return Ok(None) };
                let domain = domain.trim().trim_end_matches('.').to_lowercase();
                self.db().read(move |c| upstream::for_domain(c, &domain)).await?
            }
            (None, None) => None,
        };
        let Some(provider) = provider else { return Ok(None) };
        let discovery = match self.discover(&provider.issuer).await {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(provider = %provider.uuid, error = %e, "upstream discovery failed");
                let e = pending.error("server_error", "the organization's sign-in provider cannot be reached");
                return Ok(Some((e, String::new())));
            }
        };
        let verifier = random_secret(48);
        let nonce = random_secret(24);
        let challenge = B64.encode(sha2::Sha256::digest(verifier.as_bytes()));
        let binding = random_secret(24);
        let state = UpstreamState {
            pending: pending.clone(),
            provider: provider.uuid,
            binding: binding_hash(&binding),
            nonce: nonce.clone(),
            verifier,
        };
        let sealed = match self.seal_state(UPSTREAM_PURPOSE, &state, UPSTREAM_STATE_SECS) {
            Ok(sealed) => sealed,
            Err(e) => {
                tracing::error!(error = %e, "cannot seal the upstream sign-in state");
                let e = pending.error("server_error", "the sign-in cannot be started");
                return Ok(Some((e, String::new())));
            }
        };
        let mut pairs = vec![
            ("response_type", "code"),
            ("client_id", provider.client_id.as_str()),
            ("scope", "openid email profile"),
            ("state", sealed.as_str()),
            ("nonce", nonce.as_str()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ];
        let callback = self.callback_url();
        pairs.push(("redirect_uri", callback.as_str()));
        if let Some(e) = email {
            pairs.push(("login_hint", e));
        }
        Ok(Some((Outcome::Redirect(super::authorize::with_query(&discovery.authorization_endpoint, &pairs)), binding)))
    }

    /// The state of a callback, if it is valid and belongs to this browser.
    pub fn upstream_state(&self, raw: &str, cookie: Option<&str>) -> Option<UpstreamState> {
        let st: UpstreamState = self.open_state(UPSTREAM_PURPOSE, raw)?;
        let bound =
            cookie.is_some_and(|c| meshcloud_kernel::crypto::ct_eq(binding_hash(c).as_bytes(), st.binding.as_bytes()));
        bound.then_some(st)
    }

    /// Exchanges the upstream code and checks the ID token it yields.
    pub async fn upstream_finish(&self, state: UpstreamState, code: &str) -> AppResult<Proven> {
        let id = state.provider;
        let provider = self
            .db()
            .read(move |c| upstream::by_uuid(c, id))
            .await?
            .ok_or_else(|| upstream_error("the provider has been removed"))?;
        let discovery = self.discover(&provider.issuer).await?;
        let secret = self.provider_secret(&provider)?;
        let callback = self.callback_url();
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", callback.as_str()),
            ("code_verifier", state.verifier.as_str()),
            ("client_id", provider.client_id.as_str()),
        ];
        if let Some(s) = secret.as_deref() {
            form.push(("client_secret", s));
        }
        let resp =
            self.http()?.post(&discovery.token_endpoint).form(&form).send().await.map_err(|e| unusable("token", e))?;
        if !resp.status().is_success() {
            return Err(unusable("token", resp.status()));
        }
        let tokens: UpstreamTokens = resp.json().await.map_err(|e| unusable("token", e))?;
        let id_token = tokens.id_token.ok_or_else(|| upstream_error("no ID token in the answer"))?;
        let claims = self.check_upstream_token(&id_token, &discovery, &provider, &state.nonce).await?;
        let email = claims
            .get("email")
            .and_then(|e| e.as_str())
            .map(str::to_lowercase)
            .ok_or_else(|| upstream_error("the ID token has no email"))?;
        // An address the provider does not vouch for (the claim missing, as
        // some providers send user-editable addresses) proves nothing.
        if claims.get("email_verified").and_then(|v| v.as_bool()) != Some(true) {
            return Err(upstream_error("the e-mail address is not verified"));
        }
        // An organization's provider is its admins' to configure: it may only
        // prove addresses of the domain a provider admin bound to it.
        if provider.org_scoped {
            let domain = email.rsplit_once('@').map(|(_, d)| d);
            if provider.vouches_for.is_none() || domain != provider.vouches_for.as_deref() {
                return Err(upstream_error("the organization's provider cannot sign in this address"));
            }
        }
        Ok(Proven { pending: state.pending, email, provider_name: provider.name, org_scoped: provider.org_scoped })
    }

    fn provider_secret(&self, p: &Upstream) -> AppResult<Option<String>> {
        match &p.client_secret {
            None => Ok(None),
            Some(sealed) => {
                let raw = self.sealer().open(sealed, p.uuid.to_string().as_bytes())?;
                Ok(Some(String::from_utf8(raw).map_err(|_| AppError::internal("provider secret is not UTF-8"))?))
            }
        }
    }

    /// Issuer, audience, expiry and nonce always; the signature when it is
    /// ES512. Other algorithms are taken on the strength of the TLS back
    /// channel the token came over (OIDC Core 3.1.3.7), so only over https.
    async fn check_upstream_token(
        &self,
        token: &str,
        discovery: &Discovery,
        provider: &Upstream,
        nonce: &str,
    ) -> AppResult<serde_json::Value> {
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(upstream_error("the ID token is not a JWS"));
        };
        let header: serde_json::Value =
            serde_json::from_slice(&B64.decode(h).map_err(upstream_error)?).map_err(upstream_error)?;
        let claims: serde_json::Value =
            serde_json::from_slice(&B64.decode(p).map_err(upstream_error)?).map_err(upstream_error)?;
        match header.get("alg").and_then(|a| a.as_str()) {
            Some("ES512") => {
                let kid = header.get("kid").and_then(|k| k.as_str()).unwrap_or("");
                let jwks_uri = discovery.jwks_uri.as_deref().ok_or_else(|| upstream_error("no jwks_uri"))?;
                let keys: serde_json::Value = self
                    .http()?
                    .get(jwks_uri)
                    .send()
                    .await
                    .map_err(|e| unusable("jwks", e))?
                    .json()
                    .await
                    .map_err(|e| unusable("jwks", e))?;
                let key = keys["keys"]
                    .as_array()
                    .and_then(|ks| ks.iter().find(|k| k["kid"].as_str() == Some(kid) && k["crv"] == "P-521"))
                    .ok_or_else(|| upstream_error("the signing key is not published"))?;
                let coord = |name: &str| B64.decode(key[name].as_str().unwrap_or("")).map_err(upstream_error);
                let (x, y) = (coord("x")?, coord("y")?);
                let mut sec1 = vec![4u8];
                sec1.extend(std::iter::repeat_n(0u8, 66usize.saturating_sub(x.len())).chain(x));
                sec1.extend(std::iter::repeat_n(0u8, 66usize.saturating_sub(y.len())).chain(y));
                let vk = p521::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).map_err(upstream_error)?;
                let sig = p521::ecdsa::Signature::from_slice(&B64.decode(s).map_err(upstream_error)?)
                    .map_err(upstream_error)?;
                vk.verify(format!("{h}.{p}").as_bytes(), &sig).map_err(|_| upstream_error("bad ID-token signature"))?;
            }
            Some(alg) if alg != "none" && discovery.token_endpoint.starts_with("https://") => {}
            _ => return Err(upstream_error("the ID token's algorithm cannot be checked")),
        }
        let iss = claims["iss"].as_str().unwrap_or("");
        if iss != discovery.issuer || iss.trim_end_matches('/') != provider.issuer.trim_end_matches('/') {
            return Err(upstream_error("the ID token's issuer is not the provider"));
        }
        let aud_ok = match &claims["aud"] {
            serde_json::Value::String(a) => *a == provider.client_id,
            serde_json::Value::Array(a) => a.iter().any(|v| v.as_str() == Some(&provider.client_id)),
            _ => false,
        };
        if !aud_ok {
            return Err(upstream_error("the ID token is for another audience"));
        }
        if claims["exp"].as_i64().is_none_or(|e| e < chrono::Utc::now().timestamp()) {
            return Err(upstream_error("the ID token has expired"));
        }
        if claims["nonce"].as_str() != Some(nonce) {
            return Err(upstream_error("the ID token's nonce does not match"));
        }
        Ok(claims)
    }

    /// The account an upstream sign-in proved.
    pub async fn account(&self, email: &str) -> AppResult<Option<upstream::Account>> {
        let e = email.to_string();
        self.db().read(move |c| upstream::account(c, &e)).await
    }

    /// Global providers for the sign-in page's buttons.
    pub async fn global_providers(&self) -> AppResult<Vec<(uuid::Uuid, String)>> {
        let rows = self.db().read(upstream::globals).await?;
        Ok(rows.into_iter().map(|p| (p.uuid, p.name)).collect())
    }
}
