//! Permission keys (the catalogue) and keychains (groups of keys).

use meshcloud_kernel::access::{Perm, PermSet};
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::new_uuid;
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};

use super::Identity;
use super::access::{Affected, must_hold};
use crate::core::grants::Taker;
use crate::store::keys::{self, APPLIANCE, KeyFields, KeyRow, KeychainRow};
use crate::store::orgs::{self, OrgRow};

/// Fields of `POST /api/auth/keys`; all optional (an upsert).
#[derive(Debug, Default, Clone)]
pub struct KeyChanges {
    pub id: Option<uuid::Uuid>,
    pub function: Option<String>,
    pub category: Option<String>,
    pub subcategory: Option<String>,
    pub description: Option<String>,
}

fn field(name: &str, v: Option<&str>) -> AppResult<Option<String>> {
    v.map(|v| validate::name(name, v, 200)).transpose()
}

/// The built-in permission a key stands for (custom keys grant nothing built in).
fn key_perm(k: &KeyRow) -> PermSet {
    let mut set = PermSet::default();
    if let Some(p) = k.code.as_deref().and_then(Perm::from_code) {
        set.insert(p);
    }
    set
}

impl Identity {
    pub async fn list_keys(&self, req: PageRequest) -> AppResult<Page<KeyRow>> {
        self.db().read(move |c| keys::list_keys(c, &req)).await
    }

    pub async fn get_key(&self, id: uuid::Uuid) -> AppResult<KeyRow> {
        self.db().read(move |c| keys::key_by_uuid(c, id)?.ok_or(AppError::NotFound)).await
    }

    /// Creates a custom key, or with `id` changes one. Built-in keys are fixed.
    pub async fn upsert_key(&self, p: &Principal, ch: KeyChanges) -> AppResult<KeyRow> {
        if !p.provider_admin {
            return Err(AppError::Forbidden);
        }
        let function = field("function", ch.function.as_deref())?;
        let category = field("category", ch.category.as_deref())?;
        let subcategory = field("subcategory", ch.subcategory.as_deref())?;
        let description = ch.description.as_deref().map(|d| validate::text("description", d, 5000)).transpose()?;
        let me = p.user;
        let row = self
            .db()
            .write(move |c| {
                let existing = match ch.id {
                    Some(id) => keys::key_by_uuid(c, id)?,
                    None => None,
                };
                let (uuid, action) = match existing {
                    Some(k) if k.builtin() => {
                        return Err(AppError::validation("built-in keys cannot be changed"));
                    }
                    Some(k) => {
                        let f = KeyFields {
                            function: function.as_deref().unwrap_or(&k.function),
                            category: category.as_deref().unwrap_or(&k.category),
                            subcategory: subcategory.as_deref().unwrap_or(&k.subcategory),
                            description: description.as_deref().unwrap_or(&k.description),
                        };
                        keys::update_key(c, k.id, &f)?;
                        (k.uuid, EventKind::KeyUpdate)
                    }
                    None => {
                        let f = KeyFields {
                            function: function
                                .as_deref()
                                .ok_or_else(|| AppError::validation("function is required for a new key"))?,
                            category: category
                                .as_deref()
                                .ok_or_else(|| AppError::validation("category is required for a new key"))?,
                            subcategory: subcategory.as_deref().unwrap_or(""),
                            description: description.as_deref().unwrap_or(""),
                        };
                        let uuid = ch.id.unwrap_or_else(new_uuid);
                        keys::insert_key(c, uuid, APPLIANCE, &f)?;
                        (uuid, EventKind::KeyCreate)
                    }
                };
                audit::record(c, Event::new(action, Some(me)).on(uuid).describe(format!("key {}d", action.action())))?;
                keys::key_by_uuid(c, uuid)?.ok_or(AppError::NotFound)
            })
            .await?;
        Ok(row)
    }

    pub async fn delete_key(&self, p: &Principal, id: uuid::Uuid) -> AppResult<()> {
        if !p.provider_admin {
            return Err(AppError::Forbidden);
        }
        let me = p.user;
        self.commit(move |c| {
            let k = keys::key_by_uuid(c, id)?.ok_or(AppError::NotFound)?;
            if k.builtin() {
                return Err(AppError::validation("built-in keys cannot be deleted"));
            }
            keys::delete_key(c, k.id)?;
            audit::record(c, Event::new(EventKind::KeyDelete, Some(me)).on(k.uuid).describe("key deleted"))?;
            Ok(((), Affected::Everyone))
        })
        .await
    }

    /// Built-in keychains and those of the org in context.
    pub async fn list_keychains(
        &self,
        p: &Principal,
        header: Option<&str>,
        req: PageRequest,
    ) -> AppResult<Page<KeychainRow>> {
        let org = self.context_org_optional(p, header, Perm::KeychainsRead).await?;
        self.db().read(move |c| keys::list_keychains(c, org.map(|o| o.id), None, &req)).await
    }

