//! Password changes: a user's own (the current password proves it is them)
//! and a reset by an operator (provider admins, the command line).
//!
//! A new password ends the account's other web sessions, and with each the
//! OIDC sessions signed in through it: whoever knew the old password may hold
//! one. Security tokens stay: they are issued deliberately, listed, and
//! revoked one by one.

use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::{TokenId, UserId};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult};

use super::Identity;
use crate::password::Passwords;
use crate::store::tokens;
use crate::store::users::{self, UserRow};

/// Whom a reset names: a user by UUID (the API) or by e-mail (the CLI).
pub enum Target<'a> {
    Id(uuid::Uuid),
    Email(&'a str),
}

impl Identity {
    /// Changes the caller's own password. `old` must be the current one; a
    /// wrong one counts as a failed sign-in of the account from `client_ip`.
    /// Ends every web session of the caller but the one the request came with.
    pub async fn change_password(&self, p: &Principal, old: String, new: String, client_ip: &str) -> AppResult<()> {
        let me = p.user;
        let (service, stored) = self.db().read(move |c| users::password_state(c, me)).await?;
        if service {
            return Err(AppError::validation("service accounts have no password; they use their tokens"));
        }
        if stored.is_none() {
            return Err(AppError::validation("this account has no password: it signs in through an upstream provider"));
        }
        Passwords::check_policy(&new).map_err(|e| field("newPassword", e))?;
        let attempt = self.inner.throttle.begin(&p.email, client_ip).await?;
        if !self.inner.passwords.verify(old, stored).await? {
            attempt.fail().await;
            return Err(AppError::validation("oldPassword is not the current password"));
        }
        attempt.succeed().await;
        let hash = self.inner.passwords.hash(new).await?;
        let (keep, uuid) = (p.via_session.then_some(p.token), p.user_uuid);
        let event = Event::new(EventKind::UserChangePassword, Some(me)).on(uuid).describe("password changed");
        self.store_password(me, hash, keep, event).await
    }

    /// Sets another user's password and ends all their web sessions.
    /// `actor` must be a provider admin; `None` is the command line.
    pub async fn reset_password(
        &self,
        actor: Option<&Principal>,
        target: Target<'_>,
        new: String,
    ) -> AppResult<UserRow> {
        if let Some(a) = actor {
            a.require_provider_admin()?;
        }
        Passwords::check_policy(&new).map_err(|e| field("newPassword", e))?;
        let user = match target {
            Target::Id(id) => self.db().read(move |c| users::by_uuid(c, id)).await?.ok_or(AppError::NotFound)?,
            Target::Email(email) => {
                let email = email.trim().to_lowercase();
                let lookup = email.clone();
                self.db()
                    .read(move |c| users::by_email(c, &lookup))
                    .await?
                    .ok_or_else(|| AppError::validation(format!("no user with email {email}")))?
            }
        };
        let id = user.id;
        if self.db().read(move |c| users::password_state(c, id)).await?.0 {
            return Err(AppError::validation("service accounts have no password; they use their tokens"));
        }
        let hash = self.inner.passwords.hash(new).await?;
        let how = if actor.is_some() { "by a provider admin" } else { "with the meshcloud CLI" };
        let event = Event::new(EventKind::UserResetPassword, actor.map(|a| a.user))
            .on(user.uuid)
            .describe(format!("password of {} set {how}", user.email));
        self.store_password(id, hash, None, event).await?;
        Ok(user)
    }

    /// Stores the hash, ends the user's web sessions but `keep` (and their
    /// OIDC sessions) and records `event`, in one transaction.
    async fn store_password(&self, user: UserId, hash: String, keep: Option<TokenId>, event: Event) -> AppResult<()> {
        let oauth = self.oauth_sessions();
        let ended = self
            .db()
            .write(move |c| {
                users::set_password_hash(c, user, &hash)?;
                let ended = end_sessions(c, user, keep, oauth.as_deref())?;
                audit::record(c, event)?;
                Ok(ended)
            })
            .await?;
        self.forget_credentials(&ended);
        Ok(())
    }
}

fn end_sessions(
    c: &Conn,
    user: UserId,
    keep: Option<TokenId>,
    oauth: Option<&dyn super::oauth::OAuthSessions>,
) -> AppResult<Vec<uuid::Uuid>> {
    let mut ended = Vec::new();
    for (id, uuid) in tokens::revoke_sessions_of(c, user, keep)? {
        ended.push(uuid);
        if let Some(o) = oauth {
            ended.extend(o.end_browser_session(c, id)?);
        }
    }
    Ok(ended)
}

/// Names the field a policy message is about, for forms that map errors to fields.
fn field(name: &str, e: AppError) -> AppError {
    match e {
        AppError::Validation(m) => AppError::validation(format!("{name}: {m}")),
        other => other,
    }
}
