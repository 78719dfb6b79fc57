//! Rules, permission checks and transactions of the infrastructure family.

pub mod connections;
pub mod credentials;
pub mod environments;
pub mod workspaces;

use std::sync::Arc;

use meshcloud_identity::Identity;
use meshcloud_kernel::AppResult;
use meshcloud_kernel::access::Perm;
use meshcloud_kernel::db::Db;
use meshcloud_kernel::ids::OrgId;
use meshcloud_kernel::page::PageRequest;
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::secrets::Sealer;

#[derive(Clone)]
pub struct Infra {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    identity: Identity,
    sealer: Sealer,
}

/// The org a call acts in.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    pub id: OrgId,
    pub uuid: uuid::Uuid,
}

impl Infra {
    pub fn new(db: Db, identity: Identity, sealer: Sealer) -> Self {
        Infra { inner: Arc::new(Inner { db, identity, sealer }) }
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn identity(&self) -> &Identity {
        &self.inner.identity
    }

    pub(crate) fn sealer(&self) -> &Sealer {
        &self.inner.sealer
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

    /// An org named by id, after checking `perm` there.
    pub async fn org(&self, p: &Principal, uuid: uuid::Uuid, perm: Perm) -> AppResult<Scope> {
        Ok(Scope { id: self.identity().org_id_for(p, uuid, perm).await?, uuid })
    }
}

impl Infra {
    /// Removes environments, connections, credentials and workspaces
    /// soft-deleted more than `retention` ago; returns how many.
    pub async fn purge(&self, retention: std::time::Duration) -> AppResult<usize> {
        let cutoff = meshcloud_kernel::time::ago(retention)?;
        self.db()
            .write(move |c| {
                let tables = ["connections", "environments", "credentials", "workspaces"];
                let n = meshcloud_kernel::db::purge_soft_deleted(c, &tables, &cutoff)?;
                if n > 0 {
                    let e = meshcloud_kernel::audit::Event::new(meshcloud_kernel::audit::EventKind::SystemPurge, None)
                        .describe(format!("purged {n} deleted environments, connections, credentials and workspaces"));
                    meshcloud_kernel::audit::record(c, e)?;
                }
                Ok(n)
            })
            .await
    }
}

/// What an organization holds of this family, for the organization overview.
#[derive(Debug, Clone, Default)]
pub struct OrgCounts {
    pub workspaces: u64,
    pub environments: u64,
    /// Live connections per status (statuses with none are absent).
    pub connections: std::collections::BTreeMap<String, u64>,
}

impl Infra {
    /// Counts of an org whose access the caller has already checked: the
    /// totals the triggers keep in `live_counts`, and the unfiltered status
    /// summary of the connection list.
    pub async fn org_counts(&self, org: OrgId) -> AppResult<OrgCounts> {
        use meshcloud_kernel::db::query::live_count;
        self.db()
            .read(move |c| {
                Ok(OrgCounts {
                    workspaces: live_count(c, org, "workspaces")?,
                    environments: live_count(c, org, "environments")?,
                    connections: crate::store::connections::status_summary(
                        c,
                        org,
                        &Default::default(),
                        &PageRequest { offset: 0, limit: 0, search: None, order: None },
                    )?,
                })
            })
            .await
    }
}
