//! Organizations: who may see and change which, and the org context of a request.

use meshcloud_kernel::access::{OrgGrant, Perm};
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::OrgId;
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};

use super::Identity;
use super::access::Affected;
use crate::store::orgs::{self, OrgFields, OrgRow};
use crate::store::{roles, users};

/// Fields a client may set on an organization; `None` leaves a field as it is.
#[derive(Debug, Default, Clone)]
pub struct OrgChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub country: Option<String>,
    pub region: Option<String>,
    /// `Some(None)` clears the domain.
    pub domain: Option<Option<String>>,
    /// Replaces `metadata.preferences`.
    pub preferences: Option<serde_json::Value>,
}

struct Checked {
    name: Option<String>,
    description: Option<String>,
    country: Option<String>,
    region: Option<String>,
    domain: Option<Option<String>>,
    preferences: Option<serde_json::Value>,
}

fn check(ch: OrgChanges) -> AppResult<Checked> {
    Ok(Checked {
        name: ch.name.as_deref().map(|n| validate::name("name", n, 255)).transpose()?,
        description: ch.description.as_deref().map(|d| validate::text("description", d, 5000)).transpose()?,
        country: ch.country.as_deref().map(|d| validate::text("country", d, 500)).transpose()?,
        region: ch.region.as_deref().map(|d| validate::text("region", d, 500)).transpose()?,
        domain: ch
            .domain
            .map(|d| d.filter(|s| !s.trim().is_empty()).map(|s| validate::domain(&s)).transpose())
            .transpose()?,
        preferences: ch.preferences.map(|p| validate::json_object("preferences", &p).map(|_| p)).transpose()?,
    })
}

impl Identity {
    /// Loads a live org after checking `perm` in it. A non-member gets "not
    /// found" (the org's existence is not disclosed); a member without the key
    /// gets "forbidden".
    pub fn org_for(c: &Conn, p: &Principal, id: uuid::Uuid, perm: Perm) -> AppResult<OrgRow> {
        p.require(id, perm)?;
        orgs::by_uuid(c, id)?.ok_or(AppError::NotFound)
    }

    /// The caller's organizations, or with `all` and provider-admin rights every organization.
    pub async fn list_orgs(&self, p: &Principal, every: bool, req: PageRequest) -> AppResult<Page<OrgRow>> {
        let member = if every && p.provider_admin { None } else { Some(p.user) };
        self.db().read(move |c| orgs::list(c, member, &req)).await
    }

    pub async fn get_org(&self, p: &Principal, id: uuid::Uuid) -> AppResult<OrgRow> {
        let p = p.clone();
        self.db().read(move |c| Self::org_for(c, &p, id, Perm::OrgRead)).await
    }

    pub async fn create_org(&self, p: &Principal, ch: OrgChanges) -> AppResult<OrgRow> {
        self.create_org_unless_owner(p, ch, false).await?.ok_or_else(|| AppError::internal("no organization created"))
    }

    /// A user's first organization (the API7 face's `init`): created as
    /// `create_org` does, unless the caller already belongs to an
    /// organization they own (then nothing, `None`). Decided in the write
    /// that creates it, so two calls at once make one organization.
    pub async fn create_first_org(&self, p: &Principal, ch: OrgChanges) -> AppResult<Option<OrgRow>> {
        self.create_org_unless_owner(p, ch, true).await
    }

    async fn create_org_unless_owner(&self, p: &Principal, ch: OrgChanges, first: bool) -> AppResult<Option<OrgRow>> {
        if !self.settings().allow_user_org_creation {
            p.require_provider_admin()?;
        }
        let ch = check(ch)?;
        let name = ch.name.ok_or_else(|| AppError::validation("name is required"))?;
        let me = p.user;
        let metadata = serde_json::json!({ "preferences": ch.preferences.unwrap_or_else(|| serde_json::json!({})) });
        crate::core::orgs::may_bind_domain(p.provider_admin, None, ch.domain.clone().flatten().as_deref())?;
        let me_uuid = p.user_uuid;
        self.commit(move |c| {
            if first && orgs::memberships(c, me)?.iter().any(|o| o.owner == me_uuid) {
                return Ok((None, Affected::Nobody));
            }
            let domain = ch.domain.flatten();
            let fields = OrgFields {
                name: &name,
                description: ch.description.as_deref().unwrap_or(""),
                country: ch.country.as_deref().unwrap_or(""),
                region: ch.region.as_deref().unwrap_or(""),
                domain: domain.as_deref(),
                metadata: &metadata,
            };
            let id = orgs::insert(c, me, &fields)?;
            let org = orgs::get(c, id)?;
            audit::record(
                c,
                Event::new(EventKind::OrganizationCreate, Some(me))
                    .org(id)
                    .on(org.uuid)
                    .describe(format!("organization {name} created")),
            )?;
            let admin =
                roles::by_name(c, id, roles::ORG_ADMIN)?.ok_or_else(|| AppError::internal("built-in role missing"))?;
            let grant = OrgGrant { org: id, perms: roles::perms(c, admin.id)? };
            let joined = Affected::Joined { user: me, org: org.uuid, grant };
            Ok((Some(org), joined))
        })
        .await
    }

