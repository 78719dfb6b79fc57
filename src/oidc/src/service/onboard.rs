//! Onboarding: a person an upstream provider vouched for, but whom meshcloud
//! does not know, is sent to the client's onboarding page; it posts back the
//! organization to create, and meshcloud creates the account, the
//! organization (with the person as its admin), a first group with the
//! requested roles, and signs them in.

use meshcloud_identity::service::orgs::OrgChanges;
use meshcloud_identity::service::roles::{Holder, HolderRoles};
use meshcloud_identity::service::users::CreateUser;
use meshcloud_kernel::ids::UserId;
use meshcloud_kernel::{AppError, AppResult, time};
use serde::{Deserialize, Serialize};

use super::Oidc;
use super::authorize::{AuthRequest, Outcome, with_query};
use super::upstream::Proven;
use crate::store::clients::ClientRow;
use crate::store::upstream;

const ONBOARD_PURPOSE: &str = "oidc-onboard";
/// The onboarding page has ten minutes, as in the reference.
const ONBOARD_STATE_SECS: i64 = 10 * 60;

#[derive(Debug, Serialize, Deserialize)]
pub struct OnboardState {
    /// Redeemed once (`oidc_used_states`): whoever sees the onboarding URL
    /// afterwards cannot use it again.
    pub id: String,
    pub pending: AuthRequest,
    pub email: String,
    pub provider_name: String,
    pub org_scoped: bool,
}

/// `onboardRequestOptions`.
#[derive(Debug, Default)]
pub struct OnboardForm {
    pub state: String,
    pub organization_name: String,
    pub organization_description: Option<String>,
    pub group_name: String,
    pub group_description: Option<String>,
    pub roles: Vec<String>,
}

impl Oidc {
    /// Where an unknown person goes: the client's onboarding page, or an
    /// error for the client when there is none or sign-up is off.
    pub fn onboarding(&self, client: &ClientRow, proven: Proven) -> Outcome {
        let Some(uri) = client.onboarding_uri.as_deref().filter(|_| self.settings().allow_signup) else {
            return proven.pending.error("server_error", "user signup is not permitted");
        };
        let email = proven.email.clone();
        let st = OnboardState {
            id: meshcloud_kernel::crypto::random_secret(16),
            pending: proven.pending,
            email: proven.email,
            provider_name: proven.provider_name,
            org_scoped: proven.org_scoped,
        };
        let sealed = match self.seal_state(ONBOARD_PURPOSE, &st, ONBOARD_STATE_SECS) {
            Ok(sealed) => sealed,
            Err(e) => {
                tracing::error!(error = %e, "cannot seal the onboarding state");
                return st.pending.error("server_error", "the onboarding cannot be started");
            }
        };
        let callback = format!("{}/oauth2/v2/onboard", self.issuer());
        Outcome::Redirect(with_query(uri, &[("state", &sealed), ("callback", &callback), ("email", &email)]))
    }

    /// Creates what the onboarding form asks for; returns the new account
    /// and the pending request to answer.
    pub async fn onboard(&self, form: OnboardForm) -> AppResult<(UserId, OnboardState)> {
        let st: OnboardState = self
            .open_state(ONBOARD_PURPOSE, &form.state)
            .ok_or_else(|| AppError::validation("the onboarding has expired or did not start here"))?;
        let identity = self.identity();
        if form.organization_name.trim().is_empty() || form.group_name.trim().is_empty() {
            return Err(AppError::validation("organization_name and group_name are required"));
        }
        let (id, until) = (st.id.clone(), time::now() + chrono::Duration::seconds(ONBOARD_STATE_SECS));
        if !self.db().write(move |c| upstream::redeem_state(c, &id, &until)).await? {
            return Err(AppError::validation("this onboarding link has already been used"));
        }
        let user = match self.account(&st.email).await? {
            Some(a) if !a.active => return Err(AppError::validation("user is not active")),
            Some(a) if a.provider_admin && st.org_scoped => {
                return Err(AppError::validation("a provider admin cannot sign in through an organization's provider"));
            }
            Some(a) => a.id,
            None => {
                let new = CreateUser {
                    email: st.email.clone(),
                    first_name: String::new(),
                    last_name: String::new(),
                    password: None,
                    provider_admin: false,
                    org: None,
                };
                identity.create_user(None, new).await?.id
            }
        };
        let p = identity.principal_for_email(&st.email).await?;
        let org = identity
            .create_org(
                &p,
                OrgChanges {
                    name: Some(form.organization_name),
                    description: form.organization_description,
                    ..OrgChanges::default()
                },
            )
            .await?;
        // The creator's grants in the new org: read again.
        let p = identity.principal_for_email(&st.email).await?;
        let team = identity.create_team(&p, org.uuid, &form.group_name, form.group_description.as_deref()).await?;
        identity.add_team_member(&p, org.uuid, team.uuid, &p.user_uuid.to_string()).await?;
        if !form.roles.is_empty() {
            let item = HolderRoles { holder: Holder::Team(team.uuid), role_names: form.roles };
            identity.set_role_holders(&p, org.uuid, vec![item]).await?;
        }
        Ok((user, st))
    }
}
