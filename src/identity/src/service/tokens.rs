//! Security tokens: long-lived credentials a user issues for tools and scripts.

use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::ids::UserId;
use meshcloud_kernel::page::{Order, Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};

use super::Identity;
use super::auth::issue;
use super::oauth::OAuthSession;
use crate::store::tokens::{self, Kind, NewToken, TokenRow};
use crate::store::users;

pub const PROVIDER: &str = "meshcloud";

/// A new token and the one time its secret is shown.
pub struct Created {
    pub row: TokenRow,
    pub plaintext: String,
}

impl Identity {
    /// The caller's live tokens; `sessions` lists their sessions instead:
    /// web sessions and OIDC sessions (one per client signed in to).
    pub async fn list_tokens(&self, p: &Principal, sessions: bool, req: PageRequest) -> AppResult<Page<TokenRow>> {
        let me = p.user;
        if !sessions {
            return self.db().read(move |c| tokens::list(c, me, Kind::Api, &req)).await;
        }
        let (oauth, user_uuid) = (self.oauth_sessions(), p.user_uuid);
        self.db()
            .read(move |c| {
                // A user's live sessions are few (web sessions last hours), so
                // both kinds are merged and paged here.
                let all = PageRequest { offset: 0, limit: u64::MAX >> 1, ..req.clone() };
                let mut rows = tokens::list(c, me, Kind::Session, &all)?.items;
                if let Some(o) = oauth {
                    let needle = req.search.as_deref().map(str::to_lowercase);
                    rows.extend(o.list(c, me)?.into_iter().map(|s| session_row(s, user_uuid)).filter(|r| {
                        needle
                            .as_deref()
                            .is_none_or(|n| r.name.to_lowercase().contains(n) || r.purpose.to_lowercase().contains(n))
                    }));
                }
                sort_rows(&mut rows, req.order.as_ref());
                let total = rows.len() as u64;
                let items = rows
                    .into_iter()
                    .skip(usize::try_from(req.offset).unwrap_or(usize::MAX))
                    .take(usize::try_from(req.limit).unwrap_or(usize::MAX))
                    .collect();
                Ok(Page { items, total })
            })
            .await
    }

    /// One of the caller's tokens or sessions (any user's token for a provider admin).
    pub async fn get_token(&self, p: &Principal, id: uuid::Uuid) -> AppResult<TokenRow> {
        let (me, admin, user_uuid) = (p.user, p.provider_admin, p.user_uuid);
        let oauth = self.oauth_sessions();
        self.db()
            .read(move |c| match tokens::get_live(c, id)? {
                Some((row, owner)) if owner == me || admin => Ok(row),
                Some(_) => Err(AppError::NotFound),
                None => {
                    let sessions = match oauth {
                        Some(o) => o.list(c, me)?,
                        None => Vec::new(),
                    };
                    let found = sessions.into_iter().find(|s| s.uuid == id);
                    found.map(|s| session_row(s, user_uuid)).ok_or(AppError::NotFound)
                }
            })
            .await
    }

    pub async fn create_token(&self, p: &Principal, name: &str, purpose: Option<&str>) -> AppResult<Created> {
        let name = validate::name("name", name, 255)?;
        let purpose = validate::text("purpose", purpose.unwrap_or(""), 500)?;
        self.issue_api_token(p.user, p.user, name, purpose, PROVIDER.to_string()).await
    }

    /// Issues a non-expiring token for any user (provider admins only).
    pub async fn create_infinite_token(&self, p: &Principal, user: uuid::Uuid, provider: &str) -> AppResult<Created> {
        p.require_provider_admin()?;
        let provider = validate::name("provider", provider, 100)?;
        let owner = self.db().read(move |c| users::by_uuid(c, user)).await?.ok_or(AppError::NotFound)?;
        self.issue_api_token(
            p.user,
            owner.id,
            "indefinite token".into(),
            format!("issued by a provider admin for {provider}"),
            provider,
        )
        .await
    }

