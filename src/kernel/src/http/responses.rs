//! Bodiless success responses every face uses: the operation's own summary
//! in `/openapi.json` says what was done.

use poem_openapi::ApiResponse;

/// 204: done, nothing to return.
#[derive(ApiResponse)]
pub enum NoContent {
    /// Done.
    #[oai(status = 204)]
    NoContent,
}

/// 200 with no body (where a reference documents 200 for a bodiless answer).
#[derive(ApiResponse)]
pub enum Done {
    /// Done.
    #[oai(status = 200)]
    Ok,
}

/// 202: accepted, finished asynchronously.
#[derive(ApiResponse)]
pub enum Accepted {
    /// Accepted.
    #[oai(status = 202)]
    Accepted,
}
