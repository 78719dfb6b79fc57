//! Rules, permission checks and transactions of the content family.

pub mod designs;
pub mod import;
pub mod resources;

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
}

/// The org a call acts in.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    pub id: OrgId,
    pub uuid: uuid::Uuid,
}

impl Content {
    pub fn new(db: Db, identity: Identity) -> Self {
        Content { inner: Arc::new(Inner { db, identity }) }
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

    /// Removes designs soft-deleted more than `retention` ago (their versions
    /// go with them); returns how many.
    pub async fn purge(&self, retention: std::time::Duration) -> AppResult<usize> {
        let cutoff = meshcloud_kernel::time::ago(retention)?;
        self.db()
            .write(move |c| {
                let n = meshcloud_kernel::db::purge_soft_deleted(c, &["designs"], &cutoff)?;
                if n > 0 {
                    let e = meshcloud_kernel::audit::Event::new(meshcloud_kernel::audit::EventKind::SystemPurge, None)
                        .describe(format!("purged {n} deleted designs"));
                    meshcloud_kernel::audit::record(c, e)?;
                }
                Ok(n)
            })
            .await
    }
}
