//! The token endpoint (authorization code, refresh token with rotation and
//! reuse detection, client credentials), ID tokens and userinfo.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use meshcloud_identity::core::tokens as core_tokens;
use meshcloud_identity::service::auth::{Issued, issue, parse};
use meshcloud_identity::service::oauth::{API_SCOPE, scope_has};
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::crypto::{ct_eq, sha256};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::time;
use meshcloud_kernel::{AppError, AppResult};
use sha2::{Digest, Sha512};

use super::Oidc;
use crate::store::clients::{self, ClientRow};
use crate::store::grants::{self, Issue, SessionRow};

/// The form of `POST /oauth2/v2/token`, as sent.
#[derive(Debug, Default, Clone)]
pub struct TokenParams {
    pub grant_type: Option<String>,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    pub refresh_token: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub scope: Option<String>,
}

/// Client credentials from HTTP Basic (`client_secret_basic`), if sent.
#[derive(Debug, Clone)]
pub struct BasicCredentials {
    pub client_id: String,
    pub client_secret: String,
}

#[derive(Debug, Clone)]
pub struct TokenAnswer {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub id_token: Option<String>,
    pub expires_in: i64,
    pub scope: String,
}

/// How a refresh ended, decided inside its write.
enum Refresh {
    Issued,
    Reused,
    Invalid,
    Inactive,
}

fn invalid_grant(msg: &str) -> AppError {
    AppError::oauth("invalid_grant", msg)
}

/// Left half of SHA-512 of the access token (ES512's hash), base64url.
pub fn at_hash(access_token: &str) -> String {
    let digest = Sha512::digest(access_token.as_bytes());
    B64.encode(&digest[..32])
}

fn pkce_ok(challenge: &str, method: &str, verifier: &str) -> bool {
    let valid_verifier = (43..=128).contains(&verifier.len())
        && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    if !valid_verifier {
        return false;
    }
    match method {
        "S256" => {
            let digest = sha2::Sha256::digest(verifier.as_bytes());
            ct_eq(B64.encode(digest).as_bytes(), challenge.as_bytes())
        }
        _ => ct_eq(verifier.as_bytes(), challenge.as_bytes()),
    }
}

impl Oidc {
    /// Authenticates the client by `client_secret_basic` or `client_secret_post`
    /// (not both, and the form's client_id must agree with Basic's).
    async fn authenticate_client(&self, p: &TokenParams, basic: Option<BasicCredentials>) -> AppResult<ClientRow> {
        let (id, secret) = match (basic, &p.client_secret) {
            (Some(_), Some(_)) => {
                return Err(AppError::oauth("invalid_request", "send client credentials one way, not both"));
            }
            (Some(b), None) => {
                if p.client_id.as_ref().is_some_and(|id| *id != b.client_id) {
                    return Err(AppError::oauth("invalid_client", "client_id does not match the authenticated client"));
                }
                (b.client_id, b.client_secret)
            }
            (None, Some(s)) => match &p.client_id {
                Some(id) => (id.clone(), s.clone()),
                None => return Err(AppError::oauth("invalid_client", "client_id is required")),
            },
            (None, None) => return Err(AppError::oauth("invalid_client", "client authentication is required")),
        };
        let client = self.db().read(move |c| clients::by_client_id(c, &id)).await?;
        // The hash is compared even for an unknown client, so that timing
        // does not tell which client ids exist.
        let presented = sha256(secret.as_bytes());
        let stored = client.as_ref().map(|c| c.secret_hash.clone()).unwrap_or_else(|| vec![0; 32]);
        match client {
            Some(c) if ct_eq(&stored, &presented) => Ok(c),
            _ => Err(AppError::oauth("invalid_client", "client authentication failed")),
        }
    }

    pub async fn token(&self, p: TokenParams, basic: Option<BasicCredentials>) -> AppResult<TokenAnswer> {
        let grant = p.grant_type.clone().unwrap_or_default();
        if !matches!(grant.as_str(), "authorization_code" | "code" | "refresh_token" | "client_credentials") {
            return Err(AppError::oauth("invalid_request", "token grant type is not supported"));
        }
        let client = self.authenticate_client(&p, basic).await?;
        match grant.as_str() {
            "refresh_token" => self.refresh(&client, &p).await,
            "client_credentials" => self.client_credentials(&client, p.scope.as_deref()).await,
            _ => self.redeem_code(&client, &p).await,
        }
    }

