//! Organizations on the Identity face: the core organization, created and
//! deleted asynchronously (the provisioning job finishes both).

use meshcloud_identity::core::orgs::{self as core_orgs, OrgFields};
use meshcloud_identity::core::{roles, users};
use meshcloud_identity::service::access::Affected;
use meshcloud_kernel::access::OrgGrant;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::OrgId;
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};

use super::Directory;
use super::acl::{self, Endpoint, Op};
use crate::model::CheckedMetadata;
use crate::model::orgs::{OrganizationRead, OrganizationSpec, OrganizationType, OrganizationWrite, ProviderScope};
use crate::store::orgs::{self, IdOrgRow, IdentityFields, Members};

/// A checked `organizationSpec`.
struct Spec {
    organization_type: OrganizationType,
    domain: Option<String>,
    provider_scope: Option<ProviderScope>,
    provider_id: Option<String>,
}

fn check_spec(s: &OrganizationSpec) -> AppResult<Spec> {
    let domain = s
        .domain
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| validate::domain(d).map_err(|_| AppError::validation("spec.domain is not a valid DNS name")))
        .transpose()?;
    if s.organization_type == OrganizationType::Domain && domain.is_none() {
        return Err(AppError::validation("spec.domain is required when spec.organizationType is domain"));
    }
    let provider_id = s.provider_id.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let provider_id = match (s.provider_scope, provider_id) {
        (Some(_), None) => return Err(AppError::validation("spec.providerID is required with spec.providerScope")),
        (None, Some(_)) => return Err(AppError::validation("spec.providerScope is required with spec.providerID")),
        (_, id) => id.map(|p| validate::uuid("spec.providerID", p)).transpose()?,
    };
    Ok(Spec {
        organization_type: s.organization_type,
        domain,
        provider_scope: s.provider_scope,
        provider_id: provider_id.map(|u| u.to_string()),
    })
}

/// The provider a spec names must exist in its scope: the installation's, or
/// the organization's own (which a new organization cannot have yet).
fn check_provider(c: &Conn, org: Option<OrgId>, spec: &Spec) -> AppResult<()> {
    let (Some(scope), Some(id)) = (spec.provider_scope, spec.provider_id.as_deref()) else {
        return Ok(());
    };
    let owner = match scope {
        ProviderScope::Global => None,
        ProviderScope::Organization => Some(org.ok_or_else(|| {
            AppError::validation("spec.providerScope organization: a new organization has no providers of its own yet")
        })?),
    };
    if orgs::provider_exists(c, owner, id)? {
        Ok(())
    } else {
        Err(AppError::validation(format!("spec.providerID: no {} provider {id}", scope.as_db())))
    }
}

fn identity_fields<'a>(spec: &'a Spec, meta: &'a CheckedMetadata) -> IdentityFields<'a> {
    IdentityFields {
        organization_type: spec.organization_type.as_db(),
        provider_scope: spec.provider_scope.map(ProviderScope::as_db),
        provider_id: spec.provider_id.as_deref(),
        tags: &meta.tags,
    }
}

/// The live organization a request acts in, after its permission check (a
/// provider admin may name one they are not a member of, which must exist).
pub(crate) fn live_org(c: &Conn, org: uuid::Uuid) -> AppResult<IdOrgRow> {
    orgs::by_uuid(c, org)?.ok_or(AppError::NotFound)
}

impl Directory {
    /// The caller's organizations (every one for a provider admin), or with
    /// `email` those of that user (provider admins only).
    pub async fn list_organizations(&self, p: &Principal, email: Option<&str>) -> AppResult<Vec<OrganizationRead>> {
        let email = email.map(str::trim).filter(|e| !e.is_empty());
        if email.is_some() {
            acl::global_scope(p)?;
        }
        // Like an unknown address, one that is not an address names no user: 404
        // (the reference documents no 400 here).
        let email = email.map(|e| validate::email(e).map_err(|_| AppError::NotFound)).transpose()?;
        let (me, admin) = (p.user, p.provider_admin);
        self.db()
            .read(move |c| {
                let who = match email {
                    Some(e) => Members::AnyMember(users::by_email(c, &e)?.ok_or(AppError::NotFound)?.id),
                    None if admin => Members::Everyone,
                    None => Members::ActiveMember(me),
                };
                Ok(orgs::list(c, who)?.into_iter().map(OrganizationRead::from).collect())
            })
            .await
    }

    pub async fn get_organization(&self, p: &Principal, org: uuid::Uuid) -> AppResult<OrganizationRead> {
        acl::org_scope(p, org, Endpoint::Organizations, Op::Read)?;
        self.db().read(move |c| live_org(c, org).map(OrganizationRead::from)).await
    }

