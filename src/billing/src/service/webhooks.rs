//! Stripe's webhooks: the signature check and what each event does.
//!
//! An event is applied in one write transaction together with the record of
//! its id, so an event delivered twice (Stripe retries until it gets a 2xx)
//! changes nothing the second time. Events about subscriptions meshcloud
//! does not know, and types it does not handle, are recorded with that
//! outcome and answered 200: Stripe has nothing to retry.

use hmac::{Hmac, Mac};
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::ids::OrgId;
use meshcloud_kernel::time::Timestamp;
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::Connection;
use serde_json::Value;
use sha2::Sha256;

use super::{Billing, BillingSettings, lifecycle};
use crate::money;
use crate::store::invoices::{self, NewInvoice, NewLine};
use crate::store::plans;
use crate::store::subscriptions::{self, LIVE, ProcessorState, STATUSES, SubscriptionRow};
use crate::store::webhooks;

/// How far the signed timestamp may be from now, either way (Stripe's default).
pub const TOLERANCE_SECS: i64 = 300;
/// The largest event body taken (Stripe's events are a few kilobytes).
pub const MAX_BODY: usize = 256 * 1024;
const PROCESSOR: &str = "stripe";

/// Checks a `Stripe-Signature` header (`t=<unix>,v1=<hex>[,v1=…][,v0=…]`)
/// against the raw body: HMAC-SHA256 of `"<t>.<body>"` under the endpoint's
/// signing secret, any `v1` matching, `t` within `TOLERANCE_SECS` of `now`
/// (unix seconds). The error says why the request is refused.
pub fn verify_signature(secret: &str, header: Option<&str>, body: &[u8], now: i64) -> Result<(), String> {
    let header = header.map(str::trim).filter(|h| !h.is_empty()).ok_or("the Stripe-Signature header is missing")?;
    let malformed = || "the Stripe-Signature header is malformed (want t=<unix time>,v1=<hex>)".to_string();
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let (key, value) = part.trim().split_once('=').ok_or_else(malformed)?;
        match key.trim() {
            "t" => timestamp = Some(value.trim().parse::<i64>().map_err(|_| malformed())?),
            "v1" => signatures.push(value.trim()),
            // Other schemes (v0 is Stripe's test scheme) are not ours to check.
            _ => {}
        }
    }
    let t = timestamp.ok_or_else(malformed)?;
    if signatures.is_empty() {
        return Err("the Stripe-Signature header has no v1 signature".into());
    }
    if (now - t).abs() > TOLERANCE_SECS {
        return Err(format!("the Stripe-Signature timestamp is more than {TOLERANCE_SECS} s away from now"));
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| "bad signing secret".to_string())?;
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let matches = |sig: &&str| hex::decode(sig).is_ok_and(|sig| mac.clone().verify_slice(&sig).is_ok());
    if signatures.iter().any(matches) {
        Ok(())
    } else {
        Err("no Stripe-Signature v1 signature matches the body".into())
    }
}

impl Billing {
    /// Takes one webhook delivery: checks its signature, then applies the
    /// event once. 400 (naming why) when the signature or the event is
    /// refused; nothing changes then.
    pub async fn stripe_webhook(&self, signature: Option<&str>, body: Vec<u8>) -> AppResult<()> {
        let Some(stripe) = &self.settings().stripe else {
            return Err(AppError::validation("no payment processor accepts webhooks"));
        };
        if body.len() > MAX_BODY {
            return Err(AppError::validation(format!("the webhook body is larger than {MAX_BODY} bytes")));
        }
        let now = self.now();
        verify_signature(&stripe.webhook_secret, signature, &body, now.timestamp()).map_err(AppError::validation)?;
        let event: Value = serde_json::from_slice(&body)
            .map_err(|e| AppError::validation(format!("the webhook body is not a JSON event: {e}")))?;
        let id = text(&event, "id")?.to_string();
        let kind = text(&event, "type")?.to_string();
        if id.len() > 255 || kind.len() > 255 {
            return Err(AppError::validation("the event's id or type is longer than 255 characters"));
        }
        let settings = self.settings().clone();
        self.db()
            .write(move |c| {
                if webhooks::seen(c, PROCESSOR, &id)? {
                    return Ok(());
                }
                let object = &event["data"]["object"];
                let (outcome, org) = apply(c, &settings, &kind, object, now)?;
                webhooks::record(c, PROCESSOR, &id, &kind, &outcome, &now)?;
                let mut e = Event::new(EventKind::WebhookReceive, None)
                    .describe(format!("Stripe event {kind} {id}: {outcome}"))
                    .meta(
                        serde_json::json!({"processor": PROCESSOR, "event_id": id, "type": kind, "outcome": outcome}),
                    );
                if let Some(org) = org {
                    e = e.org(org);
                }
                audit::record(c, e)
            })
            .await
    }
}

