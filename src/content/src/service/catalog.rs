//! The catalog: published designs and filters, readable by everyone (the
//! catalog list needs no sign-in), and the publication requests that put
//! them there.
//!
//! - Asking to publish (`publish`) files a pending request with the item's
//!   catalog data; the item's visibility stays until the request is
//!   approved. Its owner and holders of `content.catalog.publish` in its
//!   organization may ask; a second pending request on the same item is a
//!   conflict.
//! - Approving sets the item `published` with the request's catalog data;
//!   denying leaves it as it is. Deciding needs `content.catalog.approve`
//!   (provider administrators hold it; an organization may give it through
//!   a custom role, for its own items); a decided request is a conflict.
//! - Unpublishing gives the item back the visibility it had before approval
//!   (private when unknown) and drops its catalog data.

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::{OrgId, new_uuid};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult};
use serde_json::Value;

use super::Content;
use super::access::{Kind, Need};
use super::sharing::{Target, load, target};
use crate::store::catalog::{self, Published, RequestRow};
use crate::store::designs::{self, DesignRow};
use crate::store::filters::{self, FilterRow};

/// The content classes, as the catalog schema defines them.
pub const CLASSES: [(&str, &str); 3] = [
    (
        "official",
        "Content produced and fully supported by Meshery maintainers. This represents the highest level of support and is considered the most reliable.",
    ),
    (
        "verified",
        "Content produced by partners and verified by Meshery maintainers. While not directly maintained by Meshery, it has undergone a verification process to ensure quality and compatibility.",
    ),
    (
        "reference architecture",
        "Content produced and shared by Meshery users. This includes a wide range of content, such as performance profiles, test results, filters, patterns, and applications. Reference architecture content may have varying levels of support and reliability.",
    ),
];

/// The catalog schema's design types.
const TYPES: [&str; 8] = [
    "Deployment",
    "Observability",
    "Resiliency",
    "Scaling",
    "Security",
    "Traffic-management",
    "Troubleshooting",
    "Workloads",
];

/// The kind a catalog `type` names: `pattern` (or design) and `filter`.
pub fn catalog_kind(raw: &str) -> AppResult<Kind> {
    match Kind::parse(raw) {
        Some(k @ (Kind::Design | Kind::Filter)) => Ok(k),
        _ => Err(AppError::validation("type must be pattern or filter")),
    }
}

fn bad(msg: impl Into<String>) -> AppError {
    AppError::validation(format!("catalog_data.{}", msg.into()))
}

/// Checks catalog data against the catalog schema (`CatalogData`, v1beta1):
/// `compatibility`, `pattern_caveats`, `pattern_info` and `type` required,
/// no other fields than the schema's.
pub fn check_catalog_data(v: &Value) -> AppResult<Value> {
    let Some(m) = v.as_object() else {
        return Err(AppError::validation("catalog_data must be an object"));
    };
    for k in m.keys() {
        if !["publishedVersion", "class", "compatibility", "pattern_caveats", "pattern_info", "type", "snapshotURL"]
            .contains(&k.as_str())
        {
            return Err(bad(format!("{k} is not a catalog field")));
        }
    }
    let text = |k: &str, required: bool| -> AppResult<()> {
        match m.get(k) {
            None if required => Err(bad(format!("{k} is required"))),
            None => Ok(()),
            Some(Value::String(_)) => Ok(()),
            Some(_) => Err(bad(format!("{k} must be a string"))),
        }
    };
    text("pattern_caveats", true)?;
    text("pattern_info", true)?;
    text("publishedVersion", false)?;
    if m.get("pattern_info").and_then(Value::as_str).is_some_and(|s| s.trim().is_empty()) {
        return Err(bad("pattern_info must not be empty"));
    }
    match m.get("type").and_then(Value::as_str) {
        Some(t) if TYPES.contains(&t) => {}
        _ => return Err(bad(format!("type must be one of {}", TYPES.join(", ")))),
    }
    if let Some(c) = m.get("class")
        && !c.as_str().is_some_and(|c| CLASSES.iter().any(|(k, _)| *k == c))
    {
        return Err(bad("class must be official, verified or reference architecture"));
    }
    match m.get("compatibility").and_then(Value::as_array) {
        Some(models) if !models.is_empty() => {
            let mut seen = std::collections::HashSet::new();
            for x in models {
                match x.as_str() {
                    Some(s) if !s.trim().is_empty() && seen.insert(s) => {}
                    _ => return Err(bad("compatibility must hold distinct model names")),
                }
            }
        }
        _ => return Err(bad("compatibility must list one or more models")),
    }
    if let Some(s) = m.get("snapshotURL") {
        let ok = s.as_array().is_some_and(|a| {
            a.iter()
                .all(|u| u.as_str().is_some_and(|u| ["http://", "https://", "oci://"].iter().any(|p| u.starts_with(p))))
        });
        if !ok {
            return Err(bad("snapshotURL must list http(s) or oci URLs"));
        }
    }
    Ok(v.clone())
}