    /// Creates the organization (provisioning) with the caller as its admin.
    pub async fn create_organization(&self, p: &Principal, body: OrganizationWrite) -> AppResult<OrganizationRead> {
        acl::global_scope(p)?;
        let meta = body.metadata.check()?;
        let spec = check_spec(&body.spec)?;
        let me = p.user;
        self.identity()
            .commit(move |c| {
                check_provider(c, None, &spec)?;
                let preferences = serde_json::json!({ "preferences": {} });
                let fields = OrgFields {
                    name: &meta.name,
                    description: &meta.description,
                    country: "",
                    region: "",
                    domain: spec.domain.as_deref(),
                    metadata: &preferences,
                };
                // The core insert makes the creator a member holding the admin role.
                let id = core_orgs::insert(c, me, &fields)?;
                orgs::set_identity_fields(c, id, &identity_fields(&spec, &meta))?;
                orgs::set_provisioning(c, id, "provisioning")?;
                let org = orgs::get(c, id)?;
                audit::record(
                    c,
                    Event::new(EventKind::OrganizationCreate, Some(me))
                        .org(id)
                        .on(org.uuid)
                        .describe(format!("organization {} created", meta.name)),
                )?;
                let admin = roles::by_name(c, id, roles::ORG_ADMIN)?
                    .ok_or_else(|| AppError::internal("built-in role missing"))?;
                let grant = OrgGrant { org: id, perms: roles::perms(c, admin.id)? };
                let joined = Affected::Joined { user: me, org: org.uuid, grant };
                Ok((OrganizationRead::from(org), joined))
            })
            .await
    }

    /// Replaces the organization's metadata and spec.
    pub async fn update_organization(&self, p: &Principal, org: uuid::Uuid, body: OrganizationWrite) -> AppResult<()> {
        acl::org_scope(p, org, Endpoint::Organizations, Op::Update)?;
        let renamed = body.metadata.check();
        let mut meta = body.metadata.check_keeping_name()?;
        let spec = check_spec(&body.spec)?;
        let (me, provider_admin) = (p.user, p.provider_admin);
        self.db()
            .write(move |c| {
                let cur = live_org(c, org)?;
                if cur.provisioning_status == "deprovisioning" {
                    return Err(AppError::conflict("the organization is being deleted"));
                }
                check_provider(c, Some(cur.id), &spec)?;
                // An organization's own provider signs in the addresses of its
                // domain: which provider speaks for which domain is the
                // installation's decision, not the organization admins'.
                let binds_own = spec.provider_scope == Some(ProviderScope::Organization);
                let rebinds = cur.provider_scope.as_deref() != Some("organization")
                    || cur.provider_id != spec.provider_id
                    || cur.domain != spec.domain;
                if binds_own && rebinds && !provider_admin {
                    return Err(AppError::Forbidden);
                }
                core_orgs::may_bind_domain(provider_admin, cur.domain.as_deref(), spec.domain.as_deref())?;
                let core = core_orgs::get(c, cur.id)?;
                crate::model::keep_or_rename(&mut meta.name, &core.name, renamed)?;
                let fields = OrgFields {
                    name: &meta.name,
                    description: &meta.description,
                    country: &core.country,
                    region: &core.region,
                    domain: spec.domain.as_deref(),
                    metadata: &core.metadata,
                };
                core_orgs::update(c, cur.id, &fields)?;
                orgs::set_identity_fields(c, cur.id, &identity_fields(&spec, &meta))?;
                audit::record(
                    c,
                    Event::new(EventKind::OrganizationUpdate, Some(me))
                        .org(cur.id)
                        .on(cur.uuid)
                        .describe(format!("organization {} updated", meta.name)),
                )
            })
            .await
    }

    /// Starts deleting the organization; the provisioning job soft-deletes it.
    pub async fn delete_organization(&self, p: &Principal, org: uuid::Uuid) -> AppResult<()> {
        acl::org_scope(p, org, Endpoint::Organizations, Op::Delete)?;
        let me = p.user;
        self.db()
            .write(move |c| {
                let cur = live_org(c, org)?;
                if cur.provisioning_status == "deprovisioning" {
                    return Ok(());
                }
                orgs::set_provisioning(c, cur.id, "deprovisioning")?;
                audit::record(
                    c,
                    Event::new(EventKind::OrganizationDelete, Some(me))
                        .org(cur.id)
                        .on(cur.uuid)
                        .describe(format!("deletion of organization {} requested", cur.name)),
                )
            })
            .await
    }
}
