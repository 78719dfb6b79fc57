//! API7 organizations: the core organizations, created through the core's
//! own path, with the plan the billing engine gives them; their
//! subscription and upcoming invoice through the billing engine.

use meshcloud_billing::core::{self as billing_core, PlanRow, SubscriptionRow};
use meshcloud_billing::model::subscriptions::CreateBody;
use meshcloud_identity::core::orgs::{self as core_orgs, OrgRow};
use meshcloud_identity::core::users as core_users;
use meshcloud_identity::service::orgs::OrgChanges;
use meshcloud_kernel::access::Perm;
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult};

use super::{Gateway, scope};
use crate::model::orgs::{Organization, UpcomingInvoice, User};

/// An organization's name: 1 to 32 characters, not only white space (the
/// reference's `\S+`, unanchored: inner spaces are allowed).
pub fn check_name(name: &str) -> AppResult<String> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(AppError::validation("name must not be empty or only white space"));
    }
    if name.chars().count() > 32 {
        return Err(AppError::validation("name must be at most 32 characters"));
    }
    Ok(trimmed.to_string())
}

/// The plan `raw` names among `plans` (archived ones included, which the
/// billing engine then refuses with its reason): a row id, a UUID, a name
/// and cadence (`Team Designer (annually)`), a name (the live plan of that
/// name, the monthly one when there are several), or a Stripe price id.
pub fn pick_plan<'a>(plans: &'a [PlanRow], raw: &str) -> AppResult<&'a PlanRow> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(AppError::validation("plan must not be empty"));
    }
    let not_found = || AppError::validation(format!("plan: no plan {raw:?}"));
    if raw.bytes().all(|b| b.is_ascii_digit()) {
        let id: i64 = raw.parse().map_err(|_| not_found())?;
        return plans.iter().find(|p| p.id == id).ok_or_else(not_found);
    }
    if let Ok(id) = uuid::Uuid::parse_str(raw) {
        return plans.iter().find(|p| p.uuid == id).ok_or_else(not_found);
    }
    if let Some((name, cadence)) = raw.strip_suffix(')').and_then(|r| r.rsplit_once(" (")) {
        let name = name.trim();
        if let Some(p) = plans.iter().find(|p| p.name.eq_ignore_ascii_case(name) && p.cadence == cadence.trim()) {
            return Ok(p);
        }
    }
    let named: Vec<&PlanRow> = plans.iter().filter(|p| p.name.eq_ignore_ascii_case(raw)).collect();
    let live: Vec<&PlanRow> = named.iter().copied().filter(|p| p.archived_at.is_none()).collect();
    let pool = if live.is_empty() { &named } else { &live };
    if let Some(p) = pool.iter().find(|p| p.cadence == "monthly").or_else(|| pool.first()) {
        return Ok(p);
    }
    plans.iter().find(|p| p.stripe_price_id.as_deref() == Some(raw)).ok_or_else(not_found)
}

/// The organization as API7 shows it.
fn render(c: &Conn, org: &OrgRow) -> AppResult<Organization> {
    let plan: Option<(PlanRow, Option<SubscriptionRow>)> = billing_core::current_plan(c, org.id)?;
    Ok(Organization::render(org, plan.as_ref()))
}

impl Gateway {
    /// Creates an organization owned by the caller, who becomes its admin:
    /// the core's own creation (who may create, the name's rules, the event).
    pub async fn create_org(&self, p: &Principal, name: &str) -> AppResult<Organization> {
        let name = check_name(name)?;
        let ch = OrgChanges { name: Some(name), ..OrgChanges::default() };
        let org = self.identity().create_org(p, ch).await?;
        self.db().read(move |c| render(c, &org)).await
    }

    /// The caller's first organization: nothing happens when they already
    /// belong to an organization they own.
    pub async fn init_org(&self, p: &Principal, name: &str) -> AppResult<()> {
        let name = check_name(name)?;
        let ch = OrgChanges { name: Some(name), ..OrgChanges::default() };
        self.identity().create_first_org(p, ch).await.map(|_| ())
    }

    pub async fn get_org(&self, p: &Principal, id: i64) -> AppResult<Organization> {
        let p = p.clone();
        self.db().read(move |c| render(c, &scope::org(c, &p, id, Perm::OrgRead)?)).await
    }

