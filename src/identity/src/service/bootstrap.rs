//! First start on an empty store: a default organization and its admin.

use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::{AppResult, validate};

use super::Identity;
use crate::password::Passwords;
use crate::store::orgs::{self, OrgFields};
use crate::store::users::{self, NewUser};

pub const DEFAULT_ORG: &str = "Default Organization";

/// What bootstrap did, so the caller can tell the operator.
pub enum Bootstrap {
    AlreadyInitialised,
    /// A generated password is returned to be shown once.
    Created {
        email: String,
        generated_password: Option<String>,
    },
}

impl Identity {
    /// Creates the admin and the default organization if the store has no user yet.
    pub async fn bootstrap(&self, email: &str, password: Option<String>) -> AppResult<Bootstrap> {
        if self.db().read(users::count).await? > 0 {
            return Ok(Bootstrap::AlreadyInitialised);
        }
        let email = validate::email(email)?;
        let (password, generated) = match password {
            Some(p) => {
                Passwords::check_policy(&p)?;
                (p, false)
            }
            None => (meshcloud_kernel::crypto::random_secret(18), true),
        };
        let hash = self.hash_password(password.clone()).await?;
        let admin = email.clone();
        let created = self
            .db()
            .write(move |c| {
                // Checked again under the write lock: two processes may race on a fresh dir.
                if users::count(c)? > 0 {
                    return Ok(false);
                }
                let new = NewUser {
                    email: &admin,
                    user_id: &admin,
                    first_name: "Admin",
                    last_name: "",
                    password_hash: Some(&hash),
                    provider_admin: true,
                };
                let (id, uuid) = users::insert(c, &new)?;
                let metadata = serde_json::json!({ "preferences": {} });
                let fields = OrgFields {
                    name: DEFAULT_ORG,
                    description: "",
                    country: "",
                    region: "",
                    domain: None,
                    metadata: &metadata,
                };
                let org = orgs::insert(c, id, &fields)?;
                audit::record(
                    c,
                    Event::new(EventKind::UserCreate, None).on(uuid).describe(format!("initial admin {admin} created")),
                )?;
                audit::record(
                    c,
                    Event::new(EventKind::OrganizationCreate, None).org(org).describe("default organization created"),
                )?;
                Ok(true)
            })
            .await?;
        Ok(if created {
            Bootstrap::Created { email, generated_password: generated.then_some(password) }
        } else {
            Bootstrap::AlreadyInitialised
        })
    }
}
