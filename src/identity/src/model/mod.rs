//! Wire DTOs of the Layer5 face for identity resources. Field names and casing
//! are those of the Layer5 Cloud reference, not of our tables.

pub mod access;
pub mod invites;
pub mod prefs;

pub use access::*;
pub use invites::*;

use chrono::{TimeZone, Utc};
use meshcloud_kernel::http::types::{Text, Time};
use meshcloud_kernel::layer5_page;
use poem_openapi::Object;
use poem_openapi::types::MaybeUndefined;

use crate::service::users::Profile;
use crate::store::orgs::OrgRow;
use crate::store::tokens::{Kind, TokenRow};

/// The reference renders unset required times as Go's zero time.
pub(crate) fn zero_time() -> Time {
    Time(Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).single().unwrap_or_default())
}

/// An organization.
#[derive(Debug, Clone, Object)]
pub struct Organization {
    pub id: uuid::Uuid,
    pub name: String,
    pub description: String,
    pub country: String,
    pub region: String,
    /// The e-mail domain this organization claims, for sign-on discovery.
    pub domain: Option<String>,
    pub owner: uuid::Uuid,
    /// `{preferences: {...}}`: the organization's preferences live here.
    pub metadata: serde_json::Value,
    pub created_at: Time,
    pub updated_at: Time,
    pub deleted_at: Option<Time>,
}

impl From<OrgRow> for Organization {
    fn from(o: OrgRow) -> Self {
        Organization {
            id: o.uuid,
            name: o.name,
            description: o.description,
            country: o.country,
            region: o.region,
            domain: o.domain,
            owner: o.owner,
            metadata: prefs::org_metadata(&o.metadata),
            created_at: o.created_at.into(),
            updated_at: o.updated_at.into(),
            deleted_at: o.deleted_at.map(Time),
        }
    }
}

layer5_page!(OrganizationsPage, "organizations", Organization);

/// Body for creating or updating an organization. Every field is optional;
/// on update a missing field is left unchanged. `name` is required on create.
#[derive(Debug, Clone, Object)]
pub struct OrganizationPayload {
    pub name: Option<Text>,
    pub description: Option<Text>,
    pub country: Option<Text>,
    pub region: Option<Text>,
    /// Replaces `metadata.preferences`.
    pub preferences: Option<serde_json::Value>,
    /// Accepted for compatibility; meshcloud sends no notification e-mails.
    #[oai(rename = "notifyOrgUpdate")]
    pub notify_org_update: Option<bool>,
    /// meshcloud extension: the e-mail domain for discovery (`null` clears it).
    pub domain: MaybeUndefined<Text>,
}

/// An organization's preferences.
#[derive(Debug, Clone, Object)]
pub struct OrgPreferences {
    pub preferences: serde_json::Value,
}

/// A user, with their organization and team context.
#[derive(Debug, Clone, Object)]
pub struct User {
    pub id: uuid::Uuid,
    pub user_id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub provider: String,
    pub status: String,
    /// Left out when unset: never null, and the reference types it as a URI,
    /// which an empty string is not.
    #[oai(skip_serializing_if_is_empty)]
    pub avatar_url: String,
    pub bio: String,
    /// `{}` when unset.
    pub country: serde_json::Value,
    pub region: serde_json::Value,
    /// The upstream keys with defaults (`prefs::user`), then what the user stored.
    pub preferences: serde_json::Value,
    /// `{organizations_with_roles: [{id, name, role_names}], total_count}`.
    pub organizations: serde_json::Value,
    /// `{teams_with_roles: [...], total_count}`.
    pub teams: serde_json::Value,
    pub role_names: Vec<String>,
    pub socials: Vec<serde_json::Value>,
    /// `0001-01-01T00:00:00Z` when unset, the reference's zero time.
    pub accepted_terms_at: Time,
    pub first_login_time: Time,
    pub last_login_time: Time,
    pub created_at: Time,
    pub updated_at: Time,
    pub deleted_at: Option<Time>,
}

pub const ROLE_PROVIDER_ADMIN: &str = "admin";
pub const ROLE_USER: &str = "user";

impl From<Profile> for User {
    fn from(p: Profile) -> Self {
        let u = p.user;
        let orgs: Vec<serde_json::Value> = p
            .orgs
            .iter()
            .map(|o| serde_json::json!({ "id": o.org.uuid, "name": o.org.name, "role_names": o.role_names }))
            .collect();
        let total = orgs.len();
        let teams: Vec<serde_json::Value> = p
            .teams
            .iter()
            .map(|t| serde_json::json!({ "id": t.id, "name": t.name, "org_id": t.org, "role_names": t.role_names }))
            .collect();
        let team_total = teams.len();
        User {
            id: u.uuid,
            user_id: u.user_id,
            email: u.email,
            first_name: u.first_name,
            last_name: u.last_name,
            provider: u.provider,
            status: u.status,
            avatar_url: u.avatar_url.unwrap_or_default(),
            bio: u.bio.unwrap_or_default(),
            country: u.country.unwrap_or_else(|| serde_json::json!({})),
            region: u.region.unwrap_or_else(|| serde_json::json!({})),
            preferences: prefs::user(&u.preferences, u.updated_at.into()),
            organizations: serde_json::json!({ "organizations_with_roles": orgs, "total_count": total }),
            teams: serde_json::json!({ "teams_with_roles": teams, "total_count": team_total }),
            role_names: vec![if u.is_provider_admin { ROLE_PROVIDER_ADMIN } else { ROLE_USER }.to_string()],
            socials: vec![],
            accepted_terms_at: u.accepted_terms_at.map_or_else(zero_time, Time),
            first_login_time: u.first_login_time.map_or_else(zero_time, Time),
            last_login_time: u.last_login_time.map_or_else(zero_time, Time),
            created_at: u.created_at.into(),
            updated_at: u.updated_at.into(),
            deleted_at: None,
        }
    }
}

impl User {
    /// A user as an org's user list shows them: `role_names` are their roles
    /// in that org (the profile has only that org).
    pub fn in_org(p: Profile) -> Self {
        let mut role_names = p.orgs.first().map(|o| o.role_names.clone()).unwrap_or_default();
        if p.user.is_provider_admin {
            role_names.push(crate::store::roles::PROVIDER_ADMIN.to_string());
        }
        let mut u = User::from(p);
        u.role_names = role_names;
        u.preferences = prefs::user(&serde_json::json!({}), u.updated_at);
        u
    }
}

/// A user-owned API token or web session.
#[derive(Debug, Clone, Object)]
pub struct Token {
    pub id: uuid::Uuid,
    pub user_id: uuid::Uuid,
    pub provider: String,
    /// The credential itself: present only in the response that created it.
    #[oai(skip_serializing_if_is_none)]
    pub access_token: Option<String>,
    /// Never issued by meshcloud: tokens do not expire unless revoked.
    #[oai(skip_serializing_if_is_none)]
    pub refresh_token: Option<String>,
    pub name: String,
    pub purpose: String,
    pub is_oauth: bool,
    pub created_at: Time,
    pub updated_at: Time,
}

impl From<TokenRow> for Token {
    fn from(t: TokenRow) -> Self {
        Token {
            id: t.uuid,
            user_id: t.user_uuid,
            provider: t.provider,
            access_token: None,
            refresh_token: None,
            name: t.name,
            purpose: t.purpose,
            is_oauth: matches!(t.kind, Kind::Session | Kind::OAuth),
            created_at: t.created_at.into(),
            updated_at: t.updated_at.into(),
        }
    }
}

layer5_page!(TokensPage, "tokens", Token);
