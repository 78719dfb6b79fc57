//! APIs of an application (`/apps/{app_id}/apis…`): the path names no
//! control plane, so the application is looked up first and the caller is
//! checked against its control plane's organization. Every write bumps the
//! control plane's `config_version` and records its event.

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::http::api7::{Id, List, ListQuery, merge_patch, patch_object};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult};
use serde_json::{Map, Value, json};

use super::Gateway;
use super::app_spec;
use super::applications::body_object;
use super::scope;
use crate::model::apis::Api;
use crate::store::apis::{self as store, ApiRow, ApiWrite};
use crate::store::applications::{self as apps, AppRow};
use crate::store::control_planes::{self, ControlPlaneRow};
use crate::store::labels::{self, Kind};

/// The application and its control plane, if the caller may `perm` there.
fn app_scope(c: &Conn, p: &Principal, app_id: i64, perm: Perm) -> AppResult<(AppRow, ControlPlaneRow)> {
    let app = apps::get(c, app_id)?.ok_or(AppError::NotFound)?;
    let cp = scope::control_plane(c, p, app.control_plane_id, perm)?;
    Ok((app, cp))
}

fn api_of(c: &Conn, app_id: i64, api_id: i64) -> AppResult<ApiRow> {
    store::get(c, app_id, api_id)?.ok_or(AppError::NotFound)
}

pub(crate) fn to_wire(row: ApiRow) -> Api {
    let s = &row.spec;
    let methods = s["methods"].as_array().map(|a| a.iter().filter_map(|m| m.as_str().map(String::from)).collect());
    Api {
        id: Id(row.id),
        app_id: Id(row.app_id),
        status: row.status,
        created_at: row.created_at.into(),
        updated_at: row.updated_at.into(),
        methods,
        paths: s.get("paths").cloned().unwrap_or_else(|| json!([])),
        strip_path_prefix: s["strip_path_prefix"].as_bool().unwrap_or(false),
        policies: s.get("policies").cloned().unwrap_or_else(|| json!({})),
        kind: s["type"].as_str().unwrap_or("Rest").to_string(),
        name: row.name,
        description: row.description,
        labels: row.labels,
        active: row.active,
    }
}

/// The writable fields of a stored API: what a PATCH merges into.
fn writable(row: &ApiRow) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), row.name.clone().into());
    m.insert("description".into(), row.description.clone().into());
    m.insert("labels".into(), json!(row.labels));
    m.insert("active".into(), row.active.into());
    for key in ["methods", "paths", "strip_path_prefix", "type", "policies"] {
        if let Some(v) = row.spec.get(key) {
            m.insert(key.into(), v.clone());
        }
    }
    Value::Object(m)
}

/// Stores a new, checked API with its event; its row id. The caller bumps
/// the control plane's `config_version` (once per transaction).
pub(crate) fn insert_checked(
    c: &Conn,
    actor: meshcloud_kernel::ids::UserId,
    cp: &ControlPlaneRow,
    app: &AppRow,
    s: &app_spec::ApiSpec,
    now: &meshcloud_kernel::time::Timestamp,
) -> AppResult<i64> {
    let uuid = uuid::Uuid::new_v4();
    let write = ApiWrite { name: &s.name, description: &s.description, spec: &s.spec, active: s.active };
    let id = store::insert(c, app.id, cp.id, uuid, &write, now)?;
    labels::set(c, Kind::Api, id, &s.labels)?;
    audit::record(
        c,
        Event::new(EventKind::ApiCreate, Some(actor))
            .org(cp.org)
            .on(uuid)
            .describe(format!("API {:?} created in application {:?}", s.name, app.name)),
    )?;
    Ok(id)
}

