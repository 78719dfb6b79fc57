//! Upstream sign-in providers: global ones (managed by provider admins,
//! listed to everyone) and an organization's own. The client secret is
//! write-only: sealed at rest, never rendered, opened only for sign-in.

use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::ids::OrgId;
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};

use super::Directory;
use super::acl::{self, Endpoint, Op};
use super::lookup::org_row;
use crate::model::CheckedMetadata;
use crate::model::providers::ProviderWrite;
use crate::store::providers::{self as store, ProviderFields, ProviderRow};

/// A write body checked: metadata, fields and the secret (`None`: not sent).
struct Checked {
    meta: CheckedMetadata,
    kind: Option<&'static str>,
    issuer: String,
    client_id: String,
    secret: Option<String>,
}

fn check(body: ProviderWrite) -> AppResult<Checked> {
    // The rule's own message says only "metadata.name", which on a page about
    // an organization's sign-in reads as the organization's name.
    if crate::model::resource_name(&body.metadata.name).is_err() {
        return Err(AppError::validation(
            "metadata.name (the provider's name) must be 1-63 letters, digits, '-', '_' or '.', \
             starting and ending with a letter or digit",
        ));
    }
    let meta = body.metadata.check()?;
    let issuer = body.spec.issuer.trim().to_string();
    let parsed = url::Url::parse(&issuer).map_err(|_| AppError::validation("spec.issuer must be an http(s) URL"))?;
    if !matches!(parsed.scheme(), "https" | "http") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(AppError::validation("spec.issuer must be an http(s) URL"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(AppError::validation("spec.issuer must not have a query or fragment"));
    }
    let client_id = validate::name("spec.clientID", &body.spec.client_id, 1024)?;
    let secret = match body.spec.client_secret {
        Some(s) if s.chars().count() > 4096 => {
            return Err(AppError::validation("spec.clientSecret must be at most 4096 characters"));
        }
        other => other,
    };
    Ok(Checked { meta, kind: body.spec.kind.map(|k| k.as_db()), issuer, client_id, secret })
}

impl Directory {
    fn seal_secret(&self, id: uuid::Uuid, secret: &str) -> AppResult<Option<Vec<u8>>> {
        if secret.is_empty() {
            return Ok(None);
        }
        self.sealer().seal(secret.as_bytes(), id.to_string().as_bytes()).map(Some)
    }

    /// The global providers: what any signed-in caller may list.
    pub async fn global_providers(&self) -> AppResult<Vec<ProviderRow>> {
        self.db().read(|c| store::list(c, None)).await
    }

    pub async fn org_providers(&self, p: &Principal, org: uuid::Uuid) -> AppResult<Vec<ProviderRow>> {
        let known = acl::org_scope(p, org, Endpoint::OAuth2Providers, Op::Read)?;
        self.db().read(move |c| store::list(c, Some(org_row(c, org, known)?))).await
    }

    /// Creates an org's provider (`org` given) or a global one (provider admins).
    pub async fn create_provider(
        &self,
        p: &Principal,
        org: Option<uuid::Uuid>,
        body: ProviderWrite,
    ) -> AppResult<ProviderRow> {
        let known = self.provider_scope(p, org, Op::Create)?;
        let b = check(body)?;
        let id = store::new_id();
        let sealed = b.secret.as_deref().map(|s| self.seal_secret(id, s)).transpose()?.flatten();
        let actor = p.user;
        self.db()
            .write(move |c| {
                let org_id = org.map(|o| org_row(c, o, known)).transpose()?;
                let fields = ProviderFields { meta: &b.meta, kind: b.kind, issuer: &b.issuer, client_id: &b.client_id };
                store::insert(c, id, org_id, &fields, sealed.as_deref())?;
                record(c, org_id, actor, EventKind::OAuthProviderCreate, id, &b.meta.name)?;
                store::get(c, org_id, id)?.ok_or(AppError::NotFound)
            })
            .await
    }

    /// Replaces the fields. A body without `clientSecret` keeps the stored
    /// secret (it is never shown, so a client cannot send it back); an
    /// empty one removes it.
    pub async fn update_provider(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        id: uuid::Uuid,
        body: ProviderWrite,
    ) -> AppResult<()> {
        let known = self.provider_scope(p, Some(org), Op::Update)?;
        let b = check(body)?;
        let secret = match b.secret.as_deref() {
            None => None,
            Some(s) => Some(self.seal_secret(id, s)?),
        };
        let actor = p.user;
        self.db()
            .write(move |c| {
                let org_id = Some(org_row(c, org, known)?);
                let row = store::get(c, org_id, id)?.ok_or(AppError::NotFound)?;
                let fields = ProviderFields { meta: &b.meta, kind: b.kind, issuer: &b.issuer, client_id: &b.client_id };
                store::update(c, row.id, &fields, secret.as_ref().map(|s| s.as_deref()))?;
                record(c, org_id, actor, EventKind::OAuthProviderUpdate, id, &b.meta.name)
            })
            .await
    }

    /// Deletes an org's provider (`org` given) or a global one (provider admins).
    pub async fn delete_provider(&self, p: &Principal, org: Option<uuid::Uuid>, id: uuid::Uuid) -> AppResult<()> {
        let known = self.provider_scope(p, org, Op::Delete)?;
        let actor = p.user;
        self.db()
            .write(move |c| {
                let org_id = org.map(|o| org_row(c, o, known)).transpose()?;
                let row = store::get(c, org_id, id)?.ok_or(AppError::NotFound)?;
                store::delete(c, row.id)?;
                record(c, org_id, actor, EventKind::OAuthProviderDelete, id, &row.name)
            })
            .await
    }

    /// The check for a provider write: org scope, or global scope without an org.
    fn provider_scope(&self, p: &Principal, org: Option<uuid::Uuid>, op: Op) -> AppResult<Option<OrgId>> {
        match org {
            Some(org) => acl::org_scope(p, org, Endpoint::OAuth2Providers, op),
            None => acl::global_scope(p).map(|()| None),
        }
    }
}

fn record(
    c: &meshcloud_kernel::db::Conn,
    org: Option<OrgId>,
    actor: meshcloud_kernel::ids::UserId,
    action: EventKind,
    id: uuid::Uuid,
    name: &str,
) -> AppResult<()> {
    let scope = if org.is_some() { "" } else { "global " };
    let mut e = Event::new(action, Some(actor)).on(id).describe(format!(
        "{scope}sign-in provider {name} {}",
        match action {
            EventKind::OAuthProviderCreate => "created",
            EventKind::OAuthProviderUpdate => "updated",
            _ => "deleted",
        }
    ));
    if let Some(org) = org {
        e = e.org(org);
    }
    audit::record(c, e)
}
