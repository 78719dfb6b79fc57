//! Permissions: the built-in catalogue of keys that guard meshcloud's own
//! operations, and a principal's grants resolved per organization.
//!
//! The catalogue is seeded into `permission_keys` by a migration (a unit test
//! in the identity family keeps the two in step). A grant set is a bitset over
//! this catalogue, so a check is a hash lookup and a bit test: no database.

use std::collections::HashMap;

use crate::AppError;
use crate::ids::OrgId;

macro_rules! catalogue {
    ($($name:ident = $code:literal, $desc:literal;)*) => {
        /// A built-in permission key. `code` is `category.subcategory.function`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum Perm { $($name,)* }

        impl Perm {
            pub const ALL: &'static [Perm] = &[$(Perm::$name,)*];

            pub fn code(self) -> &'static str {
                match self { $(Perm::$name => $code,)* }
            }

            pub fn description(self) -> &'static str {
                match self { $(Perm::$name => $desc,)* }
            }
        }
    };
}

catalogue! {
    OrgRead = "identity.organization.read", "View the organization and its preferences";
    OrgUpdate = "identity.organization.update", "Change the organization's name, domain and preferences";
    OrgDelete = "identity.organization.delete", "Delete the organization";
    MembersRead = "identity.members.read", "List the organization's users";
    MembersAdd = "identity.members.add", "Add existing users to the organization";
    MembersRemove = "identity.members.remove", "Remove users from the organization";
    MembersInvite = "identity.members.invite", "Invite users to the organization";
    TeamsRead = "identity.teams.read", "View teams and their members";
    TeamsCreate = "identity.teams.create", "Create teams";
    TeamsUpdate = "identity.teams.update", "Rename and describe teams, add or remove them from the organization";
    TeamsDelete = "identity.teams.delete", "Delete teams";
    TeamsMembers = "identity.teams.members", "Add users to teams and remove them";
    RolesRead = "identity.roles.read", "View roles and the keychains they hold";
    RolesManage = "identity.roles.manage", "Create, change and delete roles and assign keychains to them";
    RolesAssign = "identity.roles.assign", "Give roles to users and teams and take them away";
    KeychainsRead = "identity.keychains.read", "View keychains and their keys";
    KeychainsManage = "identity.keychains.manage", "Create, change and delete the organization's keychains";
    KeysRead = "identity.keys.read", "View permission keys";
    KeysManage = "identity.keys.manage", "Create, change and delete custom permission keys";
    InvitationsRead = "identity.invitations.read", "View the organization's invitations";
    InvitationsManage = "identity.invitations.manage", "Create, change and delete invitations";
    BadgesRead = "identity.badges.read", "View the organization's badges";
    BadgesManage = "identity.badges.manage", "Create, change and delete badges";
    BadgesAssign = "identity.badges.assign", "Award badges to users";
    SignupRead = "identity.signup_requests.read", "View sign-up requests";
    SignupDecide = "identity.signup_requests.decide", "Approve and deny sign-up requests";
    EnvironmentsRead = "infra.environments.read", "View environments";
    EnvironmentsCreate = "infra.environments.create", "Create environments";
    EnvironmentsUpdate = "infra.environments.update", "Change environments and their connections";
    EnvironmentsDelete = "infra.environments.delete", "Delete environments";
    ConnectionsRead = "infra.connections.read", "View connections";
    ConnectionsCreate = "infra.connections.create", "Register connections";
    ConnectionsUpdate = "infra.connections.update", "Change connections";
    ConnectionsDelete = "infra.connections.delete", "Delete connections";
    CredentialsRead = "infra.credentials.read", "View credentials (never their secrets)";
    CredentialsCreate = "infra.credentials.create", "Create credentials";
    CredentialsUpdate = "infra.credentials.update", "Change credentials";
    CredentialsDelete = "infra.credentials.delete", "Delete credentials";
    WorkspacesRead = "infra.workspaces.read", "View workspaces";
    WorkspacesCreate = "infra.workspaces.create", "Create workspaces";
    WorkspacesUpdate = "infra.workspaces.update", "Change workspaces and what is assigned to them";
    WorkspacesDelete = "infra.workspaces.delete", "Delete workspaces";
    DesignsRead = "content.designs.read", "View designs";
    DesignsCreate = "content.designs.create", "Create and import designs";
    DesignsUpdate = "content.designs.update", "Change designs";
    DesignsDelete = "content.designs.delete", "Delete designs";
    EventsRead = "events.events.read", "View the organization's events";
    EventsCreate = "events.events.create", "Report events from connected agents";
    EventsUpdate = "events.events.update", "Mark events read or unread";
    EventsDelete = "events.events.delete", "Delete events";
    SchedulesRead = "scheduler.schedules.read", "View schedules";
    SchedulesManage = "scheduler.schedules.manage", "Create, change and delete schedules";
    ProvidersRead = "identity.oauth2providers.read", "View the organization's sign-in providers";
    ProvidersManage = "identity.oauth2providers.manage", "Create, change and delete the organization's sign-in providers";
    ServiceAccountsRead = "identity.serviceaccounts.read", "View service accounts";
    ServiceAccountsManage = "identity.serviceaccounts.manage", "Create, change, rotate and delete service accounts";
    QuotasRead = "identity.quotas.read", "View the organization's quotas";
    QuotasUpdate = "identity.quotas.update", "Set the organization's quotas";
    AllocationsRead = "infra.allocations.read", "View resource allocations of workspaces";
    AllocationsManage = "infra.allocations.manage", "Create, change and delete resource allocations";
}

