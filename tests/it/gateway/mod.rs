//! The API7 Cloud face (docs/gateway.md): control planes, applications and
//! their APIs, consumers, certificates, and the APISIX export.

mod control_planes;
//! The API7 Cloud face (`/api/v1/orgs…`, `/api/v1/controlplanes…`,
//! `/api/v1/apps…`, `/api/v1/user…`), one module per area.
mod members;
mod orgs;
mod export;
mod apis;
mod applications;
mod openapi_import;
