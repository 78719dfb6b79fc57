//! Service accounts: machine users of one organization that act through
//! their groups' roles with a long-lived bearer token, shown only when it is
//! issued (create and rotate) and revoked at once on rotation and deletion.

use meshcloud_identity::core::grants::{self, must_hold};
use meshcloud_identity::core::orgs as core_orgs;
use meshcloud_identity::core::teams;
use meshcloud_identity::core::tokens::{self, Kind, NewToken};
use meshcloud_identity::core::users as core_users;
use meshcloud_identity::service::access::Affected;
use meshcloud_identity::service::auth::issue;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::{OrgId, UserId};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};

use super::Directory;
use super::acl::{self, Endpoint, Op};
use super::lookup::{body_ids, live_groups, org_row};
use crate::model::service_accounts::ServiceAccountWrite;
use crate::store::service_accounts::{self as store, ServiceAccountRow};

/// A service account with its groups and, right after issuing, its token.
#[derive(Debug, Clone)]
pub struct ServiceAccount {
    pub row: ServiceAccountRow,
    pub groups: Vec<uuid::Uuid>,
    pub token: Option<String>,
}

fn view(c: &Conn, row: ServiceAccountRow) -> AppResult<ServiceAccount> {
    let groups = teams::of_user(c, row.org, row.user)?.into_iter().map(|(_, uuid, _)| uuid).collect();
    Ok(ServiceAccount { row, groups, token: None })
}

fn found(c: &Conn, org: OrgId, id: uuid::Uuid) -> AppResult<ServiceAccountRow> {
    store::get(c, org, id)?.ok_or(AppError::NotFound)
}

/// A token for the account: `(plaintext, public id, hash, expiry)`.
struct NewSecret {
    plaintext: String,
    uuid: uuid::Uuid,
    hash: [u8; 32],
    expiry: Timestamp,
}

impl Directory {
    fn new_secret(&self) -> AppResult<NewSecret> {
        let issued = issue();
        let expiry = time::after(self.settings().service_account_ttl)?;
        Ok(NewSecret { plaintext: issued.plaintext, uuid: issued.uuid, hash: issued.hash, expiry })
    }
}

fn store_token(c: &Conn, user: UserId, name: &str, s: &NewSecret, actor: UserId) -> AppResult<()> {
    tokens::insert(
        c,
        &NewToken {
            uuid: s.uuid,
            user,
            kind: Kind::Service,
            name: "service account token",
            purpose: &format!("token of service account {name}"),
            provider: "meshcloud",
            secret_hash: &s.hash,
            expires_at: Some(s.expiry),
            created_by: Some(actor),
        },
    )?;
    Ok(())
}

impl Directory {
    /// The org's service accounts; a service account without the read key
    /// sees itself only (so that it can find its own id to rotate).
    pub async fn list_service_accounts(&self, p: &Principal, org: uuid::Uuid) -> AppResult<Vec<ServiceAccount>> {
        let scope = acl::org_scope(p, org, Endpoint::ServiceAccounts, Op::Read);
        let p = p.clone();
        self.db()
            .read(move |c| {
                let rows = match scope {
                    Ok(known) => store::list(c, org_row(c, org, known)?)?,
                    Err(AppError::Forbidden) => {
                        let grant = p.grants.orgs.get(&org).ok_or(AppError::Forbidden)?;
                        vec![store::of_user(c, grant.org, p.user)?.ok_or(AppError::Forbidden)?]
                    }
                    Err(e) => return Err(e),
                };
                rows.into_iter().map(|r| view(c, r)).collect()
            })
            .await
    }

    pub async fn create_service_account(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        body: ServiceAccountWrite,
    ) -> AppResult<ServiceAccount> {
        let known = acl::org_scope(p, org, Endpoint::ServiceAccounts, Op::Create)?;
        let meta = body.metadata.check()?;
        let groups = body_ids("spec.groupIDs", &body.spec.group_ids)?;
        let secret = self.new_secret()?;
        let p = p.clone();
        self.identity()
            .commit(move |c| {
                let org_id = org_row(c, org, known)?;
                let teams = live_groups(c, org_id, &groups)?;
                for t in &teams {
                    must_hold(&p, org, grants::of_team(c, t.id)?)?;
                }
                let (user, uuid) = core_users::insert_service(c, &meta.name)?;
                store::insert(c, org_id, user, &meta, p.user)?;
                core_orgs::join(c, org_id, user, core_orgs::MemberState::Active)?;
                for t in &teams {
                    teams::add_member(c, t.id, user)?;
                }
                store_token(c, user, &meta.name, &secret, p.user)?;
                audit::record(
                    c,
                    Event::new(EventKind::ServiceAccountCreate, Some(p.user))
                        .org(org_id)
                        .on(uuid)
                        .describe(format!("service account {} created", meta.name))
                        .meta(serde_json::json!({ "groups": groups })),
                )?;
                let mut sa = view(c, found(c, org_id, uuid)?)?;
                sa.token = Some(secret.plaintext);
                Ok((sa, Affected::Users(vec![user])))
            })
            .await
    }

