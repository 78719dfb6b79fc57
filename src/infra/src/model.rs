//! Wire DTOs of the Layer5 face for the infrastructure family. Field names and
//! casing are the reference's (`sub_type` next to `schemaVersion`).

use std::collections::BTreeMap;

use meshcloud_kernel::http::types::{Text, Time};
use meshcloud_kernel::layer5_page;
use meshcloud_ops::core::events::EventRow;
use poem_openapi::Object;

use crate::service::connections::ConnectionView;
use crate::service::credentials::Credential as OpenedCredential;
use crate::store::credentials::CredentialRow;
use crate::store::environments::EnvironmentRow;
use crate::store::workspaces::{LinkRow, WorkspaceRow};

pub const ENVIRONMENT_SCHEMA: &str = "environments.meshery.io/v1beta1";
pub const CONNECTION_SCHEMA: &str = "connections.meshery.io/v1beta1";

/// A named group of an organization's connections.
#[derive(Debug, Clone, Object)]
pub struct Environment {
    pub id: uuid::Uuid,
    #[oai(rename = "schemaVersion")]
    pub schema_version: String,
    pub name: String,
    pub description: String,
    pub organization_id: uuid::Uuid,
    /// The nil UUID when the owner's account is gone.
    pub owner: uuid::Uuid,
    pub created_at: Time,
    pub metadata: serde_json::Value,
    pub updated_at: Time,
    /// Null while the environment exists.
    pub deleted_at: Option<Time>,
}

impl From<EnvironmentRow> for Environment {
    fn from(e: EnvironmentRow) -> Self {
        Environment {
            id: e.uuid,
            schema_version: ENVIRONMENT_SCHEMA.into(),
            name: e.name,
            description: e.description,
            organization_id: e.org_uuid,
            owner: e.owner.unwrap_or_default(),
            created_at: e.created_at.into(),
            metadata: e.metadata,
            updated_at: e.updated_at.into(),
            deleted_at: e.deleted_at.map(Time),
        }
    }
}

layer5_page!(EnvironmentsPage, "environments", Environment);

/// Body for creating or updating an environment; `organization_id` cannot change.
#[derive(Debug, Clone, Object)]
pub struct EnvironmentPayload {
    pub name: Text,
    pub description: Option<Text>,
    pub organization_id: uuid::Uuid,
}

/// A cluster, registry or service the organization's tools connect to.
#[derive(Debug, Clone, Object)]
pub struct Connection {
    pub id: uuid::Uuid,
    pub name: String,
    /// The nil UUID when the connection uses no credential.
    pub credential_id: uuid::Uuid,
    #[oai(rename = "type")]
    pub kind_type: String,
    pub sub_type: String,
    pub kind: String,
    pub metadata: serde_json::Value,
    pub status: String,
    /// The nil UUID when the registering account is gone.
    pub user_id: uuid::Uuid,
    pub created_at: Time,
    pub updated_at: Time,
    pub deleted_at: Option<Time>,
    /// The environments it is attached to, as full environment objects.
    pub environments: Vec<Environment>,
    #[oai(rename = "schemaVersion")]
    pub schema_version: String,
}

impl From<ConnectionView> for Connection {
    fn from(v: ConnectionView) -> Self {
        let c = v.row;
        Connection {
            id: c.uuid,
            name: c.name,
            credential_id: c.credential.unwrap_or_default(),
            kind_type: c.kind_type,
            sub_type: c.sub_type,
            kind: c.kind,
            metadata: c.metadata,
            status: c.status,
            user_id: c.owner.unwrap_or_default(),
            created_at: c.created_at.into(),
            updated_at: c.updated_at.into(),
            deleted_at: c.deleted_at.map(Time),
            environments: v.environments.into_iter().map(Environment::from).collect(),
            schema_version: CONNECTION_SCHEMA.into(),
        }
    }
}

/// The connections list: a page plus how many matching connections are in each status.
#[derive(Debug, Clone, Object)]
pub struct ConnectionsPage {
    pub connections: Vec<Connection>,
    pub total_count: u64,
    pub page: u64,
    pub page_size: u64,
    #[oai(rename = "statusSummary")]
    pub status_summary: BTreeMap<String, u64>,
}

layer5_page!(EnvironmentConnectionsPage, "connections", Connection);

/// Body for registering or updating a connection. Both the Layer5 spelling
/// (`sub_type`, `credential_id`) and the Meshery one (`subType`,
/// `credentialId`) are accepted. `credentialSecret` stores a new credential
/// for the connection instead of naming an existing one.
#[derive(Clone, Object)]
pub struct ConnectionPayload {
    pub id: Option<uuid::Uuid>,
    pub name: Text,
    pub kind: Text,
    #[oai(rename = "type")]
    pub kind_type: Text,
    pub sub_type: Option<Text>,
    #[oai(rename = "subType")]
    pub sub_type_meshery: Option<Text>,
    pub status: Text,
    pub metadata: Option<serde_json::Value>,
    pub credential_id: Option<uuid::Uuid>,
    #[oai(rename = "credentialId")]
    pub credential_id_meshery: Option<uuid::Uuid>,
    #[oai(rename = "credentialSecret")]
    pub credential_secret: Option<serde_json::Value>,
}

/// A credential. `secret` is present only when its owner reads it by id.
#[derive(Debug, Clone, Object)]
pub struct Credential {
    pub id: uuid::Uuid,
    pub name: String,
    pub user_id: Option<uuid::Uuid>,
    #[oai(rename = "type")]
    pub kind: String,
    #[oai(skip_serializing_if_is_none)]
    pub secret: Option<serde_json::Value>,
    pub created_at: Time,
    pub updated_at: Time,
    pub deleted_at: Option<Time>,
}

