//! The content family's HTTP operations (one `#[OpenApi]` struct per sub-resource).

pub mod designs;

use poem_openapi::Tags;

use crate::Content;

#[derive(Tags)]
pub enum Tag {
    /// Layer5: designs (patterns) and their versions.
    Designs,
}

/// Every API of the family, for the app's `OpenApiService` (a tuple once
/// there are several).
pub fn apis(content: &Content) -> designs::DesignsApi {
    designs::DesignsApi { content: content.clone() }
}
