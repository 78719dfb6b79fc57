//! `/api/resource/{resourceType}/share/{resourceId}`: sharing designs
//! (`design` or the reference's `pattern`), views and filters.

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::{AppError, validate};
use poem_openapi::OpenApi;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use serde_json::{Value, json};

use super::Tag;
use crate::Content;
use crate::service::access::Kind;
use crate::service::sharing::{ActorType, ShareInput, SharedActor};

pub struct SharingApi {
    pub content: Content,
}

fn kind(raw: &str) -> Result<Kind, AppError> {
    Kind::parse(raw).ok_or_else(|| AppError::validation("resourceType must be design (or pattern), view or filter"))
}

/// The actors a list field names: strings, or objects with `id` (or, for
/// users, `email`).
fn names(body: &Value, field: &str) -> Result<Vec<(String, String)>, AppError> {
    let Some(v) = body.get(field) else { return Ok(vec![]) };
    let Some(items) = v.as_array() else {
        if v.is_null() {
            return Ok(vec![]);
        }
        return Err(AppError::validation(format!("{field} must be an array")));
    };
    let mut out = vec![];
    for (i, item) in items.iter().enumerate() {
        let name = format!("{field}[{i}]");
        let raw = match item {
            Value::String(s) => s.clone(),
            Value::Object(m) => match m.get("id").or_else(|| m.get("email")).and_then(Value::as_str) {
                Some(s) => s.to_string(),
                None => return Err(AppError::validation(format!("{name} has no id"))),
            },
            _ => return Err(AppError::validation(format!("{name} must be an id, an email address or an object"))),
        };
        out.push((name, raw));
    }
    Ok(out)
}

fn actor_json(a: &SharedActor) -> Value {
    let when = meshcloud_kernel::time::to_db(&a.shared_at);
    match a.actor_type {
        ActorType::User => json!({
            "id": a.id, "email": a.name, "first_name": a.first_name, "last_name": a.last_name,
            "avatar_url": a.avatar_url, "access": a.access, "shared_at": when,
        }),
        ActorType::Team => {
            json!({"id": a.id, "name": a.name, "org_id": a.org_id, "access": a.access, "shared_at": when})
        }
        ActorType::Organization => json!({"id": a.id, "name": a.name, "access": a.access, "shared_at": when}),
    }
}

fn of_type(all: &[SharedActor], t: ActorType) -> Vec<Value> {
    all.iter().filter(|a| a.actor_type == t).map(actor_json).collect()
}

#[OpenApi(prefix_path = "/api/resource", tag = "Tag::Designs")]
impl SharingApi {
    /// Share a resource
    ///
    /// Body: `emails` and/or `users` (user ids or email addresses), `teams`
    /// and `organizations` (ids), `access` (`read`, the default, or `edit`)
    /// and `share` (`true`, the default; `false` takes the shares of the
    /// actors named back). Answers the resource access mapping: every actor
    /// the resource is shared with, by type.
    #[oai(path = "/:resourceType/share/:resourceId", method = "post")]
    async fn share(
        &self,
        auth: Auth,
        #[oai(name = "resourceType")] resource_type: Path<String>,
        #[oai(name = "resourceId")] resource_id: Path<String>,
        body: Json<Value>,
    ) -> Result<Json<Value>, AppError> {
        let kind = kind(&resource_type.0)?;
        let id = validate::uuid("resourceId", resource_id.0.trim())?;
        let b = body.0;
        validate::json_object("body", &b)?;
        let share = match b.get("share") {
            None | Some(Value::Null) => true,
            Some(Value::Bool(s)) => *s,
            Some(_) => return Err(AppError::validation("share must be true or false")),
        };
        let access = match b.get("access") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(AppError::validation("access must be read or edit")),
        };
        let mut users = names(&b, "emails")?;
        users.extend(names(&b, "users")?);
        let input =
            ShareInput { share, access, users, teams: names(&b, "teams")?, organizations: names(&b, "organizations")? };
        let all = self.content.share(auth.principal(), kind, id, input).await?;
        Ok(Json(json!({
            "resource_type": kind.as_str(),
            "resource_id": id,
            "users": of_type(&all, ActorType::User),
            "teams": of_type(&all, ActorType::Team),
            "organizations": of_type(&all, ActorType::Organization),
        })))
    }

    /// Get resource access actors by type
    ///
    /// `actorType` `users` answers `{users: [...]}` (the reference's shape);
    /// `teams` answers `{teams: [...]}` and `organizations`
    /// `{organizations: [...]}`.
    #[oai(path = "/:resourceType/share/:resourceId/:actorType", method = "get")]
    async fn actors(
        &self,
        auth: Auth,
        #[oai(name = "resourceType")] resource_type: Path<String>,
        #[oai(name = "resourceId")] resource_id: Path<String>,
        #[oai(name = "actorType")] actor_type: Path<String>,
    ) -> Result<Json<Value>, AppError> {
        // Path segments that name no kind of resource or actor name nothing
        // (the operation documents no 400).
        let kind = kind(&resource_type.0).map_err(|_| AppError::NotFound)?;
        let at = ActorType::parse(&actor_type.0).ok_or(AppError::NotFound)?;
        let id = uuid::Uuid::parse_str(resource_id.0.trim()).map_err(|_| AppError::NotFound)?;
        let all = self.content.shared_actors(auth.principal(), kind, id, at).await?;
        let key = match at {
            ActorType::User => "users",
            ActorType::Team => "teams",
            ActorType::Organization => "organizations",
        };
        Ok(Json(json!({ key: of_type(&all, at) })))
    }
}
