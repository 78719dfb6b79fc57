//! HTTP conventions shared by every family: which face a path belongs to, how
//! each face renders errors, and each face's list envelope.

pub mod api7;
pub mod face;
pub mod html;
pub mod layer5;
pub mod responses;
pub mod types;

pub use face::{Face, render_error};

use poem_openapi::ApiResponse;
use poem_openapi::registry::{MetaResponse, MetaResponses, Registry};

use crate::AppError;

/// Documents the error statuses in `/openapi.json`. The body of each is
/// rendered by the face the path belongs to (`face::render_error`).
impl ApiResponse for AppError {
    fn meta() -> MetaResponses {
        let r = |status: u16, description: &'static str| MetaResponse {
            description,
            status: Some(status),
            status_range: None,
            content: vec![],
            headers: vec![],
        };
        MetaResponses {
            responses: vec![
                r(400, "Invalid request body or request param"),
                r(401, "Expired JWT token used or insufficient privilege"),
                r(404, "Result not found"),
                r(409, "Conflict"),
                r(429, "Too many requests (see Retry-After)"),
                r(500, "Internal server error"),
                r(503, "Service unavailable (see Retry-After)"),
            ],
        }
    }

    fn register(_registry: &mut Registry) {}
}