impl Perm {
    pub fn bit(self) -> u128 {
        1u128 << (self as u8)
    }

    pub fn from_code(code: &str) -> Option<Perm> {
        Perm::ALL.iter().copied().find(|p| p.code() == code)
    }

    /// `(category, subcategory, function)` as the Layer5 key object shows them.
    pub fn parts(self) -> (&'static str, &'static str, &'static str) {
        let mut it = self.code().splitn(3, '.');
        (it.next().unwrap_or(""), it.next().unwrap_or(""), it.next().unwrap_or(""))
    }
}

/// A set of built-in permissions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PermSet(pub u128);

impl PermSet {
    pub fn all() -> Self {
        PermSet(Perm::ALL.iter().fold(0, |acc, p| acc | p.bit()))
    }

    pub fn has(self, p: Perm) -> bool {
        self.0 & p.bit() != 0
    }

    pub fn insert(&mut self, p: Perm) {
        self.0 |= p.bit();
    }

    pub fn contains_all(self, other: PermSet) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn iter(self) -> impl Iterator<Item = Perm> {
        Perm::ALL.iter().copied().filter(move |p| self.has(*p))
    }
}

/// What one organization grants the principal.
#[derive(Debug, Clone)]
pub struct OrgGrant {
    pub org: OrgId,
    pub perms: PermSet,
}

/// Every grant of a principal, keyed by organization UUID. Only live orgs the
/// user belongs to appear; provider admins hold every permission everywhere.
#[derive(Debug, Clone, Default)]
pub struct Grants {
    pub provider_admin: bool,
    pub orgs: HashMap<uuid::Uuid, OrgGrant>,
}

/// The outcome of a check: which org row the operation acts on, if the
/// principal's grants know it (a provider admin acting in an org they are not
/// a member of gets `None`, and the caller looks the org up itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowed(pub Option<OrgId>);

impl Grants {
    /// May the principal do `perm` in the org `org`? A non-member learns
    /// nothing about the org ("not found"); a member without the key is
    /// refused.
    pub fn check(&self, org: uuid::Uuid, perm: Perm) -> Result<Allowed, AppError> {
        let grant = self.orgs.get(&org);
        if self.provider_admin {
            return Ok(Allowed(grant.map(|g| g.org)));
        }
        match grant {
            None => Err(AppError::NotFound),
            Some(g) if g.perms.has(perm) => Ok(Allowed(Some(g.org))),
            Some(_) => Err(AppError::Forbidden),
        }
    }

    /// The permissions held in `org` (every one for a provider admin).
    pub fn in_org(&self, org: uuid::Uuid) -> PermSet {
        if self.provider_admin {
            return PermSet::all();
        }
        self.orgs.get(&org).map(|g| g.perms).unwrap_or_default()
    }

    pub fn is_member(&self, org: uuid::Uuid) -> bool {
        self.orgs.contains_key(&org)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_fits_the_bitset_and_codes_are_unique() {
        assert!(Perm::ALL.len() <= 128);
        let mut codes: Vec<_> = Perm::ALL.iter().map(|p| p.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Perm::ALL.len());
        for p in Perm::ALL {
            assert_eq!(Perm::from_code(p.code()), Some(*p));
            let (c, s, f) = p.parts();
            assert!(!c.is_empty() && !s.is_empty() && !f.is_empty(), "{}", p.code());
        }
    }

    #[test]
    fn non_members_see_nothing_and_members_need_the_key() {
        let org = uuid::Uuid::now_v7();
        let mut perms = PermSet::default();
        perms.insert(Perm::TeamsRead);
        let mut g = Grants::default();
        assert!(matches!(g.check(org, Perm::TeamsRead), Err(AppError::NotFound)));
        g.orgs.insert(org, OrgGrant { org: OrgId(7), perms });
        assert_eq!(g.check(org, Perm::TeamsRead).ok(), Some(Allowed(Some(OrgId(7)))));
        assert!(matches!(g.check(org, Perm::TeamsCreate), Err(AppError::Forbidden)));
        let admin = Grants { provider_admin: true, ..Default::default() };
        assert_eq!(admin.check(org, Perm::OrgDelete).ok(), Some(Allowed(None)));
    }
}
