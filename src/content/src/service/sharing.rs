//! Sharing: opening a design, view or filter to users (by id or email),
//! teams (their members) or organizations (their members), for `read` or
//! `edit`. Shares take part in every check of `service::access`.
//!
//! Who may share or take a share back: the item's owner and holders of the
//! kind's share key in its organization (`content.designs.share`, …).
//! Anyone who can see the item may list who it is shared with.

use meshcloud_identity::core::{orgs, teams, users};
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::{OrgId, UserId};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::time::Timestamp;
use meshcloud_kernel::{AppError, AppResult, validate};

use super::Content;
use super::access::{self, Item, Kind, Need};
use crate::store::{designs, filters, shares, views};

/// The actor kinds a share names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorType {
    User,
    Team,
    Organization,
}

impl ActorType {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorType::User => "user",
            ActorType::Team => "team",
            ActorType::Organization => "organization",
        }
    }

    /// Singular or plural, as a path segment names them.
    pub fn parse(raw: &str) -> Option<ActorType> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "user" | "users" => Some(ActorType::User),
            "team" | "teams" => Some(ActorType::Team),
            "organization" | "organizations" | "org" | "orgs" => Some(ActorType::Organization),
            _ => None,
        }
    }
}

/// A design, view or filter, as sharing and the catalog need it.
#[derive(Debug, Clone)]
pub struct Target {
    pub kind: Kind,
    /// The row id in its own table.
    pub id: i64,
    pub uuid: uuid::Uuid,
    pub org: OrgId,
    pub org_uuid: uuid::Uuid,
    pub owner: Option<UserId>,
    pub visibility: String,
    pub name: String,
    pub catalog_data: serde_json::Value,
}

impl Target {
    pub fn item(&self) -> Item<'_> {
        Item {
            kind: self.kind,
            uuid: self.uuid,
            org_uuid: self.org_uuid,
            owner: self.owner,
            visibility: &self.visibility,
        }
    }
}

/// The live item of `kind` with this id, if the caller may do `need` with it.
pub fn target(c: &Conn, p: &Principal, kind: Kind, id: uuid::Uuid, need: Need) -> AppResult<Target> {
    let t = load(c, kind, id)?.ok_or(AppError::NotFound)?;
    access::check(c, p, t.item(), need)?;
    Ok(t)
}

/// The live item of `kind` with this id, unchecked.
pub fn load(c: &Conn, kind: Kind, id: uuid::Uuid) -> AppResult<Option<Target>> {
    Ok(match kind {
        Kind::Design => designs::by_uuid(c, id)?.map(|d| Target {
            kind,
            id: d.id,
            uuid: d.uuid,
            org: d.org,
            org_uuid: d.org_uuid,
            owner: d.owner,
            visibility: d.visibility,
            name: d.name,
            catalog_data: d.catalog_data,
        }),
        Kind::View => views::by_uuid(c, id)?.map(|v| Target {
            kind,
            id: v.id,
            uuid: v.uuid,
            org: v.org,
            org_uuid: v.org_uuid,
            owner: v.owner,
            visibility: v.visibility,
            name: v.name,
            catalog_data: serde_json::json!({}),
        }),
        Kind::Filter => filters::by_uuid(c, id)?.map(|f| Target {
            kind,
            id: f.id,
            uuid: f.uuid,
            org: f.org,
            org_uuid: f.org_uuid,
            owner: f.owner,
            visibility: f.visibility,
            name: f.name,
            catalog_data: f.catalog_data,
        }),
    })
}

/// A share request, as the face understood it: actors named by the client.
#[derive(Debug, Clone, Default)]
pub struct ShareInput {
    /// `false`: take the shares of the actors named back.
    pub share: bool,
    /// `read` (the default) or `edit`.
    pub access: Option<String>,
    /// Users by UUID or email address: (field name for errors, value).
    pub users: Vec<(String, String)>,
    pub teams: Vec<(String, String)>,
    pub organizations: Vec<(String, String)>,
}

/// One actor an item is shared with, with what the answer shows of it.
#[derive(Debug, Clone)]
pub struct SharedActor {
    pub actor_type: ActorType,
    pub id: uuid::Uuid,
    /// A user's email, a team's or organization's name.
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub avatar_url: Option<String>,
    /// A team's organization.
    pub org_id: Option<uuid::Uuid>,
    pub access: String,
    pub shared_at: Timestamp,
}

fn resolve(c: &Conn, t: ActorType, field: &str, raw: &str) -> AppResult<uuid::Uuid> {
    let raw = raw.trim();
    let found = match (t, uuid::Uuid::parse_str(raw)) {
        (ActorType::User, Ok(id)) => users::by_uuid(c, id)?.map(|u| u.uuid),
        (ActorType::User, Err(_)) => {
            users::by_email(c, &validate::email(raw).map_err(|_| bad(field, "is no user id or email address"))?)?
                .map(|u| u.uuid)
        }
        (ActorType::Team, Ok(id)) => {
            teams::by_uuid(c, id)?.filter(|t| t.deleted_at.is_none() && t.unmapped_at.is_none()).map(|t| t.uuid)
        }
        (ActorType::Organization, Ok(id)) => orgs::by_uuid(c, id)?.map(|o| o.uuid),
        (_, Err(_)) => return Err(bad(field, "is not a UUID")),
    };
    // The value itself, so that whoever shares with several sees which one.
    found.ok_or_else(|| bad(field, &format!("names no {}: {raw}", t.as_str())))
}

