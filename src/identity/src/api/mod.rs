//! The identity family's HTTP operations (one `#[OpenApi]` struct per sub-resource).

pub mod auth;
pub mod domains;
pub mod invitations;
pub mod keys;
pub mod members;
pub mod orgs;
pub mod passwords;
pub mod roles;
pub mod session;
pub mod signup;
pub mod teams;
pub mod tokens;
pub mod users;

use poem_openapi::Tags;

use crate::Identity;

#[derive(Tags)]
pub enum Tag {
    /// Layer5: organizations.
    Organizations,
    /// Layer5: the caller's and other users' profiles.
    Users,
    /// Layer5: security tokens.
    Tokens,
    /// meshcloud: web sign-in, passwords and request context.
    Session,
    /// Layer5: teams and their members.
    Teams,
    /// Layer5: roles, their keychains and their holders.
    Roles,
    /// Layer5: permission keys and keychains.
    Keys,
    /// Layer5: invitations and sign-up requests.
    Invitations,
    /// Layer5: badges.
    Badges,
    /// meshcloud: domain claims of organizations and their proof.
    Domains,
}

/// Every API of the family, for the app's `OpenApiService`.
#[allow(clippy::type_complexity)]
pub fn apis(
    identity: &Identity,
) -> (
    orgs::OrgsApi,
    users::UsersApi,
    tokens::TokensApi,
    session::SessionApi,
    teams::TeamsApi,
    members::MembersApi,
    roles::RolesApi,
    keys::KeysApi,
    invitations::InvitationsApi,
    signup::SignupApi,
    domains::DomainsApi,
    passwords::PasswordsApi,
) {
    let i = || identity.clone();
    (
        orgs::OrgsApi { identity: i() },
        users::UsersApi { identity: i() },
        tokens::TokensApi { identity: i() },
        session::SessionApi { identity: i() },
        teams::TeamsApi { identity: i() },
        members::MembersApi { identity: i() },
        roles::RolesApi { identity: i() },
        keys::KeysApi { identity: i() },
        invitations::InvitationsApi { identity: i() },
        signup::SignupApi { identity: i() },
        domains::DomainsApi { identity: i() },
        passwords::PasswordsApi { identity: i() },
    )
}
