//! Security tokens: long-lived credentials a user issues for tools and scripts.

use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::ids::UserId;
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};

use super::Identity;
use super::auth::issue;
use crate::store::tokens::{self, Kind, NewToken, TokenRow};
use crate::store::users;

pub const PROVIDER: &str = "meshcloud";

/// A new token and the one time its secret is shown.
pub struct Created {
    pub row: TokenRow,
    pub plaintext: String,
}

impl Identity {
    /// The caller's live tokens; `sessions` lists their web sessions instead.
    pub async fn list_tokens(&self, p: &Principal, sessions: bool, req: PageRequest) -> AppResult<Page<TokenRow>> {
        let me = p.user;
        let kind = if sessions { Kind::Session } else { Kind::Api };
        self.db().read(move |c| tokens::list(c, me, kind, &req)).await
    }

    /// One of the caller's tokens (any user's for a provider admin).
    pub async fn get_token(&self, p: &Principal, id: uuid::Uuid) -> AppResult<TokenRow> {
        let (me, admin) = (p.user, p.provider_admin);
        self.db()
            .read(move |c| match tokens::get_live(c, id)? {
                Some((row, owner)) if owner == me || admin => Ok(row),
                _ => Err(AppError::NotFound),
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

    /// Revokes a token or session of the caller (any user's for a provider admin).
    /// It stops working at once: the cached credential is dropped after commit.
    pub async fn revoke_token(&self, p: &Principal, id: uuid::Uuid) -> AppResult<TokenRow> {
        let (me, admin) = (p.user, p.provider_admin);
        let row = self
            .db()
            .write(move |c| {
                let row = tokens::revoke(c, id, (!admin).then_some(me))?;
                audit::record(
                    c,
                    Event::new(EventKind::TokenRevoke, Some(me)).on(id).describe(format!("token {} revoked", row.name)),
                )?;
                Ok(row)
            })
            .await?;
        self.forget_credential(&id);
        Ok(row)
    }
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
