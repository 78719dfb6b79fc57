//! Workspaces and what they hold: environments, teams, designs and views.

use meshcloud_identity::core::teams::TeamRow;
use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};
use meshcloud_ops::core::events::{self as events, EventRow};

use super::{Infra, Scope};
use crate::store::environments::{self, EnvironmentRow};
use crate::store::workspaces::{self, LinkKind, LinkRow, WorkspaceRow};

/// The JSON `filter` of workspace lists: `{"deleted": true}` lists
/// soft-deleted workspaces; on link lists `{"assigned": false}` lists what
/// could be linked instead of what is.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceFilter {
    #[serde(default)]
    pub deleted: bool,
    pub assigned: Option<bool>,
}

/// The reference documents no 400 for its lists: a filter that is not such an
/// object is ignored, as a list ignores every parameter it cannot understand.
pub fn parse_filter(raw: Option<&str>) -> WorkspaceFilter {
    raw.map(str::trim).filter(|s| !s.is_empty()).and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default()
}

fn check_name(n: &str) -> AppResult<String> {
    validate::name("name", n, 255)
}

fn check_description(d: &str) -> AppResult<String> {
    validate::text("description", d, 5000)
}

fn workspace_for(c: &Conn, p: &Principal, id: uuid::Uuid, perm: Perm) -> AppResult<WorkspaceRow> {
    let ws = workspaces::by_uuid(c, id)?.ok_or(AppError::NotFound)?;
    p.require(ws.org_uuid, perm)?;
    Ok(ws)
}

/// A page of linked items of a kind whose rows live elsewhere.
pub enum Linked {
    Environments(Page<EnvironmentRow>),
    Teams(Page<TeamRow>),
    Ids(Page<LinkRow>),
}

impl Infra {
    pub async fn list_workspaces(
        &self,
        scope: Scope,
        deleted: bool,
        req: PageRequest,
    ) -> AppResult<Page<WorkspaceRow>> {
        self.db().read(move |c| workspaces::list(c, scope.id, deleted, &req)).await
    }

    pub async fn create_workspace(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        name: &str,
        description: Option<&str>,
    ) -> AppResult<WorkspaceRow> {
        let name = check_name(name)?;
        let description = description.map(check_description).transpose()?.unwrap_or_default();
        let scope = self.org(p, org, Perm::WorkspacesCreate).await?;
        let me = p.user;
        self.db()
            .write(move |c| {
                let id = crate::core::workspaces::insert(c, scope.id, me, &name, &description)?;
                let ws = workspaces::get(c, id)?;
                audit::record(
                    c,
                    Event::new(EventKind::WorkspaceCreate, Some(me))
                        .org(scope.id)
                        .on(ws.uuid)
                        .describe(format!("workspace {name} created")),
                )?;
                Ok(ws)
            })
            .await
    }

    pub async fn get_workspace(&self, p: &Principal, id: uuid::Uuid) -> AppResult<WorkspaceRow> {
        self.workspace_with(p, id, Perm::WorkspacesRead).await
    }

    async fn workspace_with(&self, p: &Principal, id: uuid::Uuid, perm: Perm) -> AppResult<WorkspaceRow> {
        let p = p.clone();
        self.db().read(move |c| workspace_for(c, &p, id, perm)).await
    }

    pub async fn update_workspace(
        &self,
        p: &Principal,
        id: uuid::Uuid,
        org: uuid::Uuid,
        name: Option<&str>,
        description: Option<&str>,
    ) -> AppResult<WorkspaceRow> {
        let name = name.map(check_name).transpose()?;
        let description = description.map(check_description).transpose()?;
        let p = p.clone();
        self.db()
            .write(move |c| {
                let ws = workspace_for(c, &p, id, Perm::WorkspacesUpdate)?;
                if ws.org_uuid != org {
                    return Err(AppError::validation("organization_id cannot be changed"));
                }
                let name = name.unwrap_or_else(|| ws.name.clone());
                workspaces::update(c, ws.id, &name, description.as_deref().unwrap_or(&ws.description))?;
                audit::record(
                    c,
                    Event::new(EventKind::WorkspaceUpdate, Some(p.user))
                        .org(ws.org)
                        .on(ws.uuid)
                        .describe(format!("workspace {name} updated")),
                )?;
                workspaces::get(c, ws.id)
            })
            .await
    }

    pub async fn delete_workspace(&self, p: &Principal, id: uuid::Uuid) -> AppResult<()> {
        let p = p.clone();
        self.db()
            .write(move |c| {
                let ws = workspace_for(c, &p, id, Perm::WorkspacesDelete)?;
                workspaces::delete(c, ws.id)?;
                audit::record(
                    c,
                    Event::new(EventKind::WorkspaceDelete, Some(p.user))
                        .org(ws.org)
                        .on(ws.uuid)
                        .describe(format!("workspace {} deleted", ws.name)),
                )
            })
            .await
    }