    async fn redeem_code(&self, client: &ClientRow, p: &TokenParams) -> AppResult<TokenAnswer> {
        let raw = p
            .code
            .clone()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| AppError::oauth("invalid_request", "code is required"))?;
        let redirect_uri = p
            .redirect_uri
            .clone()
            .filter(|r| !r.is_empty())
            .ok_or_else(|| AppError::oauth("invalid_request", "redirect_uri is required"))?;
        let (uuid, secret) = parse(&raw).ok_or_else(|| invalid_grant("authorization code is invalid"))?;
        let hash = sha256(secret.as_bytes());
        let code = self
            .db()
            .read(move |c| grants::code(c, uuid))
            .await?
            .filter(|c| ct_eq(&c.secret_hash, &hash))
            .ok_or_else(|| invalid_grant("authorization code is invalid"))?;
        if code.client != client.id {
            return Err(invalid_grant("authorization code was issued to another client"));
        }
        if code.used {
            return Err(self.code_replayed(code.id).await);
        }
        if code.expires_at < time::now() {
            return Err(invalid_grant("authorization code has expired"));
        }
        if code.redirect_uri != redirect_uri {
            return Err(invalid_grant("redirect_uri does not match the authorization request"));
        }
        if let Some(challenge) = &code.code_challenge {
            let method = code.challenge_method.as_deref().unwrap_or("plain");
            let verifier = p.code_verifier.as_deref().unwrap_or("");
            if !pkce_ok(challenge, method, verifier) {
                return Err(AppError::oauth("invalid_client", "code_verifier invalid"));
            }
        }
        let (access, refresh) = (issue(), issue());
        let record = self.record(client, &access, Some(&refresh))?;
        let (user, auth_time, code_id) = (code.user, code.auth_time, code.id);
        let (scope, browser) = (granted(client, &code.scope), code.browser_session);
        let client_row = client.id;
        let issued = self
            .db()
            .write(move |c| {
                // Checked again in the write: a concurrent redemption may have won.
                if grants::code_used(c, code_id)? {
                    return Ok(None);
                }
                if !grants::may_sign_in(c, user)? {
                    return Err(invalid_grant("the user may no longer sign in"));
                }
                // Signing out of the browser ends what it signed in to,
                // including codes not yet redeemed.
                if let Some(b) = browser
                    && !core_tokens::is_live(c, b)?
                {
                    return Err(invalid_grant("the sign-in session has ended"));
                }
                let (session, revoked) = grants::open_session(c, user, client_row, &scope, &auth_time, browser)?;
                grants::use_code(c, code_id, session.id)?;
                grants::issue(c, &session, &record)?;
                let e = Event::new(EventKind::OAuthTokenIssue, Some(user))
                    .on(record.access_uuid)
                    .describe(format!("tokens issued to client {}", record.client_name));
                audit::record(c, e)?;
                Ok(Some((session, revoked)))
            })
            .await?;
        let Some((session, revoked)) = issued else { return Err(self.code_replayed(code_id).await) };
        self.identity().forget_credentials(&revoked);
        let id_token = if scope_has(&session.scope, "openid") {
            Some(self.id_token(client, &session, code.nonce.as_deref(), &access.plaintext).await?)
        } else {
            None
        };
        Ok(self.answer(access, Some(refresh), id_token, &session.scope))
    }

    async fn refresh(&self, client: &ClientRow, p: &TokenParams) -> AppResult<TokenAnswer> {
        let raw = p
            .refresh_token
            .clone()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| AppError::oauth("invalid_request", "refresh_token is required"))?;
        let (uuid, secret) = parse(&raw).ok_or_else(|| invalid_grant("refresh token is invalid"))?;
        let hash = sha256(secret.as_bytes());
        let found = self
            .db()
            .read(move |c| {
                let Some(t) = grants::refresh_token(c, uuid)? else { return Ok(None) };
                let session = grants::session(c, t.session)?;
                Ok(session.map(|s| (t, s)))
            })
            .await?
            .filter(|(t, _)| ct_eq(&t.secret_hash, &hash));
        let Some((_, session)) = found else { return Err(invalid_grant("refresh token is invalid")) };
        let token_uuid = uuid;
        if session.client != client.id {
            return Err(invalid_grant("refresh token was issued to another client"));
        }
        let (access, refresh) = (issue(), issue());
        let record = self.record(client, &access, Some(&refresh))?;
        // A client no longer trusted loses the API scope at its next refresh.
        let mut s = session.clone();
        s.scope = granted(client, &s.scope);
        let scope = s.scope.clone();
        // Every check is made in the write, so two requests racing with one
        // token cannot both pass, and the loser's reuse still ends the session.
        let (outcome, revoked) = self
            .db()
            .write(move |c| {
                let Some(t) = grants::refresh_token(c, token_uuid)? else { return Ok((Refresh::Invalid, vec![])) };
                if t.rotated {
                    // A rotated token presented again: someone holds a copy.
                    // End the whole session so that neither copy keeps working.
                    return Ok((Refresh::Reused, grants::revoke_session_tokens(c, s.id)?));
                }
                if t.revoked || t.expires_at < time::now() {
                    return Ok((Refresh::Invalid, vec![]));
                }
                if !grants::may_sign_in(c, s.user)? {
                    return Ok((Refresh::Inactive, vec![]));
                }
                grants::rotate_refresh(c, t.id)?;
                let revoked = grants::revoke_session_tokens(c, s.id)?;
                grants::issue(c, &s, &record)?;
                Ok((Refresh::Issued, revoked))
            })
            .await?;
        self.identity().forget_credentials(&revoked);
        match outcome {
            Refresh::Issued => Ok(self.answer(access, Some(refresh), None, &scope)),
            Refresh::Reused => Err(invalid_grant("refresh token reuse")),
            Refresh::Invalid => Err(invalid_grant("refresh token is no longer valid")),
            Refresh::Inactive => Err(invalid_grant("the user may no longer sign in")),
        }
    }

    /// The token acts as the client's service account. Without a `scope` a
    /// trusted client gets `meshcloud:api`; an untrusted one never does.
    async fn client_credentials(&self, client: &ClientRow, scope: Option<&str>) -> AppResult<TokenAnswer> {
        let Some((user, _)) = client.service_user else {
            return Err(AppError::oauth("unauthorized_client", "the client may not use the client_credentials grant"));
        };
        let scope = granted(client, scope.map(str::trim).filter(|s| !s.is_empty()).unwrap_or(API_SCOPE));
        let access = issue();
        let record = self.record(client, &access, None)?;
        let client_row = client.id;
        let (session, revoked) = self
            .db()
            .write(move |c| {
                if !grants::may_sign_in(c, user)? {
                    return Err(AppError::oauth(
                        "unauthorized_client",
                        "the client's service account is gone or inactive",
                    ));
                }
                let (session, revoked) = grants::open_session(c, user, client_row, &scope, &time::now(), None)?;
                grants::issue(c, &session, &record)?;
                Ok((session, revoked))
            })
            .await?;
        self.identity().forget_credentials(&revoked);
        Ok(self.answer(access, None, None, &session.scope))
    }

    /// RFC 6749 §4.1.2: a replayed code revokes what it was exchanged for.
    async fn code_replayed(&self, code: meshcloud_kernel::ids::OAuthCodeId) -> AppError {
        let revoked = self
            .db()
            .write(move |c| match grants::code_session(c, code)? {
                Some(session) => grants::revoke_session_tokens(c, session),
                None => Ok(vec![]),
            })
            .await;
        match revoked {
            Ok(ids) => {
                self.identity().forget_credentials(&ids);
                invalid_grant("authorization code has already been used")
            }
            Err(e) => e,
        }
    }

    /// The token cleanup job's share: codes past their minute, and refresh
    /// tokens that expired or were revoked (rotated ones are kept until they
    /// expire, so that a replay is still recognised).
    pub async fn cleanup(&self) -> AppResult<usize> {
        let now = time::now();
        self.db()
            .write(move |c| {
                Ok(grants::purge_codes(c, &now)?
                    + grants::purge_refresh(c, &now)?
                    + crate::store::upstream::purge_used_states(c, &now)?)
            })
            .await
    }

    /// What the store keeps of freshly issued tokens, with their expiries.
    fn record(&self, client: &ClientRow, access: &Issued, refresh: Option<&Issued>) -> AppResult<Issue> {
        let refresh = match refresh {
            Some(r) => Some((r.uuid, r.hash, time::after(self.settings().refresh_token_ttl)?)),
            None => None,
        };
        Ok(Issue {
            client_name: client.name.clone(),
            access_uuid: access.uuid,
            access_hash: access.hash,
            access_expires: time::after(self.settings().access_token_ttl)?,
            refresh,
        })
    }

    fn answer(&self, access: Issued, refresh: Option<Issued>, id_token: Option<String>, scope: &str) -> TokenAnswer {
        TokenAnswer {
            access_token: access.plaintext,
            refresh_token: refresh.map(|r| r.plaintext),
            id_token,
            expires_in: self.settings().access_token_ttl.as_secs() as i64,
            scope: scope.to_string(),
        }
    }

    async fn id_token(
        &self,
        client: &ClientRow,
        session: &SessionRow,
        nonce: Option<&str>,
        access_token: &str,
    ) -> AppResult<String> {
        let user = session.user;
        let claims = self.db().read(move |c| crate::store::clients::user_claims(c, user)).await?;
        let now = time::now();
        let mut body = serde_json::json!({
            "iss": self.issuer(),
            "sub": claims.email,
            "aud": [client.client_id],
            "azp": client.client_id,
            "iat": now.timestamp(),
            "exp": (now + time::span(self.settings().id_token_ttl)?).timestamp(),
            "auth_time": session.auth_time.timestamp(),
            "at_hash": at_hash(access_token),
        });
        if let Some(n) = nonce {
            body["nonce"] = n.into();
        }
        add_scoped_claims(&mut body, &session.scope, &claims);
        self.ring()?.sign(&body)
    }

    /// `userinfo` for an access token: `sub` and what its scope allows.
    pub async fn userinfo(&self, p: &Principal) -> AppResult<serde_json::Value> {
        let (token, user) = (p.token, p.user);
        let (scope, claims) = self
            .db()
            .read(move |c| {
                let scope = grants::token_grant(c, token)?.ok_or(AppError::Unauthenticated)?;
                Ok((scope, crate::store::clients::user_claims(c, user)?))
            })
            .await?;
        let mut body = serde_json::json!({ "sub": claims.email });
        add_scoped_claims(&mut body, &scope, &claims);
        Ok(body)
    }
}

