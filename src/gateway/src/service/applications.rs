//! Applications of a control plane: list, create, read, replace, merge
//! patch (publish and unpublish too), delete with their APIs. Every write
//! checks the whole wire object (`app_spec`), keeps the (host, path prefix)
//! claims unique within the control plane, bumps the control plane's
//! `config_version` and records its event, in one transaction.

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::http::api7::{Id, List, ListQuery, merge_patch, patch_object};
use meshcloud_kernel::ids::UserId;
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::time::Timestamp;
use meshcloud_kernel::{AppError, AppResult};
use serde_json::{Map, Value, json};

use super::Gateway;
use super::app_spec::{self, AppSpec};
use super::scope;
use crate::model::applications::Application;
use crate::store::applications::{self as store, AppRow, AppWrite};
use crate::store::control_planes::{self, ControlPlaneRow};
use crate::store::labels::{self, Kind};

/// The body of a create or a replacement, as an object.
pub(crate) fn body_object(body: Value) -> AppResult<Map<String, Value>> {
    match body {
        Value::Object(m) => Ok(m),
        _ => Err(AppError::validation("the body must be a JSON object")),
    }
}

/// The application `app_id` of control plane `cp_id`.
fn app_in(c: &Conn, cp_id: i64, app_id: i64) -> AppResult<AppRow> {
    store::get(c, app_id)?.filter(|a| a.control_plane_id == cp_id).ok_or(AppError::NotFound)
}

/// Does a certificate's SNI cover this host (exactly, or as a one-label
/// wildcard)?
fn sni_covers(sni: &str, host: &str) -> bool {
    let sni = sni.to_ascii_lowercase();
    if sni == host {
        return true;
    }
    match (sni.strip_prefix("*."), host.split_once('.')) {
        (Some(suffix), Some((first, rest))) => first != "*" && rest == suffix,
        _ => false,
    }
}

fn covering(certs: &[(i64, Vec<String>)], hosts: &[String]) -> Vec<i64> {
    certs
        .iter()
        .filter(|(_, snis)| snis.iter().any(|s| hosts.iter().any(|h| sni_covers(s, h))))
        .map(|(id, _)| *id)
        .collect()
}

fn available_certs(c: &Conn, cp_id: i64, hosts: &[String]) -> AppResult<Vec<i64>> {
    Ok(covering(&store::server_certificates(c, cp_id)?, hosts))
}

fn hosts_of(spec: &Value) -> Vec<String> {
    spec["hosts"]
        .as_array()
        .map(|a| a.iter().filter_map(|h| h.as_str().map(String::from)).collect())
        .unwrap_or_default()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect()).unwrap_or_default()
}

/// The wire object of a stored application.
pub(crate) fn to_wire(c: &Conn, row: AppRow) -> AppResult<Application> {
    let certs = store::server_certificates(c, row.control_plane_id)?;
    Ok(wire(&certs, row))
}

/// The wire object, given the control plane's server certificates.
fn wire(certs: &[(i64, Vec<String>)], row: AppRow) -> Application {
    let hosts = hosts_of(&row.spec);
    let certs = covering(certs, &hosts);
    let s = &row.spec;
    Application {
        id: Id(row.id),
        control_plane_id: Id(row.control_plane_id),
        status: row.status,
        created_at: row.created_at.into(),
        updated_at: row.updated_at.into(),
        protocols: strings(&s["protocols"]),
        protocol: s["protocol"].as_str().map(String::from),
        hosts,
        policies: s.get("policies").cloned().unwrap_or_else(|| json!({})),
        upstreams: s.get("upstreams").cloned().unwrap_or_else(|| json!([])),
        default_upstream_version: s["default_upstream_version"].as_str().unwrap_or("default").to_string(),
        available_cert_ids: certs.into_iter().map(Id).collect(),
        canary_release_id: vec![],
        canary_upstream_version_list: vec![],
        name: row.name,
        description: row.description,
        labels: row.labels,
        path_prefix: row.path_prefix,
        active: row.active,
    }
}

