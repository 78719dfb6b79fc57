//! Designs: save (create or update by id), read, list, clone, delete, and the
//! versions a saved change leaves behind.
//!
//! Who sees a design: a `published` one, everyone signed in; a `public` one,
//! the members of its organization holding `content.designs.read`; a
//! `private` one, its owner and those who may change the organization's
//! designs (`content.designs.update`); and those it is shared with (see
//! `service::access`). Anyone else gets "not found", so a design's existence
//! does not leak across owners or organizations.

use meshcloud_infra::core::workspaces as ws;
use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::entitle::{self, Feature};
use meshcloud_kernel::ids::OrgId;
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, ids::new_uuid, time, validate};
use serde_json::Value;

use super::access::{self, Item, Kind, Need};
use super::{Content, Scope};
use crate::model::design::{Design, bump_patch};
use crate::store::designs::{self, DesignRow, Filter, VersionRow};

pub const VISIBILITIES: [&str; 3] = ["private", "public", "published"];
const NAME_MAX: usize = 255;

/// A save request, as the face understood it.
#[derive(Debug, Clone, Default)]
pub struct SaveInput {
    /// The design to update (`patternData.id` or the body's `id`); none: create.
    pub id: Option<uuid::Uuid>,
    pub name: Option<String>,
    pub document: Option<Value>,
    pub visibility: Option<String>,
    /// `false`: validate and answer the design as it would be stored, storing nothing.
    pub save: bool,
}

/// What a list asks for beyond paging.
#[derive(Debug, Clone, Default)]
pub struct ListInput {
    pub org: Option<String>,
    pub visibility: Vec<String>,
    pub owner: Option<uuid::Uuid>,
    pub workspace: Option<uuid::Uuid>,
    /// The designs shared with the caller (from any organization) instead
    /// of the organization's own.
    pub shared: bool,
}

fn check_visibility(v: &str) -> AppResult<String> {
    let v = v.trim().to_ascii_lowercase();
    if VISIBILITIES.contains(&v.as_str()) {
        Ok(v)
    } else {
        Err(AppError::validation("visibility must be one of private, public, published"))
    }
}

/// `MAJOR.MINOR.PATCH` (a leading `v` allowed), normalised.
fn semver(v: &str) -> Option<String> {
    let parts: Vec<&str> = v.trim().trim_start_matches('v').split('.').collect();
    let nums: Vec<u64> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    (parts.len() == 3 && nums.len() == 3).then(|| format!("{}.{}.{}", nums[0], nums[1], nums[2]))
}

/// The design document of a request: an object that parses as a design.
pub fn parse_document(v: Value) -> AppResult<Design> {
    validate::json_object("patternData", &v)?;
    serde_json::from_value(v).map_err(|e| AppError::validation(format!("patternData is not a design: {e}")))
}

/// The document as stored: its id, name and version are the design's.
fn stored(mut d: Design, id: uuid::Uuid, name: &str, version: &str) -> AppResult<Value> {
    d.id = id.to_string();
    d.name = name.to_string();
    d.version = version.to_string();
    serde_json::to_value(d).map_err(AppError::internal)
}

/// Whether a design document is within the org's per-design limits.
fn fits(c: &Conn, org: OrgId, document: &Value) -> AppResult<()> {
    let len = |k: &str| document.get(k).and_then(Value::as_array).map_or(0, |a| a.len() as i64);
    entitle::within(c, org, Feature::ComponentsInDesign, len("components"))?;
    entitle::within(c, org, Feature::RelationshipsInDesign, len("relationships"))?;
    entitle::within(c, org, Feature::SizePerDesign, document.to_string().len() as i64)
}

pub(crate) fn item(d: &DesignRow) -> Item<'_> {
    Item { kind: Kind::Design, uuid: d.uuid, org_uuid: d.org_uuid, owner: d.owner, visibility: &d.visibility }
}

/// Whether `p` sees every private design of `org` in a list, not only their
/// own (the list side of `access::check`).
pub(super) fn sees_all_private(p: &Principal, org: uuid::Uuid) -> bool {
    p.may(org, Perm::DesignsUpdate)
}

pub(crate) fn design_for(c: &Conn, p: &Principal, id: uuid::Uuid, need: Need) -> AppResult<DesignRow> {
    let d = designs::by_uuid(c, id)?.ok_or(AppError::NotFound)?;
    access::check(c, p, item(&d), need)?;
    Ok(d)
}

