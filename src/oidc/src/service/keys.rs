//! ES512 (P-521) signing of ID tokens, the published key set, and rotation.
//!
//! The private key is sealed with the master key (the kid as associated
//! data). A rotated-out key stays in the JWKS until every ID token it signed
//! has expired.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use p521::ecdsa::signature::Signer as _;
use p521::ecdsa::{Signature, SigningKey};
use serde::Serialize;

use super::Oidc;
use crate::store::keys as store;

/// One public key in the JWKS.
#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
pub struct Jwk {
    #[oai(rename = "use")]
    #[serde(rename = "use")]
    pub use_: String,
    pub kty: String,
    pub kid: String,
    pub crv: String,
    pub alg: String,
    pub x: String,
    pub y: String,
}

pub(crate) struct KeyRing {
    kid: String,
    key: SigningKey,
    created_at: Timestamp,
    pub(crate) published: Vec<Jwk>,
}

fn jwk(kid: &str, x: &str, y: &str) -> Jwk {
    Jwk {
        use_: "sig".into(),
        kty: "EC".into(),
        kid: kid.into(),
        crv: "P-521".into(),
        alg: "ES512".into(),
        x: x.into(),
        y: y.into(),
    }
}

impl KeyRing {
    /// Compact JWS (ES512) over `claims`.
    pub(crate) fn sign(&self, claims: &serde_json::Value) -> AppResult<String> {
        let header = serde_json::json!({ "alg": "ES512", "typ": "JWT", "kid": self.kid });
        let input = format!("{}.{}", B64.encode(serde_json::to_vec(&header)?), B64.encode(serde_json::to_vec(claims)?));
        let sig: Signature =
            self.key.try_sign(input.as_bytes()).map_err(|e| AppError::internal(format!("sign: {e}")))?;
        Ok(format!("{input}.{}", B64.encode(sig.to_bytes())))
    }
}

impl Oidc {
    /// Loads the signing keys, creating the first one, or a new one when the
    /// current key is older than the rotation period.
    pub async fn load_keys(&self) -> AppResult<()> {
        let ring = self.read_ring().await?;
        let due = match &ring {
            None => true,
            Some(r) => (time::now() - r.created_at).to_std().unwrap_or_default() >= self.settings().key_rotation,
        };
        let ring = if due { self.rotate_key().await? } else { ring.ok_or_else(|| AppError::internal("no key"))? };
        *self.inner.keys.write().map_err(|_| AppError::internal("key ring poisoned"))? =
            Some(std::sync::Arc::new(ring));
        Ok(())
    }

    /// The signing-key job: rotates when due, and forgets keys nothing can
    /// still need.
    pub async fn rotate_keys_if_due(&self) -> AppResult<bool> {
        let before = self.ring()?.kid.clone();
        self.load_keys().await?;
        let cutoff = time::ago(self.settings().id_token_ttl)?;
        self.db().write(move |c| store::purge_retired(c, &cutoff)).await?;
        Ok(self.ring()?.kid != before)
    }

    async fn rotate_key(&self) -> AppResult<KeyRing> {
        let key = SigningKey::random(&mut rand::rngs::OsRng);
        let point = p521::ecdsa::VerifyingKey::from(&key).to_encoded_point(false);
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err(AppError::internal("P-521 point without coordinates"));
        };
        let (x, y) = (B64.encode(x), B64.encode(y));
        let kid = uuid::Uuid::now_v7().simple().to_string();
        let sealed = self.sealer().seal(&key.to_bytes(), kid.as_bytes())?;
        let (k, xs, ys) = (kid.clone(), x.clone(), y.clone());
        self.db().write(move |c| store::rotate_in(c, &k, &sealed, &xs, &ys)).await?;
        tracing::info!(%kid, "new ID-token signing key");
        self.read_ring().await?.ok_or_else(|| AppError::internal("signing key vanished"))
    }

    async fn read_ring(&self) -> AppResult<Option<KeyRing>> {
        let cutoff = time::ago(self.settings().id_token_ttl)?;
        let rows = self.db().read(move |c| store::published(c, &cutoff)).await?;
        let Some(current) = rows.iter().find(|r| r.retired_at.is_none()) else { return Ok(None) };
        // A store restored under another master key cannot open its signing
        // key; a new one replaces it (the public halves stay published).
        let opened = self.sealer().open(&current.private_key, current.kid.as_bytes());
        let Some(key) = opened.ok().and_then(|secret| SigningKey::from_slice(&secret).ok()) else {
            tracing::warn!(kid = %current.kid, "the signing key cannot be opened with this master key; replacing it");
            return Ok(None);
        };
        Ok(Some(KeyRing {
            kid: current.kid.clone(),
            key,
            created_at: current.created_at,
            published: rows.iter().map(|r| jwk(&r.kid, &r.x, &r.y)).collect(),
        }))
    }

    pub(crate) fn ring(&self) -> AppResult<std::sync::Arc<KeyRing>> {
        self.inner
            .keys
            .read()
            .map_err(|_| AppError::internal("key ring poisoned"))?
            .clone()
            .ok_or_else(|| AppError::internal("signing keys not loaded"))
    }

    pub fn jwks(&self) -> AppResult<Vec<Jwk>> {
        Ok(self.ring()?.published.clone())
    }
}
