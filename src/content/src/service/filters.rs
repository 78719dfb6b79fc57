//! Filters: Meshery's filter records (`MesheryFilter`: the filter itself in
//! `filter_file`, base64 or text as the client sends it, and its
//! configuration in `filter_resource`), with the visibility and sharing rules
//! of designs (`service::access`). The reference has get and clone only;
//! create/update (by id), list and delete are meshcloud extensions.

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, ids::new_uuid, validate};

use super::access::{self, Item, Kind, Need};
use super::designs::may_set_visibility;
use super::views::{ItemListInput, check_visibility, object};
use super::{Content, Scope};
use crate::store::filters::{self, FilterFields, FilterRow};
use crate::store::views::Filter;

const NAME_MAX: usize = 255;
/// `filter_file` (the WASM module, base64, or its source), as text.
pub const FILE_MAX: usize = 2 * 1024 * 1024;
/// `filter_resource` (the filter's configuration).
pub const RESOURCE_MAX: usize = 256 * 1024;

/// A save of a filter: absent fields keep their value (or their default).
#[derive(Debug, Clone, Default)]
pub struct FilterInput {
    /// The filter to update; an id no filter has yet creates it with that id.
    pub id: Option<uuid::Uuid>,
    pub name: Option<String>,
    pub filter_file: Option<String>,
    pub filter_resource: Option<String>,
    pub visibility: Option<String>,
    pub location: Option<serde_json::Value>,
}

fn sized(field: &str, v: String, max: usize) -> AppResult<String> {
    if v.len() > max {
        return Err(AppError::validation(format!("{field} is larger than {max} bytes")));
    }
    Ok(v)
}

fn item(f: &FilterRow) -> Item<'_> {
    Item { kind: Kind::Filter, uuid: f.uuid, org_uuid: f.org_uuid, owner: f.owner, visibility: &f.visibility }
}

pub(crate) fn filter_for(c: &Conn, p: &Principal, id: uuid::Uuid, need: Need) -> AppResult<FilterRow> {
    let f = filters::by_uuid(c, id)?.ok_or(AppError::NotFound)?;
    access::check(c, p, item(&f), need)?;
    Ok(f)
}

fn event(kind: EventKind, p: &Principal, f: &FilterRow, what: String) -> Event {
    Event::new(kind, Some(p.user)).org(f.org).on(f.uuid).describe(what)
}

fn create(
    c: &Conn,
    p: &Principal,
    scope: Scope,
    id: Option<uuid::Uuid>,
    fields: &FilterFields,
    what: String,
) -> AppResult<FilterRow> {
    let uuid = match id {
        Some(id) if filters::uuid_taken(c, id)? => return Err(AppError::NotFound),
        Some(id) => id,
        None => new_uuid(),
    };
    let row_id = filters::insert(c, uuid, scope.id, p.user, fields)?;
    let row = filters::get(c, row_id)?;
    audit::record(c, event(EventKind::FilterCreate, p, &row, what))?;
    Ok(row)
}

impl Content {
    pub async fn list_filters(
        &self,
        p: &Principal,
        header: Option<&str>,
        input: ItemListInput,
        req: PageRequest,
    ) -> AppResult<Page<FilterRow>> {
        let scope = self.scope(p, header, input.org.as_deref(), Perm::FiltersRead).await?;
        let all_private = p.may(scope.uuid, Perm::FiltersUpdate);
        let p = p.clone();
        self.db()
            .read(move |c| {
                let shared_with = if input.shared { Some(access::actors(c, &p)?) } else { None };
                let f = Filter { visibility: input.known_visibilities(), owner: input.owner, shared_with };
                filters::list(c, scope.id, p.user, all_private, &f, &req)
            })
            .await
    }

    pub async fn get_filter(&self, p: &Principal, id: uuid::Uuid) -> AppResult<FilterRow> {
        let p = p.clone();
        self.db().read(move |c| filter_for(c, &p, id, Need::See)).await
    }

