//! Organizations with the fields the Identity face adds to the core row
//! (type, sign-in provider, tags, provisioning and health state).

use meshcloud_kernel::db::cols;
use meshcloud_kernel::ids::{OrgId, UserId};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone)]
pub struct IdOrgRow {
    pub id: OrgId,
    pub uuid: uuid::Uuid,
    pub name: String,
    pub description: String,
    pub domain: Option<String>,
    pub organization_type: String,
    pub provider_scope: Option<String>,
    pub provider_id: Option<String>,
    pub tags: String,
    pub provisioning_status: String,
    pub health_status: String,
    /// The creator's e-mail address.
    pub created_by: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const SELECT: &str = "SELECT o.id, o.uuid, o.name, o.description, o.domain, o.organization_type, o.provider_scope, \
    o.provider_id, o.tags, o.provisioning_status, o.health_status, u.email, o.created_at, o.updated_at \
    FROM organizations o LEFT JOIN users u ON u.id = o.owner_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<IdOrgRow> {
    Ok(IdOrgRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        name: r.get(2)?,
        description: r.get(3)?,
        domain: r.get(4)?,
        organization_type: r.get(5)?,
        provider_scope: r.get(6)?,
        provider_id: r.get(7)?,
        tags: r.get(8)?,
        provisioning_status: r.get(9)?,
        health_status: r.get(10)?,
        created_by: r.get(11)?,
        created_at: cols::ts(r, 12)?,
        updated_at: cols::ts(r, 13)?,
    })
}

/// A live organization (one being deprovisioned is still live).
pub fn by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<IdOrgRow>> {
    let sql = format!("{SELECT} WHERE o.uuid = ?1 AND o.deleted_at IS NULL");
    Ok(conn.prepare_cached(&sql)?.query_row([uuid.to_string()], from_row).optional()?)
}

pub fn get(conn: &Connection, id: OrgId) -> AppResult<IdOrgRow> {
    let sql = format!("{SELECT} WHERE o.id = ?1 AND o.deleted_at IS NULL");
    conn.prepare_cached(&sql)?.query_row([id], from_row).optional()?.ok_or(AppError::NotFound)
}

/// Whose organizations a list shows.
pub enum Members {
    Everyone,
    /// Organizations where the user's membership is active (those that grant).
    ActiveMember(UserId),
    /// Every organization the user belongs to, whatever the membership's state.
    AnyMember(UserId),
}

/// Live organizations, by name.
pub fn list(conn: &Connection, who: Members) -> AppResult<Vec<IdOrgRow>> {
    let (filter, user) = match who {
        Members::Everyone => ("", None),
        Members::ActiveMember(u) => {
            (" AND o.id IN (SELECT org_id FROM org_members WHERE user_id = ?1 AND state = 'active')", Some(u))
        }
        Members::AnyMember(u) => (" AND o.id IN (SELECT org_id FROM org_members WHERE user_id = ?1)", Some(u)),
    };
    let sql = format!("{SELECT} WHERE o.deleted_at IS NULL{filter} ORDER BY o.name, o.id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = match user {
        Some(u) => stmt.query_map([u], from_row)?.collect::<Result<Vec<_>, _>>()?,
        None => stmt.query_map([], from_row)?.collect::<Result<Vec<_>, _>>()?,
    };
    Ok(rows)
}

/// The Identity fields of an organization.
pub struct IdentityFields<'a> {
    pub organization_type: &'a str,
    pub provider_scope: Option<&'a str>,
    pub provider_id: Option<&'a str>,
    pub tags: &'a str,
}

pub fn set_identity_fields(conn: &Connection, id: OrgId, f: &IdentityFields<'_>) -> AppResult<()> {
    let n = conn
        .prepare_cached(
            "UPDATE organizations SET organization_type = ?2, provider_scope = ?3, provider_id = ?4, tags = ?5
              WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .execute(params![id, f.organization_type, f.provider_scope, f.provider_id, f.tags])?;
    if n == 1 { Ok(()) } else { Err(AppError::NotFound) }
}

pub fn set_provisioning(conn: &Connection, id: OrgId, status: &str) -> AppResult<()> {
    conn.prepare_cached(
        "UPDATE organizations SET provisioning_status = ?2, updated_at = ?3 WHERE id = ?1 AND deleted_at IS NULL",
    )?
    .execute(params![id, status, time::now_db()])?;
    Ok(())
}

/// Is there an upstream sign-in provider with this id, global (`org` none)
/// or the organization's own?
pub fn provider_exists(conn: &Connection, org: Option<OrgId>, provider: &str) -> AppResult<bool> {
    let sql = match org {
        Some(_) => "SELECT 1 FROM oauth2_providers WHERE uuid = ?1 AND org_id = ?2",
        None => "SELECT 1 FROM oauth2_providers WHERE uuid = ?1 AND org_id IS NULL AND ?2 IS NULL",
    };
    Ok(conn.prepare_cached(sql)?.query_row(params![provider, org], |_| Ok(())).optional()?.is_some())
}
