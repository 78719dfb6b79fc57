//! Allocations: what a resource of a project commits and reserves of each
//! kind. Every write checks the organization's quotas in its own write
//! transaction, so two concurrent writes cannot both squeeze under a limit.

use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};

use super::Directory;
use super::acl::{self, Endpoint, Op};
use super::lookup::org_row;
use super::projects::{project_in, reachable};
use super::quotas::{MAX_AMOUNT, current_limits, ensure_within};
use crate::model::CheckedMetadata;
use crate::model::projects::AllocationWrite;
use crate::store::allocations::{self as store, AllocationRow, Item, NewAllocation};

/// An allocation body checked: `(metadata, resource kind, resource id, items)`.
struct Checked {
    meta: CheckedMetadata,
    kind: String,
    id: String,
    items: Vec<Item>,
}

fn check(body: AllocationWrite) -> AppResult<Checked> {
    let meta = body.metadata.check()?;
    let kind = validate::name("spec.kind", &body.spec.kind, 253)?;
    let id = validate::name("spec.id", &body.spec.id, 253)?;
    let mut items: Vec<Item> = Vec::with_capacity(body.spec.allocations.len());
    for a in body.spec.allocations {
        let k = validate::name("spec.allocations[].kind", &a.kind, 63)?;
        let range = 0..=MAX_AMOUNT;
        if !range.contains(&a.committed) || !range.contains(&a.reserved) {
            return Err(AppError::validation(format!(
                "spec.allocations: {k} must commit and reserve between 0 and {MAX_AMOUNT}"
            )));
        }
        if items.iter().any(|i| i.kind == k) {
            return Err(AppError::validation(format!("spec.allocations: {k} is listed twice")));
        }
        items.push(Item { kind: k, committed: a.committed, reserved: a.reserved });
    }
    Ok(Checked { meta, kind, id, items })
}

impl Directory {
    /// Every allocation of the org the caller may read: all with the
    /// org-wide key, else those of the projects its teams let it read them in.
    pub async fn list_allocations(&self, p: &Principal, org: uuid::Uuid) -> AppResult<Vec<AllocationRow>> {
        let scope = acl::org_scope(p, org, Endpoint::Allocations, Op::Read);
        let p = p.clone();
        self.db()
            .read(move |c| match scope {
                Ok(known) => store::list(c, org_row(c, org, known)?, None),
                Err(AppError::Forbidden) => {
                    let (org_id, ids) = reachable(c, &p, org, Endpoint::Allocations, Op::Read)?;
                    store::list(c, org_id, Some(&ids))
                }
                Err(e) => Err(e),
            })
            .await
    }

    pub async fn get_allocation(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        project: uuid::Uuid,
        id: uuid::Uuid,
    ) -> AppResult<AllocationRow> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                let (_, ws) = project_in(c, &p, org, project, Endpoint::Allocations, Op::Read)?;
                store::get(c, ws.id, id)?.ok_or(AppError::NotFound)
            })
            .await
    }

    pub async fn create_allocation(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        project: uuid::Uuid,
        body: AllocationWrite,
    ) -> AppResult<AllocationRow> {
        let checked = check(body);
        let p = p.clone();
        self.db()
            .write(move |c| {
                let (org_id, ws) = project_in(c, &p, org, project, Endpoint::Allocations, Op::Create)?;
                let a = checked?;
                ensure_within(c, org_id, &current_limits(c, org_id)?, None, &a.items)?;
                let new = NewAllocation {
                    org: org_id,
                    workspace: ws.id,
                    meta: &a.meta,
                    resource_kind: &a.kind,
                    resource_id: &a.id,
                    actor: p.user,
                };
                let (_, uuid) = store::insert(c, &new, &a.items)?;
                audit::record(
                    c,
                    Event::new(EventKind::AllocationCreate, Some(p.user))
                        .org(org_id)
                        .on(uuid)
                        .describe(format!("allocation {} created in project {}", a.meta.name, ws.name))
                        .meta(serde_json::json!({ "project": ws.uuid })),
                )?;
                store::get(c, ws.id, uuid)?.ok_or(AppError::NotFound)
            })
            .await
    }

    /// Replaces the allocation; the quota check counts the new one in place
    /// of the old.
    pub async fn update_allocation(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        project: uuid::Uuid,
        id: uuid::Uuid,
        body: AllocationWrite,
    ) -> AppResult<AllocationRow> {
        let checked = check(body);
        let p = p.clone();
        self.db()
            .write(move |c| {
                let (org_id, ws) = project_in(c, &p, org, project, Endpoint::Allocations, Op::Update)?;
                let old = store::get(c, ws.id, id)?.ok_or(AppError::NotFound)?;
                let a = checked?;
                ensure_within(c, org_id, &current_limits(c, org_id)?, Some(old.id), &a.items)?;
                let new = NewAllocation {
                    org: org_id,
                    workspace: ws.id,
                    meta: &a.meta,
                    resource_kind: &a.kind,
                    resource_id: &a.id,
                    actor: p.user,
                };
                store::update(c, old.id, &new, &a.items)?;
                audit::record(
                    c,
                    Event::new(EventKind::AllocationUpdate, Some(p.user))
                        .org(org_id)
                        .on(id)
                        .describe(format!("allocation {} updated in project {}", a.meta.name, ws.name))
                        .meta(serde_json::json!({ "project": ws.uuid })),
                )?;
                store::get(c, ws.id, id)?.ok_or(AppError::NotFound)
            })
            .await
    }

    pub async fn delete_allocation(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        project: uuid::Uuid,
        id: uuid::Uuid,
    ) -> AppResult<()> {
        let p = p.clone();
        self.db()
            .write(move |c| {
                let (org_id, ws) = project_in(c, &p, org, project, Endpoint::Allocations, Op::Delete)?;
                let old = store::get(c, ws.id, id)?.ok_or(AppError::NotFound)?;
                store::delete(c, old.id)?;
                audit::record(
                    c,
                    Event::new(EventKind::AllocationDelete, Some(p.user))
                        .org(org_id)
                        .on(id)
                        .describe(format!("allocation {} deleted from project {}", old.name, ws.name))
                        .meta(serde_json::json!({ "project": ws.uuid })),
                )
            })
            .await
    }
}