impl Gateway {
    pub async fn list_apis(&self, p: &Principal, app_id: i64, q: ListQuery) -> AppResult<List<Api>> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                app_scope(c, &p, app_id, Perm::ApplicationsRead)?;
                let (rows, count) = store::list(c, app_id, &q)?;
                Ok(List { list: rows.into_iter().map(to_wire).collect(), count })
            })
            .await
    }

    pub async fn get_api(&self, p: &Principal, app_id: i64, api_id: i64) -> AppResult<Api> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                app_scope(c, &p, app_id, Perm::ApplicationsRead)?;
                Ok(to_wire(api_of(c, app_id, api_id)?))
            })
            .await
    }

    pub async fn create_api(&self, p: &Principal, app_id: i64, body: Value) -> AppResult<Api> {
        let (p, now) = (p.clone(), self.now());
        self.db()
            .write(move |c| {
                let (app, cp) = app_scope(c, &p, app_id, Perm::ApplicationsManage)?;
                let s = app_spec::api(&body_object(body)?)?;
                let id = insert_checked(c, p.user, &cp, &app, &s, &now)?;
                control_planes::bump(c, cp.id, &now)?;
                Ok(to_wire(api_of(c, app_id, id)?))
            })
            .await
    }

    /// PUT (`patch` false: the body replaces the API) or PATCH (`patch`
    /// true: a JSON Merge Patch of the stored wire object, object or base64
    /// string); the result is checked as a whole.
    pub async fn update_api(
        &self,
        p: &Principal,
        app_id: i64,
        api_id: i64,
        body: Value,
        patch: bool,
    ) -> AppResult<Api> {
        let (p, now) = (p.clone(), self.now());
        self.db()
            .write(move |c| {
                let (app, cp) = app_scope(c, &p, app_id, Perm::ApplicationsManage)?;
                let row = api_of(c, app_id, api_id)?;
                let object = if patch {
                    let mut patch = patch_object(body)?;
                    if let Some(plugins) = patch.remove("plugins")
                        && !patch.contains_key("policies")
                    {
                        patch.insert("policies".into(), plugins);
                    }
                    let mut merged = writable(&row);
                    merge_patch(&mut merged, &Value::Object(patch));
                    body_object(merged)?
                } else {
                    body_object(body)?
                };
                let s = app_spec::api(&object)?;
                let write = ApiWrite { name: &s.name, description: &s.description, spec: &s.spec, active: s.active };
                store::update(c, row.id, &write, &now)?;
                labels::set(c, Kind::Api, row.id, &s.labels)?;
                control_planes::bump(c, cp.id, &now)?;
                let what = match (row.active, s.active) {
                    (1, 0) => "published",
                    (0, 1) => "unpublished",
                    _ => "changed",
                };
                audit::record(
                    c,
                    Event::new(EventKind::ApiUpdate, Some(p.user))
                        .org(cp.org)
                        .on(row.uuid)
                        .describe(format!("API {:?} of application {:?} {what}", s.name, app.name)),
                )?;
                Ok(to_wire(api_of(c, app_id, api_id)?))
            })
            .await
    }

    pub async fn delete_api(&self, p: &Principal, app_id: i64, api_id: i64) -> AppResult<()> {
        let (p, now) = (p.clone(), self.now());
        self.db()
            .write(move |c| {
                let (app, cp) = app_scope(c, &p, app_id, Perm::ApplicationsManage)?;
                let row = api_of(c, app_id, api_id)?;
                store::delete(c, row.id)?;
                control_planes::bump(c, cp.id, &now)?;
                audit::record(
                    c,
                    Event::new(EventKind::ApiDelete, Some(p.user))
                        .org(cp.org)
                        .on(row.uuid)
                        .describe(format!("API {:?} of application {:?} deleted", row.name, app.name)),
                )
            })
            .await
    }

    /// Deletes every API of the application (one event naming how many).
    pub async fn delete_all_apis(&self, p: &Principal, app_id: i64) -> AppResult<()> {
        let (p, now) = (p.clone(), self.now());
        self.db()
            .write(move |c| {
                let (app, cp) = app_scope(c, &p, app_id, Perm::ApplicationsManage)?;
                let n = store::delete_all(c, app.id)?;
                control_planes::bump(c, cp.id, &now)?;
                audit::record(
                    c,
                    Event::new(EventKind::ApiDelete, Some(p.user))
                        .org(cp.org)
                        .on(app.uuid)
                        .describe(format!("all {n} APIs of application {:?} deleted", app.name))
                        .meta(json!({ "deleted": n })),
                )
            })
            .await
    }
}
