//! Projects: the core workspaces of an organization. A project created here
//! is a Layer5 workspace and the other way round; its `groupIDs` are the
//! workspace's team links. Creation and deletion are asynchronous on the
//! wire: they only set the provisioning state, which the provisioning job
//! moves on.

use meshcloud_infra::core::workspaces::{self, LinkKind};
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::{OrgId, WorkspaceId};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult};

use super::Directory;
use super::acl::{self, Endpoint, Op};
use super::lookup::{body_ids, live_groups, org_row};
use crate::model::projects::ProjectWrite;
use crate::store::project_access::{project_perms, reached_projects};
use crate::store::projects::{self as store, ProjectRow};

/// A project with its groups.
#[derive(Debug, Clone)]
pub struct Project {
    pub row: ProjectRow,
    pub groups: Vec<uuid::Uuid>,
}

fn view(c: &Conn, row: ProjectRow) -> AppResult<Project> {
    let groups = store::group_ids(c, row.id)?;
    Ok(Project { row, groups })
}

/// The project `project` of `org` after the project-scope check of `op` on
/// `ep`. Outsiders are refused before anything is looked up.
pub(crate) fn project_in(
    c: &Conn,
    p: &Principal,
    org: uuid::Uuid,
    project: uuid::Uuid,
    ep: Endpoint,
    op: Op,
) -> AppResult<(OrgId, ProjectRow)> {
    if !p.provider_admin && !p.grants.is_member(org) {
        return Err(AppError::Forbidden);
    }
    let org_id = org_row(c, org, p.grants.orgs.get(&org).map(|g| g.org))?;
    let row = store::get(c, org_id, project)?.ok_or(AppError::NotFound)?;
    acl::project_scope(c, p, org, row.id, ep, op)?;
    Ok((org_id, row))
}

/// Workspace rows of the org where the caller holds `op` on `ep` through
/// the project's teams (for lists of callers without the org-wide key).
pub(crate) fn reachable(
    c: &Conn,
    p: &Principal,
    org: uuid::Uuid,
    ep: Endpoint,
    op: Op,
) -> AppResult<(OrgId, Vec<WorkspaceId>)> {
    let grant = p.grants.orgs.get(&org).ok_or(AppError::Forbidden)?;
    let perm = acl::guard(ep, op).ok_or(AppError::Forbidden)?;
    let mut ids = vec![];
    for ws in reached_projects(c, grant.org, p.user)? {
        if project_perms(c, p.user, ws)?.has(perm) {
            ids.push(ws);
        }
    }
    Ok((grant.org, ids))
}

/// Links exactly `wanted` teams to the workspace.
fn set_groups(c: &Conn, id: WorkspaceId, wanted: &[uuid::Uuid]) -> AppResult<()> {
    let ws = workspaces::get(c, id)?;
    for t in wanted {
        workspaces::link(c, &ws, LinkKind::Team, *t)?;
    }
    for t in workspaces::targets(c, id, LinkKind::Team)? {
        if !wanted.contains(&t) {
            workspaces::unlink(c, id, LinkKind::Team, t)?;
        }
    }
    Ok(())
}

impl Directory {
    /// The org's projects the caller may read: all of them with the org-wide
    /// key, else those its teams give it read access to.
    pub async fn list_projects(&self, p: &Principal, org: uuid::Uuid) -> AppResult<Vec<Project>> {
        let scope = acl::org_scope(p, org, Endpoint::Projects, Op::Read);
        let p = p.clone();
        self.db()
            .read(move |c| {
                let rows = match scope {
                    Ok(known) => store::list(c, org_row(c, org, known)?, None)?,
                    Err(AppError::Forbidden) => {
                        let (org_id, ids) = reachable(c, &p, org, Endpoint::Projects, Op::Read)?;
                        store::list(c, org_id, Some(&ids))?
                    }
                    Err(e) => return Err(e),
                };
                rows.into_iter().map(|r| view(c, r)).collect()
            })
            .await
    }