    pub async fn update_org(&self, p: &Principal, id: uuid::Uuid, ch: OrgChanges) -> AppResult<OrgRow> {
        p.require(id, Perm::OrgUpdate)?;
        let ch = check(ch)?;
        let p = p.clone();
        self.db()
            .write(move |c| {
                let org = Self::org_for(c, &p, id, Perm::OrgUpdate)?;
                let mut metadata = org.metadata.clone();
                if let Some(prefs) = ch.preferences {
                    match metadata.as_object_mut() {
                        Some(m) => {
                            m.insert("preferences".into(), prefs);
                        }
                        None => metadata = serde_json::json!({ "preferences": prefs }),
                    }
                }
                let domain = match &ch.domain {
                    Some(d) => d.clone(),
                    None => org.domain.clone(),
                };
                crate::core::orgs::may_bind_domain(p.provider_admin, org.domain.as_deref(), domain.as_deref())?;
                // The domain an org's own sign-in provider speaks for is bound
                // by a provider admin (Identity face); moving it is theirs too.
                if domain != org.domain && !p.provider_admin && orgs::signs_in_with_own_provider(c, org.id)? {
                    return Err(AppError::Forbidden);
                }
                let fields = OrgFields {
                    name: ch.name.as_deref().unwrap_or(&org.name),
                    description: ch.description.as_deref().unwrap_or(&org.description),
                    country: ch.country.as_deref().unwrap_or(&org.country),
                    region: ch.region.as_deref().unwrap_or(&org.region),
                    domain: domain.as_deref(),
                    metadata: &metadata,
                };
                orgs::update(c, org.id, &fields)?;
                audit::record(
                    c,
                    Event::new(EventKind::OrganizationUpdate, Some(p.user))
                        .org(org.id)
                        .on(org.uuid)
                        .describe("organization updated"),
                )?;
                orgs::get(c, org.id)
            })
            .await
    }

    /// Soft delete: the org vanishes from lists and lookups at once; the purge
    /// job removes it after the retention period.
    pub async fn delete_org(&self, p: &Principal, id: uuid::Uuid) -> AppResult<()> {
        p.require(id, Perm::OrgDelete)?;
        let p = p.clone();
        self.commit(move |c| {
            let org = Self::org_for(c, &p, id, Perm::OrgDelete)?;
            orgs::soft_delete(c, org.id)?;
            audit::record(
                c,
                Event::new(EventKind::OrganizationDelete, Some(p.user))
                    .org(org.id)
                    .on(org.uuid)
                    .describe(format!("organization {} deleted", org.name)),
            )?;
            Ok(((), Affected::InOrg { org: org.id, users: orgs::member_ids(c, org.id)? }))
        })
        .await
    }

    /// `metadata.preferences` of an org the caller can read.
    pub async fn org_preferences(&self, p: &Principal, id: uuid::Uuid) -> AppResult<serde_json::Value> {
        let org = self.get_org(p, id).await?;
        Ok(org.metadata.get("preferences").cloned().unwrap_or_else(|| serde_json::json!({})))
    }

    /// Domain discovery: the org that claims `domain`, shown to its members, to
    /// provider admins, and to users whose e-mail is in that domain (so they can
    /// find the organization to ask to join). Others get "not found".
    pub async fn org_by_domain(&self, p: &Principal, domain: &str) -> AppResult<OrgRow> {
        const NOT_FOUND: AppError = AppError::NotFoundAs("Organization not found");
        // What is not a domain names no organization (the reference documents 404, not 400).
        let domain = validate::domain(domain).map_err(|_| NOT_FOUND)?;
        let p = p.clone();
        self.db()
            .read(move |c| {
                let org = orgs::by_domain(c, &domain)?.ok_or(NOT_FOUND)?;
                let own_domain = p.email.rsplit_once('@').is_some_and(|(_, d)| d == domain);
                if p.provider_admin || own_domain || p.grants.is_member(org.uuid) { Ok(org) } else { Err(NOT_FOUND) }
            })
            .await
    }

    /// The organization a Layer5 request acts in: the `layer5-current-orgid`
    /// header, else the user's `selectedOrganization` (or `selectedOrganizationId`)
    /// preference, else their
    /// first organization. A named org the caller cannot access is "not found";
    /// a stale preference falls through to the first organization.
    pub async fn org_context(&self, p: &Principal, header: Option<&str>) -> AppResult<Option<OrgRow>> {
        let named = header
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(|h| validate::uuid("layer5-current-orgid", h))
            .transpose()?;
        let p = p.clone();
        self.db()
            .read(move |c| {
                // Membership alone decides which org a request acts in; the
                // operation then checks its own key there.
                let reachable = |id: uuid::Uuid| p.provider_admin || p.grants.is_member(id);
                if let Some(id) = named {
                    return match orgs::by_uuid(c, id)? {
                        Some(org) if reachable(id) => Ok(Some(org)),
                        _ => Err(AppError::NotFound),
                    };
                }
                let user = users::get(c, p.user)?;
                let preferred = ["selectedOrganization", "selectedOrganizationId"]
                    .iter()
                    .find_map(|k| user.preferences.get(*k).and_then(|v| v.as_str()))
                    .and_then(|s| uuid::Uuid::parse_str(s).ok());
                if let Some(org) =
                    preferred.filter(|id| reachable(*id)).map(|id| orgs::by_uuid(c, id)).transpose()?.flatten()
                {
                    return Ok(Some(org));
                }
                orgs::first_for_user(c, p.user)
            })
            .await
    }

    /// The row id of an org the caller may do `perm` in (for other families).
    pub async fn org_id_for(&self, p: &Principal, id: uuid::Uuid, perm: Perm) -> AppResult<OrgId> {
        if let meshcloud_kernel::access::Allowed(Some(org)) = p.require(id, perm)? {
            return Ok(org);
        }
        let p = p.clone();
        self.db().read(move |c| Self::org_for(c, &p, id, perm).map(|o| o.id)).await
    }

    /// Live members (people) and live teams of an org whose access the
    /// caller has already checked (the organization overview).
    pub async fn org_headcount(&self, org: OrgId) -> AppResult<(u64, u64)> {
        self.db().read(move |c| Ok((users::count_in_org(c, org)?, crate::store::teams::count(c, org)?))).await
    }
}