/// Applies one event; answers its outcome and the organization it concerns.
fn apply(
    c: &Connection,
    s: &BillingSettings,
    kind: &str,
    object: &Value,
    now: Timestamp,
) -> AppResult<(String, Option<OrgId>)> {
    match kind {
        "customer.subscription.created" | "customer.subscription.updated" => subscription_updated(c, object, now),
        "customer.subscription.deleted" => subscription_deleted(c, object, now),
        "invoice.paid" => invoice_paid(c, s, object, now),
        "invoice.payment_failed" => payment_failed(c, object, now),
        _ => Ok(("ignored: not a type meshcloud handles".into(), None)),
    }
}

const UNKNOWN: &str = "ignored: no subscription of meshcloud is billed as this one";

/// The subscription a `customer.subscription.*` object describes: the one
/// linked to its id, else the unlinked Stripe subscription its
/// `metadata.meshcloud_subscription_id` names (which is linked now).
fn linked(c: &Connection, object: &Value, now: Timestamp) -> AppResult<Option<SubscriptionRow>> {
    let billing_id = text(object, "id")?;
    if let Some(sub) = subscriptions::by_billing_id(c, PROCESSOR, billing_id)? {
        return Ok(Some(sub));
    }
    let named = object["metadata"]["meshcloud_subscription_id"].as_str().and_then(|u| uuid::Uuid::parse_str(u).ok());
    let Some(named) = named else { return Ok(None) };
    match subscriptions::by_uuid(c, named)? {
        Some(sub) if sub.processor == PROCESSOR && sub.billing_id.is_none() => {
            subscriptions::set_billing_id(c, sub.id, billing_id, &now)?;
            Ok(Some(SubscriptionRow { billing_id: Some(billing_id.to_string()), ..sub }))
        }
        _ => Ok(None),
    }
}

/// `customer.subscription.updated`: status, period, plan (by Stripe price)
/// and quantity, cancel-at-period-end, as Stripe has them.
fn subscription_updated(c: &Connection, object: &Value, now: Timestamp) -> AppResult<(String, Option<OrgId>)> {
    let status = text(object, "status")?;
    let Some(sub) = linked(c, object, now)? else { return Ok((UNKNOWN.into(), None)) };
    let org = Some(sub.org);
    if !STATUSES.contains(&status) {
        return Ok((format!("ignored: status {status} is not one meshcloud keeps"), org));
    }
    // At most one live subscription per organization.
    if LIVE.contains(&status)
        && let Some(other) = subscriptions::live(c, sub.org)?
        && other.id != sub.id
    {
        return Ok((format!("refused: the organization has another live subscription ({})", other.uuid), org));
    }
    let mut notes = Vec::new();
    let item = &object["items"]["data"][0];
    let quantity = item["quantity"].as_i64().or_else(|| object["quantity"].as_i64()).filter(|q| *q >= 1);
    let plan = match item["price"]["id"].as_str() {
        Some(price) => match plans::by_stripe_price(c, price)? {
            Some(plan) => Some(plan),
            None => {
                notes.push(format!("price {price} is no plan's: plan kept"));
                None
            }
        },
        None => None,
    };
    let (new_plan, new_quantity) = (plan.unwrap_or_else(|| sub.plan.clone()), quantity.unwrap_or(sub.quantity));
    if new_plan.id != sub.plan.id || new_quantity != sub.quantity {
        subscriptions::set_plan(c, sub.id, new_plan.id, new_quantity, &now)?;
        audit::record(
            c,
            Event::new(EventKind::SubscriptionUpgrade, None).org(sub.org).on(sub.uuid).describe(format!(
                "subscription changed in Stripe: {} ({}) × {} -> {} ({}) × {new_quantity}",
                sub.plan.name, sub.plan.cadence, sub.quantity, new_plan.name, new_plan.cadence
            )),
        )?;
    }
    // Newer Stripe API versions keep the period on the item.
    let start = unix(object, "current_period_start").or_else(|| unix(item, "current_period_start"));
    let end = unix(object, "current_period_end").or_else(|| unix(item, "current_period_end"));
    let cancel_at_period_end = object["cancel_at_period_end"].as_bool().unwrap_or(false);
    if cancel_at_period_end && !sub.cancel_at_period_end {
        audit::record(
            c,
            Event::new(EventKind::SubscriptionCancel, None)
                .org(sub.org)
                .on(sub.uuid)
                .describe("subscription canceled in Stripe: it ends with its period"),
        )?;
    }
    let state = ProcessorState {
        period: start.zip(end),
        cancel_at_period_end,
        canceled_at: unix(object, "canceled_at"),
        trial_end: unix(object, "trial_end"),
    };
    subscriptions::set_processor_state(c, sub.id, &state, &now)?;
    if status != sub.status {
        let sub = SubscriptionRow { plan: new_plan, ..sub };
        match status {
            "canceled" | "incomplete_expired" => lifecycle::end(c, &sub, status, "in Stripe", None, now)?,
            "active" => {
                subscriptions::reset_dunning(c, sub.id, &now)?;
                lifecycle::set_status(c, &sub, status, EventKind::SubscriptionActivate, None, now)?;
            }
            "unpaid" => lifecycle::set_status(c, &sub, status, EventKind::SubscriptionEnd, None, now)?,
            _ => lifecycle::set_status(c, &sub, status, EventKind::SubscriptionStatus, None, now)?,
        }
    }
    notes.insert(0, format!("applied: {status}"));
    Ok((notes.join("; "), org))
}

