//! Organization invitations.

use meshcloud_kernel::db::cols;
use meshcloud_kernel::ids::{InvitationId, OrgId, UserId, new_uuid};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone)]
pub struct InvitationRow {
    pub id: InvitationId,
    pub uuid: uuid::Uuid,
    pub org: OrgId,
    pub org_uuid: uuid::Uuid,
    pub owner: Option<uuid::Uuid>,
    pub name: String,
    pub description: String,
    pub emails: Vec<String>,
    pub roles: Vec<String>,
    pub teams: Vec<String>,
    pub status: String,
    pub expires_at: Option<Timestamp>,
    pub quota: Option<i64>,
    pub is_default: bool,
    pub accepted_by: Vec<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

/// What a client sets on an invitation.
pub struct InvitationFields<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub emails: &'a [String],
    pub roles: &'a [String],
    pub teams: &'a [String],
    pub status: &'a str,
    pub expires_at: Option<&'a Timestamp>,
    pub quota: Option<i64>,
    pub is_default: bool,
}

const SELECT: &str = "SELECT i.id, i.uuid, i.org_id, o.uuid, u.uuid, i.name, i.description, i.emails, i.roles, \
    i.teams, i.status, i.expires_at, i.quota, i.is_default, i.accepted_by, i.created_at, i.updated_at, i.deleted_at \
    FROM invitations i JOIN organizations o ON o.id = i.org_id LEFT JOIN users u ON u.id = i.owner_id";

fn strings(r: &Row<'_>, i: usize) -> rusqlite::Result<Vec<String>> {
    let v = cols::json(r, i)?;
    Ok(v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect()).unwrap_or_default())
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<InvitationRow> {
    Ok(InvitationRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        org: r.get(2)?,
        org_uuid: cols::uuid(r, 3)?,
        owner: cols::uuid_opt(r, 4)?,
        name: r.get(5)?,
        description: r.get(6)?,
        emails: strings(r, 7)?,
        roles: strings(r, 8)?,
        teams: strings(r, 9)?,
        status: r.get(10)?,
        expires_at: cols::ts_opt(r, 11)?,
        quota: r.get(12)?,
        is_default: r.get(13)?,
        accepted_by: strings(r, 14)?,
        created_at: cols::ts(r, 15)?,
        updated_at: cols::ts(r, 16)?,
        deleted_at: cols::ts_opt(r, 17)?,
    })
}

/// Live invitations of an org, newest first (the reference does not page them).
pub fn list(conn: &Connection, org: OrgId) -> AppResult<Vec<InvitationRow>> {
    let sql = format!("{SELECT} WHERE i.org_id = ?1 AND i.deleted_at IS NULL ORDER BY i.created_at DESC, i.id DESC");
    Ok(conn.prepare_cached(&sql)?.query_map([org], from_row)?.collect::<Result<Vec<_>, _>>()?)
}

pub fn by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<InvitationRow>> {
    let sql = format!("{SELECT} WHERE i.uuid = ?1 AND i.deleted_at IS NULL AND o.deleted_at IS NULL");
    Ok(conn.prepare_cached(&sql)?.query_row([uuid.to_string()], from_row).optional()?)
}

fn json(v: &[String]) -> String {
    serde_json::Value::from(v.to_vec()).to_string()
}

fn default_conflict(e: rusqlite::Error) -> AppError {
    match AppError::from(e) {
        AppError::Conflict(_) => AppError::conflict("the organization already has a default invitation"),
        other => other,
    }
}

pub fn insert(conn: &Connection, org: OrgId, owner: UserId, f: &InvitationFields<'_>) -> AppResult<uuid::Uuid> {
    let uuid = new_uuid();
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO invitations (uuid, org_id, owner_id, name, description, emails, roles, teams, status, expires_at,
                                  quota, is_default, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)",
    )?
    .execute(params![
        uuid.to_string(),
        org,
        owner,
        f.name,
        f.description,
        json(f.emails),
        json(f.roles),
        json(f.teams),
        f.status,
        f.expires_at.map(time::to_db),
        f.quota,
        f.is_default,
        now
    ])
    .map_err(default_conflict)?;
    Ok(uuid)
}

pub fn update(conn: &Connection, id: InvitationId, f: &InvitationFields<'_>) -> AppResult<()> {
    conn.prepare_cached(
        "UPDATE invitations SET name = ?2, description = ?3, emails = ?4, roles = ?5, teams = ?6, status = ?7,
                expires_at = ?8, quota = ?9, is_default = ?10, updated_at = ?11
          WHERE id = ?1 AND deleted_at IS NULL",
    )?
    .execute(params![
        id,
        f.name,
        f.description,
        json(f.emails),
        json(f.roles),
        json(f.teams),
        f.status,
        f.expires_at.map(time::to_db),
        f.quota,
        f.is_default,
        time::now_db()
    ])
    .map_err(default_conflict)?;
    Ok(())
}

pub fn delete(conn: &Connection, id: InvitationId) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached("UPDATE invitations SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1")?
        .execute(params![id, now])?;
    Ok(())
}

pub fn set_accepted(conn: &Connection, id: InvitationId, accepted_by: &[String]) -> AppResult<()> {
    conn.prepare_cached("UPDATE invitations SET accepted_by = ?2, updated_at = ?3 WHERE id = ?1")?.execute(params![
        id,
        json(accepted_by),
        time::now_db()
    ])?;
    Ok(())
}
