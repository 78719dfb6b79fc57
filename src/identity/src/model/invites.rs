//! Wire DTOs of the Layer5 face for invitations, sign-up requests, badges and
//! org user lists.

use meshcloud_kernel::http::types::{Text, Time};
use meshcloud_kernel::layer5_page;
use poem_openapi::Object;
use poem_openapi::types::MaybeUndefined;

use super::User;
use crate::store::badges::BadgeRow;
use crate::store::invitations::InvitationRow;
use crate::store::signup::RequestRow;
use crate::store::users::UserRow;

layer5_page!(UsersPage, "data", User);

/// A user as `GET /api/users` shows them: the upstream user fields, none of
/// them null. `email` (and an e-mail-shaped `user_id`) only where the user
/// made the address public (preference `publicEmail: true`); the sign-in
/// times only to callers who share an organization with the user (or
/// administer meshcloud), else the zero time.
#[derive(Debug, Clone, Object)]
pub struct PublicUser {
    pub id: uuid::Uuid,
    pub user_id: String,
    pub provider: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// Left out when unset, as on the profile.
    #[oai(skip_serializing_if_is_empty)]
    pub avatar_url: String,
    pub status: String,
    pub bio: String,
    pub country: serde_json::Value,
    pub region: serde_json::Value,
    pub accepted_terms_at: Time,
    pub first_login_time: Time,
    pub last_login_time: Time,
    pub created_at: Time,
    pub updated_at: Time,
    pub socials: Vec<serde_json::Value>,
    pub deleted_at: Option<Time>,
}

impl PublicUser {
    /// `known`: the caller may see the user's activity (shares an
    /// organization, or is a provider admin). The address is shown only where
    /// its owner made it public: the directory is public, whoever reads it.
    pub fn new(u: UserRow, known: bool) -> Self {
        let with_email = u.preferences.get("publicEmail").and_then(serde_json::Value::as_bool) == Some(true);
        // Accounts made from an e-mail address use it as their username too.
        let user_id = if with_email || !u.user_id.contains('@') { u.user_id } else { u.uuid.to_string() };
        let time = |t: Option<meshcloud_kernel::time::Timestamp>| match t {
            Some(t) if known => Time(t),
            _ => super::zero_time(),
        };
        PublicUser {
            id: u.uuid,
            user_id,
            provider: u.provider,
            // The reference requires an e-mail address here: one no mail
            // reaches (RFC 2606's reserved `.invalid`) names the user instead.
            email: if with_email { u.email } else { format!("{}@hidden.invalid", u.uuid) },
            first_name: u.first_name,
            last_name: u.last_name,
            avatar_url: u.avatar_url.unwrap_or_default(),
            status: u.status,
            bio: u.bio.unwrap_or_default(),
            country: u.country.unwrap_or_else(|| serde_json::json!({})),
            region: u.region.unwrap_or_else(|| serde_json::json!({})),
            accepted_terms_at: time(u.accepted_terms_at),
            first_login_time: time(u.first_login_time),
            last_login_time: time(u.last_login_time),
            created_at: u.created_at.into(),
            updated_at: u.updated_at.into(),
            socials: vec![],
            deleted_at: None,
        }
    }
}

layer5_page!(PublicUsersPage, "data", PublicUser);

/// An invitation; its `id` is also the code to share.
#[derive(Debug, Clone, Object)]
pub struct Invitation {
    pub id: uuid::Uuid,
    pub name: String,
    pub description: String,
    pub org_id: uuid::Uuid,
    pub owner_id: Option<uuid::Uuid>,
    pub emails: Vec<String>,
    pub roles: Vec<String>,
    pub teams: Vec<String>,
    /// `enabled` or `disabled`.
    pub status: String,
    /// Ids of the users who accepted.
    pub accepted_by: Vec<String>,
    /// Null: never expires.
    pub expires_at: Option<Time>,
    /// 0: unlimited acceptances (the integer's empty value; never null).
    pub quota: i64,
    pub is_default: bool,
    pub created_at: Time,
    pub updated_at: Time,
    pub deleted_at: Option<Time>,
}

impl From<InvitationRow> for Invitation {
    fn from(i: InvitationRow) -> Self {
        Invitation {
            id: i.uuid,
            name: i.name,
            description: i.description,
            org_id: i.org_uuid,
            owner_id: i.owner,
            emails: i.emails,
            roles: i.roles,
            teams: i.teams,
            status: i.status,
            accepted_by: i.accepted_by,
            expires_at: i.expires_at.map(Time),
            quota: i.quota.unwrap_or(0),
            is_default: i.is_default,
            created_at: i.created_at.into(),
            updated_at: i.updated_at.into(),
            deleted_at: i.deleted_at.map(Time),
        }
    }
}

/// `{data, total}`: the reference does not page invitations.
#[derive(Debug, Clone, Object)]
pub struct InvitationsList {
    pub data: Vec<Invitation>,
    pub total: u64,
}

