//! The provisioning job: organizations and projects created or deleted on
//! the Identity face settle here, as the reference's controllers would.

use meshcloud_identity::core::orgs as core_orgs;
use meshcloud_identity::service::access::Affected;
use meshcloud_kernel::AppResult;
use meshcloud_kernel::audit::{self, Event, EventKind};

use super::Directory;
use crate::store::provisioning;

impl Directory {
    /// Moves organizations and workspaces from `provisioning` to
    /// `provisioned`, and soft-deletes those `deprovisioning` (an org's
    /// members lose its grants at once). Returns how many rows moved.
    pub async fn advance_provisioning(&self) -> AppResult<usize> {
        // Most runs find nothing: a read keeps them off the writer.
        if !self.db().read(provisioning::pending).await? {
            return Ok(0);
        }
        self.identity()
            .commit(|c| {
                let mut moved = 0;
                let mut members = Vec::new();
                for o in provisioning::finish_orgs(c)? {
                    let e = Event::new(EventKind::OrganizationProvision, None).org(o.org).on(o.uuid);
                    audit::record(c, e.describe(format!("organization {} provisioned", o.name)))?;
                    moved += 1;
                }
                for o in provisioning::deprovisioning_orgs(c)? {
                    members.extend(core_orgs::member_ids(c, o.org)?);
                    core_orgs::soft_delete(c, o.org)?;
                    let e = Event::new(EventKind::OrganizationDeprovision, None).org(o.org).on(o.uuid);
                    audit::record(c, e.describe(format!("organization {} deleted", o.name)))?;
                    moved += 1;
                }
                for w in provisioning::finish_workspaces(c)? {
                    let e = Event::new(EventKind::WorkspaceProvision, None).org(w.org).on(w.uuid);
                    audit::record(c, e.describe(format!("workspace {} provisioned", w.name)))?;
                    moved += 1;
                }
                for w in provisioning::deprovisioning_workspaces(c)? {
                    // The Layer5 delete: soft delete, links dropped.
                    meshcloud_infra::core::workspaces::delete(c, w.id)?;
                    let e = Event::new(EventKind::WorkspaceDeprovision, None).org(w.org).on(w.uuid);
                    audit::record(c, e.describe(format!("workspace {} deleted", w.name)))?;
                    moved += 1;
                }
                let affected = if members.is_empty() { Affected::Nobody } else { Affected::Users(members) };
                Ok((moved, affected))
            })
            .await
    }
}
