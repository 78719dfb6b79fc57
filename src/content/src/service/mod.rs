//! Rules, permission checks and transactions of the content family.

pub mod access;
pub mod catalog;
pub mod designs;
pub mod filters;
pub mod import;
pub mod models;
pub mod resources;
pub mod sharing;
pub mod url_import;
pub mod views;

use std::sync::Arc;

use meshcloud_identity::Identity;
use meshcloud_kernel::AppResult;
use meshcloud_kernel::access::Perm;
use meshcloud_kernel::db::Db;
use meshcloud_kernel::ids::OrgId;
use meshcloud_kernel::principal::Principal;

#[derive(Clone)]
pub struct Content {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    identity: Identity,
    url_import: url_import::UrlImport,
    /// The registry of each organization's models (`models::registry_for`).
    models: models::Cache,
}

/// The org a call acts in.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    pub id: OrgId,
    pub uuid: uuid::Uuid,
}

impl Content {
    pub fn new(db: Db, identity: Identity) -> Self {
        Content {
            inner: Arc::new(Inner {
                db,
                identity,
                url_import: url_import::UrlImport::default(),
                models: models::Cache::default(),
            }),
        }
    }

    /// Where import from a URL may fetch from (default: nowhere). Set while
    /// the family is built, before it is shared.
    pub fn with_url_import(mut self, settings: url_import::UrlImport) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.url_import = settings;
        }
        self
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn identity(&self) -> &Identity {
        &self.inner.identity
    }

    /// The org a collection call acts in (see `Identity::collection_org`).
    pub async fn scope(
        &self,
        p: &Principal,
        header: Option<&str>,
        named: Option<&str>,
        perm: Perm,
    ) -> AppResult<Scope> {
        let (id, uuid) = self.identity().collection_org(p, header, named, perm).await?;
        Ok(Scope { id, uuid })
    }

    /// Removes designs and filters soft-deleted more than `retention` ago
    /// (designs' versions go with them); returns how many.
    pub async fn purge(&self, retention: std::time::Duration) -> AppResult<usize> {
        let cutoff = meshcloud_kernel::time::ago(retention)?;
        self.db()
            .write(move |c| {
                let n = meshcloud_kernel::db::purge_soft_deleted(c, &["designs", "filters"], &cutoff)?;
                if n > 0 {
                    crate::store::shares::prune(c)?;
                }
                if n > 0 {
                    let e = meshcloud_kernel::audit::Event::new(meshcloud_kernel::audit::EventKind::SystemPurge, None)
                        .describe(format!("purged {n} deleted designs and filters"));
                    meshcloud_kernel::audit::record(c, e)?;
                }
                Ok(n)
            })
            .await
    }
}
