//! `GET /api/v1/signup` (Identity face): the link of a sign-up mail. A browser
//! opens it, so both answers are for people: on to the UI, or a page saying
//! what went wrong.

use meshcloud_kernel::AppError;
use meshcloud_kernel::http::html::{esc, page};
use poem_openapi::param::Query;
use poem_openapi::payload::Html;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use crate::Directory;

pub struct SignupApi {
    pub directory: Directory,
}

#[derive(ApiResponse)]
pub enum SignupResponse {
    /// The membership is active: on to the UI to sign in.
    #[oai(status = 302)]
    Found(#[oai(header = "Location")] String, #[oai(header = "Cache-Control")] String),
    /// The link is not (or no longer) valid.
    #[oai(status = 400)]
    BadRequest(Html<String>, #[oai(header = "Cache-Control")] String),
}

#[OpenApi(tag = "Tag::IdentityUsers")]
impl SignupApi {
    /// Complete the user signup process.
    ///
    /// Opens the one-time link mailed to a user added as `pending`: the
    /// membership becomes `active` and the browser goes on to the UI.
    #[oai(path = "/api/v1/signup", method = "get")]
    async fn signup(&self, token: Query<Option<String>>) -> Result<SignupResponse, AppError> {
        match self.directory.complete_signup(token.0.as_deref().unwrap_or("")).await {
            Ok(()) => Ok(SignupResponse::Found("/".into(), "no-store".into())),
            Err(AppError::Validation(msg)) => {
                let body = format!("<h1>The sign-up cannot be completed</h1><p class=\"error\">{}</p>", esc(&msg));
                Ok(SignupResponse::BadRequest(Html(page("Sign-up", &body)), "no-store".into()))
            }
            Err(e) => Err(e),
        }
    }
}
