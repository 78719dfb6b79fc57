//! Control planes: create, list, read, settings and policies, and the
//! provisioning states the `provisioning` job moves them through.

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::entitle::{self, Feature};
use meshcloud_kernel::http::api7::patch_object;
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};
use serde_json::{Value, json};

use super::Gateway;
use super::control_plane_settings as cfg;
use super::scope;
use crate::store::control_planes::{self as store, ControlPlaneRow, NewControlPlane};

/// The one region of an installation.
pub const REGION: i64 = 1;
/// Longest control plane name, in characters.
pub const MAX_NAME: usize = 64;
/// Control planes moved on per run of the `provisioning` job.
const ADVANCE_BATCH: i64 = 500;
/// Status of a control plane ready for use.
pub const NORMAL: i64 = 3;

impl Gateway {
    /// Creates a control plane in organization `org_id` (pending: the
    /// `provisioning` job makes it normal). Body: `name` (required, unique in
    /// the organization), `region_id` (1), `settings`, `policies`.
    pub async fn create_control_plane(&self, p: &Principal, org_id: i64, body: Value) -> AppResult<ControlPlaneRow> {
        let (p, now, domain) = (p.clone(), self.now(), domain_of(&self.settings().public_url));
        self.db()
            .write(move |c| {
                let org = scope::org(c, &p, org_id, Perm::ControlPlanesManage)?;
                let new = NewBody::parse(body)?;
                if store::name_taken(c, org.id, &new.name)? {
                    return Err(AppError::conflict(format!(
                        "a control plane named {:?} exists in the organization",
                        new.name
                    )));
                }
                entitle::admit(c, org.id, Feature::ControlPlanesInOrganization)?;
                let id = store::insert(
                    c,
                    &NewControlPlane {
                        org: org.id,
                        name: &new.name,
                        region_id: REGION,
                        domain: &domain,
                        settings: &new.settings,
                        policies: &new.policies,
                        created_by: p.user,
                        now: &now,
                    },
                )?;
                let cp = store::get(c, id)?.ok_or_else(|| AppError::internal("control plane gone after its insert"))?;
                audit::record(
                    c,
                    Event::new(EventKind::ControlPlaneCreate, Some(p.user))
                        .org(org.id)
                        .on(cp.uuid)
                        .describe(format!("control plane {} created", cp.name))
                        .meta(json!({"id": cp.id.to_string(), "name": cp.name})),
                )?;
                Ok(cp)
            })
            .await
    }

    /// A page of an organization's control planes.
    pub async fn list_control_planes(
        &self,
        p: &Principal,
        org_id: i64,
        req: PageRequest,
    ) -> AppResult<Page<ControlPlaneRow>> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                let org = scope::org(c, &p, org_id, Perm::ControlPlanesRead)?;
                store::list(c, org.id, &req)
            })
            .await
    }

    /// A control plane of organization `org_id`.
    pub async fn control_plane(&self, p: &Principal, org_id: i64, cp_id: i64) -> AppResult<ControlPlaneRow> {
        let p = p.clone();
        self.db().read(move |c| in_org(c, &p, org_id, cp_id, Perm::ControlPlanesRead)).await
    }

    /// Changes a control plane's settings and policies. `body` (a JSON
    /// object, or a string holding its base64) holds the settings objects
    /// and `policies`: each one given replaces the stored
    /// one; with `replace` (`PUT`) the rest go back to their defaults too.
    /// A change bumps the configuration version; a body that changes nothing
    /// changes nothing. Returns the control plane as it is now.
    pub async fn configure_control_plane(
        &self,
        p: &Principal,
        org_id: i64,
        cp_id: i64,
        body: Value,
        replace: bool,
    ) -> AppResult<ControlPlaneRow> {
        let (p, now) = (p.clone(), self.now());
        self.db()
            .write(move |c| {
                let cp = in_org(c, &p, org_id, cp_id, Perm::ControlPlanesManage)?;
                let body = patch_object(body)?;
                let (settings, policies, given) = cfg::apply(&body, &cp.settings, &cp.policies, replace)?;
                if settings == cfg::render(&cp.settings) && policies == cp.policies {
                    return Ok(cp);
                }
                store::set_config(c, cp.id, &settings, &policies, &now)?;
                store::bump(c, cp.id, &now)?;
                let cp = store::get(c, cp.id)?.ok_or(AppError::NotFound)?;
                audit::record(
                    c,
                    Event::new(EventKind::ControlPlaneUpdate, Some(p.user))
                        .org(cp.org)
                        .on(cp.uuid)
                        .describe(format!("control plane {} configured", cp.name))
                        .meta(json!({"id": cp.id.to_string(), "set": given, "replace": replace,
                                     "config_version": cp.config_version})),
                )?;
                Ok(cp)
            })
            .await
    }

    /// Moves control planes on through their lifecycle states, one step per
    /// run (pending → creating → normal); the number moved. Becoming normal
    /// is a `control_plane/status` event.
    pub async fn advance_control_planes(&self) -> AppResult<usize> {
        let now = self.now();
        self.db()
            .write(move |c| {
                let moved = store::advance(c, &now, ADVANCE_BATCH)?;
                for m in moved.iter().filter(|m| m.status == NORMAL) {
                    audit::record(
                        c,
                        Event::new(EventKind::ControlPlaneStatus, None)
                            .org(m.org)
                            .on(m.uuid)
                            .describe(format!("control plane {} is ready", m.name))
                            .meta(json!({"status": m.status})),
                    )?;
                }
                Ok(moved.len())
            })
            .await
    }
}