/// The writable fields of a stored application, as a client would send
/// them: what a PATCH merges into.
fn writable(row: &AppRow) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), row.name.clone().into());
    m.insert("description".into(), row.description.clone().into());
    m.insert("labels".into(), json!(row.labels));
    m.insert("path_prefix".into(), row.path_prefix.clone().into());
    m.insert("active".into(), row.active.into());
    for key in ["protocols", "protocol", "hosts", "upstreams", "default_upstream_version", "policies"] {
        if let Some(v) = row.spec.get(key) {
            m.insert(key.into(), v.clone());
        }
    }
    Value::Object(m)
}

/// The rules a checked application must meet against the store: the
/// certificates it names belong to the control plane, and no other
/// application claims one of its (host, path prefix) pairs.
fn check_against_store(c: &Conn, cp_id: i64, app_id: Option<i64>, s: &AppSpec) -> AppResult<()> {
    for id in &s.cert_ids {
        if !store::certificate_exists(c, cp_id, *id)? {
            return Err(AppError::validation(format!(
                "upstreams: client_cert_id {id} names no certificate of this control plane"
            )));
        }
    }
    if let Some((host, other, name)) = store::host_clash(c, cp_id, app_id, &s.hosts, &s.path_prefix)? {
        return Err(AppError::conflict(format!(
            "host {host:?} with path_prefix {:?} is already claimed by application {other} ({name:?})",
            s.path_prefix
        )));
    }
    Ok(())
}

/// Stores a new, checked application of `cp` with its event; its row id.
pub(crate) fn insert_checked(
    c: &Conn,
    actor: UserId,
    cp: &ControlPlaneRow,
    mut s: AppSpec,
    now: &Timestamp,
    how: &str,
) -> AppResult<i64> {
    check_against_store(c, cp.id, None, &s)?;
    s.spec["available_cert_ids"] =
        json!(available_certs(c, cp.id, &s.hosts)?.iter().map(|i| i.to_string()).collect::<Vec<_>>());
    let uuid = uuid::Uuid::new_v4();
    let write = AppWrite {
        name: &s.name,
        description: &s.description,
        path_prefix: &s.path_prefix,
        spec: &s.spec,
        active: s.active,
    };
    let id = store::insert(c, cp.id, uuid, &write, now)?;
    labels::set(c, Kind::Application, id, &s.labels)?;
    store::claim_hosts(c, cp.id, id, &s.hosts, &s.path_prefix)?;
    control_planes::bump(c, cp.id, now)?;
    audit::record(
        c,
        Event::new(EventKind::ApplicationCreate, Some(actor))
            .org(cp.org)
            .on(uuid)
            .describe(format!("application {:?} {how} in control plane {:?}", s.name, cp.name)),
    )?;
    Ok(id)
}

/// Replaces a stored application with a checked one, with its event.
fn replace_checked(
    c: &Conn,
    actor: UserId,
    cp: &ControlPlaneRow,
    row: &AppRow,
    mut s: AppSpec,
    now: &Timestamp,
) -> AppResult<()> {
    check_against_store(c, cp.id, Some(row.id), &s)?;
    s.spec["available_cert_ids"] =
        json!(available_certs(c, cp.id, &s.hosts)?.iter().map(|i| i.to_string()).collect::<Vec<_>>());
    let write = AppWrite {
        name: &s.name,
        description: &s.description,
        path_prefix: &s.path_prefix,
        spec: &s.spec,
        active: s.active,
    };
    store::update(c, row.id, &write, now)?;
    labels::set(c, Kind::Application, row.id, &s.labels)?;
    store::claim_hosts(c, cp.id, row.id, &s.hosts, &s.path_prefix)?;
    control_planes::bump(c, cp.id, now)?;
    let what = match (row.active, s.active) {
        (1, 0) => "published",
        (0, 1) => "unpublished",
        _ => "changed",
    };
    audit::record(
        c,
        Event::new(EventKind::ApplicationUpdate, Some(actor))
            .org(cp.org)
            .on(row.uuid)
            .describe(format!("application {:?} {what}", s.name)),
    )?;
    Ok(())
}

