//! JSON Web Tokens for a consumer's `jwt-auth` credential, as APISIX's
//! jwt-auth plugin checks them: claims `key` (the credential's key) and
//! `exp`, plus the caller's own; HS256/HS512 with the secret (decoded first
//! when `base64_secret`), RS256/ES256 with the credential's private key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult};
use ring::rand::SystemRandom;
use ring::{hmac, signature};
use serde_json::{Map, Value, json};

use super::consumers::unseal;
use super::{Gateway, scope, x509};
use crate::store::consumers as store;

/// Default lifetime of a token, seconds.
pub const DEFAULT_TTL: i64 = 86400;

/// Claims the token sets itself; `custom_payload` may not.
const RESERVED: [&str; 2] = ["key", "exp"];

fn claims(key: &str, exp: i64, custom: Option<Value>) -> AppResult<Map<String, Value>> {
    let mut out = Map::new();
    match custom {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            if let Some(k) = m.keys().find(|k| RESERVED.contains(&k.as_str())) {
                return Err(AppError::validation(format!("custom_payload may not set the claim {k:?}")));
            }
            out.extend(m);
        }
        Some(_) => return Err(AppError::validation("custom_payload must be an object")),
    }
    out.insert("key".into(), json!(key));
    out.insert("exp".into(), json!(exp));
    Ok(out)
}

/// Signs `claims` with a jwt-auth credential (secrets included).
fn sign(cfg: &Map<String, Value>, claims: &Map<String, Value>) -> AppResult<String> {
    let alg = cfg.get("algorithm").and_then(Value::as_str).unwrap_or("HS256");
    let header = json!({"alg": alg, "typ": "JWT"});
    let input =
        format!("{}.{}", B64URL.encode(serde_json::to_vec(&header)?), B64URL.encode(serde_json::to_vec(claims)?));
    let text = |f: &str| cfg.get(f).and_then(Value::as_str).unwrap_or_default().to_string();
    let signature = match alg {
        "HS256" | "HS512" => {
            let secret = text("secret");
            let secret = if cfg.get("base64_secret").and_then(Value::as_bool).unwrap_or(false) {
                base64::engine::general_purpose::STANDARD
                    .decode(secret.trim())
                    .map_err(|_| AppError::validation("the jwt-auth secret is not base64"))?
            } else {
                secret.into_bytes()
            };
            if secret.is_empty() {
                return Err(AppError::validation("the consumer's jwt-auth credential has no secret"));
            }
            let a = if alg == "HS256" { hmac::HMAC_SHA256 } else { hmac::HMAC_SHA512 };
            hmac::sign(&hmac::Key::new(a, &secret), input.as_bytes()).as_ref().to_vec()
        }
        "RS256" | "ES256" => {
            let pem = text("private_key");
            if pem.is_empty() {
                return Err(AppError::validation(format!(
                    "the consumer's jwt-auth credential has no private_key to sign {alg} tokens with"
                )));
            }
            let rng = SystemRandom::new();
            match (alg, x509::private_key("private_key", &pem)?) {
                ("RS256", x509::PrivateKey::Rsa(k)) => {
                    let mut sig = vec![0u8; k.public().modulus_len()];
                    k.sign(&signature::RSA_PKCS1_SHA256, &rng, input.as_bytes(), &mut sig)
                        .map_err(|_| AppError::internal("RSA signing failed"))?;
                    sig
                }
                ("ES256", x509::PrivateKey::Ec(k, "P-256")) => k
                    .sign(&rng, input.as_bytes())
                    .map_err(|_| AppError::internal("ECDSA signing failed"))?
                    .as_ref()
                    .to_vec(),
                _ => return Err(AppError::validation(format!("the jwt-auth private_key is not a key for {alg}"))),
            }
        }
        other => return Err(AppError::validation(format!("jwt-auth algorithm {other:?} cannot sign"))),
    };
    Ok(format!("{input}.{}", B64URL.encode(signature)))
}

impl Gateway {
    /// A token for the consumer's jwt-auth credential, living `ttl` seconds.
    pub async fn issue_jwt(
        &self,
        p: &Principal,
        cp_id: i64,
        id: i64,
        ttl: Option<i64>,
        custom_payload: Option<Value>,
    ) -> AppResult<String> {
        let (g, p, now) = (self.clone(), p.clone(), self.now());
        self.db()
            .write(move |c| {
                let cp = scope::control_plane(c, &p, cp_id, Perm::ConsumersManage)?;
                let row = store::get(c, cp_id, id)?.ok_or(AppError::NotFound)?;
                let ttl = ttl.unwrap_or(DEFAULT_TTL);
                if ttl < 1 {
                    return Err(AppError::validation("ttl must be at least 1 (seconds)"));
                }
                let exp = now.timestamp().checked_add(ttl).ok_or_else(|| AppError::validation("ttl is too large"))?;
                let creds = unseal(g.sealer(), &row)?;
                let Some(Value::Object(cfg)) = creds.as_ref().and_then(|c| c.get("jwt-auth")).cloned() else {
                    return Err(AppError::validation("the consumer has no jwt-auth credential"));
                };
                let key = cfg.get("key").and_then(Value::as_str).unwrap_or_default().to_string();
                let claims = claims(&key, exp, custom_payload)?;
                let token = sign(&cfg, &claims)?;
                audit::record(
                    c,
                    Event::new(EventKind::ConsumerIssueJwt, Some(p.user)).org(cp.org).on(row.uuid).describe(format!(
                        "Issued a JSON Web Token for consumer {} of control plane {}, valid for {ttl} s",
                        row.name, cp.name
                    )),
                )?;
                Ok(token)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_claims() {
        assert!(claims("k", 1, Some(json!({"exp": 2}))).is_err());
        assert!(claims("k", 1, Some(json!({"key": "x"}))).is_err());
        assert!(claims("k", 1, Some(json!([1]))).is_err());
        let m = claims("k", 5, Some(json!({"role": "admin"}))).map_err(|e| e.to_string());
        assert_eq!(m.map(Value::Object), Ok(json!({"key": "k", "exp": 5, "role": "admin"})));
    }

    #[test]
    fn hs256_matches_a_known_token() {
        // RFC 7515-style check: the same input and secret always sign alike.
        let cfg = json!({"algorithm": "HS256", "secret": "secret"});
        let cfg = cfg.as_object().cloned().unwrap_or_default();
        let c = json!({"key": "k", "exp": 1}).as_object().cloned().unwrap_or_default();
        let t = sign(&cfg, &c).map_err(|e| e.to_string());
        assert_eq!(t.clone().map(|t| t.split('.').count()), Ok(3));
        assert_eq!(t, sign(&cfg, &c).map_err(|e| e.to_string()));
    }
}
