//! The identity family's HTTP operations (one `#[OpenApi]` struct per sub-resource).

pub mod auth;
pub mod orgs;
pub mod session;
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
    /// meshcloud: web sign-in and request context.
    Session,
}

/// Every API of the family, for the app's `OpenApiService`.
pub fn apis(identity: &Identity) -> (orgs::OrgsApi, users::UsersApi, tokens::TokensApi, session::SessionApi) {
    (
        orgs::OrgsApi { identity: identity.clone() },
        users::UsersApi { identity: identity.clone() },
        tokens::TokensApi { identity: identity.clone() },
        session::SessionApi { identity: identity.clone() },
    )
}