/// `customer.subscription.deleted`: the subscription ended in Stripe.
fn subscription_deleted(c: &Connection, object: &Value, now: Timestamp) -> AppResult<(String, Option<OrgId>)> {
    let Some(sub) = linked(c, object, now)? else { return Ok((UNKNOWN.into(), None)) };
    if sub.status == "canceled" {
        return Ok(("ignored: already canceled".into(), Some(sub.org)));
    }
    if let Some(at) = unix(object, "canceled_at") {
        let state = ProcessorState {
            period: None,
            cancel_at_period_end: sub.cancel_at_period_end,
            canceled_at: Some(at),
            trial_end: None,
        };
        subscriptions::set_processor_state(c, sub.id, &state, &now)?;
    }
    lifecycle::end(c, &sub, "canceled", "deleted in Stripe", None, now)?;
    Ok(("applied: canceled".into(), Some(sub.org)))
}

/// The subscription a Stripe invoice bills (`subscription`, or in newer API
/// versions `parent.subscription_details.subscription`).
fn invoice_subscription(c: &Connection, object: &Value) -> AppResult<Option<SubscriptionRow>> {
    let id =
        object["subscription"].as_str().or_else(|| object["parent"]["subscription_details"]["subscription"].as_str());
    match id {
        Some(id) => subscriptions::by_billing_id(c, PROCESSOR, id),
        None => Ok(None),
    }
}

/// `invoice.paid`: the invoice is recorded (once, by Stripe's id) as paid,
/// and its subscription moves on as with any paid invoice.
fn invoice_paid(
    c: &Connection,
    s: &BillingSettings,
    object: &Value,
    now: Timestamp,
) -> AppResult<(String, Option<OrgId>)> {
    let reference = text(object, "id")?;
    if let Some(inv) = invoices::by_processor_ref(c, reference)? {
        let paid = lifecycle::invoice_paid(c, &inv, None, now)?;
        let outcome =
            if paid { format!("applied: invoice {} paid", inv.number) } else { "ignored: already paid".into() };
        return Ok((outcome, Some(inv.org)));
    }
    let Some(sub) = invoice_subscription(c, object)? else { return Ok((UNKNOWN.into(), None)) };
    let currency = match object["currency"].as_str() {
        Some(code) => money::currency(code)?,
        None => sub.plan.currency.clone(),
    };
    let lines = invoice_lines(c, object, &sub)?;
    let period = unix(object, "period_start").zip(unix(object, "period_end"));
    let reason = object["billing_reason"]
        .as_str()
        .filter(|r| ["subscription_create", "subscription_cycle", "subscription_update"].contains(r))
        .unwrap_or("manual");
    let inv = invoices::issue(
        c,
        &s.invoice_prefix,
        &NewInvoice {
            org: sub.org,
            subscription: Some(sub.id),
            reason,
            currency: &currency,
            lines,
            period,
            due_at: None,
            processor_ref: Some(reference),
            now,
        },
    )?;
    audit::record(
        c,
        Event::new(EventKind::InvoiceIssue, None)
            .org(sub.org)
            .on(inv.uuid)
            .describe(format!(
                "invoice {} issued by Stripe ({reference}): {}",
                inv.number,
                money::format(inv.total_minor, &inv.currency)
            ))
            .meta(serde_json::json!({"subscription": sub.uuid, "reason": reason, "processor_ref": reference})),
    )?;
    lifecycle::invoice_paid(c, &inv, None, now)?;
    Ok((format!("applied: invoice {} recorded paid", inv.number), Some(sub.org)))
}