    pub async fn get_project(&self, p: &Principal, org: uuid::Uuid, id: uuid::Uuid) -> AppResult<Project> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                let (_, row) = project_in(c, &p, org, id, Endpoint::Projects, Op::Read)?;
                view(c, row)
            })
            .await
    }

    /// Creates the workspace in state `provisioning`.
    pub async fn create_project(&self, p: &Principal, org: uuid::Uuid, body: ProjectWrite) -> AppResult<Project> {
        let known = acl::org_scope(p, org, Endpoint::Projects, Op::Create)?;
        let meta = body.metadata.check()?;
        let groups = body_ids("spec.groupIDs", &body.spec.group_ids)?;
        let me = p.user;
        self.db()
            .write(move |c| {
                let org_id = org_row(c, org, known)?;
                if store::name_taken(c, org_id, &meta.name, None)? {
                    return Err(AppError::conflict("a project with this name already exists"));
                }
                live_groups(c, org_id, &groups)?;
                let id = workspaces::insert(c, org_id, me, &meta.name, &meta.description)?;
                store::set_tags(c, id, &meta.tags)?;
                store::set_provisioning(c, id, "provisioning")?;
                set_groups(c, id, &groups)?;
                let row = store::get(c, org_id, workspaces::get(c, id)?.uuid)?.ok_or(AppError::NotFound)?;
                audit::record(
                    c,
                    Event::new(EventKind::WorkspaceCreate, Some(me))
                        .org(org_id)
                        .on(row.uuid)
                        .describe(format!("project {} created", meta.name))
                        .meta(serde_json::json!({ "groups": groups })),
                )?;
                view(c, row)
            })
            .await
    }

    /// Replaces name, description, tags and groups.
    pub async fn update_project(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        id: uuid::Uuid,
        body: ProjectWrite,
    ) -> AppResult<()> {
        let renamed = body.metadata.check();
        let meta = body.metadata.check_keeping_name();
        let groups = body_ids("spec.groupIDs", &body.spec.group_ids);
        let p = p.clone();
        self.db()
            .write(move |c| {
                let (org_id, row) = project_in(c, &p, org, id, Endpoint::Projects, Op::Update)?;
                let (mut meta, groups) = (meta?, groups?);
                // A Layer5 workspace's name (spaces allowed there) may be kept.
                crate::model::keep_or_rename(&mut meta.name, &row.name, renamed)?;
                if store::name_taken(c, org_id, &meta.name, Some(row.id))? {
                    return Err(AppError::conflict("a project with this name already exists"));
                }
                live_groups(c, org_id, &groups)?;
                workspaces::update(c, row.id, &meta.name, &meta.description)?;
                store::set_tags(c, row.id, &meta.tags)?;
                set_groups(c, row.id, &groups)?;
                audit::record(
                    c,
                    Event::new(EventKind::WorkspaceUpdate, Some(p.user))
                        .org(org_id)
                        .on(row.uuid)
                        .describe(format!("project {} updated", meta.name))
                        .meta(serde_json::json!({ "groups": groups })),
                )
            })
            .await
    }

    /// Marks the project `deprovisioning`; the provisioning job removes it.
    pub async fn delete_project(&self, p: &Principal, org: uuid::Uuid, id: uuid::Uuid) -> AppResult<()> {
        let p = p.clone();
        self.db()
            .write(move |c| {
                let (org_id, row) = project_in(c, &p, org, id, Endpoint::Projects, Op::Delete)?;
                store::set_provisioning(c, row.id, "deprovisioning")?;
                audit::record(
                    c,
                    Event::new(EventKind::WorkspaceDeprovision, Some(p.user))
                        .org(org_id)
                        .on(row.uuid)
                        .describe(format!("project {} is being deleted", row.name)),
                )
            })
            .await
    }
}
