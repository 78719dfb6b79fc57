mod apis;
mod applications;
mod openapi_import;