impl Gateway {
    pub async fn list_applications(&self, p: &Principal, cp_id: i64, q: ListQuery) -> AppResult<List<Application>> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                scope::control_plane(c, &p, cp_id, Perm::ApplicationsRead)?;
                let (rows, count) = store::list(c, cp_id, &q)?;
                let certs = store::server_certificates(c, cp_id)?;
                let list = rows.into_iter().map(|r| wire(&certs, r)).collect();
                Ok(List { list, count })
            })
            .await
    }

    pub async fn get_application(&self, p: &Principal, cp_id: i64, app_id: i64) -> AppResult<Application> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                scope::control_plane(c, &p, cp_id, Perm::ApplicationsRead)?;
                to_wire(c, app_in(c, cp_id, app_id)?)
            })
            .await
    }

    pub async fn create_application(&self, p: &Principal, cp_id: i64, body: Value) -> AppResult<Application> {
        let (p, now) = (p.clone(), self.now());
        self.db()
            .write(move |c| {
                let cp = scope::control_plane(c, &p, cp_id, Perm::ApplicationsManage)?;
                let s = app_spec::application(&body_object(body)?)?;
                let id = insert_checked(c, p.user, &cp, s, &now, "created")?;
                to_wire(c, store::get(c, id)?.ok_or(AppError::NotFound)?)
            })
            .await
    }

    /// PUT: the body replaces the application (required fields included).
    pub async fn replace_application(
        &self,
        p: &Principal,
        cp_id: i64,
        app_id: i64,
        body: Value,
    ) -> AppResult<Application> {
        let (p, now) = (p.clone(), self.now());
        self.db()
            .write(move |c| {
                let cp = scope::control_plane(c, &p, cp_id, Perm::ApplicationsManage)?;
                let row = app_in(c, cp_id, app_id)?;
                let s = app_spec::application(&body_object(body)?)?;
                replace_checked(c, p.user, &cp, &row, s, &now)?;
                to_wire(c, store::get(c, app_id)?.ok_or(AppError::NotFound)?)
            })
            .await
    }

    /// PATCH: a JSON Merge Patch (object, or its base64 as a string) of the
    /// stored wire object; the result is checked as a whole.
    pub async fn patch_application(
        &self,
        p: &Principal,
        cp_id: i64,
        app_id: i64,
        body: Value,
    ) -> AppResult<Application> {
        let (p, now) = (p.clone(), self.now());
        self.db()
            .write(move |c| {
                let cp = scope::control_plane(c, &p, cp_id, Perm::ApplicationsManage)?;
                let row = app_in(c, cp_id, app_id)?;
                let mut patch = patch_object(body)?;
                // The SDK's name for `policies`.
                if let Some(plugins) = patch.remove("plugins")
                    && !patch.contains_key("policies")
                {
                    patch.insert("policies".into(), plugins);
                }
                let mut merged = writable(&row);
                merge_patch(&mut merged, &Value::Object(patch));
                let s = app_spec::application(&body_object(merged)?)?;
                replace_checked(c, p.user, &cp, &row, s, &now)?;
                to_wire(c, store::get(c, app_id)?.ok_or(AppError::NotFound)?)
            })
            .await
    }

    /// Deletes the application and its APIs.
    pub async fn delete_application(&self, p: &Principal, cp_id: i64, app_id: i64) -> AppResult<()> {
        let (p, now) = (p.clone(), self.now());
        self.db()
            .write(move |c| {
                let cp = scope::control_plane(c, &p, cp_id, Perm::ApplicationsManage)?;
                let row = app_in(c, cp_id, app_id)?;
                store::delete(c, row.id)?;
                control_planes::bump(c, cp.id, &now)?;
                audit::record(
                    c,
                    Event::new(EventKind::ApplicationDelete, Some(p.user))
                        .org(cp.org)
                        .on(row.uuid)
                        .describe(format!("application {:?} deleted with its APIs", row.name)),
                )
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::sni_covers;

    #[test]
    fn sni_matching() {
        assert!(sni_covers("api.example.com", "api.example.com"));
        assert!(sni_covers("*.example.com", "api.example.com"));
        assert!(sni_covers("*.Example.com", "*.example.com"));
        assert!(!sni_covers("*.example.com", "a.b.example.com"));
        assert!(!sni_covers("*.example.com", "example.com"));
        assert!(!sni_covers("api.example.com", "*.example.com"));
    }
}
