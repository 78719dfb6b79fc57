//! The content family's HTTP operations (one `#[OpenApi]` struct per sub-resource).

pub mod designs;
pub mod import;
pub mod resources;

use poem_openapi::Tags;

use crate::Content;

#[derive(Tags)]
pub enum Tag {
    /// Layer5: designs (patterns) and their versions.
    Designs,
}

/// Every API of the family, for the app's `OpenApiService`.
pub fn apis(content: &Content) -> (designs::DesignsApi, import::ImportApi, resources::ResourcesApi) {
    (
        designs::DesignsApi { content: content.clone() },
        import::ImportApi { content: content.clone() },
        resources::ResourcesApi { content: content.clone() },
    )
}
