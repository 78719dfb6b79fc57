//! Sign-up requests: anyone may ask for an account; provider admins, and
//! organization admins for requests naming their org, decide.

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::OrgId;
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};

use super::Identity;
use crate::store::signup::{self, NewRequest, RequestRow};
use crate::store::users::{self, NewUser};
use crate::store::{orgs, roles};

#[derive(Debug, Clone, Default)]
pub struct SignupInput {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub password: Option<String>,
    pub org: Option<uuid::Uuid>,
    pub message: String,
}

/// Which request a decision is about.
pub enum RequestRef {
    Id(uuid::Uuid),
    Email(String),
}

/// Orgs whose requests the caller may see or decide (`None`: all of them).
fn scope(p: &Principal, perm: Perm) -> AppResult<Option<Vec<OrgId>>> {
    if p.provider_admin {
        return Ok(None);
    }
    let orgs: Vec<OrgId> = p.grants.orgs.values().filter(|g| g.perms.has(perm)).map(|g| g.org).collect();
    if orgs.is_empty() { Err(AppError::Forbidden) } else { Ok(Some(orgs)) }
}

/// The status a list filter names (`pending` or `{"status": "pending"}`).
/// The reference documents no 400 for the list: a filter that names no
/// status is ignored, as every parameter a list cannot understand.
fn status_filter(raw: Option<&str>) -> Option<String> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    let status = if raw.starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(raw).ok()?;
        v.get("status").and_then(|s| s.as_str()).map(String::from)
    } else {
        Some(raw.to_string())
    };
    status.filter(|s| ["pending", "approved", "denied"].contains(&s.as_str()))
}

fn find(c: &Conn, r: &RequestRef) -> AppResult<RequestRow> {
    let found = match r {
        RequestRef::Id(id) => signup::by_uuid(c, *id)?,
        RequestRef::Email(e) => signup::pending_for(c, &e.trim().to_lowercase())?,
    };
    found.ok_or(AppError::NotFound)
}

/// A request the caller may not decide is "not found", exactly like one that
/// does not exist: otherwise an org admin could probe who asked for an account.
fn may_decide(p: &Principal, r: &RequestRow) -> AppResult<()> {
    let allowed = match r.org_uuid {
        _ if p.provider_admin => true,
        Some(org) => p.may(org, Perm::SignupDecide),
        None => false,
    };
    if allowed { Ok(()) } else { Err(AppError::NotFound) }
}

impl Identity {
    /// Files a request. The answer is the same whether or not the address
    /// already has an account or a pending request: it discloses nothing.
    pub async fn request_signup(&self, input: SignupInput) -> AppResult<String> {
        let email = validate::email(&input.email)?;
        let first = validate::optional_name("first_name", &input.first_name, 200)?;
        let last = validate::optional_name("last_name", &input.last_name, 300)?;
        let message = validate::text("message", &input.message, 2000)?;
        // Before the costly hash; checked again in the write below.
        let cap = self.settings().max_pending_signups;
        if self.db().read(signup::pending_count).await? >= cap {
            return Err(AppError::RateLimited { retry_after_secs: 600 });
        }
        let hash = match input.password {
            Some(pw) => Some(self.hash_password(pw).await?),
            None => None,
        };
        let org = input.org;
        let e = email.clone();
        self.db()
            .write(move |c| {
                // Checked first, so the answer still says nothing about the address.
                if signup::pending_count(c)? >= cap {
                    return Err(AppError::RateLimited { retry_after_secs: 600 });
                }
                let org = match org {
                    Some(o) => Some(
                        orgs::by_uuid(c, o)?.ok_or_else(|| AppError::validation("org_id: no such organization"))?.id,
                    ),
                    None => None,
                };
                if users::by_email(c, &e)?.is_some() || signup::pending_for(c, &e)?.is_some() {
                    return Ok(());
                }
                let n = NewRequest {
                    email: &e,
                    first_name: &first,
                    last_name: &last,
                    message: &message,
                    org,
                    password_hash: hash.as_deref(),
                };
                let uuid = signup::insert(c, &n)?;
                let mut ev = Event::new(EventKind::SignupRequestCreate, None)
                    .on(uuid)
                    .describe(format!("{e} asked for an account"));
                if let Some(o) = org {
                    ev = ev.org(o);
                }
                audit::record(c, ev)
            })
            .await?;
        Ok(email)
    }

    pub async fn list_signups(
        &self,
        p: &Principal,
        filter: Option<&str>,
        req: PageRequest,
    ) -> AppResult<Page<RequestRow>> {
        let orgs = scope(p, Perm::SignupRead)?;
        let status = status_filter(filter);
        self.db().read(move |c| signup::list(c, orgs.as_deref(), status.as_deref(), &req)).await
    }

    /// Pending requests the caller may see: (count, newest few). Callers who
    /// may see none anywhere are refused, like every other unpermitted call.
    pub async fn signup_notification(&self, p: &Principal) -> AppResult<(u64, Vec<RequestRow>)> {
        let orgs = scope(p, Perm::SignupRead)?;
        let req = PageRequest { offset: 0, limit: 5, search: None, order: None };
        let page = self.db().read(move |c| signup::list(c, orgs.as_deref(), Some("pending"), &req)).await?;
        Ok((page.total, page.items))
    }

    pub async fn decide_signup(&self, p: &Principal, r: RequestRef, approve: bool) -> AppResult<RequestRow> {
        scope(p, Perm::SignupDecide)?;
        let p = p.clone();
        self.db()
            .write(move |c| {
                let req = find(c, &r)?;
                may_decide(&p, &req)?;
                if req.status != "pending" {
                    return Err(AppError::conflict(format!("the request has already been {}", req.status)));
                }
                // Anyone may file a request for any address, so approval never
                // touches an account that exists: it neither joins an org nor
                // takes the request's password.
                let user = match (approve, users::by_email(c, &req.email)?) {
                    (false, _) => None,
                    (true, Some(existing)) => Some(existing.id),
                    (true, None) => {
                        let new = NewUser {
                            email: &req.email,
                            user_id: &req.email,
                            first_name: &req.first_name,
                            last_name: &req.last_name,
                            password_hash: req.password_hash.as_deref(),
                            provider_admin: false,
                        };
                        let user = users::insert(c, &new)?.0;
                        // A request naming an org since deleted still creates the account.
                        if let Some(org) = req.org.filter(|_| req.org_uuid.is_some()) {
                            crate::core::orgs::join(c, org, user, crate::core::orgs::MemberState::Active)?;
                            let member = roles::by_name(c, org, roles::MEMBER)?
                                .ok_or_else(|| AppError::internal("built-in role missing"))?;
                            roles::bind_user(c, org, member.id, user)?;
                        }
                        Some(user)
                    }
                };
                signup::decide(c, req.id, if approve { "approved" } else { "denied" }, p.user, user)?;
                let mut ev = Event::new(
                    if approve { EventKind::SignupRequestApprove } else { EventKind::SignupRequestDeny },
                    Some(p.user),
                )
                .on(req.uuid)
                .describe(format!(
                    "request of {} {}",
                    req.email,
                    if approve { "approved" } else { "denied" }
                ));
                if let Some(o) = req.org {
                    ev = ev.org(o);
                }
                audit::record(c, ev)?;
                signup::by_uuid(c, req.uuid)?.ok_or(AppError::NotFound)
            })
            .await
    }
}
