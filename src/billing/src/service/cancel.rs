//! Canceling a subscription: a paid one runs to the end of its period (the
//! billing job ends it then); one not yet paid for (`incomplete`) or still in
//! its trial ends at once.

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult};

use super::{Billing, lifecycle};
use crate::store::subscriptions::{self, SubscriptionRow};

impl Billing {
    /// Cancels the subscription `id` (`billing.subscriptions.manage` in its
    /// organization; beyond the caller's reach it is not found) and answers
    /// the organization's subscriptions, the page `req`.
    pub async fn cancel_subscription(
        &self,
        p: &Principal,
        id: uuid::Uuid,
        req: PageRequest,
    ) -> AppResult<Page<SubscriptionRow>> {
        let sub = self.subscription_for(p, id, Perm::BillingManage).await?;
        let (org, actor, now) = (sub.org, Some(p.user), self.now());
        self.db()
            .write(move |c| {
                // Read again in the writer: the job or a webhook may have moved it.
                let sub = subscriptions::get(c, sub.id)?;
                cancel(c, &sub, actor, now)?;
                subscriptions::list(c, org, &[], &req)
            })
            .await
    }
}

fn cancel(
    c: &rusqlite::Connection,
    sub: &SubscriptionRow,
    actor: Option<meshcloud_kernel::ids::UserId>,
    now: meshcloud_kernel::time::Timestamp,
) -> AppResult<()> {
    // Stripe renews a subscription it bills until told otherwise there; a
    // flag set here would be overwritten by its next event.
    if sub.processor == "stripe" && sub.billing_id.is_some() {
        return Err(AppError::validation("this subscription is billed by Stripe: cancel it in Stripe"));
    }
    match sub.status.as_str() {
        "active" | "past_due" if sub.cancel_at_period_end => {
            Err(AppError::validation("the subscription is already canceled at the end of its period"))
        }
        "active" | "past_due" => {
            subscriptions::mark_canceled(c, sub.id, true, &now)?;
            let until = sub.current_period_end.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default();
            audit::record(
                c,
                Event::new(EventKind::SubscriptionCancel, actor)
                    .org(sub.org)
                    .on(sub.uuid)
                    .describe(format!(
                        "subscription to {} ({}) canceled: it ends with its period, {until}",
                        sub.plan.name, sub.plan.cadence
                    ))
                    .meta(serde_json::json!({"ends_at": sub.current_period_end})),
            )
        }
        "incomplete" | "trialing" => {
            subscriptions::mark_canceled(c, sub.id, false, &now)?;
            lifecycle::void_open_invoices(c, sub, "its subscription was canceled", actor, now)?;
            lifecycle::end(c, sub, "canceled", "canceled", actor, now)
        }
        other => Err(AppError::validation(format!("the subscription has already ended ({other})"))),
    }
}