    /// Links `target` to the workspace. Environments and teams must belong to
    /// the workspace's org ("not found" otherwise); designs and views are kept
    /// by id until their family exists.
    pub async fn link(&self, p: &Principal, id: uuid::Uuid, kind: LinkKind, target: uuid::Uuid) -> AppResult<LinkRow> {
        let team = match kind {
            LinkKind::Team => {
                let ws = self.workspace_with(p, id, Perm::WorkspacesUpdate).await?;
                Some(self.identity().team_in_org(ws.org, target).await?.ok_or(AppError::NotFound)?)
            }
            _ => None,
        };
        let p = p.clone();
        self.db()
            .write(move |c| {
                let ws = workspace_for(c, &p, id, Perm::WorkspacesUpdate)?;
                let label = match kind {
                    LinkKind::Environment => {
                        let env =
                            environments::by_uuid(c, target)?.filter(|e| e.org == ws.org).ok_or(AppError::NotFound)?;
                        format!("environment {}", env.name)
                    }
                    LinkKind::Team => format!("team {}", team.as_ref().map_or("", |t| t.name.as_str())),
                    LinkKind::Design | LinkKind::View => format!("{} {target}", kind.as_str()),
                };
                let (row, added) = crate::core::workspaces::link(c, &ws, kind, target)?;
                if added {
                    audit::record(
                        c,
                        Event::new(kind.assigned(), Some(p.user))
                            .org(ws.org)
                            .on(ws.uuid)
                            .describe(format!("{label} assigned to workspace {}", ws.name))
                            .meta(serde_json::json!({ "kind": kind.as_str(), "target": target })),
                    )?;
                }
                Ok(row)
            })
            .await
    }

    pub async fn unlink(&self, p: &Principal, id: uuid::Uuid, kind: LinkKind, target: uuid::Uuid) -> AppResult<()> {
        // The team's name, for the event; a team deleted since is named by its id.
        let team = match kind {
            LinkKind::Team => {
                let ws = self.workspace_with(p, id, Perm::WorkspacesUpdate).await?;
                self.identity().team_in_org(ws.org, target).await?.map(|t| t.name)
            }
            _ => None,
        };
        let p = p.clone();
        self.db()
            .write(move |c| {
                let ws = workspace_for(c, &p, id, Perm::WorkspacesUpdate)?;
                if !workspaces::unlink(c, ws.id, kind, target)? {
                    return Err(AppError::NotFound);
                }
                let name = match kind {
                    LinkKind::Environment => environments::by_uuid(c, target)?.map(|e| e.name),
                    LinkKind::Team => team,
                    LinkKind::Design | LinkKind::View => None,
                };
                let label = format!("{} {}", kind.as_str(), name.unwrap_or_else(|| target.to_string()));
                audit::record(
                    c,
                    Event::new(kind.unassigned(), Some(p.user))
                        .org(ws.org)
                        .on(ws.uuid)
                        .describe(format!("{label} removed from workspace {}", ws.name))
                        .meta(serde_json::json!({ "kind": kind.as_str(), "target": target })),
                )
            })
            .await
    }

    /// What the workspace holds of one kind (or, `assigned == false`, what it could).
    pub async fn linked(
        &self,
        p: &Principal,
        id: uuid::Uuid,
        kind: LinkKind,
        assigned: bool,
        req: PageRequest,
    ) -> AppResult<Linked> {
        let ws = self.get_workspace(p, id).await?;
        // Listing what a workspace holds shows those items too.
        match kind {
            LinkKind::Environment => p.require(ws.org_uuid, Perm::EnvironmentsRead)?,
            LinkKind::Team => p.require(ws.org_uuid, Perm::TeamsRead)?,
            LinkKind::Design => p.require(ws.org_uuid, Perm::DesignsRead)?,
            LinkKind::View => p.require(ws.org_uuid, Perm::DesignsRead)?,
        };
        match kind {
            LinkKind::Environment => {
                let env = self.db().read(move |c| environments::list(c, ws.org, Some((ws.id, assigned)), &req)).await?;
                Ok(Linked::Environments(env))
            }
            LinkKind::Team => {
                let ids = self.db().read(move |c| workspaces::targets(c, ws.id, LinkKind::Team)).await?;
                Ok(Linked::Teams(self.identity().teams_subset(ws.org, ids, assigned, req).await?))
            }
            LinkKind::Design | LinkKind::View if !assigned => Ok(Linked::Ids(Page { items: vec![], total: 0 })),
            LinkKind::Design | LinkKind::View => {
                Ok(Linked::Ids(self.db().read(move |c| workspaces::links(c, &ws, kind, &req)).await?))
            }
        }
    }

    /// The workspace's slice of the audit log: every event that acted upon it.
    pub async fn workspace_events(&self, p: &Principal, id: uuid::Uuid, req: PageRequest) -> AppResult<Page<EventRow>> {
        let ws = self.get_workspace(p, id).await?;
        p.require(ws.org_uuid, Perm::EventsRead)?;
        self.db().read(move |c| events::about(c, ws.org, "workspace", ws.uuid, &req)).await
    }
}
