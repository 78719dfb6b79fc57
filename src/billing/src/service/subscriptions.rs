//! Subscribing an organization to a plan, and reading its subscriptions.
//!
//! A new subscription starts one of four ways: a free plan is `active` at
//! once (with a paid invoice of 0); a plan with a trial is `trialing` for
//! its trial days, without an invoice; any other plan sold offline is
//! `incomplete` with its first invoice open and a pending payment whose
//! client secret the subscriber gets; one sold through Stripe is
//! `incomplete` without an invoice until Stripe's webhook links it.

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::ids::OrgId;
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::time::Timestamp;
use meshcloud_kernel::{AppError, AppResult, validate};
use rusqlite::Connection;

use super::{Billing, charges, lifecycle};
use crate::model::invoices::{Invoice, InvoiceLine};
use crate::model::subscriptions::CreateBody;
use crate::period::{self, Cadence};
use crate::store::invoices;
use crate::store::plans::{self, PlanRow};
use crate::store::subscriptions::{self, NewSubscription, SubscriptionRow};

/// A plan named by its id or by its Stripe price id (`field` names it in errors).
pub fn resolve_plan(c: &Connection, field: &str, raw: Option<&str>) -> AppResult<PlanRow> {
    let raw = raw
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| AppError::validation(format!("{field} is required")))?;
    let found = match uuid::Uuid::parse_str(raw) {
        Ok(id) => plans::by_uuid(c, id)?,
        Err(_) => plans::by_stripe_price(c, raw)?,
    };
    found.ok_or_else(|| AppError::validation(format!("{field}: no plan {raw:?}")))
}

/// The processor a new subscription is billed by.
fn processor(raw: Option<&str>, stripe: bool) -> AppResult<&'static str> {
    match raw.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("offline") => Ok("offline"),
        Some("stripe") if stripe => Ok("stripe"),
        Some("stripe") => Err(AppError::validation("paymentProcessor: stripe is not configured on this installation")),
        Some(p @ ("paypal" | "braintree")) => {
            Err(AppError::validation(format!("paymentProcessor: {p} is not supported (offline or stripe)")))
        }
        Some(p) => Err(AppError::validation(format!("paymentProcessor: unknown processor {p:?} (offline or stripe)"))),
    }
}

/// Ends an `incomplete` subscription a new one replaces: its invoice void,
/// its payment canceled.
fn expire_incomplete(
    c: &Connection,
    old: &SubscriptionRow,
    actor: Option<meshcloud_kernel::ids::UserId>,
    now: Timestamp,
) -> AppResult<()> {
    let why = "replaced before its first payment";
    lifecycle::void_open_invoices(c, old, "its subscription was replaced", actor, now)?;
    lifecycle::end(c, old, "incomplete_expired", why, actor, now)
}

struct Subscribe {
    org: OrgId,
    plan: Option<String>,
    user_count: Option<i64>,
    processor: &'static str,
    email: Option<String>,
}

impl Billing {
    /// A subscription the caller may do `perm` on (its organization's key);
    /// not found when there is none or it is beyond the caller's reach.
    pub async fn subscription_for(&self, p: &Principal, id: uuid::Uuid, perm: Perm) -> AppResult<SubscriptionRow> {
        let sub = self.db().read(move |c| subscriptions::by_uuid(c, id)).await?.ok_or(AppError::NotFound)?;
        self.identity().org_id_for(p, sub.org_uuid, perm).await?;
        Ok(sub)
    }

    /// The organization a request acts in: `orgId` when given, else the
    /// Layer5 context (header, preferences), with `perm` there.
    async fn org_for(&self, p: &Principal, org: Option<&str>, header: Option<&str>, perm: Perm) -> AppResult<OrgId> {
        match org.map(str::trim).filter(|s| !s.is_empty()) {
            // The reference documents no 404 here: an organization the
            // caller cannot see is a bad parameter.
            Some(raw) => match self.identity().org_id_for(p, validate::uuid("orgId", raw)?, perm).await {
                Err(AppError::NotFound) => Err(AppError::validation(format!("orgId: no organization {raw}"))),
                other => other,
            },
            None => match self.identity().org_context(p, header).await? {
                Some(org) => self.identity().org_id_for(p, org.uuid, perm).await,
                None => Err(AppError::validation("orgId: no organization given or in context")),
            },
        }
    }