    /// Creates a filter, or updates the one `input.id` names.
    pub async fn save_filter(&self, p: &Principal, header: Option<&str>, input: FilterInput) -> AppResult<FilterRow> {
        let name = match input.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => Some(validate::name("name", n, NAME_MAX)?),
            None => None,
        };
        let visibility = input.visibility.as_deref().map(check_visibility).transpose()?;
        let file = input.filter_file.map(|f| sized("filter_file", f, FILE_MAX)).transpose()?;
        let resource = input.filter_resource.map(|r| sized("filter_resource", r, RESOURCE_MAX)).transpose()?;
        let location = input.location.map(|l| object("location", l)).transpose()?;
        let p = p.clone();
        let known = match input.id {
            Some(id) => self.db().read(move |c| filters::uuid_taken(c, id)).await?,
            None => false,
        };
        if let (Some(id), true) = (input.id, known) {
            return self
                .db()
                .write(move |c| {
                    let f = filter_for(c, &p, id, Need::Edit)?;
                    let fields = FilterFields {
                        name: name.unwrap_or_else(|| f.name.clone()),
                        visibility: visibility.unwrap_or_else(|| f.visibility.clone()),
                        filter_file: file.unwrap_or_else(|| f.filter_file.clone()),
                        filter_resource: resource.unwrap_or_else(|| f.filter_resource.clone()),
                        location: location.unwrap_or_else(|| f.location.clone()),
                    };
                    may_set_visibility(&p, f.org_uuid, &f.visibility, &fields.visibility)?;
                    access::may_change_visibility(&p, item(&f), &fields.visibility)?;
                    let same = fields.name == f.name
                        && fields.visibility == f.visibility
                        && fields.filter_file == f.filter_file
                        && fields.filter_resource == f.filter_resource
                        && fields.location == f.location;
                    if same {
                        return Ok(f);
                    }
                    filters::update(c, f.id, &fields)?;
                    let row = filters::get(c, f.id)?;
                    let what = format!("filter {} changed", row.name);
                    audit::record(c, event(EventKind::FilterUpdate, &p, &row, what))?;
                    Ok(row)
                })
                .await;
        }
        let name = name.ok_or_else(|| AppError::validation("name is required to create a filter"))?;
        let scope = self.scope(&p, header, None, Perm::FiltersCreate).await?;
        let fields = FilterFields {
            name,
            visibility: visibility.unwrap_or_else(|| "private".into()),
            filter_file: file.unwrap_or_default(),
            filter_resource: resource.unwrap_or_default(),
            location: location.unwrap_or_else(|| serde_json::json!({})),
        };
        may_set_visibility(&p, scope.uuid, "private", &fields.visibility)?;
        let id = input.id;
        self.db()
            .write(move |c| {
                let what = format!("filter {} created", fields.name);
                create(c, &p, scope, id, &fields, what)
            })
            .await
    }

    /// A private copy of a filter the caller can see (a published one of
    /// another organization included), owned by them, in the organization in
    /// context.
    pub async fn clone_filter(&self, p: &Principal, header: Option<&str>, id: uuid::Uuid) -> AppResult<FilterRow> {
        let scope = self.scope(p, header, None, Perm::FiltersCreate).await?;
        let p = p.clone();
        self.db()
            .write(move |c| {
                let from = filter_for(c, &p, id, Need::See)?;
                let fields = FilterFields {
                    name: format!("{} (Copy)", from.name).chars().take(NAME_MAX).collect(),
                    visibility: "private".into(),
                    filter_file: from.filter_file.clone(),
                    filter_resource: from.filter_resource.clone(),
                    location: from.location.clone(),
                };
                let what = format!("filter {} cloned from {}", fields.name, from.uuid);
                create(c, &p, scope, None, &fields, what)
            })
            .await
    }

    pub async fn delete_filter(&self, p: &Principal, id: uuid::Uuid) -> AppResult<()> {
        let p = p.clone();
        self.db()
            .write(move |c| {
                let f = filter_for(c, &p, id, Need::Delete)?;
                filters::delete(c, f.id)?;
                audit::record(c, event(EventKind::FilterDelete, &p, &f, format!("filter {} deleted", f.name)))
            })
            .await
    }
}
