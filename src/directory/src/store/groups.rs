//! Groups: the core teams of an organization, with their members by kind
//! and the roles bound to them.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::cols;
use meshcloud_kernel::ids::{OrgId, TeamId, UserId};
use meshcloud_kernel::time::{self, Timestamp};
use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone)]
pub struct GroupRow {
    pub id: TeamId,
    pub uuid: uuid::Uuid,
    pub org_uuid: uuid::Uuid,
    pub name: String,
    pub description: String,
    pub tags: String,
    /// The creator's e-mail address.
    pub created_by: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const SELECT: &str = "SELECT t.id, t.uuid, o.uuid, t.name, t.description, t.tags, u.email, t.created_at, t.updated_at \
    FROM teams t JOIN organizations o ON o.id = t.org_id LEFT JOIN users u ON u.id = t.owner_id";
/// Teams a group list shows: not tombstoned and not taken out of the org.
const LIVE: &str = "t.deleted_at IS NULL AND t.unmapped_at IS NULL";

fn from_row(r: &Row<'_>) -> rusqlite::Result<GroupRow> {
    Ok(GroupRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        org_uuid: cols::uuid(r, 2)?,
        name: r.get(3)?,
        description: r.get(4)?,
        tags: r.get(5)?,
        created_by: r.get(6)?,
        created_at: cols::ts(r, 7)?,
        updated_at: cols::ts(r, 8)?,
    })
}

pub fn list(conn: &Connection, org: OrgId) -> AppResult<Vec<GroupRow>> {
    let sql = format!("{SELECT} WHERE t.org_id = ?1 AND {LIVE} ORDER BY t.name, t.id");
    Ok(conn.prepare_cached(&sql)?.query_map([org], from_row)?.collect::<Result<Vec<_>, _>>()?)
}

pub fn get(conn: &Connection, org: OrgId, uuid: uuid::Uuid) -> AppResult<Option<GroupRow>> {
    let sql = format!("{SELECT} WHERE t.org_id = ?1 AND t.uuid = ?2 AND {LIVE}");
    Ok(conn.prepare_cached(&sql)?.query_row(params![org, uuid.to_string()], from_row).optional()?)
}

/// A member of a group: (team, user id, user uuid, is a service account).
pub struct GroupMember {
    pub team: TeamId,
    pub user: UserId,
    pub uuid: uuid::Uuid,
    pub service: bool,
}

/// Members of the org's teams (`team` none) or of one team, by e-mail.
pub fn members(conn: &Connection, org: OrgId, team: Option<TeamId>) -> AppResult<Vec<GroupMember>> {
    let mut stmt = conn.prepare_cached(
        "SELECT tm.team_id, u.id, u.uuid, u.kind = 'service' FROM team_members tm
           JOIN teams t ON t.id = tm.team_id JOIN users u ON u.id = tm.user_id AND u.deleted_at IS NULL
          WHERE t.org_id = ?1 AND (?2 IS NULL OR tm.team_id = ?2) ORDER BY u.email, u.id",
    )?;
    let rows = stmt.query_map(params![org, team], |r| {
        Ok(GroupMember { team: r.get(0)?, user: r.get(1)?, uuid: cols::uuid(r, 2)?, service: r.get(3)? })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Roles bound to the org's teams (`team` none) or to one team: (team, role uuid).
pub fn role_ids(conn: &Connection, org: OrgId, team: Option<TeamId>) -> AppResult<Vec<(TeamId, uuid::Uuid)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT rb.team_id, r.uuid FROM role_bindings rb JOIN roles r ON r.id = rb.role_id AND r.deleted_at IS NULL
          WHERE rb.org_id = ?1 AND rb.team_id IS NOT NULL AND (?2 IS NULL OR rb.team_id = ?2)
          ORDER BY r.role_name, r.id",
    )?;
    let rows = stmt.query_map(params![org, team], |r| Ok((r.get(0)?, cols::uuid(r, 1)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// A user of the given kind (`service` or not) who belongs to the org, in any state.
pub fn org_member(conn: &Connection, org: OrgId, user: uuid::Uuid, service: bool) -> AppResult<Option<UserId>> {
    Ok(conn
        .prepare_cached(
            "SELECT u.id FROM users u JOIN org_members m ON m.user_id = u.id AND m.org_id = ?1
              WHERE u.uuid = ?2 AND u.deleted_at IS NULL AND (u.kind = 'service') = ?3",
        )?
        .query_row(params![org, user.to_string(), service], |r| r.get(0))
        .optional()?)
}

pub fn set_tags(conn: &Connection, team: TeamId, tags: &str) -> AppResult<()> {
    conn.prepare_cached("UPDATE teams SET tags = ?2, updated_at = ?3 WHERE id = ?1")?.execute(params![
        team,
        tags,
        time::now_db()
    ])?;
    Ok(())
}
