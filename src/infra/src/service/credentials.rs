//! Credentials: secrets that connections use, sealed at rest. The secret is
//! write-only except for the credential's owner reading it by id.

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::{OrgId, UserId, new_uuid};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::secrets::Sealer;
use meshcloud_kernel::{AppError, AppResult, validate};

use super::{Infra, Scope};
use crate::store::credentials::{self, CredentialRow};

/// A credential with its secret opened, when the caller may see it.
pub struct Credential {
    pub row: CredentialRow,
    pub secret: Option<serde_json::Value>,
}

fn check_secret(secret: &serde_json::Value) -> AppResult<Vec<u8>> {
    validate::json_object("secret", secret)?;
    let bytes = serde_json::to_vec(secret)?;
    if bytes.len() > 64 * 1024 {
        return Err(AppError::validation("secret must be at most 64 KiB"));
    }
    Ok(bytes)
}

/// Seals and stores a new credential inside the caller's transaction.
pub(crate) fn insert_sealed(
    c: &Conn,
    sealer: &Sealer,
    org: OrgId,
    owner: UserId,
    name: &str,
    kind: &str,
    secret: Option<&serde_json::Value>,
) -> AppResult<CredentialRow> {
    let uuid = new_uuid();
    let sealed = secret.map(|s| check_secret(s).and_then(|b| sealer.seal(&b, uuid.as_bytes()))).transpose()?;
    let id = credentials::insert(c, uuid, org, owner, name, kind, sealed.as_deref())?;
    credentials::get(c, id)
}

fn credential_for(c: &Conn, p: &Principal, id: uuid::Uuid, perm: Perm) -> AppResult<CredentialRow> {
    let row = credentials::by_uuid(c, id)?.ok_or(AppError::NotFound)?;
    p.require(row.org_uuid, perm)?;
    Ok(row)
}

impl Infra {
    pub async fn list_credentials(&self, scope: Scope, req: PageRequest) -> AppResult<Page<CredentialRow>> {
        self.db().read(move |c| credentials::list(c, scope.id, &req)).await
    }

    pub async fn create_credential(
        &self,
        p: &Principal,
        scope: Scope,
        name: &str,
        kind: &str,
        secret: Option<serde_json::Value>,
    ) -> AppResult<CredentialRow> {
        let name = validate::name("name", name, 255)?;
        let kind = validate::name("type", kind, 100)?;
        if let Some(s) = &secret {
            check_secret(s)?;
        }
        let (me, sealer) = (p.user, self.sealer().clone());
        self.db()
            .write(move |c| {
                let row = insert_sealed(c, &sealer, scope.id, me, &name, &kind, secret.as_ref())?;
                audit::record(
                    c,
                    Event::new(EventKind::CredentialCreate, Some(me))
                        .org(scope.id)
                        .on(row.uuid)
                        .describe(format!("credential {name} created")),
                )?;
                Ok(row)
            })
            .await
    }

    /// Renames or retypes a credential; a `secret` given replaces the stored one.
    pub async fn update_credential(
        &self,
        p: &Principal,
        id: uuid::Uuid,
        name: &str,
        kind: &str,
        secret: Option<serde_json::Value>,
    ) -> AppResult<CredentialRow> {
        let name = validate::name("name", name, 255)?;
        let kind = validate::name("type", kind, 100)?;
        let plain = secret.as_ref().map(check_secret).transpose()?;
        let (p, sealer) = (p.clone(), self.sealer().clone());
        self.db()
            .write(move |c| {
                let row = credential_for(c, &p, id, Perm::CredentialsUpdate)?;
                let sealed = plain.map(|b| sealer.seal(&b, row.uuid.as_bytes())).transpose()?;
                credentials::update(c, row.id, &name, &kind, sealed.as_deref())?;
                audit::record(
                    c,
                    Event::new(EventKind::CredentialUpdate, Some(p.user)).org(row.org).on(row.uuid).describe(format!(
                        "credential {name} updated{}",
                        if sealed.is_some() { " (new secret)" } else { "" }
                    )),
                )?;
                credentials::get(c, row.id)
            })
            .await
    }

    pub async fn delete_credential(&self, p: &Principal, id: uuid::Uuid) -> AppResult<()> {
        let p = p.clone();
        self.db()
            .write(move |c| {
                let row = credential_for(c, &p, id, Perm::CredentialsDelete)?;
                credentials::delete(c, row.id)?;
                audit::record(
                    c,
                    Event::new(EventKind::CredentialDelete, Some(p.user))
                        .org(row.org)
                        .on(row.uuid)
                        .describe(format!("credential {} deleted", row.name)),
                )
            })
            .await
    }

    /// A credential by id; its owner also gets the opened secret.
    pub async fn get_credential(&self, p: &Principal, id: uuid::Uuid) -> AppResult<Credential> {
        let p2 = p.clone();
        let row = self.db().read(move |c| credential_for(c, &p2, id, Perm::CredentialsRead)).await?;
        let secret = match (&row.sealed, row.owner == Some(p.user)) {
            (Some(sealed), true) => {
                let plain = self.sealer().open(sealed, row.uuid.as_bytes())?;
                Some(serde_json::from_slice(&plain)?)
            }
            _ => None,
        };
        Ok(Credential { row, secret })
    }
}

/// What the canary seals; its associated data keeps it from being any row's secret.
const CANARY: &[u8] = b"meshcloud master key";
const CANARY_AAD: &[u8] = b"sealing_canary";

impl Infra {
    /// Refuses a master key other than the one this store's secrets are sealed
    /// with: serving with it would fail every read of a secret and seal new
    /// ones under a second key. The first start records the key's canary; a
    /// store without any secret (say, a backup restored into a new data dir)
    /// simply adopts the key it is started with.
    pub async fn check_master_key(&self) -> AppResult<()> {
        let sealer = self.sealer().clone();
        let fresh = sealer.seal(CANARY, CANARY_AAD)?;
        let opens = move |sealed: &[u8]| sealer.open(sealed, CANARY_AAD).is_ok_and(|v| v == CANARY);
        let adopted = self
            .db()
            .write(move |c| {
                let stored = credentials::store_canary(c, &fresh)?;
                if opens(&stored) {
                    return Ok(Some(false));
                }
                if credentials::any_sealed(c)? {
                    return Ok(None);
                }
                credentials::replace_canary(c, &fresh)?;
                Ok(Some(true))
            })
            .await?;
        match adopted {
            Some(true) => {
                tracing::warn!("no secrets are stored yet: the master key this server started with is adopted");
                Ok(())
            }
            Some(false) => Ok(()),
            None => Err(AppError::validation(
                "the master key is not the one this data dir's secrets are sealed with: start with that key \
                 (MESHCLOUD_MASTER_KEY, MESHCLOUD_MASTER_KEY_FILE or DATA_DIR/master.key)",
            )),
        }
    }
}
