//! `/api/meshcloud/password`, `/api/meshcloud/users` and
//! `/api/meshcloud/users/{userId}/password`: changing one's own password, and
//! a provider admin creating an account with a one-time password or resetting
//! another's.

use meshcloud_kernel::AppError;
use meshcloud_kernel::http::layer5::paging;
use meshcloud_kernel::http::types::{Text, Time};
use meshcloud_kernel::layer5_page;
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::Tag;
use super::auth::Auth;
use super::session::client_ip;
use crate::Identity;
use crate::password::Passwords;
use crate::service::passwords::Target;
use crate::service::users::CreateUser;
use crate::store::users::{self, UserRow};

pub struct PasswordsApi {
    pub identity: Identity,
}

#[derive(Debug, Object)]
#[oai(rename = "PasswordChange")]
pub struct PasswordChange {
    /// The current password.
    #[oai(rename = "oldPassword")]
    pub old_password: Text,
    /// At least 8 characters, at most 1024 bytes.
    #[oai(rename = "newPassword")]
    pub new_password: Text,
}

#[derive(Debug, Object)]
#[oai(rename = "PasswordReset")]
pub struct PasswordReset {
    /// At least 8 characters, at most 1024 bytes.
    #[oai(rename = "newPassword")]
    pub new_password: Text,
}

#[derive(Debug, Object)]
#[oai(rename = "NewAccount")]
pub struct NewAccount {
    pub email: Text,
    #[oai(rename = "firstName")]
    pub first_name: Option<Text>,
    #[oai(rename = "lastName")]
    pub last_name: Option<Text>,
    /// An organization the user joins at once.
    #[oai(rename = "orgId")]
    pub org_id: Option<uuid::Uuid>,
    /// With `orgId`: as its admin (else as a member).
    #[oai(rename = "orgAdmin")]
    pub org_admin: Option<bool>,
}

/// The account made, with its password: the only time the password is shown.
#[derive(Debug, Object)]
#[oai(rename = "CreatedAccount")]
pub struct CreatedAccount {
    pub id: uuid::Uuid,
    pub email: String,
    /// Generated; hand it over once, the user changes it after signing in.
    pub password: String,
}

/// An account as provider admins list them: with its address.
#[derive(Debug, Clone, Object)]
pub struct Account {
    pub id: uuid::Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// `meshcloud`, or the upstream provider it signs in through.
    pub provider: String,
    pub status: String,
    pub provider_admin: bool,
    /// Absent until the first sign-in.
    #[oai(skip_serializing_if_is_none)]
    pub last_login_time: Option<Time>,
    pub created_at: Time,
}

impl From<UserRow> for Account {
    fn from(u: UserRow) -> Self {
        Account {
            id: u.uuid,
            email: u.email,
            first_name: u.first_name,
            last_name: u.last_name,
            provider: u.provider,
            status: u.status,
            provider_admin: u.is_provider_admin,
            last_login_time: u.last_login_time.map(Time),
            created_at: Time(u.created_at),
        }
    }
}

layer5_page!(AccountsPage, "users", Account);

#[derive(ApiResponse)]
pub enum AccountCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<CreatedAccount>),
}

#[derive(ApiResponse)]
pub enum PasswordSet {
    /// The password was changed.
    #[oai(status = 204)]
    NoContent,
}

#[OpenApi(prefix_path = "/api/meshcloud", tag = "Tag::Session")]
impl PasswordsApi {
    /// Change your password
    ///
    /// `oldPassword` must be the current password (else 400; a wrong one
    /// counts as a failed sign-in for throttling, so guesses meet 429). Every
    /// other web session of the account ends, with the OIDC sessions signed
    /// in through it; the session the request came with stays signed in.
    /// Security tokens are not revoked. Service accounts and accounts that
    /// sign in through an upstream provider have no password (400).
    #[oai(path = "/password", method = "put")]
    async fn change(&self, req: &Request, auth: Auth, body: Json<PasswordChange>) -> Result<PasswordSet, AppError> {
        let ip = client_ip(req, self.identity.settings().trust_forwarded_for);
        let PasswordChange { old_password, new_password } = body.0;
        self.identity.change_password(auth.principal(), old_password.0, new_password.0, &ip).await?;
        Ok(PasswordSet::NoContent)
    }

    /// List every account
    ///
    /// For provider admins (403 otherwise), with their e-mail addresses, which
    /// the public directory (`GET /api/users`) hides. Layer5 paging: `page`,
    /// `pagesize`, `search` (address and names), `order`.
    #[oai(path = "/users", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
    ) -> Result<Json<AccountsPage>, AppError> {
        let paging =
            paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &users::ORDER_FIELDS);
        let result = self.identity.accounts(auth.principal(), paging.request.clone()).await?;
        Ok(Json(AccountsPage::new(&paging, result.map(Account::from))))
    }

    /// Create a user
    ///
    /// For provider admins (403 otherwise). The account gets a generated
    /// password, answered once; with `orgId` the user joins that organization
    /// (as its admin with `orgAdmin`). A taken e-mail is 409. The same as
    /// `meshcloud user create` from the shell.
    #[oai(path = "/users", method = "post")]
    async fn create(&self, auth: Auth, body: Json<NewAccount>) -> Result<AccountCreated, AppError> {
        let NewAccount { email, first_name, last_name, org_id, org_admin } = body.0;
        if org_admin.unwrap_or(false) && org_id.is_none() {
            return Err(AppError::validation("orgAdmin needs orgId"));
        }
        let password = Passwords::generate();
        let new = CreateUser {
            email: email.0,
            first_name: first_name.map(|t| t.0).unwrap_or_default(),
            last_name: last_name.map(|t| t.0).unwrap_or_default(),
            password: Some(password.clone()),
            provider_admin: false,
            org: org_id.map(|o| (o, org_admin.unwrap_or(false))),
        };
        let user = self.identity.create_user(Some(auth.principal()), new).await?;
        Ok(AccountCreated::Created(Json(CreatedAccount { id: user.uuid, email: user.email, password })))
    }

    /// Set a user's password
    ///
    /// For provider admins (403 otherwise). Ends every web session of the
    /// user, with the OIDC sessions signed in through them; security tokens
    /// stay. A user who signed in only through an upstream provider gains a
    /// password; a service account has none to set (400).
    #[oai(path = "/users/:userId/password", method = "put")]
    async fn reset(
        &self,
        auth: Auth,
        #[oai(name = "userId")] user_id: Path<uuid::Uuid>,
        body: Json<PasswordReset>,
    ) -> Result<PasswordSet, AppError> {
        self.identity.reset_password(Some(auth.principal()), Target::Id(user_id.0), body.0.new_password.0).await?;
        Ok(PasswordSet::NoContent)
    }
}
