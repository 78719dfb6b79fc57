//! The content family's HTTP operations (one `#[OpenApi]` struct per sub-resource).

pub mod designs;
pub mod import;

use poem_openapi::Tags;

use crate::Content;

#[derive(Tags)]
pub enum Tag {
    /// Layer5: designs (patterns) and their versions.
    Designs,
}

/// Every API of the family, for the app's `OpenApiService`.
pub fn apis(content: &Content) -> (designs::DesignsApi, import::ImportApi) {
    (designs::DesignsApi { content: content.clone() }, import::ImportApi { content: content.clone() })
}
