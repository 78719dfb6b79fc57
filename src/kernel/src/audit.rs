//! The audit writer. Every mutation calls `record` inside the same write
//! transaction as the change, so the log and the data never disagree. What
//! can be recorded is the `EventKind` catalogue: one place names every
//! (category, action) pair, so faces cannot drift apart, and
//! `/api/events/types` lists it.

use rusqlite::{Connection, params};

use crate::ids::{OrgId, UserId, new_uuid};
use crate::{AppResult, time};

macro_rules! event_kinds {
    ($($name:ident = $category:literal, $action:literal, $desc:literal;)*) => {
        /// Something meshcloud records in the event log.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum EventKind { $($name,)* }

        impl EventKind {
            pub const ALL: &'static [EventKind] = &[$(EventKind::$name,)*];

            pub fn category(self) -> &'static str {
                match self { $(EventKind::$name => $category,)* }
            }

            pub fn action(self) -> &'static str {
                match self { $(EventKind::$name => $action,)* }
            }

            pub fn description(self) -> &'static str {
                match self { $(EventKind::$name => $desc,)* }
            }
        }
    };
}

event_kinds! {
    AllocationCreate = "allocation", "create", "A project allocation was created";
    AllocationDelete = "allocation", "delete", "A project allocation was deleted";
    AllocationUpdate = "allocation", "update", "A project allocation was changed";
    InvoiceIssue = "invoice", "issue", "An invoice was issued";
    InvoicePaid = "invoice", "paid", "An invoice was paid";
    InvoiceVoid = "invoice", "void", "An invoice was voided or written off";
    PaymentConfirm = "payment", "confirm", "An offline payment was confirmed";
    PaymentFail = "payment", "fail", "A payment failed or an overdue invoice was reminded of";
    PlanCreate = "plan", "create", "A plan was created";
    PlanDelete = "plan", "delete", "A plan was deleted or archived";
    PlanUpdate = "plan", "update", "A plan or its features were changed";
    SubscriptionActivate = "subscription", "activate", "A subscription became active";
    SubscriptionCancel = "subscription", "cancel", "A subscription was set to end with its period";
    SubscriptionCreate = "subscription", "create", "A subscription was created";
    SubscriptionEnd = "subscription", "end", "A subscription ended (canceled, expired or unpaid)";
    SubscriptionRenew = "subscription", "renew", "A subscription started a new period";
    SubscriptionStatus = "subscription", "status", "A subscription's status changed";
    SubscriptionUpgrade = "subscription", "upgrade", "A subscription changed plan or quantity";
    WebhookReceive = "webhook", "receive", "A payment processor's webhook event was applied";
    ApiCreate = "api", "create", "An API of an application was created";
    ApiDelete = "api", "delete", "An API of an application was deleted";
    ApiUpdate = "api", "update", "An API of an application was changed, published or unpublished";
    ApplicationCreate = "application", "create", "An application was created or imported from an OpenAPI document";
    ApplicationDelete = "application", "delete", "An application was deleted with its APIs";
    ApplicationUpdate = "application", "update", "An application was changed, published or unpublished";
    CertificateCreate = "certificate", "create", "A certificate was uploaded";
    CertificateDelete = "certificate", "delete", "A certificate was deleted";
    CertificateExpiring = "certificate", "expiring", "A certificate expires within 30 days";
    CertificateUpdate = "certificate", "update", "A certificate was replaced";
    ConsumerCreate = "consumer", "create", "A consumer was created";
    ConsumerDelete = "consumer", "delete", "A consumer was deleted";
    ConsumerIssueJwt = "consumer", "issue_jwt", "A JSON Web Token was issued for a consumer";
    ConsumerUpdate = "consumer", "update", "A consumer or its credentials were changed";
    ControlPlaneCreate = "control_plane", "create", "An API gateway control plane was created";
    ControlPlaneStatus = "control_plane", "status", "A control plane's status changed (provisioned, failed, deleted)";
    ControlPlaneUpdate = "control_plane", "update", "A control plane's settings or policies were changed";
    CatalogApprove = "catalog", "approve", "A catalog publication request was approved";
    CatalogDeny = "catalog", "deny", "A catalog publication request was denied";
    CatalogRequest = "catalog", "request", "Publication in the catalog was asked for";
    CatalogUnpublish = "catalog", "unpublish", "An item was taken out of the catalog";
    BadgeAssign = "badge", "assign", "A badge was awarded to users";
    BadgeCreate = "badge", "create", "A badge was created";
    BadgeDelete = "badge", "delete", "A badge was deleted";
    BadgeUpdate = "badge", "update", "A badge was changed";
    ConnectionCreate = "connection", "create", "A connection was created";
    ConnectionDelete = "connection", "delete", "A connection was deleted";
    ConnectionUpdate = "connection", "update", "A connection was changed";
    CredentialCreate = "credential", "create", "A credential was created";
    CredentialDelete = "credential", "delete", "A credential was deleted";
    CredentialUpdate = "credential", "update", "A credential was changed";
    DesignCreate = "design", "create", "A design was created (saved, cloned or imported)";
    DesignDelete = "design", "delete", "A design was deleted";
    DesignUpdate = "design", "update", "A design was changed";
    EnvironmentAddConnection = "environment", "add_connection", "An environment gained a connection";
    EnvironmentCreate = "environment", "create", "An environment was created";
    EnvironmentDelete = "environment", "delete", "An environment was deleted";
    EnvironmentRemoveConnection = "environment", "remove_connection", "An environment lost a connection";
    EnvironmentUpdate = "environment", "update", "An environment was changed";
    EventDelete = "event", "delete", "An event was deleted";
    FilterCreate = "filter", "create", "A filter was created (saved or cloned)";
    FilterDelete = "filter", "delete", "A filter was deleted";
    FilterUpdate = "filter", "update", "A filter was changed";
    InvitationAccept = "invitation", "accept", "An invitation was accepted";
    InvitationCreate = "invitation", "create", "An invitation was created";
    InvitationDelete = "invitation", "delete", "An invitation was deleted";
    InvitationUpdate = "invitation", "update", "An invitation was changed";
    KeyCreate = "key", "create", "A permission key was created";
    KeyDelete = "key", "delete", "A permission key was deleted";
    KeyUpdate = "key", "update", "A permission key was changed";
    KeychainAddKey = "keychain", "add_key", "A keychain gained a key";
    KeychainCreate = "keychain", "create", "A keychain was created";
    KeychainDelete = "keychain", "delete", "A keychain was deleted";
    KeychainRemoveKey = "keychain", "remove_key", "A keychain lost a key";
    KeychainUpdate = "keychain", "update", "A keychain was changed";
    ModelRegister = "model", "register", "A model was registered in an organization (added or replaced)";
    OAuthProviderCreate = "oauth2provider", "create", "A sign-in provider (upstream OAuth 2 provider) was created";
    OAuthProviderDelete = "oauth2provider", "delete", "A sign-in provider (upstream OAuth 2 provider) was deleted";
    OAuthProviderUpdate = "oauth2provider", "update", "A sign-in provider (upstream OAuth 2 provider) was changed";
    OAuthClientCreate = "oauth_client", "create", "An OAuth client was created";
    OAuthClientDelete = "oauth_client", "delete", "An OAuth client was deleted";
    OAuthClientRotateSecret = "oauth_client", "rotate_secret", "An OAuth client got a new secret";
    OAuthClientUpdate = "oauth_client", "update", "An OAuth client was changed";
    OAuthTokenIssue = "oauth_token", "issue", "OAuth tokens were issued to a client";
    OrganizationAcceptInvitation = "organization", "accept_invitation", "An organization gained a member who accepted an invitation";
    OrganizationAddMember = "organization", "add_member", "An organization gained a member";
    OrganizationCreate = "organization", "create", "An organization was created";
    OrganizationDelete = "organization", "delete", "An organization was deleted";
    OrganizationDeprovision = "organization", "deprovision", "An organization finished deprovisioning";
    OrganizationProvision = "organization", "provision", "An organization finished provisioning";
    OrganizationRemoveMember = "organization", "remove_member", "An organization lost a member";
    OrganizationUpdate = "organization", "update", "An organization was changed";
    OrganizationUpdateMember = "organization", "update_member", "An organization changed a member's state";
    QuotaUpdate = "quota", "update", "A quota was changed";
    RoleAssign = "role", "assign", "Roles were given to or taken from users and teams";
    RoleAssignKeychain = "role", "assign_keychain", "A role gained a keychain";
    RoleCreate = "role", "create", "A role was created";
    RoleDelete = "role", "delete", "A role was deleted";
    RoleUnassignKeychain = "role", "unassign_keychain", "A role lost a keychain";
    RoleUpdate = "role", "update", "A role was changed";
    ScheduleCreate = "schedule", "create", "A schedule was created";
    ScheduleDelete = "schedule", "delete", "A schedule was deleted";
    ScheduleFired = "schedule", "fired", "A schedule fired";
    ScheduleUpdate = "schedule", "update", "A schedule was changed";
    ServiceAccountCreate = "service_account", "create", "A service account was created";
    ServiceAccountDelete = "service_account", "delete", "A service account was deleted";
    ServiceAccountRotate = "service_account", "rotate", "A service account got a new token";
    ServiceAccountUpdate = "service_account", "update", "A service account was changed";
    SessionLogin = "session", "login", "A web session was opened (sign-in)";
    SessionLogout = "session", "logout", "A web session was closed (sign-out)";
    ShareGrant = "share", "grant", "A design, view or filter was shared with users, teams or organizations";
    ShareRevoke = "share", "revoke", "Users, teams or organizations lost their share of a design, view or filter";
    SignupRequestApprove = "signup_request", "approve", "A sign-up request was approved";
    SignupRequestCreate = "signup_request", "create", "A sign-up request was created";
    SignupRequestDeny = "signup_request", "deny", "A sign-up request was denied";
    SystemEventRetention = "system", "event_retention", "The event retention job removed events past their retention";
    SystemPurge = "system", "purge", "The purge job purged soft-deleted rows and dead credentials";
    TeamAddMember = "team", "add_member", "A team gained a member";
    TeamAddToOrganization = "team", "add_to_organization", "A team was put back into its organization";
    TeamCreate = "team", "create", "A team was created";
    TeamDelete = "team", "delete", "A team was deleted";
    TeamRemoveFromOrganization = "team", "remove_from_organization", "A team was taken out of its organization";
    TeamRemoveMember = "team", "remove_member", "A team lost a member";
    TeamTombstone = "team", "tombstone", "A team was deleted (tombstoned)";
    TeamUpdate = "team", "update", "A team was changed";
    TokenCreate = "token", "create", "A security token was created";
    TokenRevoke = "token", "revoke", "A security token was revoked";
    UserChangePassword = "user", "change_password", "A user changed their password";
    UserCreate = "user", "create", "A user was created";
    UserResetPassword = "user", "reset_password", "A user's password was set by an operator";
    UserUpdatePreferences = "user", "update_preferences", "A user changed their preferences";
    ViewCreate = "view", "create", "A view was created";
    ViewUpdate = "view", "update", "A view was changed";
    WorkspaceAssignDesign = "workspace", "assign_design", "A workspace was given a design";
    WorkspaceAssignEnvironment = "workspace", "assign_environment", "A workspace was given an environment";
    WorkspaceAssignTeam = "workspace", "assign_team", "A workspace was given a team";
    WorkspaceAssignView = "workspace", "assign_view", "A workspace was given a view";
    WorkspaceCreate = "workspace", "create", "A workspace was created";
    WorkspaceDelete = "workspace", "delete", "A workspace was deleted";
    WorkspaceDeprovision = "workspace", "deprovision", "A workspace finished deprovisioning";
    WorkspaceProvision = "workspace", "provision", "A workspace finished provisioning";
    WorkspaceUnassignDesign = "workspace", "unassign_design", "A workspace lost a design";
    WorkspaceUnassignEnvironment = "workspace", "unassign_environment", "A workspace lost an environment";
    WorkspaceUnassignTeam = "workspace", "unassign_team", "A workspace lost a team";
    WorkspaceUnassignView = "workspace", "unassign_view", "A workspace lost a view";
    WorkspaceUpdate = "workspace", "update", "A workspace was changed";
}

