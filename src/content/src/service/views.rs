//! Views: named filter sets (Meshery's `MesheryView`), listed, read and
//! written by id (a PUT of an id no view has yet creates it). They follow
//! the visibility and sharing rules of designs (`service::access`).

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};
use serde_json::Value;

use super::Content;
use super::access::{self, Item, Kind, Need};
use super::designs::{VISIBILITIES, may_set_visibility};
use crate::store::views::{self, Filter, ViewRow};

const NAME_MAX: usize = 255;
/// A view's `filters` or `metadata`, as JSON text.
const OBJECT_MAX: usize = 64 * 1024;

/// What a list of views or filters asks for beyond paging.
#[derive(Debug, Clone, Default)]
pub struct ItemListInput {
    pub org: Option<String>,
    pub visibility: Vec<String>,
    pub owner: Option<uuid::Uuid>,
    /// Those shared with the caller (from any organization) instead of the org's own.
    pub shared: bool,
}

impl ItemListInput {
    /// The visibilities it names that exist (lists document no 400).
    pub fn known_visibilities(&self) -> Vec<String> {
        self.visibility
            .iter()
            .map(|v| v.trim().to_ascii_lowercase())
            .filter(|v| VISIBILITIES.contains(&v.as_str()))
            .collect()
    }
}

/// A PUT of a view: absent fields keep their value (or their default, for a new view).
#[derive(Debug, Clone, Default)]
pub struct ViewInput {
    pub name: Option<String>,
    pub filters: Option<Value>,
    pub visibility: Option<String>,
    pub metadata: Option<Value>,
}

pub(crate) fn check_visibility(v: &str) -> AppResult<String> {
    let v = v.trim().to_ascii_lowercase();
    if VISIBILITIES.contains(&v.as_str()) {
        Ok(v)
    } else {
        Err(AppError::validation("visibility must be one of private, public, published"))
    }
}

/// A JSON object field, within the size limit.
pub(crate) fn object(field: &str, v: Value) -> AppResult<Value> {
    validate::json_object(field, &v)?;
    if v.to_string().len() > OBJECT_MAX {
        return Err(AppError::validation(format!("{field} is larger than {OBJECT_MAX} bytes")));
    }
    Ok(v)
}

fn item(v: &ViewRow) -> Item<'_> {
    Item { kind: Kind::View, uuid: v.uuid, org_uuid: v.org_uuid, owner: v.owner, visibility: &v.visibility }
}

pub(crate) fn view_for(c: &Conn, p: &Principal, id: uuid::Uuid, need: Need) -> AppResult<ViewRow> {
    let v = views::by_uuid(c, id)?.ok_or(AppError::NotFound)?;
    access::check(c, p, item(&v), need)?;
    Ok(v)
}

fn event(kind: EventKind, p: &Principal, v: &ViewRow, what: String) -> Event {
    Event::new(kind, Some(p.user)).org(v.org).on(v.uuid).describe(what)
}

impl Content {
    pub async fn list_views(
        &self,
        p: &Principal,
        header: Option<&str>,
        input: ItemListInput,
        req: PageRequest,
    ) -> AppResult<Page<ViewRow>> {
        let scope = self.scope(p, header, input.org.as_deref(), Perm::ViewsRead).await?;
        let all_private = p.may(scope.uuid, Perm::ViewsUpdate);
        let p = p.clone();
        self.db()
            .read(move |c| {
                let shared_with = if input.shared { Some(access::actors(c, &p)?) } else { None };
                let f = Filter { visibility: input.known_visibilities(), owner: input.owner, shared_with };
                views::list(c, scope.id, p.user, all_private, &f, &req)
            })
            .await
    }

    pub async fn get_view(&self, p: &Principal, id: uuid::Uuid) -> AppResult<ViewRow> {
        let p = p.clone();
        self.db().read(move |c| view_for(c, &p, id, Need::See)).await
    }

    /// Updates the view `id`, or creates it (in the organization in context,
    /// owned by the caller) when no view has that id yet.
    pub async fn put_view(
        &self,
        p: &Principal,
        header: Option<&str>,
        id: uuid::Uuid,
        input: ViewInput,
    ) -> AppResult<ViewRow> {
        let name = match input.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => Some(validate::name("name", n, NAME_MAX)?),
            None => None,
        };
        let visibility = input.visibility.as_deref().map(check_visibility).transpose()?;
        let filters = input.filters.map(|v| object("filters", v)).transpose()?;
        let metadata = input.metadata.map(|v| object("metadata", v)).transpose()?;
        let known = self.db().read(move |c| views::uuid_taken(c, id)).await?;
        let p = p.clone();
        if known {
            return self
                .db()
                .write(move |c| {
                    let v = view_for(c, &p, id, Need::Edit)?;
                    let name = name.unwrap_or_else(|| v.name.clone());
                    let visibility = visibility.unwrap_or_else(|| v.visibility.clone());
                    may_set_visibility(&p, v.org_uuid, &v.visibility, &visibility)?;
                    access::may_change_visibility(&p, item(&v), &visibility)?;
                    let filters = filters.unwrap_or_else(|| v.filters.clone());
                    let metadata = metadata.unwrap_or_else(|| v.metadata.clone());
                    if name == v.name && visibility == v.visibility && filters == v.filters && metadata == v.metadata {
                        return Ok(v);
                    }
                    views::update(c, v.id, &name, &visibility, &filters, &metadata)?;
                    let row = views::get(c, v.id)?;
                    audit::record(c, event(EventKind::ViewUpdate, &p, &row, format!("view {name} changed")))?;
                    Ok(row)
                })
                .await;
        }
        let name = name.ok_or_else(|| AppError::validation("name is required to create a view"))?;
        let scope = self.scope(&p, header, None, Perm::ViewsCreate).await?;
        let visibility = visibility.unwrap_or_else(|| "private".into());
        may_set_visibility(&p, scope.uuid, "private", &visibility)?;
        self.db()
            .write(move |c| {
                // Taken meanwhile (by a PUT racing this one): not found for this caller.
                if views::uuid_taken(c, id)? {
                    return Err(AppError::NotFound);
                }
                let filters = filters.unwrap_or_else(|| serde_json::json!({}));
                let metadata = metadata.unwrap_or_else(|| serde_json::json!({}));
                let row_id = views::insert(c, id, scope.id, p.user, &name, &visibility, &filters, &metadata)?;
                let row = views::get(c, row_id)?;
                audit::record(c, event(EventKind::ViewCreate, &p, &row, format!("view {name} created")))?;
                Ok(row)
            })
            .await
    }
}
