//! The content family's HTTP operations (one `#[OpenApi]` struct per sub-resource).

pub mod catalog;
pub mod designs;
pub mod filters;
pub mod import;
pub mod models;
pub mod resources;
pub mod sharing;
pub mod views;

use poem_openapi::Tags;

use crate::Content;

#[derive(Tags)]
pub enum Tag {
    /// Layer5: designs (patterns) and their versions, views, filters,
    /// sharing and the catalog.
    Designs,
    /// Layer5: models (their component kinds and relationship definitions) and their registration.
    Models,
}

/// Every API of the family, for the app's `OpenApiService`.
#[allow(clippy::type_complexity)]
pub fn apis(
    content: &Content,
) -> (
    designs::DesignsApi,
    import::ImportApi,
    models::ModelsApi,
    views::ViewsApi,
    filters::FiltersApi,
    sharing::SharingApi,
    catalog::CatalogApi,
    resources::ResourcesApi,
) {
    let c = || content.clone();
    (
        designs::DesignsApi { content: c() },
        import::ImportApi { content: c() },
        models::ModelsApi { content: c() },
        views::ViewsApi { content: c() },
        filters::FiltersApi { content: c() },
        sharing::SharingApi { content: c() },
        catalog::CatalogApi { content: c() },
        resources::ResourcesApi { content: c() },
    )
}