/// A control plane that belongs to organization `org_id`, if the caller may
/// `perm` there; one of another organization is not found.
fn in_org(
    c: &meshcloud_kernel::db::Conn,
    p: &Principal,
    org_id: i64,
    cp_id: i64,
    perm: Perm,
) -> AppResult<ControlPlaneRow> {
    let cp = scope::control_plane(c, p, cp_id, perm)?;
    if cp.org.0 != org_id {
        return Err(AppError::NotFound);
    }
    Ok(cp)
}

/// The create body, checked.
struct NewBody {
    name: String,
    settings: Value,
    policies: Value,
}

impl NewBody {
    fn parse(body: Value) -> AppResult<NewBody> {
        let Value::Object(m) = body else {
            return Err(AppError::validation("the body must be a JSON object"));
        };
        const FIELDS: [&str; 4] = ["name", "region_id", "settings", "policies"];
        if let Some(k) = m.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(AppError::validation(format!(
                "{k} is not a field of a new control plane (fields: {})",
                FIELDS.join(", ")
            )));
        }
        let name = match m.get("name") {
            Some(Value::String(s)) => validate::name("name", s, MAX_NAME)?,
            None | Some(Value::Null) => return Err(AppError::validation("name is required")),
            Some(_) => return Err(AppError::validation("name must be a string")),
        };
        match m.get("region_id") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s == "1" => {}
            Some(Value::Number(n)) if n.as_i64() == Some(REGION) => {}
            Some(other) => {
                return Err(AppError::validation(format!(
                    "region_id {other} names no region (this installation is region \"1\")"
                )));
            }
        }
        Ok(NewBody {
            name,
            settings: cfg::settings("settings", m.get("settings"))?,
            policies: cfg::policies("policies", m.get("policies"))?,
        })
    }
}

/// The host (and port, if it names one) of the public URL: where gateways
/// reach meshcloud for their configuration. `localhost` if it has none.
pub fn domain_of(public_url: &str) -> String {
    let rest = public_url.split_once("://").map_or(public_url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host.is_empty() { "localhost".to_string() } else { host.to_ascii_lowercase() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_is_the_public_authority() {
        assert_eq!(domain_of("https://Cloud.Example.com"), "cloud.example.com");
        assert_eq!(domain_of("http://127.0.0.1:8080/base?x#y"), "127.0.0.1:8080");
        assert_eq!(domain_of("https://user:pw@gw.example.com:8443/"), "gw.example.com:8443");
        assert_eq!(domain_of(""), "localhost");
    }

    #[test]
    fn create_bodies() {
        assert!(NewBody::parse(json!({"name": "prod"})).is_ok());
        assert!(NewBody::parse(json!({"name": "prod", "region_id": "1"})).is_ok());
        assert!(NewBody::parse(json!({"name": "prod", "region_id": 1})).is_ok());
        for bad in [
            json!([]),
            json!({}),
            json!({"name": ""}),
            json!({"name": 5}),
            json!({"name": "x".repeat(65)}),
            json!({"name": "p", "region_id": "2"}),
            json!({"name": "p", "region_id": "0"}),
            json!({"name": "p", "domain": "x"}),
            json!({"name": "p", "settings": {"client_settings": 1}}),
            json!({"name": "p", "policies": {"cors": true}}),
        ] {
            assert!(NewBody::parse(bad.clone()).is_err(), "{bad}");
        }
    }
}
