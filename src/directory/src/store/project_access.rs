//! What a user may do in one project through the teams linked to it (the
//! project's `groupIDs`): the project scope of the Identity ACL.

use meshcloud_identity::core::grants;
use meshcloud_kernel::AppResult;
use meshcloud_kernel::access::PermSet;
use meshcloud_kernel::ids::{OrgId, TeamId, UserId, WorkspaceId};
use rusqlite::{Connection, params};

/// Live teams of the workspace's own org that are linked to it and have
/// `user` as a member. Teams of another org never count, whatever a link says.
const REACHING_TEAMS: &str = "SELECT DISTINCT t.id FROM workspace_links l
       JOIN workspaces w ON w.id = l.workspace_id AND w.deleted_at IS NULL
       JOIN teams t ON t.uuid = l.target AND t.org_id = w.org_id AND t.deleted_at IS NULL AND t.unmapped_at IS NULL
       JOIN team_members tm ON tm.team_id = t.id AND tm.user_id = ?2
      WHERE l.workspace_id = ?1 AND l.kind = 'team'";

/// The union of the role permissions of the teams linked to workspace
/// `workspace_id` that have `user` as a member (empty if none).
pub fn project_perms(conn: &Connection, user: UserId, workspace_id: WorkspaceId) -> AppResult<PermSet> {
    let mut stmt = conn.prepare_cached(REACHING_TEAMS)?;
    let teams =
        stmt.query_map(params![workspace_id, user], |r| r.get::<_, TeamId>(0))?.collect::<Result<Vec<_>, _>>()?;
    let mut set = PermSet::default();
    for t in teams {
        set |= grants::of_team(conn, t)?;
    }
    Ok(set)
}

/// Row ids of the live workspaces of `org` that `user` reaches through a
/// linked team (candidates for a project-scope check in lists).
pub fn reached_projects(conn: &Connection, org: OrgId, user: UserId) -> AppResult<Vec<WorkspaceId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT w.id FROM workspaces w
           JOIN workspace_links l ON l.workspace_id = w.id AND l.kind = 'team'
           JOIN teams t ON t.uuid = l.target AND t.org_id = w.org_id AND t.deleted_at IS NULL AND t.unmapped_at IS NULL
           JOIN team_members tm ON tm.team_id = t.id AND tm.user_id = ?2
          WHERE w.org_id = ?1 AND w.deleted_at IS NULL",
    )?;
    Ok(stmt.query_map(params![org, user], |r| r.get(0))?.collect::<Result<Vec<WorkspaceId>, _>>()?)
}
