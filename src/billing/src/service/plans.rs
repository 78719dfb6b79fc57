//! The plan catalogue: read by every signed-in user, changed by provider admins.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::access::Perm;
use meshcloud_kernel::principal::Principal;

use super::Billing;
use crate::store::plans::{self, FeatureRow, PlanRow};

#[derive(Debug, Clone)]
pub struct PlanWithFeatures {
    pub plan: PlanRow,
    pub features: Vec<FeatureRow>,
}

fn group(all: Vec<PlanRow>, features: Vec<FeatureRow>) -> Vec<PlanWithFeatures> {
    all.into_iter()
        .map(|plan| {
            let features = features.iter().filter(|f| f.plan_id == plan.id).cloned().collect();
            PlanWithFeatures { plan, features }
        })
        .collect()
}

impl Billing {
    /// The plans on offer (archived ones too with `archived`).
    pub async fn plans(&self, archived: bool) -> AppResult<Vec<PlanRow>> {
        self.db().read(move |c| plans::list(c, archived)).await
    }

    /// Every plan on offer with its features.
    pub async fn catalogue(&self) -> AppResult<Vec<PlanWithFeatures>> {
        self.db().read(|c| Ok(group(plans::list(c, false)?, plans::features(c, None)?))).await
    }

    /// The plan an organization has now, with its features: its live
    /// subscription's, else the default plan's.
    pub async fn org_plan(&self, p: &Principal, org: uuid::Uuid) -> AppResult<Option<PlanWithFeatures>> {
        let org = self.identity().org_id_for(p, org, Perm::BillingRead).await?;
        self.db()
            .read(move |c| {
                Ok(match plans::effective(c, org)? {
                    Some((plan, _)) => {
                        let features = plans::features(c, Some(plan.id))?;
                        Some(PlanWithFeatures { plan, features })
                    }
                    None => None,
                })
            })
            .await
    }
}
