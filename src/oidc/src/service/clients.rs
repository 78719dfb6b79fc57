//! OAuth clients: registered by provider admins (API and CLI).

use meshcloud_identity::service::auth::issue;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::crypto::{random_secret, sha256};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::UserId;
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};

use super::Oidc;
use crate::store::clients::{self, ClientRow, NewClient};

/// What an admin sets on a client.
#[derive(Debug, Clone)]
pub struct ClientSpec {
    pub name: String,
    pub redirect_uris: Vec<String>,
    /// `None` on a change keeps the current value; `Some(None)` clears it.
    pub onboarding_uri: Option<Option<String>>,
    /// The service account that `client_credentials` act as (kept and
    /// cleared as `onboarding_uri`).
    pub service_account: Option<Option<uuid::Uuid>>,
    /// May the client be granted `meshcloud:api`? `None` on a change keeps it.
    pub trusted: Option<bool>,
}

/// An absolute http(s) URL without a fragment (RFC 6749 §3.1.2).
fn check_uri(field: &str, raw: &str) -> AppResult<String> {
    let u =
        url::Url::parse(raw.trim()).map_err(|_| AppError::validation(format!("{field} must be an absolute URL")))?;
    if !matches!(u.scheme(), "http" | "https") || u.fragment().is_some() || u.host().is_none() {
        return Err(AppError::validation(format!("{field} must be an http(s) URL without a fragment")));
    }
    Ok(raw.trim().to_string())
}

fn check(spec: ClientSpec) -> AppResult<ClientSpec> {
    let name = validate::name("name", &spec.name, 200)?;
    if spec.redirect_uris.is_empty() || spec.redirect_uris.len() > 20 {
        return Err(AppError::validation("redirectUris must list 1 to 20 URLs"));
    }
    let redirect_uris =
        spec.redirect_uris.iter().map(|u| check_uri("redirectUris", u)).collect::<AppResult<Vec<_>>>()?;
    let onboarding_uri = match spec.onboarding_uri {
        Some(Some(u)) => Some(Some(check_uri("onboardingUri", &u)?)),
        other => other,
    };
    Ok(ClientSpec { name, redirect_uris, onboarding_uri, service_account: spec.service_account, trusted: spec.trusted })
}

/// The user of the live service account a client acts as.
fn live_service_user(c: &Conn, sa: uuid::Uuid) -> AppResult<UserId> {
    clients::service_user(c, sa)?
        .ok_or_else(|| AppError::validation("serviceAccountId does not name a live service account"))
}

impl Oidc {
    /// Registers a client; the secret is returned here only.
    pub async fn create_client(&self, actor: Option<&Principal>, spec: ClientSpec) -> AppResult<(ClientRow, String)> {
        if let Some(p) = actor {
            p.require_provider_admin()?;
        }
        let spec = check(spec)?;
        let by: Option<UserId> = actor.map(|p| p.user);
        let secret = random_secret(32);
        let hash = sha256(secret.as_bytes());
        let uuid = uuid::Uuid::now_v7();
        let client_id = issue().uuid.simple().to_string();
        let row = self
            .db()
            .write(move |c| {
                let service_user = spec.service_account.flatten().map(|sa| live_service_user(c, sa)).transpose()?;
                let row = clients::insert(
                    c,
                    &NewClient {
                        uuid,
                        client_id: &client_id,
                        name: &spec.name,
                        secret_hash: &hash,
                        redirect_uris: &spec.redirect_uris,
                        onboarding_uri: spec.onboarding_uri.as_ref().and_then(Option::as_deref),
                        service_user,
                        trusted: spec.trusted.unwrap_or(false),
                        created_by: by,
                    },
                )?;
                audit::record(
                    c,
                    Event::new(EventKind::OAuthClientCreate, by)
                        .on(uuid)
                        .describe(format!("registered OAuth client {}", spec.name)),
                )?;
                Ok(row)
            })
            .await?;
        Ok((row, secret))
    }

