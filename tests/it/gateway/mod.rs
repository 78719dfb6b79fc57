//! The API7 Cloud face (docs/gateway.md): organizations and members, control
//! planes, applications and their APIs, consumers, certificates, and the
//! APISIX export.

mod apis;
mod applications;
mod certificates;
mod consumers;
mod control_planes;
mod export;
mod members;
mod openapi_import;
mod orgs;