/// A page of the catalog: the published items of one kind.
#[derive(Debug, Clone)]
pub struct CatalogPage {
    pub designs: Vec<DesignRow>,
    pub filters: Vec<FilterRow>,
    pub total: u64,
    /// Published items per catalog type, and per compatible model.
    pub types: Vec<(String, u64)>,
    pub models: Vec<(String, u64)>,
}

/// May `p` decide requests of `org`?
fn may_decide(p: &Principal, org: uuid::Uuid) -> bool {
    p.provider_admin || p.may(org, Perm::CatalogApprove)
}

fn may_publish(p: &Principal, t: &Target) -> AppResult<()> {
    if t.owner == Some(p.user) || p.may(t.org_uuid, Perm::CatalogPublish) || may_decide(p, t.org_uuid) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn set_catalog(c: &Conn, t: &Target, visibility: &str, data: &Value) -> AppResult<()> {
    match t.kind {
        Kind::Design => designs::set_catalog(c, t.id, visibility, data),
        Kind::Filter => filters::set_catalog(c, t.id, visibility, data),
        Kind::View => Err(AppError::validation("type must be pattern or filter")),
    }
}

fn event(kind: EventKind, p: &Principal, org: OrgId, on: uuid::Uuid, what: String) -> Event {
    Event::new(kind, Some(p.user)).org(org).on(on).describe(what)
}

impl Content {
    /// Published items of `kind`, for anyone (no caller).
    pub async fn catalog(&self, kind: Kind, f: Published, req: PageRequest) -> AppResult<CatalogPage> {
        self.db()
            .read(move |c| {
                let (types, models) = catalog::counts(c, kind.as_str())?;
                let mut page = CatalogPage { designs: vec![], filters: vec![], total: 0, types, models };
                match kind {
                    Kind::Filter => {
                        let r = filters::published(c, &f, &req)?;
                        (page.filters, page.total) = (r.items, r.total);
                    }
                    _ => {
                        let r = designs::published(c, &f, &req)?;
                        (page.designs, page.total) = (r.items, r.total);
                    }
                }
                Ok(page)
            })
            .await
    }

    /// Files a publication request for the item `id` of `kind`.
    pub async fn request_publication(
        &self,
        p: &Principal,
        kind: Kind,
        id: uuid::Uuid,
        catalog_data: Value,
    ) -> AppResult<RequestRow> {
        let mut data = check_catalog_data(&catalog_data)?;
        let p = p.clone();
        self.db()
            .write(move |c| {
                let t = target(c, &p, kind, id, Need::See)?;
                may_publish(&p, &t)?;
                if catalog::of_item(c, kind.as_str(), t.uuid, "pending")?.is_some() {
                    return Err(AppError::conflict("a publication request for this item is already pending"));
                }
                if kind == Kind::Design
                    && data.get("publishedVersion").is_none()
                    && let (Some(d), Some(m)) = (designs::by_uuid(c, t.uuid)?, data.as_object_mut())
                {
                    m.insert("publishedVersion".into(), Value::String(d.version));
                }
                let rid = catalog::insert(c, new_uuid(), kind.as_str(), t.uuid, t.org, p.user, &t.name, &data)?;
                let row = catalog::get(c, rid)?;
                let what = format!("publication of {} {} asked for", kind.as_str(), t.name);
                audit::record(c, event(EventKind::CatalogRequest, &p, t.org, t.uuid, what))?;
                Ok(row)
            })
            .await
    }

    /// Takes a published item out of the catalog.
    pub async fn unpublish(&self, p: &Principal, kind: Kind, id: uuid::Uuid) -> AppResult<()> {
        let p = p.clone();
        self.db()
            .write(move |c| {
                let t = target(c, &p, kind, id, Need::See)?;
                may_publish(&p, &t)?;
                if t.visibility != "published" {
                    return Err(AppError::conflict("the item is not published"));
                }
                let approved = catalog::of_item(c, kind.as_str(), t.uuid, "approved")?;
                let back =
                    approved.as_ref().and_then(|r| r.prior_visibility.clone()).unwrap_or_else(|| "private".into());
                set_catalog(c, &t, &back, &serde_json::json!({}))?;
                if let Some(r) = approved {
                    catalog::set_status(c, r.id, "withdrawn", None, None)?;
                }
                let what = format!("{} {} taken out of the catalog", kind.as_str(), t.name);
                audit::record(c, event(EventKind::CatalogUnpublish, &p, t.org, t.uuid, what))
            })
            .await
    }

    /// Publication requests the caller may see: every one for those who
    /// decide them everywhere (provider administrators), those of the
    /// organizations where they hold `content.catalog.approve`, and their own.
    pub async fn catalog_requests(
        &self,
        p: &Principal,
        status: Option<String>,
        req: PageRequest,
    ) -> AppResult<Page<RequestRow>> {
        let orgs: Option<Vec<OrgId>> = if p.provider_admin {
            None
        } else {
            Some(p.grants.orgs.values().filter(|g| g.perms.has(Perm::CatalogApprove)).map(|g| g.org).collect())
        };
        let me = p.user;
        self.db().read(move |c| catalog::list(c, orgs.as_deref(), me, status.as_deref(), &req)).await
    }

    /// Approves or denies a pending request.
    pub async fn decide_request(&self, p: &Principal, id: uuid::Uuid, approve: bool) -> AppResult<RequestRow> {
        let p = p.clone();
        self.db()
            .write(move |c| {
                let r = catalog::by_uuid(c, id)?.ok_or(AppError::NotFound)?;
                if !may_decide(&p, r.org_uuid) {
                    // Their own request shows in their list: refuse, don't hide.
                    return Err(if r.requested_by == Some(p.user) { AppError::Forbidden } else { AppError::NotFound });
                }
                if r.status != "pending" {
                    return Err(AppError::conflict(format!("the request has already been {}", r.status)));
                }
                let kind = catalog_kind(&r.resource_type)?;
                if !approve {
                    catalog::set_status(c, r.id, "denied", Some(p.user), None)?;
                    let what = format!("publication of {} {} denied", r.resource_type, r.name);
                    audit::record(c, event(EventKind::CatalogDeny, &p, r.org, r.resource_uuid, what))?;
                    return catalog::get(c, r.id);
                }
                let t =
                    load(c, kind, r.resource_uuid)?.ok_or_else(|| AppError::conflict("the item no longer exists"))?;
                // A re-publication replaces the approval the item was published by.
                let mut prior = t.visibility.clone();
                if let Some(old) = catalog::of_item(c, kind.as_str(), t.uuid, "approved")? {
                    prior = old.prior_visibility.clone().unwrap_or_else(|| "private".into());
                    catalog::set_status(c, old.id, "withdrawn", None, None)?;
                }
                set_catalog(c, &t, "published", &r.catalog_data)?;
                catalog::set_status(c, r.id, "approved", Some(p.user), Some(&prior))?;
                let what = format!("publication of {} {} approved", r.resource_type, r.name);
                audit::record(c, event(EventKind::CatalogApprove, &p, r.org, r.resource_uuid, what))?;
                catalog::get(c, r.id)
            })
            .await
    }
}
