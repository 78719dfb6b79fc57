//! The billing family's HTTP operations.

pub mod plans;

use poem_openapi::Tags;

use crate::Billing;

#[derive(Tags)]
pub enum Tag {
    /// Layer5: plans and their features.
    Plans,
}

/// Every API of the family, for the app's `OpenApiService`.
pub fn apis(billing: &Billing) -> plans::PlansApi {
    plans::PlansApi { billing: billing.clone() }
}
