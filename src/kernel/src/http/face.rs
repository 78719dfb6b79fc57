//! The API faces and their error formats. The mapping is exhaustive: adding an
//! `AppError` kind or a face without deciding its rendering does not compile.

use poem::http::{HeaderValue, StatusCode, header};
use poem::{Body, Response};

use crate::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// Layer5 Cloud / Meshery: `text/plain` errors with the documented wording.
    Layer5,
    /// Layer5 operations whose reference documents a JSON 400, `{error}`
    /// (the workspace event list); every other status as `Layer5`.
    Layer5JsonBadRequest,
    /// Layer5 operations whose reference documents a 409 (the catalog's
    /// publish, unpublish, approve and deny); everything else as `Layer5`.
    Layer5Conflict,
    /// meshcloud's own API (`/api/meshcloud/...`): JSON `{error, message}`.
    Meshcloud,
    /// The Identity face and the OIDC provider: OAuth 2.0 style
    /// `{error, error_description}` with a real 403.
    Identity,
    /// The API7 Cloud face: `{status: {code, message}, error}` (`http::api7`).
    Api7,
}

/// Paths of the Identity face (the OIDC provider's and `/api/v1/...` of
/// the Identity API; API7's `/api/v1/...` paths are different ones).
const IDENTITY_PREFIXES: [&str; 7] = [
    "/oauth2",
    "/oidc",
    "/.well-known",
    "/api/v1/organizations",
    "/api/v1/acl",
    "/api/v1/oauth2providers",
    "/api/v1/signup",
];

/// Paths of the API7 Cloud face.
const API7_PREFIXES: [&str; 4] = ["/api/v1/orgs", "/api/v1/controlplanes", "/api/v1/apps", "/api/v1/user"];

fn under(path: &str, prefix: &str) -> bool {
    path == prefix || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'))
}

impl Face {
    /// Which face owns a request path. Everything that is not meshcloud's own
    /// belongs to the Layer5 face until the other faces land.
    pub fn for_path(path: &str) -> Face {
        if path == "/api/meshcloud" || path.starts_with("/api/meshcloud/") {
            return Face::Meshcloud;
        }
        if IDENTITY_PREFIXES.iter().any(|p| under(path, p)) {
            return Face::Identity;
        }
        if API7_PREFIXES.iter().any(|p| under(path, p)) {
            return Face::Api7;
        }
        let workspace_events = path
            .strip_prefix("/api/workspaces/")
            .and_then(|rest| rest.strip_suffix("/events"))
            .is_some_and(|id| !id.is_empty() && !id.contains('/'));
        if workspace_events {
            return Face::Layer5JsonBadRequest;
        }
        if under(path, "/api/catalog") { Face::Layer5Conflict } else { Face::Layer5 }
    }
}

/// Is this path part of an API (so an unknown one gets an API 404, never the UI)?
pub fn is_api_path(path: &str) -> bool {
    const PREFIXES: [&str; 7] = ["/api", "/events", "/user/schedules", "/evaluate", "/oauth2", "/oidc", "/.well-known"];
    PREFIXES.iter().any(|p| under(path, p))
}

/// Does a request body without a `Content-Type` mean JSON on this path? On
/// the JSON-only APIs it does: clients post bodiless actions (sign-up
/// approval, token creation) without one. The OIDC provider's endpoints take
/// forms and keep asking for the header.
pub fn json_without_content_type(path: &str) -> bool {
    is_api_path(path) && !["/oauth2", "/oidc", "/.well-known"].iter().any(|p| under(path, p))
}