/// The lines of a Stripe invoice (`lines.data`: amount, description,
/// quantity, period, price); one line of its total when it lists none.
fn invoice_lines(c: &Connection, object: &Value, sub: &SubscriptionRow) -> AppResult<Vec<NewLine>> {
    let mut out = Vec::new();
    for line in object["lines"]["data"].as_array().into_iter().flatten() {
        let amount =
            line["amount"].as_i64().ok_or_else(|| AppError::validation("an invoice line has no integer amount"))?;
        let quantity = line["quantity"].as_i64().unwrap_or(1);
        let price = line["price"]["id"].as_str().or_else(|| line["pricing"]["price_details"]["price"].as_str());
        let plan = match price {
            Some(p) => plans::by_stripe_price(c, p)?.map(|p| p.id),
            None => None,
        };
        let unit =
            line["price"]["unit_amount"].as_i64().unwrap_or(if quantity > 0 { amount / quantity } else { amount });
        out.push(NewLine {
            description: line["description"].as_str().unwrap_or("Stripe invoice line").chars().take(500).collect(),
            plan,
            quantity,
            unit_amount_minor: unit,
            amount_minor: amount,
            proration: line["proration"].as_bool().unwrap_or(false),
            period: unix(&line["period"], "start").zip(unix(&line["period"], "end")),
        });
    }
    if out.is_empty() {
        let total = object["total"].as_i64().or_else(|| object["amount_paid"].as_i64()).unwrap_or(0);
        out.push(NewLine {
            description: format!("{} ({})", sub.plan.name, sub.plan.cadence),
            plan: Some(sub.plan.id),
            quantity: 1,
            unit_amount_minor: total,
            amount_minor: total,
            proration: false,
            period: None,
        });
    }
    Ok(out)
}

/// `invoice.payment_failed`: the subscription is `past_due` (Stripe retries
/// and tells us how that ends), and the failure is recorded.
fn payment_failed(c: &Connection, object: &Value, now: Timestamp) -> AppResult<(String, Option<OrgId>)> {
    let Some(sub) = invoice_subscription(c, object)? else { return Ok((UNKNOWN.into(), None)) };
    let reference = object["id"].as_str().unwrap_or("");
    let status = if matches!(sub.status.as_str(), "active" | "trialing") {
        lifecycle::set_status(c, &sub, "past_due", EventKind::SubscriptionStatus, None, now)?;
        "past_due"
    } else {
        sub.status.as_str()
    };
    let attempt = object["attempt_count"].as_i64();
    audit::record(
        c,
        Event::new(EventKind::PaymentFail, None)
            .org(sub.org)
            .on(sub.uuid)
            .describe(format!("Stripe could not collect invoice {reference}"))
            .meta(serde_json::json!({"processor_ref": reference, "attempt": attempt})),
    )?;
    Ok((format!("applied: payment failed, {status}"), Some(sub.org)))
}

/// A required non-empty string field of an event object.
fn text<'a>(v: &'a Value, field: &str) -> AppResult<&'a str> {
    v[field].as_str().filter(|s| !s.is_empty()).ok_or_else(|| AppError::validation(format!("the event has no {field}")))
}

/// A unix-seconds field as a time (absent, null or out of range: `None`).
fn unix(v: &Value, field: &str) -> Option<Timestamp> {
    v[field].as_i64().and_then(|s| chrono::DateTime::from_timestamp(s, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test";

    fn sign(secret: &str, t: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(body);
        hex::encode(mac.finalize().into_bytes())
    }

    #[test]
    fn signatures() {
        let body = br#"{"id":"evt_1"}"#;
        let t = 1_800_000_000;
        let good = sign(SECRET, t, body);
        let ok = |h: &str, now: i64| verify_signature(SECRET, Some(h), body, now);
        assert_eq!(ok(&format!("t={t},v1={good}"), t), Ok(()));
        assert_eq!(ok(&format!("t={t},v1={},v1={good},v0=abc", "00".repeat(32)), t + 300), Ok(()));
        assert_eq!(ok(&format!(" t={t} , v1={good} "), t - 300), Ok(()));
        assert!(ok(&format!("t={t},v1={good}"), t + 301).unwrap_err().contains("300 s"));
        assert!(ok(&format!("t={t},v1={good}"), t - 301).unwrap_err().contains("300 s"));
        let wrong = sign("whsec_other", t, body);
        assert!(ok(&format!("t={t},v1={wrong}"), t).unwrap_err().contains("matches"));
        assert!(ok(&format!("t={t},v1=zz"), t).unwrap_err().contains("matches"));
        assert!(ok(&format!("t={t},v0={good}"), t).unwrap_err().contains("no v1"));
        assert!(ok(&format!("v1={good}"), t).unwrap_err().contains("malformed"));
        assert!(ok(&format!("t=soon,v1={good}"), t).unwrap_err().contains("malformed"));
        assert!(ok("garbage", t).unwrap_err().contains("malformed"));
        assert!(verify_signature(SECRET, None, body, t).unwrap_err().contains("missing"));
        assert!(verify_signature(SECRET, Some(""), body, t).unwrap_err().contains("missing"));
        let changed = br#"{"id":"evt_2"}"#;
        assert!(verify_signature(SECRET, Some(&format!("t={t},v1={good}")), changed, t).is_err());
    }
}
