//! Environments: named groups of an org's connections.

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};

use super::connections::{ConnectionView, view};
use super::{Infra, Scope};
use crate::store::connections::{self, Filter};
use crate::store::environments::{self, EnvironmentRow};
use crate::store::workspaces::{self, LinkKind};

fn check_name(n: &str) -> AppResult<String> {
    validate::name("name", n, 255)
}

fn check_description(d: &str) -> AppResult<String> {
    validate::text("description", d, 5000)
}

/// A live environment after checking `perm` in its org; other orgs' are "not found".
pub(crate) fn environment_for(c: &Conn, p: &Principal, id: uuid::Uuid, perm: Perm) -> AppResult<EnvironmentRow> {
    let env = environments::by_uuid(c, id)?.ok_or(AppError::NotFound)?;
    p.require(env.org_uuid, perm)?;
    Ok(env)
}

impl Infra {
    pub async fn list_environments(&self, scope: Scope, req: PageRequest) -> AppResult<Page<EnvironmentRow>> {
        self.db().read(move |c| environments::list(c, scope.id, None, &req)).await
    }

    pub async fn create_environment(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        name: &str,
        description: Option<&str>,
    ) -> AppResult<EnvironmentRow> {
        let name = check_name(name)?;
        let description = description.map(check_description).transpose()?.unwrap_or_default();
        let scope = self.org(p, org, Perm::EnvironmentsCreate).await?;
        let me = p.user;
        self.db()
            .write(move |c| {
                meshcloud_kernel::entitle::admit(
                    c,
                    scope.id,
                    meshcloud_kernel::entitle::Feature::EnvironmentsInOrganization,
                )?;
                let id = environments::insert(c, scope.id, me, &name, &description)?;
                let env = environments::get(c, id)?;
                audit::record(
                    c,
                    Event::new(EventKind::EnvironmentCreate, Some(me))
                        .org(scope.id)
                        .on(env.uuid)
                        .describe(format!("environment {name} created")),
                )?;
                Ok(env)
            })
            .await
    }

    pub async fn get_environment(&self, p: &Principal, id: uuid::Uuid) -> AppResult<EnvironmentRow> {
        let p = p.clone();
        self.db().read(move |c| environment_for(c, &p, id, Perm::EnvironmentsRead)).await
    }

    /// `organization_id` cannot change: naming another org is a 400.
    pub async fn update_environment(
        &self,
        p: &Principal,
        id: uuid::Uuid,
        org: uuid::Uuid,
        name: &str,
        description: Option<&str>,
    ) -> AppResult<EnvironmentRow> {
        let name = check_name(name)?;
        let description = description.map(check_description).transpose()?;
        let p = p.clone();
        self.db()
            .write(move |c| {
                let env = environment_for(c, &p, id, Perm::EnvironmentsUpdate)?;
                if env.org_uuid != org {
                    return Err(AppError::validation("organization_id cannot be changed"));
                }
                environments::update(c, env.id, &name, description.as_deref().unwrap_or(&env.description))?;
                audit::record(
                    c,
                    Event::new(EventKind::EnvironmentUpdate, Some(p.user))
                        .org(env.org)
                        .on(env.uuid)
                        .describe(format!("environment {name} updated")),
                )?;
                environments::get(c, env.id)
            })
            .await
    }

    /// Soft delete; the environment's connection and workspace links go with it.
    pub async fn delete_environment(&self, p: &Principal, id: uuid::Uuid) -> AppResult<()> {
        let p = p.clone();
        self.db()
            .write(move |c| {
                let env = environment_for(c, &p, id, Perm::EnvironmentsDelete)?;
                let holders = workspaces::holding(c, LinkKind::Environment, env.uuid)?;
                environments::delete(c, env.id, env.uuid)?;
                for ws in holders {
                    audit::record(
                        c,
                        Event::new(EventKind::WorkspaceUnassignEnvironment, Some(p.user))
                            .org(ws.org)
                            .on(ws.uuid)
                            .describe(format!("environment {} removed from workspace {} (deleted)", env.name, ws.name))
                            .meta(serde_json::json!({ "kind": "environment", "target": env.uuid })),
                    )?;
                }
                audit::record(
                    c,
                    Event::new(EventKind::EnvironmentDelete, Some(p.user))
                        .org(env.org)
                        .on(env.uuid)
                        .describe(format!("environment {} deleted", env.name)),
                )
            })
            .await
    }

    pub async fn environment_connections(
        &self,
        p: &Principal,
        id: uuid::Uuid,
        mut filter: Filter,
        req: PageRequest,
    ) -> AppResult<Page<ConnectionView>> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                let env = environment_for(c, &p, id, Perm::EnvironmentsRead)?;
                p.require(env.org_uuid, Perm::ConnectionsRead)?;
                filter.environment = Some(env.id);
                let page = connections::list(c, env.org, &filter, &req)?;
                let items = page.items.into_iter().map(|r| view(c, r)).collect::<AppResult<Vec<_>>>()?;
                Ok(Page { items, total: page.total })
            })
            .await
    }

    /// Attaches (`attach`) or detaches a connection of the same org.
    pub async fn set_environment_connection(
        &self,
        p: &Principal,
        env: uuid::Uuid,
        connection: uuid::Uuid,
        attach: bool,
    ) -> AppResult<()> {
        let p = p.clone();
        self.db()
            .write(move |c| {
                let e = environment_for(c, &p, env, Perm::EnvironmentsUpdate)?;
                // A connection of another org is "not found" here, whatever the caller may see elsewhere.
                let conn = connections::by_uuid_in(c, e.org, connection)?.ok_or(AppError::NotFound)?;
                let changed = if attach {
                    environments::attach(c, e.id, conn.id)?
                } else {
                    environments::detach(c, e.id, conn.id)?
                };
                if !attach && !changed {
                    return Err(AppError::NotFound);
                }
                if changed {
                    let verb = if attach {
                        EventKind::EnvironmentAddConnection
                    } else {
                        EventKind::EnvironmentRemoveConnection
                    };
                    audit::record(
                        c,
                        Event::new(verb, Some(p.user)).org(e.org).on(e.uuid).describe(format!(
                            "connection {} {} environment {}",
                            conn.name,
                            if attach { "added to" } else { "removed from" },
                            e.name
                        )),
                    )?;
                }
                Ok(())
            })
            .await
    }
}
