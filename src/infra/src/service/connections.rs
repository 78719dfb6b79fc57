//! Connections: their registration, status life cycle and credentials.

use std::collections::BTreeMap;

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::CredentialId;
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};

use super::credentials::insert_sealed;
use super::{Infra, Scope};
use crate::store::connections::{self, ConnectionFields, ConnectionRow, Filter};
use crate::store::{credentials, environments};

/// The reference's status values.
pub const STATUSES: [&str; 8] =
    ["discovered", "registered", "connected", "ignored", "maintenance", "disconnected", "deleted", "not found"];

/// Where each status may go next (staying put is always allowed). A
/// connection is found (`discovered`), taken under management or passed over
/// (`registered`, `ignored`), used (`connected`), paused (`maintenance`,
/// `disconnected`), lost (`not found`), and finally `deleted`, which is final.
/// The web UI offers only these changes: `NEXT` in web/pages/connections.js
/// mirrors this table, so change both together.
fn next(from: &str) -> &'static [&'static str] {
    match from {
        "discovered" => &["registered", "ignored", "not found"],
        "registered" => &["connected", "ignored", "disconnected", "not found", "deleted"],
        "connected" => &["disconnected", "maintenance", "ignored", "not found", "deleted"],
        "maintenance" => &["connected", "disconnected", "not found", "deleted"],
        "disconnected" => &["connected", "registered", "ignored", "not found", "deleted"],
        "ignored" => &["registered", "discovered", "deleted"],
        "not found" => &["discovered", "registered", "connected", "deleted"],
        _ => &[],
    }
}

/// Statuses a connection may be created in: not gone or lost already.
const INITIAL: [&str; 5] = ["discovered", "registered", "connected", "ignored", "maintenance"];

fn check_status(s: &str) -> AppResult<String> {
    let s = s.trim().to_ascii_lowercase();
    if STATUSES.contains(&s.as_str()) {
        Ok(s)
    } else {
        Err(AppError::validation(format!("status '{s}' is not one of: {}", STATUSES.join(", "))))
    }
}

fn check_transition(from: &str, to: &str) -> AppResult<()> {
    if from == to || next(from).contains(&to) {
        return Ok(());
    }
    let allowed = next(from);
    Err(AppError::validation(if allowed.is_empty() {
        format!("a {from} connection cannot change status")
    } else {
        format!("status cannot go from {from} to {to}; allowed: {}", allowed.join(", "))
    }))
}

/// A connection as a client sends it (create and update).
#[derive(Clone, Default)]
pub struct ConnectionInput {
    pub id: Option<uuid::Uuid>,
    pub name: String,
    pub kind_type: String,
    pub sub_type: String,
    pub kind: String,
    pub status: String,
    pub metadata: Option<serde_json::Value>,
    pub credential: Option<uuid::Uuid>,
    /// An inline secret: stored as a new credential the connection uses.
    pub credential_secret: Option<serde_json::Value>,
}

