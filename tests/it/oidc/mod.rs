//! The OIDC provider and sign-in through organizations' own providers.

mod authlib;
mod edges;
mod provider;
mod races;
mod scopes;
mod sessions;
mod upstream;