/// The part of a scope a client may hold: `meshcloud:api` only while a
/// provider admin trusts it.
fn granted(client: &ClientRow, scope: &str) -> String {
    scope.split_whitespace().filter(|s| client.trusted || *s != API_SCOPE).collect::<Vec<_>>().join(" ")
}

fn add_scoped_claims(body: &mut serde_json::Value, scope: &str, c: &crate::store::clients::UserClaims) {
    if scope_has(scope, "email") {
        body["email"] = c.email.clone().into();
        body["email_verified"] = true.into();
    }
    if scope_has(scope, "profile") {
        let name = format!("{} {}", c.first_name, c.last_name).trim().to_string();
        if !name.is_empty() {
            body["name"] = name.into();
        }
        if !c.first_name.is_empty() {
            body["given_name"] = c.first_name.clone().into();
        }
        if !c.last_name.is_empty() {
            body["family_name"] = c.last_name.clone().into();
        }
        if let Some(p) = &c.picture {
            body["picture"] = p.clone().into();
        }
        body["updated_at"] = c.updated_at.timestamp().into();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_checks_both_methods() {
        // RFC 7636 appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert!(pkce_ok("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "S256", verifier));
        assert!(!pkce_ok("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "S256", &verifier.replace('d', "e")));
        assert!(pkce_ok(verifier, "plain", verifier));
        assert!(!pkce_ok("short", "plain", "short"));
    }
}
