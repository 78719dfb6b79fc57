//! Shared rules of access control: the org a request acts in, the rule that
//! nobody grants what they do not hold, and invalidation of cached grants.

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult};

use super::Identity;
pub use super::cache::Affected;
pub use crate::core::grants::must_hold;
use crate::store::orgs::OrgRow;

impl Identity {
    /// Runs a write that changes grants and applies what it reports to the
    /// credential cache once it has committed. Both happen in a task of their
    /// own, so a caller that hangs up cannot leave a committed change with
    /// stale cached grants behind. Every face of the core that changes grants
    /// writes through this.
    pub async fn commit<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Conn) -> AppResult<(T, Affected)> + Send + 'static,
    {
        let me = self.clone();
        tokio::spawn(async move {
            let (value, affected) = me.db().write(f).await?;
            me.inner.cache.apply(affected);
            Ok(value)
        })
        .await
        .map_err(AppError::internal)?
    }

    /// The org in context (header, preference, first membership) after
    /// checking `perm` there. No org at all is a 400: the caller must name one.
    pub async fn context_org(&self, p: &Principal, header: Option<&str>, perm: Perm) -> AppResult<OrgRow> {
        let org = self
            .org_context(p, header)
            .await?
            .ok_or_else(|| AppError::validation("no organization in context: send the layer5-current-orgid header"))?;
        p.require(org.uuid, perm)?;
        Ok(org)
    }

    /// The org a collection call acts in, as (row id, uuid): the
    /// `layer5-current-orgid` header, else an `orgId` the call names, else
    /// the caller's selected or first organization; `perm` is checked there.
    pub async fn collection_org(
        &self,
        p: &Principal,
        header: Option<&str>,
        named: Option<&str>,
        perm: Perm,
    ) -> AppResult<(meshcloud_kernel::ids::OrgId, uuid::Uuid)> {
        let header = header.map(str::trim).filter(|h| !h.is_empty());
        let named = named.map(str::trim).filter(|n| !n.is_empty());
        if let (None, Some(n)) = (header, named) {
            let uuid = meshcloud_kernel::validate::uuid("orgId", n)?;
            return Ok((self.org_id_for(p, uuid, perm).await?, uuid));
        }
        let org = self.context_org(p, header, perm).await?;
        Ok((org.id, org.uuid))
    }
}
