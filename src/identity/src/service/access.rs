//! Shared rules of access control: the org a request acts in, the rule that
//! nobody grants what they do not hold, and invalidation of cached grants.

use meshcloud_kernel::access::{Perm, PermSet};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult};

use super::Identity;
pub use super::cache::Affected;
use crate::store::orgs::OrgRow;
use crate::store::roles;

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
}

/// Refuses to grant permissions the caller does not hold in the org.
pub fn must_hold(p: &Principal, org: uuid::Uuid, granted: PermSet) -> AppResult<()> {
    if p.grants.in_org(org).contains_all(granted) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// Everything a team would grant its members in `org`.
pub fn team_perms(c: &Conn, team: meshcloud_kernel::ids::TeamId) -> AppResult<PermSet> {
    let mut set = PermSet::default();
    for r in roles::team_roles(c, team)? {
        set |= roles::perms(c, r.id)?;
    }
    Ok(set)
}