    /// A built-in keychain, or one of an org the caller may read keychains in.
    pub async fn get_keychain(&self, p: &Principal, id: uuid::Uuid) -> AppResult<KeychainRow> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                let kc = keys::keychain_by_uuid(c, id)?.ok_or(AppError::NotFound)?;
                if let Some(org) = kc.org {
                    let org = orgs::get(c, org)?;
                    p.require(org.uuid, Perm::KeychainsRead)?;
                }
                Ok(kc)
            })
            .await
    }

    pub async fn keychain_keys(&self, p: &Principal, id: uuid::Uuid, req: PageRequest) -> AppResult<Page<KeyRow>> {
        let kc = self.get_keychain(p, id).await?;
        self.db().read(move |c| keys::keychain_keys(c, kc.id, &req)).await
    }

    pub async fn create_keychain(&self, p: &Principal, header: Option<&str>, name: &str) -> AppResult<KeychainRow> {
        let name = validate::name("name", name, 255)?;
        let org = self.context_org(p, header, Perm::KeychainsManage).await?;
        let me = p.user;
        self.db()
            .write(move |c| {
                let id = keys::insert_keychain(c, org.id, org.uuid, &name)?;
                let kc = keys::keychain(c, id)?;
                audit::record(
                    c,
                    Event::new(EventKind::KeychainCreate, Some(me))
                        .org(org.id)
                        .on(kc.uuid)
                        .describe(format!("keychain {name} created")),
                )?;
                Ok(kc)
            })
            .await
    }

    pub async fn rename_keychain(&self, p: &Principal, id: uuid::Uuid, name: &str) -> AppResult<KeychainRow> {
        let name = validate::name("name", name, 255)?;
        self.change_keychain(p, id, move |c, org, kc, me| {
            keys::rename_keychain(c, kc.id, &name)?;
            audit::record(
                c,
                Event::new(EventKind::KeychainUpdate, Some(me)).org(org.id).on(kc.uuid).describe("keychain renamed"),
            )?;
            Ok(Affected::Nobody)
        })
        .await?;
        self.get_keychain(p, id).await
    }

    pub async fn delete_keychain(&self, p: &Principal, id: uuid::Uuid) -> AppResult<()> {
        let pc = p.clone();
        self.change_keychain(p, id, move |c, org, kc, me| {
            // Everyone holding it through a role loses its keys.
            let lost = keys::keychain_perms(c, kc.id)?;
            if !lost.is_empty() {
                let holders = crate::store::roles::keychain_holder_ids(c, kc.id)?;
                Taker::new(c, &pc, org.id)?.take(c, &holders, lost)?;
            }
            crate::core::grants::guarded(c, org.id, || keys::delete_keychain(c, kc.id))?;
            audit::record(
                c,
                Event::new(EventKind::KeychainDelete, Some(me))
                    .org(org.id)
                    .on(kc.uuid)
                    .describe(format!("keychain {} deleted", kc.name)),
            )?;
            Ok(Affected::Everyone)
        })
        .await
    }

    pub async fn set_keychain_key(&self, p: &Principal, id: uuid::Uuid, key: uuid::Uuid, add: bool) -> AppResult<()> {
        let pc = p.clone();
        self.change_keychain(p, id, move |c, org, kc, me| {
            let k = keys::key_by_uuid(c, key)?.ok_or(AppError::NotFound)?;
            if add {
                must_hold(&pc, org.uuid, key_perm(&k))?;
                keys::add_keychain_key(c, kc.id, k.id)?;
            } else {
                // Custom keys guard nothing here: only a built-in one is taken from anyone.
                let lost = key_perm(&k);
                if !lost.is_empty() {
                    let holders = crate::store::roles::keychain_holder_ids(c, kc.id)?;
                    Taker::new(c, &pc, org.id)?.take(c, &holders, lost)?;
                }
                if !crate::core::grants::guarded(c, org.id, || keys::remove_keychain_key(c, kc.id, k.id))? {
                    return Err(AppError::NotFound);
                }
            }
            audit::record(
                c,
                Event::new(if add { EventKind::KeychainAddKey } else { EventKind::KeychainRemoveKey }, Some(me))
                    .org(org.id)
                    .on(kc.uuid)
                    .describe(format!(
                        "key {}.{}.{} {}",
                        k.category,
                        k.subcategory,
                        k.function,
                        if add { "added" } else { "removed" }
                    )),
            )?;
            Ok(Affected::Everyone)
        })
        .await
    }

    /// Runs `f` on one of an org's own keychains after checking the caller may manage it.
    async fn change_keychain<F>(&self, p: &Principal, id: uuid::Uuid, f: F) -> AppResult<()>
    where
        F: FnOnce(&Conn, &OrgRow, &KeychainRow, meshcloud_kernel::ids::UserId) -> AppResult<Affected> + Send + 'static,
    {
        let p = p.clone();
        self.commit(move |c| {
            let kc = keys::keychain_by_uuid(c, id)?.ok_or(AppError::NotFound)?;
            let Some(org_id) = kc.org else {
                return Err(AppError::validation(format!("built-in keychain '{}' cannot be changed", kc.name)));
            };
            let org = orgs::get(c, org_id)?;
            p.require(org.uuid, Perm::KeychainsManage)?;
            Ok(((), f(c, &org, &kc, p.user)?))
        })
        .await
    }

    /// The org in context if there is one (checked for `perm`), else none.
    pub async fn context_org_optional(
        &self,
        p: &Principal,
        header: Option<&str>,
        perm: Perm,
    ) -> AppResult<Option<OrgRow>> {
        let Some(org) = self.org_context(p, header).await? else { return Ok(None) };
        p.require(org.uuid, perm)?;
        Ok(Some(org))
    }
}