    /// Subscribes an organization to a plan; returns the subscription and
    /// the client secret of its pending payment ("" when nothing is due).
    pub async fn create_subscription(
        &self,
        p: &Principal,
        header: Option<&str>,
        body: CreateBody,
    ) -> AppResult<(SubscriptionRow, String)> {
        if body.coupon_id.as_deref().is_some_and(|c| !c.trim().is_empty()) {
            return Err(AppError::validation("couponId: coupons are not supported"));
        }
        let processor = processor(body.payment_processor.as_deref(), self.settings().stripe.is_some())?;
        let email = match body.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => {
                Some(validate::email(e).map_err(|_| AppError::validation(format!("email: not an address: {e:?}")))?)
            }
            None => None,
        };
        let org = self.org_for(p, body.org_id.as_deref(), header, Perm::BillingManage).await?;
        let input = Subscribe { org, plan: body.plan_id, user_count: body.user_count, processor, email };
        let settings = self.settings().clone();
        let actor = Some(p.user);
        let now = self.now();
        self.db()
            .write(move |c| {
                let plan = resolve_plan(c, "planId", input.plan.as_deref())?;
                if plan.archived_at.is_some() {
                    return Err(AppError::validation(format!("planId: the {} ({}) plan is archived", plan.name, plan.cadence)));
                }
                let minimum = plan.minimum_units.max(1);
                let quantity = input.user_count.unwrap_or(minimum);
                if quantity < minimum {
                    return Err(AppError::validation(format!("userCount must be at least {minimum} on the {} plan", plan.name)));
                }
                if let Some(live) = subscriptions::live(c, input.org)? {
                    if live.status != "incomplete" {
                        return Err(AppError::validation(format!(
                            "the organization already has a subscription ({}, {}): change it with upgrade",
                            live.plan.name, live.status
                        )));
                    }
                    expire_incomplete(c, &live, actor, now)?;
                }
                let cadence = Cadence::parse(&plan.cadence)?;
                let first = (now, period::boundary(now, cadence, 1)?);
                let (status, period, trial_end) = if input.processor == "stripe" {
                    ("incomplete", None, None)
                } else if plan.price_minor == 0 {
                    ("active", Some(first), None)
                } else if plan.trial_days > 0 {
                    let end = now + chrono::Duration::days(plan.trial_days);
                    ("trialing", Some((now, end)), Some(end))
                } else {
                    ("incomplete", None, None)
                };
                let uuid = meshcloud_kernel::ids::new_uuid();
                let id = subscriptions::insert(
                    c,
                    &NewSubscription {
                        uuid,
                        org: input.org,
                        plan: plan.id,
                        quantity,
                        status,
                        processor: input.processor,
                        billing_id: None,
                        email: input.email.as_deref(),
                        period,
                        trial_end,
                        created_by: actor,
                        now,
                    },
                )?;
                let sub = subscriptions::get(c, id)?;
                audit::record(
                    c,
                    Event::new(EventKind::SubscriptionCreate, actor)
                        .org(sub.org)
                        .on(sub.uuid)
                        .describe(format!("subscribed to {} ({}) × {quantity}: {status}", plan.name, plan.cadence))
                        .meta(serde_json::json!({"plan": plan.uuid, "quantity": quantity, "processor": input.processor, "status": status})),
                )?;
                // Stripe invoices a Stripe subscription; a trial has nothing to pay yet.
                let secret = if input.processor == "offline" && matches!(status, "active" | "incomplete") {
                    let line = charges::for_period(&plan, quantity, first.0, first.1);
                    let (inv, payment) =
                        lifecycle::invoice(c, &settings, &sub, "subscription_create", vec![line], Some(first), actor, now)?;
                    if status == "incomplete" && inv.status == "paid" {
                        // The organization's credit covered it: nothing to wait for.
                        subscriptions::set_period(c, sub.id, &now, (&first.0, &first.1), &now)?;
                        lifecycle::set_status(c, &sub, "active", EventKind::SubscriptionActivate, actor, now)?;
                    }
                    payment.map(|p| p.client_secret).unwrap_or_default()
                } else {
                    String::new()
                };
                Ok((subscriptions::get(c, id)?, secret))
            })
            .await
    }

    /// One page of an organization's subscriptions (`orgId`, else the one in context).
    pub async fn list_subscriptions(
        &self,
        p: &Principal,
        org: Option<&str>,
        header: Option<&str>,
        status: Vec<String>,
        req: PageRequest,
    ) -> AppResult<Page<SubscriptionRow>> {
        let org = self.org_for(p, org, header, Perm::BillingRead).await?;
        self.db().read(move |c| subscriptions::list(c, org, &status, &req)).await
    }

    pub async fn subscription(&self, p: &Principal, id: uuid::Uuid) -> AppResult<SubscriptionRow> {
        self.subscription_for(p, id, Perm::BillingRead).await
    }

    /// The invoice the next renewal will issue (`status` `draft`): the next
    /// period's charge, settled against the organization's credit as issuing
    /// it would. A trial's is its first invoice, at the trial's end.
    pub async fn upcoming_invoice(&self, p: &Principal, id: uuid::Uuid) -> AppResult<Invoice> {
        let sub = self.subscription_for(p, id, Perm::BillingRead).await?;
        if !matches!(sub.status.as_str(), "trialing" | "active" | "past_due") {
            return Err(AppError::validation(format!("a subscription that is {} has no upcoming invoice", sub.status)));
        }
        if sub.cancel_at_period_end {
            return Err(AppError::validation("the subscription ends with its period: no upcoming invoice"));
        }
        let (Some(anchor), Some(end)) = (sub.billing_anchor, sub.current_period_end) else {
            return Err(AppError::internal("a live subscription without a period"));
        };
        let cadence = Cadence::parse(&sub.plan.cadence)?;
        let next = if sub.status == "trialing" {
            (end, period::boundary(end, cadence, 1)?)
        } else {
            period::containing(anchor, cadence, end)?
        };
        let terms = i64::from(self.settings().payment_terms_days);
        self.db()
            .read(move |c| {
                let line = charges::for_period(&sub.plan, sub.quantity, next.0, next.1);
                let subtotal = line.amount_minor;
                let balance = invoices::balance(c, sub.org, &sub.plan.currency)?;
                let (applied, due, _) = invoices::settle(subtotal, balance);
                Ok(Invoice {
                    id: None,
                    number: None,
                    organization_id: sub.org_uuid,
                    subscription_id: Some(sub.uuid),
                    status: "draft".into(),
                    billing_reason: "subscription_cycle".into(),
                    currency: sub.plan.currency.clone(),
                    subtotal,
                    balance_applied: applied,
                    total: subtotal,
                    amount_due: due,
                    period_start: Some(next.0),
                    period_end: Some(next.1),
                    due_date: Some(next.0 + chrono::Duration::days(terms)),
                    paid_at: None,
                    created_at: None,
                    lines: vec![InvoiceLine::from(&line)],
                    payment_reference: None,
                })
            })
            .await
    }
}