    async fn issue_api_token(
        &self,
        actor: UserId,
        owner: UserId,
        name: String,
        purpose: String,
        provider: String,
    ) -> AppResult<Created> {
        let issued = issue();
        let (uuid, hash) = (issued.uuid, issued.hash);
        let row = self
            .db()
            .write(move |c| {
                tokens::insert(
                    c,
                    &NewToken {
                        uuid,
                        user: owner,
                        kind: Kind::Api,
                        name: &name,
                        purpose: &purpose,
                        provider: &provider,
                        secret_hash: &hash,
                        expires_at: None,
                        created_by: Some(actor),
                    },
                )?;
                audit::record(
                    c,
                    Event::new(EventKind::TokenCreate, Some(actor)).on(uuid).describe(format!("token {name} issued")),
                )?;
                tokens::get_live(c, uuid)?.map(|(row, _)| row).ok_or(AppError::NotFound)
            })
            .await?;
        Ok(Created { row, plaintext: issued.plaintext })
    }

    /// Revokes a token or session of the caller (any user's for a provider
    /// admin). It stops working at once: the cached credential is dropped
    /// after commit. A web session takes the OIDC sessions signed in through
    /// it along; an OIDC session's id ends that session.
    pub async fn revoke_token(&self, p: &Principal, id: uuid::Uuid) -> AppResult<TokenRow> {
        let (me, admin, user_uuid) = (p.user, p.provider_admin, p.user_uuid);
        let owner = (!admin).then_some(me);
        let oauth = self.oauth_sessions();
        let (row, ended) = self
            .db()
            .write(move |c| {
                let (row, ended) = match tokens::revoke(c, id, owner) {
                    Ok(row) => {
                        let ended = match (&oauth, row.kind) {
                            (Some(o), Kind::Session) => o.end_browser_session(c, row.id)?,
                            _ => Vec::new(),
                        };
                        (row, ended)
                    }
                    Err(AppError::NotFound) => {
                        let found = match &oauth {
                            Some(o) => o.revoke(c, owner, id)?,
                            None => None,
                        };
                        let (session, ended) = found.ok_or(AppError::NotFound)?;
                        (session_row(session, user_uuid), ended)
                    }
                    Err(e) => return Err(e),
                };
                audit::record(
                    c,
                    Event::new(EventKind::TokenRevoke, Some(me)).on(id).describe(format!("token {} revoked", row.name)),
                )?;
                Ok((row, ended))
            })
            .await?;
        self.forget_credential(&id);
        self.forget_credentials(&ended);
        Ok(row)
    }
}

/// An OIDC session as a row of the token list (`is_oauth`, named after the client).
fn session_row(s: OAuthSession, user_uuid: uuid::Uuid) -> TokenRow {
    TokenRow {
        id: meshcloud_kernel::ids::TokenId(0),
        uuid: s.uuid,
        user_uuid,
        kind: Kind::OAuth,
        purpose: format!("signed in to {} (scope: {})", s.client_name, s.scope),
        name: s.client_name,
        provider: PROVIDER.to_string(),
        expires_at: None,
        last_used_at: None,
        created_at: s.created_at,
        updated_at: s.updated_at,
    }
}

/// The order of the token list (`ORDER_FIELDS`), newest first by default.
fn sort_rows(rows: &mut [TokenRow], order: Option<&Order>) {
    let field = order.map_or("created_at", |o| o.field.as_str());
    let descending = order.is_none_or(|o| o.descending);
    rows.sort_by(|a, b| {
        let by = match field {
            "name" => a.name.cmp(&b.name),
            "purpose" => a.purpose.cmp(&b.purpose),
            "updated_at" => a.updated_at.cmp(&b.updated_at),
            _ => a.created_at.cmp(&b.created_at),
        }
        .then_with(|| a.uuid.cmp(&b.uuid));
        if descending { by.reverse() } else { by }
    });
}

/// The principal of a user found by e-mail, for operator tools (the CLI acts
/// as that user when it issues them a token).
impl Identity {
    pub async fn principal_for_email(&self, email: &str) -> AppResult<Principal> {
        let email = validate::email(email)?;
        let lookup = email.clone();
        let user = self
            .db()
            .read(move |c| {
                let Some(user) = users::by_email(c, &lookup)? else { return Ok(None) };
                let grants = crate::store::keys::grants(c, user.id, user.is_provider_admin)?;
                Ok(Some((user, grants)))
            })
            .await?;
        let (user, grants) = user.ok_or_else(|| AppError::validation(format!("no user with email {email}")))?;
        Ok(Principal {
            user: user.id,
            user_uuid: user.uuid,
            email: user.email,
            provider_admin: user.is_provider_admin,
            token: meshcloud_kernel::ids::TokenId(0),
            via_session: false,
            grants: std::sync::Arc::new(grants),
        })
    }
}
