//! The gateway family's HTTP operations (the API7 Cloud face, and the
//! APISIX export).

pub mod apis;
pub mod apps;
pub mod certificates;
pub mod consumers;
pub mod control_planes;
pub mod export;
pub mod members;
pub mod orgs;

use poem_openapi::Tags;

use crate::Gateway;

#[derive(Tags)]
pub enum Tag {
    /// API7: organizations, their subscription and upcoming invoice.
    Api7Organizations,
    /// API7: an organization's members (core memberships).
    Api7Members,
    /// API7: control planes, their settings and policies.
    Api7ControlPlanes,
    /// API7: applications of a control plane, and their import from OpenAPI.
    Api7Applications,
    /// API7: APIs of an application.
    Api7Apis,
    /// API7: consumers, their credentials and JSON Web Tokens.
    Api7Consumers,
    /// API7: TLS certificates of a control plane.
    Api7Certificates,
    /// meshcloud: a control plane as an Apache APISIX standalone configuration.
    GatewayConfig,
}

/// Every API of the family, for the app's `OpenApiService`.
#[allow(clippy::type_complexity)]
pub fn apis(
    gateway: &Gateway,
) -> (
    orgs::OrgsApi,
    members::MembersApi,
    control_planes::ControlPlanesApi,
    apps::ApplicationsApi,
    apis::ApisApi,
    consumers::ConsumersApi,
    certificates::CertificatesApi,
    export::ExportApi,
) {
    let g = || gateway.clone();
    (
        orgs::OrgsApi { gateway: g() },
        members::MembersApi { gateway: g() },
        control_planes::ControlPlanesApi { gateway: g() },
        apps::ApplicationsApi { gateway: g() },
        apis::ApisApi { gateway: g() },
        consumers::ConsumersApi { gateway: g() },
        certificates::CertificatesApi { gateway: g() },
        export::ExportApi { gateway: g() },
    )
}
