//! Organizations, their upcoming invoice and the caller (`/user/me`) on the
//! API7 face.

use meshcloud_billing::core::{PlanRow, SubscriptionRow};
use meshcloud_billing::model::invoices::Invoice;
use meshcloud_identity::core::orgs::OrgRow;
use meshcloud_identity::core::users::UserRow;
use meshcloud_kernel::http::api7::Id;
use meshcloud_kernel::http::types::Time;
use meshcloud_kernel::time::Timestamp;
use poem_openapi::Object;

/// `plan_expire_time` of a plan that does not expire (the default plan,
/// without a subscription): the end of year 9999, a time every client parses.
pub fn never() -> Timestamp {
    chrono::DateTime::from_timestamp(253_402_300_799, 0).unwrap_or_default()
}

/// An API7 organization: the core organization (its row id is the API7 id).
#[derive(Debug, Clone, Object)]
#[oai(rename = "Api7Organization")]
pub struct Organization {
    pub id: Id,
    pub name: String,
    pub created_at: Time,
    pub updated_at: Time,
    /// The billing plan the organization has now (its live subscription's,
    /// else the default plan's), by plan row id.
    pub plan_id: Id,
    /// The end of the live subscription's current period (of its trial
    /// while trialing); 9999-12-31T23:59:59Z on the default plan.
    pub plan_expire_time: Time,
    /// When the live subscription was created; null on the default plan.
    pub subscription_started_at: Option<Time>,
    /// The owner's user UUID.
    pub owner_id: String,
}

impl Organization {
    pub fn render(org: &OrgRow, plan: Option<&(PlanRow, Option<SubscriptionRow>)>) -> Self {
        let sub = plan.and_then(|(_, s)| s.as_ref());
        Organization {
            id: Id(org.id.0),
            name: org.name.clone(),
            created_at: Time(org.created_at),
            updated_at: Time(org.updated_at),
            plan_id: Id(plan.map_or(0, |(p, _)| p.id)),
            plan_expire_time: Time(sub.and_then(|s| s.current_period_end.or(s.trial_end)).unwrap_or_else(never)),
            subscription_started_at: sub.map(|s| Time(s.created_at)),
            owner_id: org.owner.to_string(),
        }
    }
}

/// `POST /orgs` and `POST /orgs/init`.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Api7OrganizationBody")]
pub struct OrganizationBody {
    /// 1 to 32 characters, not only white space.
    pub name: String,
}

/// `POST /orgs/{id}/subscriptions`.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Api7SubscriptionBody")]
pub struct SubscriptionBody {
    /// The plan: its row id, its UUID, its name (`Team Designer`; the
    /// monthly plan when the name has several cadences) or name and cadence
    /// (`Team Designer (annually)`), or its Stripe price id.
    pub plan: String,
}

/// One line of an upcoming invoice.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Api7InvoiceLine")]
pub struct InvoiceLine {
    pub description: String,
    /// Minor units of the currency (cents).
    pub amount: i64,
}

/// The invoice the organization's next renewal will issue (Stripe's shape,
/// amounts in minor units). Without a subscription that renews, a zero
/// invoice: no lines, no period.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Api7UpcomingInvoice")]
pub struct UpcomingInvoice {
    /// What is left to pay once the organization's credit is applied.
    pub amount_due: i64,
    /// Before credit.
    pub subtotal: i64,
    pub currency: String,
    pub period_start: Option<Time>,
    pub period_end: Option<Time>,
    pub lines: Vec<InvoiceLine>,
}

impl UpcomingInvoice {
    pub fn zero(currency: &str) -> Self {
        UpcomingInvoice {
            amount_due: 0,
            subtotal: 0,
            currency: currency.to_string(),
            period_start: None,
            period_end: None,
            lines: vec![],
        }
    }
}

impl From<Invoice> for UpcomingInvoice {
    fn from(i: Invoice) -> Self {
        UpcomingInvoice {
            amount_due: i.amount_due,
            subtotal: i.subtotal,
            currency: i.currency,
            period_start: i.period_start.map(Time),
            period_end: i.period_end.map(Time),
            lines: i.lines.into_iter().map(|l| InvoiceLine { description: l.description, amount: l.amount }).collect(),
        }
    }
}

/// meshcloud: an organization the caller belongs to, by both its ids.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Api7UserOrganization")]
pub struct UserOrganization {
    /// The API7 (numeric) id.
    pub id: Id,
    /// The id on meshcloud's other faces and in the UI.
    pub uuid: String,
    pub name: String,
}

/// The caller (`GET /user/me`).
#[derive(Debug, Clone, Object)]
#[oai(rename = "Api7User")]
pub struct User {
    /// The user's row id.
    pub id: Id,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// The live organizations the caller is an active member of.
    pub org_ids: Vec<Id>,
    pub avatar_url: String,
    pub created_at: Time,
    pub updated_at: Time,
    /// meshcloud: the same organizations with their UUIDs and names.
    pub organizations: Vec<UserOrganization>,
}

impl User {
    pub fn render(u: &UserRow, orgs: &[OrgRow]) -> Self {
        User {
            id: Id(u.id.0),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            email: u.email.clone(),
            org_ids: orgs.iter().map(|o| Id(o.id.0)).collect(),
            avatar_url: u.avatar_url.clone().unwrap_or_default(),
            created_at: Time(u.created_at),
            updated_at: Time(u.updated_at),
            organizations: orgs
                .iter()
                .map(|o| UserOrganization { id: Id(o.id.0), uuid: o.uuid.to_string(), name: o.name.clone() })
                .collect(),
        }
    }
}
