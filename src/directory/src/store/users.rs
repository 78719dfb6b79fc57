//! An organization's users: memberships of human accounts, their state and
//! the groups (teams) they are in.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::cols;
use meshcloud_kernel::ids::{OrgId, TeamId, UserId};
use meshcloud_kernel::time::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone)]
pub struct OrgUserRow {
    pub id: UserId,
    pub uuid: uuid::Uuid,
    pub email: String,
    pub state: String,
    pub last_login: Option<Timestamp>,
    /// When the user joined the organization.
    pub joined_at: Timestamp,
    pub updated_at: Timestamp,
}

const SELECT: &str = "SELECT u.id, u.uuid, u.email, m.state, u.last_login_time, m.created_at, u.updated_at \
    FROM org_members m JOIN users u ON u.id = m.user_id AND u.deleted_at IS NULL AND u.kind = 'human'";

fn from_row(r: &Row<'_>) -> rusqlite::Result<OrgUserRow> {
    Ok(OrgUserRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        email: r.get(2)?,
        state: r.get(3)?,
        last_login: cols::ts_opt(r, 4)?,
        joined_at: cols::ts(r, 5)?,
        updated_at: cols::ts(r, 6)?,
    })
}

pub fn list(conn: &Connection, org: OrgId) -> AppResult<Vec<OrgUserRow>> {
    let sql = format!("{SELECT} WHERE m.org_id = ?1 ORDER BY u.email, u.id");
    Ok(conn.prepare_cached(&sql)?.query_map([org], from_row)?.collect::<Result<Vec<_>, _>>()?)
}

pub fn get(conn: &Connection, org: OrgId, user: uuid::Uuid) -> AppResult<Option<OrgUserRow>> {
    let sql = format!("{SELECT} WHERE m.org_id = ?1 AND u.uuid = ?2");
    Ok(conn.prepare_cached(&sql)?.query_row(params![org, user.to_string()], from_row).optional()?)
}

/// (user, group, group uuid) for the live groups of the org, by group name.
pub fn group_ids(conn: &Connection, org: OrgId, user: Option<UserId>) -> AppResult<Vec<(UserId, TeamId, uuid::Uuid)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT tm.user_id, t.id, t.uuid FROM team_members tm JOIN teams t ON t.id = tm.team_id
          WHERE t.org_id = ?1 AND t.deleted_at IS NULL AND t.unmapped_at IS NULL AND (?2 IS NULL OR tm.user_id = ?2)
          ORDER BY t.name, t.id",
    )?;
    let rows = stmt.query_map(params![org, user], |r| Ok((r.get(0)?, r.get(1)?, cols::uuid(r, 2)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
