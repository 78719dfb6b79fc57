//! Workspaces and their links. A workspace is deleted in one place
//! (`delete`: a soft delete that drops its links) whichever face asks.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::entitle::{self, Feature};
use meshcloud_kernel::ids::{OrgId, UserId, WorkspaceId};

use crate::store::workspaces as store;

pub use crate::store::workspaces::{LinkKind, LinkRow, WorkspaceRow, by_uuid, delete, get, targets, unlink, update};

/// Creates a workspace (an Identity project, too) if the org's plan allows
/// one more: every face creates workspaces through this.
pub fn insert(c: &Conn, org: OrgId, owner: UserId, name: &str, description: &str) -> AppResult<WorkspaceId> {
    entitle::admit(c, org, Feature::WorkspacesInOrganization)?;
    store::insert(c, org, owner, name, description)
}

/// Links `target` to the workspace (true: newly); a design newly assigned
/// must fit the plan's designs per workspace.
pub fn link(c: &Conn, ws: &WorkspaceRow, kind: LinkKind, target: uuid::Uuid) -> AppResult<(LinkRow, bool)> {
    if kind == LinkKind::Design {
        let held = store::targets(c, ws.id, kind)?;
        if !held.contains(&target) {
            entitle::within(c, ws.org, Feature::DesignsInWorkspace, held.len() as i64 + 1)?;
        }
    }
    store::link(c, ws, kind, target)
}