/// Renders any error that reached the edge in the format of `face`.
/// Errors that are not an `AppError` come from the framework (unknown route,
/// unparsable parameter or body, wrong method) and are classified by status.
pub fn render_error(face: Face, err: &poem::Error) -> Response {
    let (status, detail, retry) = match err.downcast_ref::<AppError>() {
        Some(app) => (app.status(), app.detail().map(str::to_string), app.retry_after()),
        None => {
            let status = framework_status(face, err.status());
            let detail = (status == StatusCode::BAD_REQUEST).then(|| framework_detail(err));
            (status, detail, None)
        }
    };
    // The Layer5 reference documents no 409 for the operations meshcloud
    // serves outside the catalog: a taken name, an existing membership or a
    // change a rule refuses (the last admin) is a bad request there, with the
    // reason. A path id that does not parse names nothing: "not found", which
    // every operation with a path id documents (400 is not documented on many
    // of them).
    let layer5 = matches!(face, Face::Layer5 | Face::Layer5JsonBadRequest | Face::Layer5Conflict);
    let bad_path_id = layer5 && err.is::<poem_openapi::error::ParsePathError>();
    let (status, detail) = match status {
        StatusCode::CONFLICT if layer5 && face != Face::Layer5Conflict => (StatusCode::BAD_REQUEST, detail),
        StatusCode::BAD_REQUEST if bad_path_id => (StatusCode::NOT_FOUND, None),
        s => (s, detail),
    };
    let mut resp = match face {
        Face::Layer5 => layer5_body(status, detail.as_deref()),
        Face::Layer5JsonBadRequest if status == StatusCode::BAD_REQUEST => {
            let text = with_detail("Invalid request body or request param", detail.as_deref());
            let body = serde_json::json!({ "error": text });
            Response::builder()
                .status(status)
                .content_type("application/json")
                .body(Body::from_string(body.to_string()))
        }
        Face::Layer5JsonBadRequest | Face::Layer5Conflict => layer5_body(status, detail.as_deref()),
        Face::Meshcloud => meshcloud_body(status, err, detail.as_deref()),
        Face::Identity => identity_body(status, err, detail.as_deref()),
        Face::Api7 => api7_body(status, err, detail.as_deref()),
    };
    if let Some(secs) = retry
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    if status == StatusCode::UNAUTHORIZED && matches!(face, Face::Meshcloud | Face::Identity | Face::Api7) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    // RFC 6750 §3.1: the client learns which scope its token lacks.
    if let Some(AppError::InsufficientScope(scope)) = err.downcast_ref::<AppError>()
        && let Ok(v) = HeaderValue::from_str(&format!("Bearer error=\"insufficient_scope\", scope=\"{scope}\""))
    {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

/// The status a framework error (no route for the method, a body of the wrong
/// media type or too large, a parameter or body that does not parse) gets on
/// `face`: one the face documents. The Layer5 and Identity references know
/// only 400, 401, 403, 404, 409 and 500 (and meshcloud adds 429 and 503), so a
/// method a path does not serve is "not found" there and every other refusal
/// of the request itself is a 400. meshcloud's own face keeps 405.
fn framework_status(face: Face, status: StatusCode) -> StatusCode {
    match status {
        StatusCode::UNAUTHORIZED
        | StatusCode::FORBIDDEN
        | StatusCode::NOT_FOUND
        | StatusCode::CONFLICT
        | StatusCode::TOO_MANY_REQUESTS
        | StatusCode::SERVICE_UNAVAILABLE => status,
        StatusCode::METHOD_NOT_ALLOWED if face == Face::Meshcloud => status,
        StatusCode::METHOD_NOT_ALLOWED => StatusCode::NOT_FOUND,
        s if s.is_client_error() => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// What a client is told about a request the framework refused.
fn framework_detail(err: &poem::Error) -> String {
    match err.status() {
        StatusCode::PAYLOAD_TOO_LARGE => "request body too large".to_string(),
        _ => err.to_string(),
    }
}

/// The envelope without a payload; `error` says what went wrong (the
/// client's token problem for a 401, as the reference's fixtures do).
fn api7_body(status: StatusCode, err: &poem::Error, detail: Option<&str>) -> Response {
    let entitlement = matches!(err.downcast_ref::<AppError>(), Some(AppError::Entitlement(_)));
    let (code, message) = super::api7::error_code(status, entitlement);
    let error = match (status, detail) {
        (_, Some(d)) => d.to_string(),
        (StatusCode::UNAUTHORIZED, None) => "the token is missing, unknown, expired or revoked".to_string(),
        (StatusCode::FORBIDDEN, None) => "the token does not grant this operation".to_string(),
        (_, None) => message.to_string(),
    };
    let body = serde_json::json!({ "status": { "code": code, "message": message }, "error": error });
    Response::builder().status(status).content_type("application/json").body(Body::from_string(body.to_string()))
}

fn layer5_body(status: StatusCode, detail: Option<&str>) -> Response {
    // Layer5 folds "insufficient privilege" into 401 and documents no 403.
    let status = if status == StatusCode::FORBIDDEN { StatusCode::UNAUTHORIZED } else { status };
    let text = match status {
        StatusCode::BAD_REQUEST => with_detail("Invalid request body or request param", detail),
        StatusCode::UNAUTHORIZED => "Expired JWT token used or insufficient privilege".to_string(),
        StatusCode::NOT_FOUND => detail.unwrap_or("Result not found").to_string(),
        StatusCode::CONFLICT => with_detail("Conflict", detail),
        StatusCode::TOO_MANY_REQUESTS => "Too many requests".to_string(),
        StatusCode::SERVICE_UNAVAILABLE => "Service unavailable".to_string(),
        s if s.is_server_error() => "Internal server error".to_string(),
        s => with_detail(s.canonical_reason().unwrap_or("Error"), detail),
    };
    Response::builder().status(status).content_type("text/plain; charset=utf-8").body(Body::from_string(text))
}

fn meshcloud_body(status: StatusCode, err: &poem::Error, detail: Option<&str>) -> Response {
    let code = match err.downcast_ref::<AppError>() {
        Some(app) => app.code(),
        None => match status {
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::UNAUTHORIZED => "unauthenticated",
            StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
            s if s.is_server_error() => "internal",
            _ => "invalid_request",
        },
    };
    let message = match (status, detail) {
        (_, Some(d)) => d.to_string(),
        (s, None) if s.is_server_error() && s != StatusCode::SERVICE_UNAVAILABLE => "internal server error".into(),
        (s, None) => s.canonical_reason().unwrap_or("error").to_ascii_lowercase(),
    };
    let body = serde_json::json!({ "error": code, "message": message });
    Response::builder().status(status).content_type("application/json").body(Body::from_string(body.to_string()))
}

/// The Identity face's codes and canonical wording (the reference's own).
fn identity_body(status: StatusCode, err: &poem::Error, detail: Option<&str>) -> Response {
    let app = err.downcast_ref::<AppError>();
    let (code, wording) = match (app, status) {
        (Some(AppError::OAuth(code, _)), _) => (*code, ""),
        (_, StatusCode::BAD_REQUEST) => ("invalid_request", "request body invalid"),
        (_, StatusCode::UNAUTHORIZED) => ("access_denied", "authentication failed"),
        (_, StatusCode::FORBIDDEN) => ("forbidden", "user credentials do not have the required privileges"),
        (_, StatusCode::NOT_FOUND) => ("not_found", "the requested resource does not exist"),
        (_, StatusCode::METHOD_NOT_ALLOWED) => ("method_not_allowed", "the requested method is not allowed"),
        (_, StatusCode::CONFLICT) => ("conflict", "a resource with the same name already exists"),
        (_, StatusCode::UNSUPPORTED_MEDIA_TYPE) => {
            ("unsupported_media_type", "the request media type is not supported")
        }
        (_, StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE) => {
            ("temporarily_unavailable", "the service is busy, try again")
        }
        (_, s) if s.is_server_error() => ("server_error", "an internal error occurred"),
        (_, _) => ("invalid_request", "request invalid"),
    };
    let description = match detail {
        Some(d) if !d.is_empty() => d.to_string(),
        _ => wording.to_string(),
    };
    let body = serde_json::json!({ "error": code, "error_description": description });
    Response::builder()
        .status(status)
        .content_type("application/json")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from_string(body.to_string()))
}

fn with_detail(wording: &str, detail: Option<&str>) -> String {
    match detail {
        Some(d) if !d.is_empty() => format!("{wording}: {d}"),
        _ => wording.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faces_by_path() {
        assert_eq!(Face::for_path("/api/meshcloud/login"), Face::Meshcloud);
        assert_eq!(Face::for_path("/api/meshcloudx"), Face::Layer5);
        assert_eq!(Face::for_path("/api/identity/orgs"), Face::Layer5);
        assert_eq!(Face::for_path("/api/workspaces/abc/events"), Face::Layer5JsonBadRequest);
        assert_eq!(Face::for_path("/api/workspaces/abc/teams"), Face::Layer5);
        assert_eq!(Face::for_path("/api/workspaces//events"), Face::Layer5);
        assert_eq!(Face::for_path("/api/v1/organizations/x/groups"), Face::Identity);
        assert_eq!(Face::for_path("/oauth2/v2/token"), Face::Identity);
        assert_eq!(Face::for_path("/.well-known/openid-configuration"), Face::Identity);
        assert_eq!(Face::for_path("/api/v1/organizationsx"), Face::Layer5);
        assert_eq!(Face::for_path("/api/v1/orgs/1/controlplanes"), Face::Api7);
        assert_eq!(Face::for_path("/api/v1/controlplanes/2/apps"), Face::Api7);
        assert_eq!(Face::for_path("/api/v1/apps/3/apis"), Face::Api7);
        assert_eq!(Face::for_path("/api/v1/appsx"), Face::Layer5);
        assert_eq!(Face::for_path("/api/v1/user/me"), Face::Api7);
        assert_eq!(Face::for_path("/api/v1/users"), Face::Layer5);
        assert!(is_api_path("/oauth2/v2/jwks"));
        assert!(is_api_path("/api"));
        assert!(is_api_path("/api/nope"));
        assert!(is_api_path("/events/x"));
        assert!(!is_api_path("/apix"));
        assert!(!is_api_path("/index.html"));
        assert!(json_without_content_type("/api/identity/users/request/approve"));
        assert!(json_without_content_type("/api/v1/organizations"));
        assert!(!json_without_content_type("/oauth2/v2/userinfo"));
        assert!(!json_without_content_type("/"));
    }

    #[test]
    fn framework_errors_get_documented_statuses() {
        let s = |face, status: u16| framework_status(face, StatusCode::from_u16(status).unwrap_or_default()).as_u16();
        for face in [Face::Layer5, Face::Layer5JsonBadRequest, Face::Identity] {
            assert_eq!(s(face, 415), 400);
            assert_eq!(s(face, 413), 400);
            assert_eq!(s(face, 405), 404);
            assert_eq!(s(face, 400), 400);
            assert_eq!(s(face, 404), 404);
        }
        assert_eq!(s(Face::Meshcloud, 405), 405);
        assert_eq!(s(Face::Meshcloud, 415), 400);
    }

    #[test]
    fn layer5_knows_no_409_and_a_bad_path_id_names_nothing() {
        let status = |face, err: poem::Error| render_error(face, &err).status().as_u16();
        let rule = || poem::Error::from(AppError::conflict("meshcloud needs at least one provider admin"));
        assert_eq!(status(Face::Layer5, rule()), 400);
        assert_eq!(status(Face::Layer5Conflict, rule()), 409);
        assert_eq!(Face::for_path("/api/catalog/requests/approve"), Face::Layer5Conflict);
        assert_eq!(status(Face::Identity, rule()), 409);
        assert_eq!(status(Face::Meshcloud, rule()), 409);
        let bad_id =
            || poem::Error::from(poem_openapi::error::ParsePathError { name: "id", reason: "not a uuid".into() });
        assert_eq!(status(Face::Layer5, bad_id()), 404);
        assert_eq!(status(Face::Identity, bad_id()), 400);
        // The workspace event list documents its 400 as JSON `{error}`.
        let resp = render_error(Face::Layer5JsonBadRequest, &AppError::validation("page").into());
        assert_eq!(resp.headers().get(header::CONTENT_TYPE).map(|v| v.as_bytes()), Some(&b"application/json"[..]));
    }
}
