//! Wire DTOs of the Layer5 face for teams, roles, keys and keychains.

use meshcloud_kernel::http::types::{Text, Time};
use meshcloud_kernel::layer5_page;
use poem_openapi::Object;

use crate::store::keys::{KeyRow, KeychainRow};
use crate::store::roles::RoleRow;
use crate::store::teams::{MemberRow, TeamRow};

/// A group of an organization's users; its roles apply to every member.
#[derive(Debug, Clone, Object)]
pub struct Team {
    pub id: uuid::Uuid,
    pub name: String,
    pub description: String,
    pub owner: Option<uuid::Uuid>,
    pub metadata: serde_json::Value,
    pub created_at: Time,
    pub updated_at: Time,
    pub deleted_at: Option<Time>,
}

impl From<TeamRow> for Team {
    fn from(t: TeamRow) -> Self {
        Team {
            id: t.uuid,
            name: t.name,
            description: t.description,
            owner: t.owner,
            metadata: t.metadata,
            created_at: t.created_at.into(),
            updated_at: t.updated_at.into(),
            deleted_at: t.deleted_at.map(Time),
        }
    }
}

layer5_page!(TeamsPage, "teams", Team);

/// Payload for creating (`name` required) or updating a team.
#[derive(Debug, Clone, Object)]
pub struct TeamPayload {
    pub name: Option<Text>,
    pub description: Option<Text>,
}

/// A team's membership in an organization.
#[derive(Debug, Clone, Object)]
pub struct TeamOrgMapping {
    pub id: uuid::Uuid,
    pub org_id: uuid::Uuid,
    pub team_id: uuid::Uuid,
    pub created_at: Time,
    pub updated_at: Time,
    pub deleted_at: Option<Time>,
}

impl From<TeamRow> for TeamOrgMapping {
    fn from(t: TeamRow) -> Self {
        TeamOrgMapping {
            id: t.mapping_uuid,
            org_id: t.org_uuid,
            team_id: t.uuid,
            created_at: t.mapped_at.into(),
            updated_at: t.updated_at.into(),
            deleted_at: t.unmapped_at.map(Time),
        }
    }
}

layer5_page!(TeamsOrganizationsMappingPage, "teamsOrganizationsMapping", TeamOrgMapping);

/// A user's membership in a team. `user_id` is the user's id.
#[derive(Debug, Clone, Object)]
pub struct TeamUserMapping {
    pub id: uuid::Uuid,
    pub team_id: uuid::Uuid,
    pub user_id: String,
    pub created_at: Time,
    pub updated_at: Time,
    pub deleted_at: Option<Time>,
}

impl From<MemberRow> for TeamUserMapping {
    fn from(m: MemberRow) -> Self {
        TeamUserMapping {
            id: m.uuid,
            team_id: m.team,
            user_id: m.user.to_string(),
            created_at: m.created_at.into(),
            updated_at: m.created_at.into(),
            deleted_at: None,
        }
    }
}

layer5_page!(TeamsUsersMappingPage, "teamsUsersMapping", TeamUserMapping);

/// A permission: the operation (`function`) it allows on `category`/`subcategory`.
#[derive(Debug, Clone, Object)]
pub struct Key {
    pub id: uuid::Uuid,
    /// The org that defined it, or the nil UUID for the built-in catalogue.
    pub owner: uuid::Uuid,
    pub function: String,
    pub category: String,
    pub subcategory: String,
    pub description: String,
    pub created_at: Time,
    pub updated_at: Time,
    pub deleted_at: Option<Time>,
}

impl From<KeyRow> for Key {
    fn from(k: KeyRow) -> Self {
        Key {
            id: k.uuid,
            owner: k.owner,
            function: k.function,
            category: k.category,
            subcategory: k.subcategory,
            description: k.description,
            created_at: k.created_at.into(),
            updated_at: k.updated_at.into(),
            deleted_at: k.deleted_at.map(Time),
        }
    }
}

layer5_page!(KeysPage, "keys", Key);

/// Create-or-update of a custom key: every field is optional; `id` names the key to change.
#[derive(Debug, Clone, Object)]
pub struct KeyPayload {
    pub id: Option<uuid::Uuid>,
    pub function: Option<Text>,
    pub category: Option<Text>,
    pub subcategory: Option<Text>,
    pub description: Option<Text>,
}

/// A named collection of keys.
#[derive(Debug, Clone, Object)]
pub struct Keychain {
    pub id: uuid::Uuid,
    pub name: String,
    /// The owning org, or the nil UUID for built-in keychains.
    pub owner: uuid::Uuid,
    pub created_at: Time,
    pub updated_at: Time,
    pub deleted_at: Option<Time>,
}

impl From<KeychainRow> for Keychain {
    fn from(k: KeychainRow) -> Self {
        Keychain {
            id: k.uuid,
            name: k.name,
            owner: k.owner,
            created_at: k.created_at.into(),
            updated_at: k.updated_at.into(),
            deleted_at: k.deleted_at.map(Time),
        }
    }
}

layer5_page!(KeychainsPage, "keychains", Keychain);

/// Payload for creating or renaming a keychain. `owner` is ignored: a new
/// keychain belongs to the org in context.
#[derive(Debug, Clone, Object)]
pub struct KeychainPayload {
    pub name: Text,
    pub owner: Option<uuid::Uuid>,
}

/// A role: a named set of keychains held by users and teams.
#[derive(Debug, Clone, Object)]
pub struct Role {
    pub id: uuid::Uuid,
    pub role_name: String,
    pub description: String,
    pub created_at: Time,
    pub updated_at: Time,
    pub deleted_at: Option<Time>,
}

impl From<RoleRow> for Role {
    fn from(r: RoleRow) -> Self {
        Role {
            id: r.uuid,
            role_name: r.role_name,
            description: r.description,
            created_at: r.created_at.into(),
            updated_at: r.updated_at.into(),
            deleted_at: r.deleted_at.map(Time),
        }
    }
}

layer5_page!(RolesPage, "roles", Role);

/// Create (no `id`) or update (`id` of one of the org's own roles) a role.
/// The timestamps are accepted and ignored.
#[derive(Debug, Clone, Object)]
pub struct RolePayload {
    pub id: Option<uuid::Uuid>,
    pub role_name: Text,
    pub description: Text,
    pub created_at: Option<Time>,
    pub updated_at: Option<Time>,
    pub deleted_at: Option<Time>,
}

/// One role holder of a bulk edit: `roleNames` is their complete set of direct roles.
/// The holder is named by `user_id`, `id` or `email`; meshcloud extension: `team_id`.
#[derive(Debug, Clone, Object)]
pub struct RoleHolder {
    pub id: Option<uuid::Uuid>,
    pub user_id: Option<uuid::Uuid>,
    pub team_id: Option<uuid::Uuid>,
    pub username: Option<String>,
    pub email: Option<String>,
    #[oai(rename = "firstName")]
    pub first_name: Option<String>,
    #[oai(rename = "lastName")]
    pub last_name: Option<String>,
    pub status: Option<String>,
    #[oai(rename = "roleNames")]
    pub role_names: Option<Vec<String>>,
    pub created_at: Option<Time>,
    pub updated_at: Option<Time>,
    pub deleted_at: Option<Time>,
}

/// Adds roles to the user with `email` (or, meshcloud extension, to the team `team_id`).
#[derive(Debug, Clone, Object)]
pub struct AddRoleHolder {
    pub email: Option<String>,
    pub team_id: Option<uuid::Uuid>,
    #[oai(rename = "roleNames")]
    pub role_names: Vec<String>,
}
