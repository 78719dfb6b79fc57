//! Permissions: the built-in catalogue of keys that guard meshcloud's own
//! operations, and a principal's grants resolved per organization.
//!
//! The catalogue is seeded into `permission_keys` by a migration (a unit test
//! in the identity family keeps the two in step). A grant set is a bitset over
//! this catalogue, so a check is a hash lookup and a bit test: no database.

use std::collections::HashMap;
use std::fmt;
use std::ops::{BitOr, BitOrAssign};

use crate::AppError;
use crate::ids::OrgId;

macro_rules! catalogue {
    ($($name:ident = $code:literal, $desc:literal;)*) => {
        /// A built-in permission key. `code` is `category.subcategory.function`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u16)]
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
    ModelsRead = "content.models.read", "View the organization's models";
    ModelsRegister = "content.models.register", "Register models in the organization";
    DesignsShare = "content.designs.share", "Share designs with users, teams and organizations";
    ViewsRead = "content.views.read", "View views";
    ViewsCreate = "content.views.create", "Create views";
    ViewsUpdate = "content.views.update", "Change views";
    ViewsShare = "content.views.share", "Share views with users, teams and organizations";
    FiltersRead = "content.filters.read", "View filters";
    FiltersCreate = "content.filters.create", "Create and clone filters";
    FiltersUpdate = "content.filters.update", "Change filters";
    FiltersDelete = "content.filters.delete", "Delete filters";
    FiltersShare = "content.filters.share", "Share filters with users, teams and organizations";
    CatalogPublish = "content.catalog.publish", "Ask for designs and filters to be published in the catalog, and unpublish them";
    CatalogApprove = "content.catalog.approve", "Approve and deny catalog publication requests";
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
    BillingRead = "billing.subscriptions.read", "View the organization's plan, usage, subscriptions and invoices";
    BillingManage = "billing.subscriptions.manage", "Subscribe the organization to a plan, change and cancel its subscription";
    PaymentsConfirm = "billing.payments.confirm", "Confirm offline payments and list those pending";
    PlansManage = "billing.plans.manage", "Create and change plans and their features";
    ControlPlanesRead = "gateway.controlplanes.read", "View API gateway control planes, their settings and their gateway configuration";
    ControlPlanesManage = "gateway.controlplanes.manage", "Create control planes and change their settings and policies";
    ConfigExport = "gateway.controlplanes.export", "Download a control plane's gateway (APISIX) configuration, consumers' secrets and private keys included";
    ApplicationsRead = "gateway.applications.read", "View applications and their APIs";
    ApplicationsManage = "gateway.applications.manage", "Create, change, publish, import and delete applications and their APIs";
    ConsumersRead = "gateway.consumers.read", "View consumers (never their credentials' secrets)";
    ConsumersManage = "gateway.consumers.manage", "Create, change and delete consumers and their credentials, and issue their JSON Web Tokens";
    CertificatesRead = "gateway.certificates.read", "View certificates (never their private keys)";
    CertificatesManage = "gateway.certificates.manage", "Upload, replace and delete certificates";
}

impl Perm {
    /// Position in `ALL`, which is also the key's bit in a `PermSet`.
    const fn index(self) -> usize {
        self as usize
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

/// A fixed-size bitset of `N` words. Bit `i` lives in word `i / 64`, so a
/// test is one index and one mask whatever the size. Indices must stay below
/// `CAPACITY`; for `PermSet` the assertion on `PERM_WORDS` guarantees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Bits<const N: usize>([u64; N]);

impl<const N: usize> Bits<N> {
    const CAPACITY: usize = N * 64;
    const EMPTY: Self = Bits([0; N]);

    /// Bits `0..n` set (`n` at most `CAPACITY`).
    const fn first(n: usize) -> Self {
        let mut words = [0; N];
        let mut w = 0;
        while w < N {
            let start = w * 64;
            words[w] = if n >= start + 64 {
                u64::MAX
            } else if n > start {
                (1 << (n - start)) - 1
            } else {
                0
            };
            w += 1;
        }
        Bits(words)
    }

    fn has(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }

    fn insert(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    fn remove(&mut self, i: usize) {
        self.0[i / 64] &= !(1 << (i % 64));
    }

    fn union(mut self, other: &Self) -> Self {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a |= b;
        }
        self
    }

    fn contains_all(&self, other: &Self) -> bool {
        self.0.iter().zip(other.0).all(|(a, b)| a & b == b)
    }

    /// Set bits in ascending order.
    fn iter(self) -> impl Iterator<Item = usize> {
        self.0.into_iter().enumerate().flat_map(|(w, mut word)| {
            std::iter::from_fn(move || {
                if word == 0 {
                    return None;
                }
                let bit = word.trailing_zeros() as usize;
                word &= word - 1;
                Some(w * 64 + bit)
            })
        })
    }
}

/// Words a `PermSet` needs: the set grows with the catalogue, so adding keys
/// never needs a change here.
const PERM_WORDS: usize = Perm::ALL.len().div_ceil(64);
// Fails the build, not a request, should the size ever be set by hand.
const _: () = assert!(Bits::<PERM_WORDS>::CAPACITY >= Perm::ALL.len());

/// A set of built-in permissions.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PermSet(Bits<PERM_WORDS>);

impl Default for PermSet {
    fn default() -> Self {
        PermSet(Bits::EMPTY)
    }
}

impl PermSet {
    const ALL: PermSet = PermSet(Bits::first(Perm::ALL.len()));

    pub fn all() -> Self {
        Self::ALL
    }

    pub fn has(self, p: Perm) -> bool {
        self.0.has(p.index())
    }

    pub fn insert(&mut self, p: Perm) {
        self.0.insert(p.index());
    }

    pub fn remove(&mut self, p: Perm) {
        self.0.remove(p.index());
    }

    pub fn union(self, other: PermSet) -> Self {
        PermSet(self.0.union(&other.0))
    }

    pub fn is_empty(self) -> bool {
        self == PermSet::default()
    }

    pub fn contains_all(self, other: PermSet) -> bool {
        self.0.contains_all(&other.0)
    }

    /// The permissions held, in catalogue order.
    pub fn iter(self) -> impl Iterator<Item = Perm> {
        self.0.iter().filter_map(|i| Perm::ALL.get(i).copied())
    }
}

impl BitOr for PermSet {
    type Output = PermSet;

    fn bitor(self, rhs: PermSet) -> PermSet {
        self.union(rhs)
    }
}

impl BitOrAssign for PermSet {
    fn bitor_assign(&mut self, rhs: PermSet) {
        *self = self.union(rhs);
    }
}

impl fmt::Debug for PermSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().map(Perm::code)).finish()
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
        assert!(PERM_WORDS * 64 >= Perm::ALL.len());
        for (i, p) in Perm::ALL.iter().enumerate() {
            assert_eq!(p.index(), i, "{}", p.code());
        }
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
    fn bits_hold_a_thousand_keys() {
        let mut a = Bits::<16>::EMPTY;
        assert_eq!(Bits::<16>::CAPACITY, 1024);
        a.insert(999);
        assert!(a.has(999) && !a.has(998) && !a.has(1000));
        let mut b = Bits::<16>::EMPTY;
        b.insert(3);
        let u = a.union(&b);
        assert!(u.has(3) && u.has(999));
        assert!(u.contains_all(&a) && u.contains_all(&b) && !a.contains_all(&u));
        assert_eq!(u.iter().collect::<Vec<_>>(), [3, 999]);
        let mut r = u;
        r.remove(999);
        assert_eq!(r, b);
        assert_eq!(Bits::<16>::first(1000).iter().count(), 1000);
        assert!(Bits::<16>::first(1000).has(999) && !Bits::<16>::first(1000).has(1000));
    }

    #[test]
    fn union_iteration_and_all() {
        let mut a = PermSet::default();
        a.insert(Perm::AllocationsManage);
        a.insert(Perm::OrgRead);
        let mut b = PermSet::default();
        b.insert(Perm::TeamsRead);
        b.insert(Perm::OrgRead);
        let u = a | b;
        assert_eq!(u, a.union(b));
        assert!(u.contains_all(a) && u.contains_all(b) && !a.contains_all(u));
        // Catalogue order, whatever the insertion order.
        assert_eq!(u.iter().collect::<Vec<_>>(), [Perm::OrgRead, Perm::TeamsRead, Perm::AllocationsManage]);
        let mut c = a;
        c |= b;
        assert_eq!(c, u);
        c.remove(Perm::OrgRead);
        assert!(!c.has(Perm::OrgRead) && c.has(Perm::TeamsRead));

        let mut every = PermSet::default();
        for p in Perm::ALL {
            let mut one = PermSet::default();
            one.insert(*p);
            every |= one;
        }
        assert_eq!(every, PermSet::all());
        assert_eq!(PermSet::all().iter().collect::<Vec<_>>(), Perm::ALL);
        assert!(PermSet::default().iter().next().is_none());
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
