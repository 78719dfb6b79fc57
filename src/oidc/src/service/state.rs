//! Sealed round-trip state: what the provider hands to a browser or an
//! upstream provider and must get back unchanged (the pending authorization
//! request, an upstream sign-in, an onboarding). Sealed with the master key,
//! so it needs no storage and cannot be forged or read; it carries its expiry.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use meshcloud_kernel::{AppError, AppResult};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Oidc;

#[derive(Serialize, serde::Deserialize)]
struct Envelope<T> {
    exp: i64,
    v: T,
}

impl Oidc {
    /// `purpose` binds the state to one use: a state sealed for one step
    /// cannot be replayed into another.
    pub(crate) fn seal_state<T: Serialize>(&self, purpose: &str, value: &T, ttl_secs: i64) -> AppResult<String> {
        let env = Envelope { exp: chrono::Utc::now().timestamp() + ttl_secs, v: value };
        let json = serde_json::to_vec(&env).map_err(|e| AppError::internal(format!("sealing {purpose} state: {e}")))?;
        Ok(B64.encode(self.sealer().seal(&json, purpose.as_bytes())?))
    }

    pub(crate) fn open_state<T: DeserializeOwned>(&self, purpose: &str, raw: &str) -> Option<T> {
        let sealed = B64.decode(raw.trim()).ok()?;
        let json = self.sealer().open(&sealed, purpose.as_bytes()).ok()?;
        let env: Envelope<T> = serde_json::from_slice(&json).ok()?;
        (env.exp >= chrono::Utc::now().timestamp()).then_some(env.v)
    }
}
