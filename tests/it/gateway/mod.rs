//! The API7 Cloud face (docs/gateway.md): control planes, applications and
//! their APIs, consumers, certificates, and the APISIX export.

mod control_planes;
mod members;
mod orgs;
mod export;
mod apis;
mod applications;
mod openapi_import;
mod certificates;
mod consumers;