impl From<CredentialRow> for Credential {
    fn from(c: CredentialRow) -> Self {
        Credential {
            id: c.uuid,
            name: c.name,
            user_id: c.owner_uuid,
            kind: c.kind,
            secret: None,
            created_at: c.created_at.into(),
            updated_at: c.updated_at.into(),
            deleted_at: c.deleted_at.map(Time),
        }
    }
}

impl From<OpenedCredential> for Credential {
    fn from(c: OpenedCredential) -> Self {
        Credential { secret: c.secret, ..c.row.into() }
    }
}

layer5_page!(CredentialsPage, "credentials", Credential);

/// Body for saving or updating a credential. On update `id` names it and a
/// missing `secret` keeps the stored one. `user_id` and the timestamps are
/// ignored: the caller owns what they create.
#[derive(Clone, Object)]
pub struct CredentialPayload {
    pub id: Option<uuid::Uuid>,
    pub name: Text,
    pub user_id: Option<uuid::Uuid>,
    #[oai(rename = "type")]
    pub kind: Text,
    /// Key/value pairs; write-only (see `Credential`).
    pub secret: Option<serde_json::Value>,
    pub created_at: Option<Time>,
    pub updated_at: Option<Time>,
    pub deleted_at: Option<Time>,
}

#[derive(Debug, Clone, Object)]
pub struct Workspace {
    pub id: uuid::Uuid,
    pub name: String,
    pub description: String,
    pub organization_id: uuid::Uuid,
    /// The creator's user id.
    pub owner: String,
    pub metadata: serde_json::Value,
    pub created_at: Time,
    pub updated_at: Time,
    pub deleted_at: Option<Time>,
}

impl From<WorkspaceRow> for Workspace {
    fn from(w: WorkspaceRow) -> Self {
        Workspace {
            id: w.uuid,
            name: w.name,
            description: w.description,
            organization_id: w.org_uuid,
            owner: w.owner.map(|o| o.to_string()).unwrap_or_default(),
            metadata: w.metadata,
            created_at: w.created_at.into(),
            updated_at: w.updated_at.into(),
            deleted_at: w.deleted_at.map(Time),
        }
    }
}

layer5_page!(WorkspacesPage, "workspaces", Workspace);

#[derive(Debug, Clone, Object)]
pub struct WorkspacePayload {
    pub name: Text,
    pub description: Option<Text>,
    pub organization_id: uuid::Uuid,
}

/// `organization_id` is required (and cannot change); the rest is optional.
#[derive(Debug, Clone, Object)]
pub struct WorkspaceUpdatePayload {
    pub name: Option<Text>,
    pub description: Option<Text>,
    pub organization_id: uuid::Uuid,
}

macro_rules! mapping {
    ($name:ident, $page:ident, $key:literal, $field:ident) => {
        #[derive(Debug, Clone, Object)]
        pub struct $name {
            pub id: uuid::Uuid,
            pub $field: uuid::Uuid,
            pub workspace_id: uuid::Uuid,
            pub created_at: Time,
            pub updated_at: Time,
            pub deleted_at: Option<Time>,
        }

        impl From<LinkRow> for $name {
            fn from(l: LinkRow) -> Self {
                $name {
                    id: l.uuid,
                    $field: l.target,
                    workspace_id: l.workspace,
                    created_at: l.created_at.into(),
                    updated_at: l.created_at.into(),
                    deleted_at: None,
                }
            }
        }

        layer5_page!($page, $key, $name);
    };
}

mapping!(
    WorkspaceEnvironmentMapping,
    WorkspacesEnvironmentsMappingPage,
    "workspacesEnvironmentsMapping",
    environment_id
);
mapping!(WorkspaceTeamMapping, WorkspacesTeamsMappingPage, "workspacesTeamsMapping", team_id);
mapping!(WorkspaceDesignMapping, WorkspacesDesignsMappingPage, "workspacesDesignsMapping", design_id);
mapping!(WorkspaceViewMapping, WorkspacesViewsMappingPage, "workspacesViewsMapping", view_id);

/// A design or view assigned to a workspace, known by id until the content family exists.
#[derive(Debug, Clone, Object)]
pub struct LinkedItem {
    pub id: uuid::Uuid,
    pub created_at: Time,
}

impl From<LinkRow> for LinkedItem {
    fn from(l: LinkRow) -> Self {
        LinkedItem { id: l.target, created_at: l.created_at.into() }
    }
}

layer5_page!(DesignsPage, "designs", LinkedItem);
layer5_page!(ViewsPage, "views", LinkedItem);

/// An audit event as the workspace event list shows it.
#[derive(Debug, Clone, Object)]
pub struct WorkspaceEvent {
    pub id: uuid::Uuid,
    /// The nil UUID for events of meshcloud itself.
    pub user_id: uuid::Uuid,
    pub system_id: uuid::Uuid,
    pub category: String,
    pub action: String,
    pub description: String,
    #[oai(rename = "firstName")]
    pub first_name: String,
    #[oai(rename = "lastName")]
    pub last_name: String,
    /// Left out where the actor has none (a system event): the upstream types it `format: email`.
    #[oai(skip_serializing_if_is_empty)]
    pub email: String,
    pub provider: String,
    pub created_at: Time,
}

impl From<EventRow> for WorkspaceEvent {
    fn from(e: EventRow) -> Self {
        WorkspaceEvent {
            id: e.uuid,
            user_id: e.user.unwrap_or_default(),
            system_id: uuid::Uuid::nil(),
            category: e.category,
            action: e.action,
            description: e.description,
            first_name: e.first_name,
            last_name: e.last_name,
            email: e.email,
            provider: e.provider,
            created_at: e.created_at.into(),
        }
    }
}

layer5_page!(WorkspaceEventsPage, "data", WorkspaceEvent);