/// One audit entry.
pub struct Event {
    pub org: Option<OrgId>,
    pub actor: Option<UserId>,
    pub kind: EventKind,
    pub acted_upon: Option<uuid::Uuid>,
    pub description: String,
    pub metadata: serde_json::Value,
}

impl Event {
    pub fn new(kind: EventKind, actor: Option<UserId>) -> Self {
        Event {
            org: None,
            actor,
            kind,
            acted_upon: None,
            description: String::new(),
            metadata: serde_json::Value::Object(Default::default()),
        }
    }

    pub fn org(mut self, org: OrgId) -> Self {
        self.org = Some(org);
        self
    }

    pub fn on(mut self, target: uuid::Uuid) -> Self {
        self.acted_upon = Some(target);
        self
    }

    pub fn describe(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }

    pub fn meta(mut self, metadata: serde_json::Value) -> Self {
        self.metadata = metadata;
        self
    }
}

pub fn record(conn: &Connection, e: Event) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO events (uuid, org_id, user_id, category, action, acted_upon, description, metadata, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(params![
        new_uuid().to_string(),
        e.org,
        e.actor,
        e.kind.category(),
        e.kind.action(),
        e.acted_upon.map(|u| u.to_string()),
        e.description,
        e.metadata.to_string(),
        now,
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_named_once() {
        let mut pairs: Vec<_> = EventKind::ALL.iter().map(|k| (k.category(), k.action())).collect();
        pairs.sort();
        pairs.dedup();
        assert_eq!(pairs.len(), EventKind::ALL.len());
        let ok =
            |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        for k in EventKind::ALL {
            assert!(ok(k.category()) && ok(k.action()), "{k:?}");
            assert!(!k.description().is_empty(), "{k:?}");
        }
    }
}