/// Create or update an invitation. `id` and `owner_id` are ignored (the path
/// names the invitation; the creator owns it).
#[derive(Debug, Clone, Object)]
pub struct InvitationPayload {
    pub id: Option<uuid::Uuid>,
    pub name: Text,
    pub description: Text,
    pub org_id: uuid::Uuid,
    pub owner_id: Option<uuid::Uuid>,
    pub emails: Vec<String>,
    pub roles: Vec<String>,
    pub teams: Vec<String>,
    pub status: Text,
    /// `null`: never expires. Left out of an update: unchanged.
    pub expires_at: MaybeUndefined<Time>,
    /// `0` or `null`: unlimited. Left out of an update: unchanged.
    pub quota: MaybeUndefined<i64>,
    /// Left out of an update: unchanged.
    pub is_default: Option<bool>,
}

/// `POST /api/identity/orgs/{orgId}/users/invite`.
#[derive(Debug, Clone, Object)]
pub struct InviteUsers {
    pub emails: Vec<String>,
    pub roles: Option<Vec<String>>,
    pub teams: Option<Vec<String>>,
    pub name: Option<Text>,
    pub description: Option<Text>,
    pub expires_at: Option<Time>,
}

#[derive(Debug, Clone, Object)]
pub struct InviteResult {
    pub message: String,
    pub invitation: Invitation,
}

/// A request for an account.
#[derive(Debug, Clone, Object)]
pub struct SignupPayload {
    pub email: Text,
    pub first_name: Option<Text>,
    pub last_name: Option<Text>,
    /// Used for sign-in once the request is approved.
    pub password: Option<Text>,
    /// The organization to join on approval.
    pub org_id: Option<uuid::Uuid>,
    pub message: Option<Text>,
}

/// The answer to a sign-up request: the same whatever the address's state.
#[derive(Debug, Clone, Object)]
pub struct SignupAccepted {
    pub email: String,
    pub status: String,
    pub message: String,
}

#[derive(Debug, Clone, Object)]
pub struct SignupRequest {
    pub id: uuid::Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub message: String,
    pub org_id: Option<uuid::Uuid>,
    /// `pending`, `approved` or `denied`.
    pub status: String,
    /// The account created on approval.
    pub user_id: Option<uuid::Uuid>,
    pub decided_at: Option<Time>,
    pub created_at: Time,
    pub updated_at: Time,
}

impl From<RequestRow> for SignupRequest {
    fn from(r: RequestRow) -> Self {
        SignupRequest {
            id: r.uuid,
            email: r.email,
            first_name: r.first_name,
            last_name: r.last_name,
            message: r.message,
            org_id: r.org_uuid,
            status: r.status,
            user_id: r.user,
            decided_at: r.decided_at.map(Time),
            created_at: r.created_at.into(),
            updated_at: r.updated_at.into(),
        }
    }
}

layer5_page!(SignupPage, "data", SignupRequest);

/// Names the request to approve or deny: by `id`, or the pending one of `email`.
#[derive(Debug, Clone, Object)]
pub struct DecidePayload {
    pub id: Option<uuid::Uuid>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Object)]
pub struct SignupNotification {
    pub pending: u64,
    pub latest: Vec<SignupRequest>,
}

#[derive(Debug, Clone, Object)]
pub struct Badge {
    pub id: uuid::Uuid,
    pub org_id: uuid::Uuid,
    pub name: String,
    pub label: String,
    pub description: String,
    pub image_url: String,
    pub created_at: Time,
    pub updated_at: Time,
    pub deleted_at: Option<Time>,
}

impl From<BadgeRow> for Badge {
    fn from(b: BadgeRow) -> Self {
        Badge {
            id: b.uuid,
            org_id: b.org_uuid,
            name: b.name,
            label: b.label,
            description: b.description,
            image_url: b.image_url,
            created_at: b.created_at.into(),
            updated_at: b.updated_at.into(),
            deleted_at: b.deleted_at.map(Time),
        }
    }
}

/// Create (no `id`) or update a badge. An empty `label` is made from `name`.
#[derive(Debug, Clone, Object)]
pub struct BadgePayload {
    pub id: Option<uuid::Uuid>,
    pub org_id: uuid::Uuid,
    pub name: Text,
    pub label: Text,
    pub description: Text,
    pub image_url: Text,
}

/// `{badges: {<label>: badge}}` of the org in context.
#[derive(Debug, Clone, Object)]
pub struct AvailableBadges {
    pub badges: std::collections::BTreeMap<String, Badge>,
}

#[derive(Debug, Clone, Object)]
pub struct AssignBadges {
    /// Labels or ids; the user's complete set of badges in the org.
    pub badges: Option<Vec<String>>,
    /// Accepted for compatibility; meshcloud sends no e-mail.
    pub notify: Option<bool>,
    /// Default: the caller.
    pub user_id: Option<uuid::Uuid>,
}

#[derive(Debug, Clone, Object)]
pub struct AssignedBadges {
    pub user_id: uuid::Uuid,
    pub badges: Vec<String>,
}