fn bad(field: &str, what: &str) -> AppError {
    AppError::validation(format!("{field} {what}"))
}

fn actor(c: &Conn, t: ActorType, s: shares::ShareRow) -> AppResult<Option<SharedActor>> {
    let mut a = SharedActor {
        actor_type: t,
        id: s.actor_uuid,
        name: String::new(),
        first_name: String::new(),
        last_name: String::new(),
        avatar_url: None,
        org_id: None,
        access: s.access,
        shared_at: s.created_at,
    };
    // Actors gone since (a deleted account, team or organization) are left out.
    match t {
        ActorType::User => match users::by_uuid(c, s.actor_uuid)? {
            Some(u) => {
                a.name = u.email;
                a.first_name = u.first_name;
                a.last_name = u.last_name;
                a.avatar_url = u.avatar_url;
            }
            None => return Ok(None),
        },
        ActorType::Team => match teams::by_uuid(c, s.actor_uuid)?.filter(|t| t.deleted_at.is_none()) {
            Some(team) => {
                a.name = team.name;
                a.org_id = Some(team.org_uuid);
            }
            None => return Ok(None),
        },
        ActorType::Organization => match orgs::by_uuid(c, s.actor_uuid)? {
            Some(o) => a.name = o.name,
            None => return Ok(None),
        },
    }
    Ok(Some(a))
}

fn actors_of(c: &Conn, t: &Target, at: ActorType) -> AppResult<Vec<SharedActor>> {
    let rows = shares::of_item(c, t.kind.as_str(), &t.uuid.to_string(), at.as_str())?;
    let mut out = vec![];
    for r in rows {
        out.extend(actor(c, at, r)?);
    }
    Ok(out)
}

const ALL_ACTORS: [ActorType; 3] = [ActorType::User, ActorType::Team, ActorType::Organization];

impl Content {
    /// Shares an item with the actors named (or, with `share: false`, takes
    /// their shares back); answers every actor it is shared with afterwards.
    pub async fn share(
        &self,
        p: &Principal,
        kind: Kind,
        id: uuid::Uuid,
        input: ShareInput,
    ) -> AppResult<Vec<SharedActor>> {
        let access = match input.access.as_deref().map(|a| a.trim().to_ascii_lowercase()) {
            None => "read".to_string(),
            Some(a) if a.is_empty() || a == "read" || a == "view" => "read".to_string(),
            Some(a) if a == "edit" || a == "write" => "edit".to_string(),
            Some(_) => return Err(AppError::validation("access must be read or edit")),
        };
        if input.users.len() + input.teams.len() + input.organizations.len() == 0 {
            return Err(AppError::validation("users, emails, teams or organizations must name at least one actor"));
        }
        if input.users.len() + input.teams.len() + input.organizations.len() > 500 {
            return Err(AppError::validation("a share names at most 500 actors"));
        }
        let p = p.clone();
        self.db()
            .write(move |c| {
                let t = target(c, &p, kind, id, Need::Share)?;
                let named = [
                    (ActorType::User, &input.users),
                    (ActorType::Team, &input.teams),
                    (ActorType::Organization, &input.organizations),
                ];
                // Every actor is resolved before anything changes: a bad one changes nothing.
                let mut resolved = vec![];
                for (at, list) in named {
                    for (field, raw) in list {
                        resolved.push((at, resolve(c, at, field, raw)?));
                    }
                }
                let (kind_s, uuid_s) = (t.kind.as_str(), t.uuid.to_string());
                let mut changed = 0;
                for (at, actor) in &resolved {
                    if input.share {
                        shares::put(c, kind_s, &uuid_s, at.as_str(), *actor, &access, p.user)?;
                        changed += 1;
                    } else if shares::remove(c, kind_s, &uuid_s, at.as_str(), *actor)? {
                        changed += 1;
                    }
                }
                if changed > 0 {
                    let (ek, what) = if input.share {
                        (EventKind::ShareGrant, format!("{kind_s} {} shared with {changed} actors ({access})", t.name))
                    } else {
                        (EventKind::ShareRevoke, format!("{kind_s} {} unshared from {changed} actors", t.name))
                    };
                    let e = Event::new(ek, Some(p.user)).org(t.org).on(t.uuid).describe(what);
                    audit::record(c, e)?;
                }
                let mut out = vec![];
                for at in ALL_ACTORS {
                    out.extend(actors_of(c, &t, at)?);
                }
                Ok(out)
            })
            .await
    }

    /// The actors of one type an item is shared with.
    pub async fn shared_actors(
        &self,
        p: &Principal,
        kind: Kind,
        id: uuid::Uuid,
        at: ActorType,
    ) -> AppResult<Vec<SharedActor>> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                let t = target(c, &p, kind, id, Need::See)?;
                actors_of(c, &t, at)
            })
            .await
    }
}