    /// Changes the name, description, tags and groups; the token stays.
    pub async fn update_service_account(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        id: uuid::Uuid,
        body: ServiceAccountWrite,
    ) -> AppResult<ServiceAccount> {
        let known = acl::org_scope(p, org, Endpoint::ServiceAccounts, Op::Update)?;
        let meta = body.metadata.check()?;
        let groups = body_ids("spec.groupIDs", &body.spec.group_ids)?;
        let p = p.clone();
        self.identity()
            .commit(move |c| {
                let org_id = org_row(c, org, known)?;
                let sa = found(c, org_id, id)?;
                let guard = grants::AdminGuard::start(c, org_id)?;
                let wanted = live_groups(c, org_id, &groups)?;
                let current = teams::of_user(c, org_id, sa.user)?;
                // Leaving groups takes their roles: the same rule as for people.
                let leaving: Vec<_> =
                    current.iter().filter(|(_, uuid, _)| !groups.contains(uuid)).map(|(team, _, _)| *team).collect();
                if !leaving.is_empty() {
                    grants::Taker::new(c, &p, org_id)?.take(c, &[sa.user], grants::of_teams(c, &leaving)?)?;
                }
                for t in wanted.iter().filter(|t| !current.iter().any(|(_, uuid, _)| *uuid == t.uuid)) {
                    must_hold(&p, org, grants::of_team(c, t.id)?)?;
                    teams::add_member(c, t.id, sa.user)?;
                }
                for (team, uuid, _) in &current {
                    if !groups.contains(uuid) {
                        teams::remove_member(c, &guard, *team, sa.user)?;
                    }
                }
                guard.finish(c)?;
                store::update(c, sa.user, &meta, p.user)?;
                core_users::set_first_name(c, sa.user, &meta.name)?;
                audit::record(
                    c,
                    Event::new(EventKind::ServiceAccountUpdate, Some(p.user))
                        .org(org_id)
                        .on(id)
                        .describe(format!("service account {} updated", meta.name))
                        .meta(serde_json::json!({ "groups": groups })),
                )?;
                Ok((view(c, found(c, org_id, id)?)?, Affected::InOrg { org: org_id, users: vec![sa.user] }))
            })
            .await
    }

    /// A new token with a new expiry; the old one stops working at once. A
    /// service account may rotate itself without the update key.
    pub async fn rotate_service_account(
        &self,
        p: &Principal,
        org: uuid::Uuid,
        id: uuid::Uuid,
    ) -> AppResult<ServiceAccount> {
        let known = match acl::org_scope(p, org, Endpoint::ServiceAccounts, Op::Update) {
            Ok(known) => Ok(known),
            Err(AppError::Forbidden) if p.user_uuid == id => {
                Ok(Some(p.grants.orgs.get(&org).ok_or(AppError::Forbidden)?.org))
            }
            Err(e) => Err(e),
        }?;
        let secret = self.new_secret()?;
        let p = p.clone();
        self.identity()
            .commit(move |c| {
                let org_id = org_row(c, org, known)?;
                let sa = found(c, org_id, id)?;
                // The new token acts with everything the account holds: only
                // the account itself, or someone holding all of that, gets it.
                if p.user_uuid != id {
                    must_hold(&p, org, grants::held_by(c, org_id, sa.user)?)?;
                }
                // Every credential of the account, of any kind: a token it
                // issued itself on another face must not outlive a rotation.
                tokens::revoke_all_of(c, sa.user)?;
                store_token(c, sa.user, &sa.name, &secret, p.user)?;
                audit::record(
                    c,
                    Event::new(EventKind::ServiceAccountRotate, Some(p.user))
                        .org(org_id)
                        .on(id)
                        .describe(format!("token of service account {} rotated", sa.name)),
                )?;
                let user = sa.user;
                let mut sa = view(c, found(c, org_id, id)?)?;
                sa.token = Some(secret.plaintext);
                Ok((sa, Affected::Users(vec![user])))
            })
            .await
    }

    /// Removes the account from its groups and the org and revokes its token.
    pub async fn delete_service_account(&self, p: &Principal, org: uuid::Uuid, id: uuid::Uuid) -> AppResult<()> {
        let known = acl::org_scope(p, org, Endpoint::ServiceAccounts, Op::Delete)?;
        let p = p.clone();
        self.identity()
            .commit(move |c| {
                let org_id = org_row(c, org, known)?;
                let sa = found(c, org_id, id)?;
                // Its groups and roles go with the membership, under the core's rules.
                grants::Taker::new(c, &p, org_id)?.take_member(c, sa.user)?;
                core_orgs::remove_member(c, org_id, sa.user)?;
                tokens::revoke_all_of(c, sa.user)?;
                store::delete(c, sa.user)?;
                // Retiring the user also unbinds the OAuth clients acting as
                // it (a trigger of the OIDC family's clients).
                core_users::retire(c, sa.user)?;
                audit::record(
                    c,
                    Event::new(EventKind::ServiceAccountDelete, Some(p.user))
                        .org(org_id)
                        .on(id)
                        .describe(format!("service account {} deleted", sa.name)),
                )?;
                Ok(((), Affected::Users(vec![sa.user])))
            })
            .await
    }
}