/// `published` is the catalog's to give and take: a save may set it, or
/// move a design out of it, only for those who approve publications.
pub(crate) fn may_set_visibility(p: &Principal, org: uuid::Uuid, from: &str, to: &str) -> AppResult<()> {
    if from != to && (from == "published" || to == "published") && !p.may(org, Perm::CatalogApprove) {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

fn event(kind: EventKind, p: &Principal, d: &DesignRow, what: String) -> Event {
    Event::new(kind, Some(p.user))
        .org(d.org)
        .on(d.uuid)
        .describe(what)
        .meta(serde_json::json!({ "version": d.version }))
}

impl Content {
    /// Creates a design, or updates the one named by `input.id`. A changed
    /// document gets the next patch version and is kept as that version; an
    /// unchanged one keeps its version (a visibility change alone is no new
    /// version).
    pub async fn save_design(&self, p: &Principal, header: Option<&str>, input: SaveInput) -> AppResult<DesignRow> {
        let doc = parse_document(input.document.unwrap_or_else(|| serde_json::json!({})))?;
        let name = input.name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| doc.name.clone());
        let name = validate::name("name", &name, NAME_MAX)?;
        let visibility = input.visibility.as_deref().map(check_visibility).transpose()?;
        let p = p.clone();
        let known = match input.id {
            Some(id) => self.db().read(move |c| designs::uuid_taken(c, id)).await?,
            None => false,
        };
        if let (Some(id), true) = (input.id, known) {
            let save = input.save;
            return self
                .db()
                .write(move |c| {
                    let d = design_for(c, &p, id, Need::Edit)?;
                    let visibility = visibility.unwrap_or_else(|| d.visibility.clone());
                    may_set_visibility(&p, d.org_uuid, &d.visibility, &visibility)?;
                    access::may_change_visibility(&p, item(&d), &visibility)?;
                    let same = stored(doc.clone(), d.uuid, &name, &d.version)?;
                    let changed = same != d.document;
                    let version = if changed { bump_patch(&d.version) } else { d.version.clone() };
                    let document = stored(doc, d.uuid, &name, &version)?;
                    if !save {
                        return Ok(DesignRow { name, visibility, version, document, updated_at: time::now(), ..d });
                    }
                    if !changed && visibility == d.visibility {
                        return Ok(d);
                    }
                    if changed {
                        fits(c, d.org, &document)?;
                    }
                    designs::update(c, d.id, &name, &visibility, &version, &document, changed)?;
                    let row = designs::get(c, d.id)?;
                    let what = if changed {
                        format!("design {name} saved as version {version}")
                    } else {
                        format!("design {name} made {visibility}")
                    };
                    audit::record(c, event(EventKind::DesignUpdate, &p, &row, what))?;
                    Ok(row)
                })
                .await;
        }
        let version = semver(&doc.version)
            .ok_or_else(|| AppError::validation("patternData.version must be MAJOR.MINOR.PATCH"))?;
        let scope = self.scope(&p, header, None, Perm::DesignsCreate).await?;
        let visibility = visibility.unwrap_or_else(|| "private".into());
        may_set_visibility(&p, scope.uuid, "private", &visibility)?;
        if !input.save {
            let now = time::now();
            let uuid = input.id.unwrap_or_default();
            let document = stored(doc, uuid, &name, &version)?;
            return Ok(DesignRow {
                id: 0,
                uuid,
                org: scope.id,
                org_uuid: scope.uuid,
                owner: Some(p.user),
                owner_uuid: Some(p.user_uuid),
                name,
                visibility,
                version,
                document,
                catalog_data: serde_json::json!({}),
                location: serde_json::json!({}),
                created_at: now,
                updated_at: now,
            });
        }
        // An id no design has yet is the new design's (create or update by id).
        let id = input.id;
        self.db().write(move |c| create(c, &p, scope, id, doc, &name, &visibility, &version, None)).await
    }

    pub async fn get_design(&self, p: &Principal, id: uuid::Uuid) -> AppResult<DesignRow> {
        let p = p.clone();
        self.db().read(move |c| design_for(c, &p, id, Need::See)).await
    }

    pub async fn list_designs(
        &self,
        p: &Principal,
        header: Option<&str>,
        input: ListInput,
        req: PageRequest,
    ) -> AppResult<Page<DesignRow>> {
        let scope = self.scope(p, header, input.org.as_deref(), Perm::DesignsRead).await?;
        // Lists document no 400: a visibility they do not know is ignored.
        let visibility = input.visibility.iter().filter_map(|v| check_visibility(v).ok()).collect::<Vec<_>>();
        let all_private = sees_all_private(p, scope.uuid);
        let (me, owner, workspace, shared, p) = (p.user, input.owner, input.workspace, input.shared, p.clone());
        self.db()
            .read(move |c| {
                // A workspace that is not the org's holds none of its designs.
                let only = match workspace {
                    Some(w) => match ws::by_uuid(c, w)?.filter(|w| w.org == scope.id) {
                        Some(w) => {
                            p.require(scope.uuid, Perm::WorkspacesRead)?;
                            Some(ws::targets(c, w.id, ws::LinkKind::Design)?)
                        }
                        None => Some(vec![]),
                    },
                    None => None,
                };
                // Shared with the caller: from any organization.
                let shared_with = if shared { Some(access::actors(c, &p)?) } else { None };
                let f = Filter { visibility, owner, only, shared_with };
                designs::list(c, scope.id, me, all_private, &f, &req)
            })
            .await
    }

    /// A copy of a design the caller can see, owned by them, in the
    /// organization in context: private, at version 0.0.1, without the
    /// original's earlier versions.
    pub async fn clone_design(&self, p: &Principal, header: Option<&str>, id: uuid::Uuid) -> AppResult<DesignRow> {
        let scope = self.scope(p, header, None, Perm::DesignsCreate).await?;
        let p = p.clone();
        self.db()
            .write(move |c| {
                let from = design_for(c, &p, id, Need::See)?;
                let doc = parse_document(from.document.clone())?;
                let name: String = format!("{} (Copy)", from.name).chars().take(NAME_MAX).collect();
                create(c, &p, scope, None, doc, &name, "private", "0.0.1", Some(&from))
            })
            .await
    }

    /// Deletes designs (soft): all of them or, if one may not be deleted by
    /// the caller, none. With `skip_unknown` (bulk delete) ids the caller
    /// cannot see (gone already, or never theirs to see) are passed over.
    pub async fn delete_designs(&self, p: &Principal, ids: Vec<uuid::Uuid>, skip_unknown: bool) -> AppResult<()> {
        let p = p.clone();
        self.db()
            .write(move |c| {
                for id in ids {
                    let d = match design_for(c, &p, id, Need::Delete) {
                        Err(AppError::NotFound) if skip_unknown => continue,
                        other => other?,
                    };
                    designs::delete(c, d.id)?;
                    audit::record(c, event(EventKind::DesignDelete, &p, &d, format!("design {} deleted", d.name)))?;
                }
                Ok(())
            })
            .await
    }

    pub async fn design_versions(
        &self,
        p: &Principal,
        id: uuid::Uuid,
        req: PageRequest,
    ) -> AppResult<Page<VersionRow>> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                let d = design_for(c, &p, id, Need::See)?;
                designs::versions(c, d.id, &req)
            })
            .await
    }

    pub async fn design_version(&self, p: &Principal, id: uuid::Uuid, version: String) -> AppResult<VersionRow> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                let d = design_for(c, &p, id, Need::See)?;
                let v = semver(&version).unwrap_or(version);
                designs::version(c, d.id, &v)?.ok_or(AppError::NotFound)
            })
            .await
    }
}

