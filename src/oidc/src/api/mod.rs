//! The OIDC provider's HTTP operations.

pub mod authorize;
pub mod callback;
pub mod clients;
pub mod discovery;
pub mod form;
pub mod pages;
pub mod token;

use poem_openapi::Tags;

use crate::Oidc;

#[derive(Tags)]
pub enum Tag {
    /// Identity: the OIDC provider (discovery, keys, authorization, tokens, userinfo).
    Oidc,
    /// meshcloud: OAuth clients of the OIDC provider.
    OidcClients,
}

/// Every API of the provider, for the app's `OpenApiService`.
pub fn apis(
    oidc: &Oidc,
) -> (discovery::DiscoveryApi, authorize::AuthorizeApi, callback::CallbackApi, token::TokenApi, clients::ClientsApi) {
    let o = || oidc.clone();
    (
        discovery::DiscoveryApi { oidc: o() },
        authorize::AuthorizeApi { oidc: o() },
        callback::CallbackApi { oidc: o() },
        token::TokenApi { oidc: o() },
        clients::ClientsApi { oidc: o() },
    )
}
