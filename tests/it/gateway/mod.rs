//! The API7 Cloud face (docs/gateway.md): control planes, applications and
//! their APIs, consumers, certificates, and the APISIX export.

mod apis;
mod applications;
mod certificates;
mod consumers;
mod control_planes;
mod openapi_import;