    pub async fn list_clients(&self, p: &Principal) -> AppResult<Vec<ClientRow>> {
        p.require_provider_admin()?;
        self.db().read(clients::list).await
    }

    pub async fn get_client(&self, p: &Principal, id: uuid::Uuid) -> AppResult<ClientRow> {
        p.require_provider_admin()?;
        self.db().read(move |c| clients::by_uuid(c, id)).await?.ok_or(AppError::NotFound)
    }

    /// Changes a client. Taking its trust away revokes its live access
    /// tokens at once; a refresh then gets tokens without the API scope.
    pub async fn update_client(&self, p: &Principal, id: uuid::Uuid, spec: ClientSpec) -> AppResult<ClientRow> {
        p.require_provider_admin()?;
        let spec = check(spec)?;
        let by = p.user;
        let (row, revoked) = self
            .db()
            .write(move |c| {
                let row = clients::by_uuid(c, id)?.ok_or(AppError::NotFound)?;
                // What a change leaves out keeps its value.
                let service_user = match spec.service_account {
                    Some(sa) => sa.map(|sa| live_service_user(c, sa)).transpose()?,
                    None => row.service_user.map(|(id, _)| id),
                };
                let onboarding_uri = spec.onboarding_uri.clone().unwrap_or_else(|| row.onboarding_uri.clone());
                let trusted = spec.trusted.unwrap_or(row.trusted);
                clients::update(
                    c,
                    row.id,
                    &clients::ClientUpdate {
                        name: &spec.name,
                        redirect_uris: &spec.redirect_uris,
                        onboarding_uri: onboarding_uri.as_deref(),
                        service_user,
                        trusted,
                    },
                )?;
                let revoked = if row.trusted && !trusted {
                    meshcloud_identity::core::tokens::revoke_of_client(c, row.id)?
                } else {
                    Vec::new()
                };
                audit::record(
                    c,
                    Event::new(EventKind::OAuthClientUpdate, Some(by))
                        .on(id)
                        .describe(format!("changed OAuth client {}", spec.name)),
                )?;
                Ok((clients::by_uuid(c, id)?.ok_or(AppError::NotFound)?, revoked))
            })
            .await?;
        self.identity().forget_credentials(&revoked);
        Ok(row)
    }

    /// A new secret; the old one stops working at once.
    pub async fn rotate_client_secret(&self, p: &Principal, id: uuid::Uuid) -> AppResult<(ClientRow, String)> {
        p.require_provider_admin()?;
        let secret = random_secret(32);
        let hash = sha256(secret.as_bytes());
        let by = p.user;
        let row = self
            .db()
            .write(move |c| {
                let row = clients::by_uuid(c, id)?.ok_or(AppError::NotFound)?;
                clients::set_secret(c, row.id, &hash)?;
                audit::record(
                    c,
                    Event::new(EventKind::OAuthClientRotateSecret, Some(by))
                        .on(id)
                        .describe(format!("new secret for OAuth client {}", row.name)),
                )?;
                Ok(row)
            })
            .await?;
        Ok((row, secret))
    }

    /// Deletes a client and ends every session and token issued to it.
    pub async fn delete_client(&self, p: &Principal, id: uuid::Uuid) -> AppResult<()> {
        p.require_provider_admin()?;
        let by = p.user;
        let revoked = self
            .db()
            .write(move |c| {
                let row = clients::by_uuid(c, id)?.ok_or(AppError::NotFound)?;
                let revoked = clients::delete(c, row.id)?;
                audit::record(
                    c,
                    Event::new(EventKind::OAuthClientDelete, Some(by))
                        .on(id)
                        .describe(format!("deleted OAuth client {}", row.name)),
                )?;
                Ok(revoked)
            })
            .await?;
        self.identity().forget_credentials(&revoked);
        Ok(())
    }
}
