//! Rules, permission checks and transactions of the operations family.

pub mod events;
pub mod schedules;

use std::sync::Arc;

use meshcloud_identity::Identity;
use meshcloud_kernel::db::Db;

#[derive(Clone)]
pub struct Ops {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    identity: Identity,
}

impl Ops {
    pub fn new(db: Db, identity: Identity) -> Self {
        Ops { inner: Arc::new(Inner { db, identity }) }
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn identity(&self) -> &Identity {
        &self.inner.identity
    }
}
