//! The OIDC provider's HTTP operations.

use crate::Oidc;

/// Every API of the provider, for the app's `OpenApiService`.
pub fn apis(oidc: &Oidc) {
    let _ = oidc;
}
