//! The infrastructure family's HTTP operations (one `#[OpenApi]` struct per sub-resource).

pub mod connections;
pub mod credentials;
pub mod environments;
pub mod workspaces;

use poem_openapi::Tags;

use crate::Infra;

#[derive(Tags)]
pub enum Tag {
    /// Layer5: environments.
    Environments,
    /// Layer5: connections.
    Connections,
    /// Layer5: credentials (secrets sealed at rest).
    Credentials,
    /// Layer5: workspaces and what they hold.
    Workspaces,
}

/// Every API of the family, for the app's `OpenApiService`.
pub fn apis(
    infra: &Infra,
) -> (environments::EnvironmentsApi, connections::ConnectionsApi, credentials::CredentialsApi, workspaces::WorkspacesApi)
{
    (
        environments::EnvironmentsApi { infra: infra.clone() },
        connections::ConnectionsApi { infra: infra.clone() },
        credentials::CredentialsApi { infra: infra.clone() },
        workspaces::WorkspacesApi { infra: infra.clone() },
    )
}