/// Never prints the inline secret.
impl std::fmt::Debug for ConnectionInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionInput")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("status", &self.status)
            .field("credential", &self.credential)
            .field("credential_secret", &self.credential_secret.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

impl ConnectionInput {
    /// Fields a PUT leaves out keep their stored value (`metadata`, `sub_type`);
    /// without a stored row they are checked as an empty object and a
    /// placeholder, so a bad body fails before the write.
    fn or_stored(mut self, row: Option<&ConnectionRow>) -> Self {
        if self.metadata.is_none() {
            self.metadata = row.map(|r| r.metadata.clone());
        }
        if self.sub_type.trim().is_empty() {
            self.sub_type = row.map_or_else(|| "-".to_string(), |r| r.sub_type.clone());
        }
        self
    }
}

struct Checked {
    name: String,
    kind_type: String,
    sub_type: String,
    kind: String,
    status: String,
    metadata: serde_json::Value,
    server: Option<String>,
}

fn check(i: &ConnectionInput) -> AppResult<Checked> {
    let metadata = i.metadata.clone().unwrap_or_else(|| serde_json::json!({}));
    validate::json_object("metadata", &metadata)?;
    if serde_json::to_vec(&metadata)?.len() > 256 * 1024 {
        return Err(AppError::validation("metadata must be at most 256 KiB"));
    }
    // The Meshery server that registered the connection, under any of the names Meshery uses.
    let server = ["server_id", "meshery_server_id", "mesheryServerId", "meshery_instance_id"]
        .iter()
        .find_map(|k| metadata.get(*k).and_then(|v| v.as_str()))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    Ok(Checked {
        name: validate::name("name", &i.name, 255)?,
        kind_type: validate::name("type", &i.kind_type, 255)?.to_ascii_lowercase(),
        sub_type: validate::name("sub_type", &i.sub_type, 255)?.to_ascii_lowercase(),
        kind: validate::name("kind", &i.kind, 255)?.to_ascii_lowercase(),
        status: check_status(&i.status)?,
        metadata,
        server,
    })
}

/// A live connection after checking `perm` in its org; other orgs' are "not found".
/// Ids are unique per organization: where several orgs the caller sees have
/// a connection with this id, the org in context (`ctx`) picks one, else the
/// oldest one the caller may use.
fn connection_for(
    c: &Conn,
    p: &Principal,
    id: uuid::Uuid,
    perm: Perm,
    ctx: Option<uuid::Uuid>,
) -> AppResult<ConnectionRow> {
    let mut rows = connections::by_uuid(c, id)?;
    rows.sort_by_key(|r| Some(r.org_uuid) != ctx);
    let mut refused = AppError::NotFound;
    for row in rows {
        match p.require(row.org_uuid, perm) {
            Ok(_) => return Ok(row),
            Err(AppError::NotFound) => {}
            Err(e) => refused = e,
        }
    }
    Err(refused)
}

/// The org a request names in `layer5-current-orgid`, if it is an id.
pub fn context_org(header: Option<&str>) -> Option<uuid::Uuid> {
    header.and_then(|h| h.trim().parse().ok())
}

/// The credential a connection will use: one of the org's, or a new one from an inline secret.
fn credential_ref(
    c: &Conn,
    infra: &Infra,
    p: &Principal,
    org: &Scope,
    i: &ConnectionInput,
    name: &str,
    kind: &str,
) -> AppResult<Option<CredentialId>> {
    if let Some(secret) = &i.credential_secret {
        p.require(org.uuid, Perm::CredentialsCreate)?;
        let row = insert_sealed(c, infra.sealer(), org.id, p.user, &format!("{name} credential"), kind, Some(secret))?;
        audit::record(
            c,
            Event::new(EventKind::CredentialCreate, Some(p.user))
                .org(org.id)
                .on(row.uuid)
                .describe(format!("credential for connection {name} created")),
        )?;
        return Ok(Some(row.id));
    }
    match i.credential {
        None => Ok(None),
        Some(id) => {
            let cred = credentials::by_uuid(c, id)?
                .filter(|k| k.org == org.id)
                .ok_or_else(|| AppError::validation("credential_id: no such credential in this organization"))?;
            Ok(Some(cred.id))
        }
    }
}

/// A connection with the environments it belongs to.
pub struct ConnectionView {
    pub row: ConnectionRow,
    pub environments: Vec<crate::store::environments::EnvironmentRow>,
}

pub(crate) fn view(c: &Conn, row: ConnectionRow) -> AppResult<ConnectionView> {
    let environments = environments::of_connection(c, row.id)?;
    Ok(ConnectionView { row, environments })
}

impl Infra {
    pub async fn list_connections(
        &self,
        scope: Scope,
        filter: Filter,
        req: PageRequest,
    ) -> AppResult<(Page<ConnectionView>, BTreeMap<String, u64>)> {
        self.db()
            .read(move |c| {
                let page = connections::list(c, scope.id, &filter, &req)?;
                let summary = connections::status_summary(c, scope.id, &filter, &req)?;
                let items = page.items.into_iter().map(|r| view(c, r)).collect::<AppResult<Vec<_>>>()?;
                Ok((Page { items, total: page.total }, summary))
            })
            .await
    }

    pub async fn create_connection(
        &self,
        p: &Principal,
        scope: Scope,
        input: ConnectionInput,
    ) -> AppResult<ConnectionView> {
        let ch = check(&input)?;
        if !INITIAL.contains(&ch.status.as_str()) {
            return Err(AppError::validation(format!(
                "a connection cannot start as {}; use one of: {}",
                ch.status,
                INITIAL.join(", ")
            )));
        }
        let (p, me) = (p.clone(), self.clone());
        self.db()
            .write(move |c| {
                // Meshery registers a connection again under its old id after deleting it.
                // Ids are the organization's own: another org's is no concern here.
                if let Some(uuid) = input.id {
                    match connections::any_in_org(c, scope.id, uuid)? {
                        Some((old, true)) => connections::erase(c, old)?,
                        Some((_, false)) => {
                            return Err(AppError::conflict("a connection with this id already exists"));
                        }
                        None => {}
                    }
                }
                meshcloud_kernel::entitle::admit(
                    c,
                    scope.id,
                    meshcloud_kernel::entitle::Feature::ConnectionsInOrganization,
                )?;
                let credential = credential_ref(c, &me, &p, &scope, &input, &ch.name, &ch.kind)?;
                let f = fields(&ch, credential);
                let id = connections::insert(c, input.id, scope.id, p.user, &f)?;
                let row = connections::get(c, id)?;
                audit::record(
                    c,
                    Event::new(EventKind::ConnectionCreate, Some(p.user))
                        .org(scope.id)
                        .on(row.uuid)
                        .describe(format!("{} connection {} registered as {}", ch.kind, ch.name, ch.status)),
                )?;
                view(c, row)
            })
            .await
    }

    pub async fn get_connection(
        &self,
        p: &Principal,
        id: uuid::Uuid,
        ctx: Option<uuid::Uuid>,
    ) -> AppResult<ConnectionView> {
        let p = p.clone();
        self.db().read(move |c| view(c, connection_for(c, &p, id, Perm::ConnectionsRead, ctx)?)).await
    }

    pub async fn update_connection(
        &self,
        p: &Principal,
        id: uuid::Uuid,
        ctx: Option<uuid::Uuid>,
        input: ConnectionInput,
    ) -> AppResult<ConnectionView> {
        if input.id.is_some_and(|body| body != id) {
            return Err(AppError::validation("id in the body differs from the path"));
        }
        check(&input.clone().or_stored(None))?;
        let (p, me) = (p.clone(), self.clone());
        self.db()
            .write(move |c| {
                let row = connection_for(c, &p, id, Perm::ConnectionsUpdate, ctx)?;
                let input = input.or_stored(Some(&row));
                let ch = check(&input)?;
                check_transition(&row.status, &ch.status)?;
                let scope = Scope { id: row.org, uuid: row.org_uuid };
                let credential = match (&input.credential_secret, input.credential) {
                    (None, None) => {
                        row.credential.and_then(|u| credentials::by_uuid(c, u).ok().flatten()).map(|k| k.id)
                    }
                    _ => credential_ref(c, &me, &p, &scope, &input, &ch.name, &ch.kind)?,
                };
                connections::update(c, row.id, &fields(&ch, credential))?;
                // `deleted` is final: the connection goes, as with DELETE.
                if ch.status == "deleted" {
                    connections::delete(c, row.id)?;
                }
                let what = if row.status == ch.status {
                    format!("connection {} updated", ch.name)
                } else {
                    format!("connection {} went from {} to {}", ch.name, row.status, ch.status)
                };
                audit::record(
                    c,
                    Event::new(EventKind::ConnectionUpdate, Some(p.user)).org(row.org).on(row.uuid).describe(what),
                )?;
                view(c, connections::get(c, row.id)?)
            })
            .await
    }

    pub async fn delete_connection(&self, p: &Principal, id: uuid::Uuid, ctx: Option<uuid::Uuid>) -> AppResult<()> {
        let p = p.clone();
        self.db()
            .write(move |c| {
                let row = connection_for(c, &p, id, Perm::ConnectionsDelete, ctx)?;
                connections::delete(c, row.id)?;
                audit::record(
                    c,
                    Event::new(EventKind::ConnectionDelete, Some(p.user))
                        .org(row.org)
                        .on(row.uuid)
                        .describe(format!("connection {} deleted", row.name)),
                )
            })
            .await
    }

    /// The kubeconfig context stored with a Kubernetes connection: its
    /// `metadata.context` object, else the context fields Meshery keeps at the
    /// top of the metadata. Credentials never appear here.
    pub async fn kubernetes_context(
        &self,
        p: &Principal,
        id: uuid::Uuid,
        ctx: Option<uuid::Uuid>,
    ) -> AppResult<serde_json::Value> {
        let row = self.get_connection(p, id, ctx).await?.row;
        if row.kind != "kubernetes" {
            return Err(AppError::validation(format!(
                "connection {} is a {} connection, not kubernetes",
                row.name, row.kind
            )));
        }
        if let Some(ctx) = row.metadata.get("context").filter(|v| v.is_object()) {
            return Ok(ctx.clone());
        }
        let mut ctx = serde_json::Map::new();
        for key in ["name", "cluster", "server", "namespace", "user", "version", "kubernetes_server_id"] {
            if let Some(v) = row.metadata.get(key) {
                ctx.insert(key.to_string(), v.clone());
            }
        }
        if ctx.is_empty() {
            return Err(AppError::NotFound);
        }
        Ok(serde_json::Value::Object(ctx))
    }

    /// Deletes every connection a Meshery server registered, and its own.
    pub async fn delete_meshery_server(&self, p: &Principal, scope: Scope, server: &str) -> AppResult<usize> {
        // An id no connection could carry names none (the operation documents 404, not 400).
        let server = validate::name("mesheryServerId", server, 255).map_err(|_| AppError::NotFound)?;
        // Ids are stored in canonical (lower-case) form.
        let server = uuid::Uuid::parse_str(&server).map(|u| u.to_string()).unwrap_or(server);
        let me = p.user;
        self.db()
            .write(move |c| {
                let found = connections::of_meshery_server(c, scope.id, &server)?;
                if found.is_empty() {
                    return Err(AppError::NotFound);
                }
                for (id, uuid) in &found {
                    connections::delete(c, *id)?;
                    audit::record(
                        c,
                        Event::new(EventKind::ConnectionDelete, Some(me))
                            .org(scope.id)
                            .on(*uuid)
                            .describe(format!("connection removed with Meshery server {server}")),
                    )?;
                }
                Ok(found.len())
            })
            .await
    }
}

fn fields(ch: &Checked, credential: Option<CredentialId>) -> ConnectionFields<'_> {
    ConnectionFields {
        name: &ch.name,
        kind_type: &ch.kind_type,
        sub_type: &ch.sub_type,
        kind: &ch.kind,
        status: &ch.status,
        metadata: &ch.metadata,
        credential,
        meshery_server_id: ch.server.as_deref(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_transitions_follow_the_life_cycle() {
        assert!(check_transition("discovered", "registered").is_ok());
        assert!(check_transition("registered", "connected").is_ok());
        assert!(check_transition("connected", "maintenance").is_ok());
        assert!(check_transition("connected", "connected").is_ok());
        assert!(check_transition("discovered", "connected").is_err());
        assert!(check_transition("deleted", "connected").is_err());
        assert!(check_transition("maintenance", "discovered").is_err());
        for s in STATUSES {
            for t in next(s) {
                assert!(STATUSES.contains(t), "{s} -> {t}");
            }
        }
        assert!(check_status("Connected").is_ok() && check_status("up").is_err());
    }
}
