//! The gateway family: the API7 Cloud face and the APISIX export.

mod export;