    /// Subscribes the organization to a plan through the billing engine
    /// (its rules: one live subscription, archived plans refused, trials,
    /// the first invoice); answers the organization with its plan of now.
    pub async fn subscribe(&self, p: &Principal, id: i64, plan: &str) -> AppResult<Organization> {
        let q = p.clone();
        let org = self.db().read(move |c| scope::org(c, &q, id, Perm::BillingManage)).await?;
        let plans = self.billing().plans(true).await?;
        let plan = pick_plan(&plans, plan)?;
        let body = CreateBody {
            org_id: Some(org.uuid.to_string()),
            plan_id: Some(plan.uuid.to_string()),
            ..CreateBody::default()
        };
        self.billing().create_subscription(p, None, body).await?;
        self.db().read(move |c| render(c, &core_orgs::get(c, org.id)?)).await
    }

    /// The invoice the organization's live subscription will issue next; a
    /// zero invoice when nothing renews (no subscription, or one that ends
    /// with its period).
    pub async fn upcoming_invoice(&self, p: &Principal, id: i64) -> AppResult<UpcomingInvoice> {
        let q = p.clone();
        let plan = self
            .db()
            .read(move |c| {
                let org = scope::org(c, &q, id, Perm::BillingRead)?;
                billing_core::current_plan(c, org.id)
            })
            .await?;
        match plan {
            Some((_, Some(sub))) if !sub.cancel_at_period_end => {
                Ok(self.billing().upcoming_invoice(p, sub.uuid).await?.into())
            }
            Some((plan, _)) => Ok(UpcomingInvoice::zero(&plan.currency)),
            None => Ok(UpcomingInvoice::zero("usd")),
        }
    }

    /// Where an organization's billing is managed: meshcloud's billing page
    /// for that organization.
    pub async fn customer_portal(&self, p: &Principal, id: i64) -> AppResult<String> {
        let p = p.clone();
        let org = self.db().read(move |c| scope::org(c, &p, id, Perm::BillingRead)).await?;
        let base = self.settings().public_url.trim_end_matches('/');
        Ok(format!("{base}/billing?org={}", org.uuid))
    }

    /// The caller, with the live organizations they are an active member of.
    pub async fn me(&self, p: &Principal) -> AppResult<User> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                let user = core_users::get(c, p.user)?;
                let mut orgs = Vec::with_capacity(p.grants.orgs.len());
                for grant in p.grants.orgs.values() {
                    match core_orgs::get(c, grant.org) {
                        Ok(o) => orgs.push(o),
                        Err(AppError::NotFound) => {}
                        Err(e) => return Err(e),
                    }
                }
                orgs.sort_by_key(|o| o.id.0);
                Ok(User::render(&user, &orgs))
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(id: i64, name: &str, cadence: &str, archived: bool) -> PlanRow {
        let now = meshcloud_kernel::time::now();
        PlanRow {
            id,
            uuid: uuid::Uuid::new_v4(),
            name: name.into(),
            cadence: cadence.into(),
            currency: "usd".into(),
            unit: "user".into(),
            minimum_units: 1,
            price_minor: 100,
            trial_days: 0,
            is_default: false,
            stripe_price_id: (id == 4).then(|| "price_x".to_string()),
            archived_at: archived.then_some(now),
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn plans_by_id_uuid_name_and_price() {
        let plans = vec![
            plan(1, "Free", "monthly", false),
            plan(2, "Team", "annually", false),
            plan(3, "Team", "monthly", false),
            plan(4, "Old", "monthly", true),
        ];
        let id = |raw: &str| pick_plan(&plans, raw).map(|p| p.id).map_err(|e| e.to_string());
        assert_eq!(id("1"), Ok(1));
        assert_eq!(id(&plans[1].uuid.to_string()), Ok(2));
        assert_eq!(id("team"), Ok(3), "the monthly plan of a name with several cadences");
        assert_eq!(id("Team (annually)"), Ok(2));
        assert_eq!(id(" free "), Ok(1));
        assert_eq!(id("Old"), Ok(4), "archived plans are found (the engine refuses them)");
        assert_eq!(id("price_x"), Ok(4));
        for bad in ["", "  ", "9", "Gold", "Team (weekly)"] {
            assert!(id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn names() {
        assert_eq!(check_name(" a b ").ok(), Some("a b".to_string()));
        assert!(check_name("").is_err() && check_name(" \t").is_err());
        assert!(check_name(&"x".repeat(32)).is_ok() && check_name(&"x".repeat(33)).is_err());
        assert!(check_name(&"é".repeat(32)).is_ok(), "characters, not bytes");
    }
}