#[allow(clippy::too_many_arguments)]
fn create(
    c: &Conn,
    p: &Principal,
    scope: Scope,
    id: Option<uuid::Uuid>,
    doc: Design,
    name: &str,
    visibility: &str,
    version: &str,
    from: Option<&DesignRow>,
) -> AppResult<DesignRow> {
    let uuid = match id {
        // Taken meanwhile (by a save racing this one): not found for this caller.
        Some(id) if designs::uuid_taken(c, id)? => return Err(AppError::NotFound),
        Some(id) => id,
        None => new_uuid(),
    };
    let document = stored(doc, uuid, name, version)?;
    entitle::admit(c, scope.id, Feature::DesignsInOrganization)?;
    fits(c, scope.id, &document)?;
    let id = designs::insert(c, uuid, scope.id, p.user, name, visibility, version, &document)?;
    let row = designs::get(c, id)?;
    let what = match from {
        Some(f) => format!("design {name} cloned from {}", f.uuid),
        None => format!("design {name} created"),
    };
    audit::record(c, event(EventKind::DesignCreate, p, &row, what))?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_three_numbers() {
        assert_eq!(semver("v1.2.3").as_deref(), Some("1.2.3"));
        assert_eq!(semver("0.0.1").as_deref(), Some("0.0.1"));
        assert!(semver("1.2").is_none() && semver("1.2.x").is_none() && semver("").is_none());
    }

    #[test]
    fn documents_must_be_designs() {
        assert!(parse_document(serde_json::json!([])).is_err());
        let e = parse_document(serde_json::json!({"components": "nope"})).err().map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("patternData")));
        assert!(parse_document(serde_json::json!({"name": "x"})).is_ok());
    }
}
