//! Teams of an organization, their mapping to it, and their members.

use meshcloud_kernel::db::cols;
use meshcloud_kernel::db::query::{Where, fetch_page, order_or};
use meshcloud_kernel::db::search::SearchIndex;
use meshcloud_kernel::ids::{OrgId, TeamId, UserId, new_uuid};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone)]
pub struct TeamRow {
    pub id: TeamId,
    pub uuid: uuid::Uuid,
    pub org: OrgId,
    pub org_uuid: uuid::Uuid,
    pub name: String,
    pub description: String,
    pub owner: Option<uuid::Uuid>,
    pub metadata: serde_json::Value,
    pub mapping_uuid: uuid::Uuid,
    pub mapped_at: Timestamp,
    pub unmapped_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

pub const ORDER_FIELDS: [&str; 3] = ["name", "created_at", "updated_at"];
const ORDER: [(&str, &str); 3] = [("name", "t.name"), ("created_at", "t.created_at"), ("updated_at", "t.updated_at")];
const SELECT: &str = "SELECT t.id, t.uuid, t.org_id, o.uuid, t.name, t.description, u.uuid, t.metadata, \
    t.mapping_uuid, t.mapped_at, t.unmapped_at, t.created_at, t.updated_at, t.deleted_at";
const FROM: &str = "FROM teams t JOIN organizations o ON o.id = t.org_id LEFT JOIN users u ON u.id = t.owner_id";

const SEARCH: SearchIndex = SearchIndex { table: "teams_search", rowid: "t.id", scoped: true };
const MEMBER_SEARCH: SearchIndex = SearchIndex { table: "users_search", rowid: "u.id", scoped: false };

fn team_row(r: &Row<'_>) -> rusqlite::Result<TeamRow> {
    Ok(TeamRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        org: r.get(2)?,
        org_uuid: cols::uuid(r, 3)?,
        name: r.get(4)?,
        description: r.get(5)?,
        owner: cols::uuid_opt(r, 6)?,
        metadata: cols::json(r, 7)?,
        mapping_uuid: cols::uuid(r, 8)?,
        mapped_at: cols::ts(r, 9)?,
        unmapped_at: cols::ts_opt(r, 10)?,
        created_at: cols::ts(r, 11)?,
        updated_at: cols::ts(r, 12)?,
        deleted_at: cols::ts_opt(r, 13)?,
    })
}

/// Live teams currently in the org.
pub fn list(conn: &Connection, org: OrgId, req: &PageRequest) -> AppResult<Page<TeamRow>> {
    let mut w = Where::new("t.deleted_at IS NULL AND t.unmapped_at IS NULL");
    w.and("t.org_id = ?", [Value::Integer(org.0)]);
    w.search_indexed(conn, req, &SEARCH, Some(org.0), &["t.name", "t.description"])?;
    let order = order_or(req, &ORDER, "t.id", "t.name, t.id");
    fetch_page(conn, SELECT, FROM, &w, &order, req, team_row)
}

/// Live (neither tombstoned nor unmapped) teams of the org, counted over
/// the `teams_name` index.
pub fn count(conn: &Connection, org: OrgId) -> AppResult<u64> {
    let n: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM teams t WHERE t.org_id = ?1 AND t.deleted_at IS NULL AND t.unmapped_at IS NULL",
        )?
        .query_row([org], |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// Live teams of the org whose UUID is (`include`) or is not among `ids`.
pub fn list_subset(
    conn: &Connection,
    org: OrgId,
    ids: &[uuid::Uuid],
    include: bool,
    req: &PageRequest,
) -> AppResult<Page<TeamRow>> {
    let mut w = Where::new("t.deleted_at IS NULL AND t.unmapped_at IS NULL");
    w.and("t.org_id = ?", [Value::Integer(org.0)]);
    if !ids.is_empty() || include {
        let marks = vec!["?"; ids.len().max(1)].join(", ");
        let not = if include { "" } else { "NOT " };
        let mut vals: Vec<Value> = ids.iter().map(|u| Value::Text(u.to_string())).collect();
        if vals.is_empty() {
            vals.push(Value::Text(String::new()));
        }
        w.and(&format!("t.uuid {not}IN ({marks})"), vals);
    }
    w.search_indexed(conn, req, &SEARCH, Some(org.0), &["t.name", "t.description"])?;
    let order = order_or(req, &ORDER, "t.id", "t.name, t.id");
    fetch_page(conn, SELECT, FROM, &w, &order, req, team_row)
}

/// A team of `org` by UUID, including tombstoned and unmapped ones (callers decide).
pub fn in_org(conn: &Connection, org: OrgId, uuid: uuid::Uuid) -> AppResult<Option<TeamRow>> {
    let sql = format!("{SELECT} {FROM} WHERE t.uuid = ?1 AND t.org_id = ?2");
    Ok(conn.prepare_cached(&sql)?.query_row(params![uuid.to_string(), org], team_row).optional()?)
}

pub fn get(conn: &Connection, id: TeamId) -> AppResult<TeamRow> {
    let sql = format!("{SELECT} {FROM} WHERE t.id = ?1");
    conn.prepare_cached(&sql)?.query_row([id], team_row).optional()?.ok_or(AppError::NotFound)
}

pub fn by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<TeamRow>> {
    let sql = format!("{SELECT} {FROM} WHERE t.uuid = ?1 AND o.deleted_at IS NULL");
    Ok(conn.prepare_cached(&sql)?.query_row([uuid.to_string()], team_row).optional()?)
}

/// A live, mapped team of `org` by name or UUID (invitations name teams either way).
pub fn by_ref(conn: &Connection, org: OrgId, r: &str) -> AppResult<Option<TeamRow>> {
    let sql = format!(
        "{SELECT} {FROM} WHERE t.org_id = ?1 AND t.deleted_at IS NULL AND t.unmapped_at IS NULL
            AND (t.uuid = ?2 OR t.name = ?2)"
    );
    Ok(conn.prepare_cached(&sql)?.query_row(params![org, r], team_row).optional()?)
}

fn name_conflict(e: rusqlite::Error) -> AppError {
    match AppError::from(e) {
        AppError::Conflict(_) => AppError::conflict("a team with this name already exists in the organization"),
        other => other,
    }
}

pub fn insert(conn: &Connection, org: OrgId, owner: UserId, name: &str, description: &str) -> AppResult<TeamId> {
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO teams (uuid, org_id, name, description, owner_id, mapping_uuid, mapped_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?7)",
    )?
    .execute(params![new_uuid().to_string(), org, name, description, owner, new_uuid().to_string(), now])
    .map_err(name_conflict)?;
    Ok(TeamId(conn.last_insert_rowid()))
}

pub fn update(conn: &Connection, id: TeamId, name: &str, description: &str) -> AppResult<()> {
    conn.prepare_cached("UPDATE teams SET name = ?2, description = ?3, updated_at = ?4 WHERE id = ?1")?
        .execute(params![id, name, description, time::now_db()])
        .map_err(name_conflict)?;
    Ok(())
}

/// Tombstones a team: it vanishes from lists and no longer carries roles.
pub fn tombstone(conn: &Connection, id: TeamId) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached("UPDATE teams SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1")?
        .execute(params![id, now])?;
    Ok(())
}

/// Removes a team with its memberships and role bindings.
pub fn delete(conn: &Connection, id: TeamId) -> AppResult<()> {
    conn.prepare_cached("DELETE FROM teams WHERE id = ?1")?.execute([id])?;
    Ok(())
}

/// Takes the team out of its org (`mapped == false`) or puts it back.
pub fn set_mapped(conn: &Connection, id: TeamId, mapped: bool) -> AppResult<()> {
    let now = time::now_db();
    let sql = if mapped {
        "UPDATE teams SET unmapped_at = NULL, mapped_at = ?2, updated_at = ?2 WHERE id = ?1"
    } else {
        "UPDATE teams SET unmapped_at = ?2, updated_at = ?2 WHERE id = ?1"
    };
    conn.prepare_cached(sql)?.execute(params![id, now])?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct MemberRow {
    pub uuid: uuid::Uuid,
    pub team: uuid::Uuid,
    pub user: uuid::Uuid,
    pub created_at: Timestamp,
}

fn member_row(r: &Row<'_>) -> rusqlite::Result<MemberRow> {
    Ok(MemberRow {
        uuid: cols::uuid(r, 0)?,
        team: cols::uuid(r, 1)?,
        user: cols::uuid(r, 2)?,
        created_at: cols::ts(r, 3)?,
    })
}

const MEMBER_SELECT: &str = "SELECT tm.uuid, t.uuid, u.uuid, tm.created_at";
const MEMBER_FROM: &str = "FROM team_members tm JOIN teams t ON t.id = tm.team_id JOIN users u ON u.id = tm.user_id";

pub fn members(conn: &Connection, team: TeamId, req: &PageRequest) -> AppResult<Page<MemberRow>> {
    let mut w = Where::new("u.deleted_at IS NULL");
    w.and("tm.team_id = ?", [Value::Integer(team.0)]);
    w.search_indexed(conn, req, &MEMBER_SEARCH, None, &["u.email", "u.first_name", "u.last_name"])?;
    let order = order_or(req, &[("created_at", "tm.created_at")], "tm.user_id", "tm.created_at, tm.user_id");
    fetch_page(conn, MEMBER_SELECT, MEMBER_FROM, &w, &order, req, member_row)
}

/// Adds a member; `None` if they were one already.
pub fn add_member(conn: &Connection, team: TeamId, user: UserId) -> AppResult<Option<MemberRow>> {
    let n = conn
        .prepare_cached(
            "INSERT INTO team_members (team_id, user_id, uuid, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        )?
        .execute(params![team, user, new_uuid().to_string(), time::now_db()])?;
    if n == 0 {
        return Ok(None);
    }
    member(conn, team, user)
}

pub fn member(conn: &Connection, team: TeamId, user: UserId) -> AppResult<Option<MemberRow>> {
    let sql = format!("{MEMBER_SELECT} {MEMBER_FROM} WHERE tm.team_id = ?1 AND tm.user_id = ?2");
    Ok(conn.prepare_cached(&sql)?.query_row(params![team, user], member_row).optional()?)
}

/// Removes a member from a team of `org`; false if they were not in it.
pub fn remove_member(conn: &Connection, org: OrgId, team: TeamId, user: UserId) -> AppResult<bool> {
    let n = conn
        .prepare_cached(
            "DELETE FROM team_members
              WHERE team_id = ?1 AND user_id = ?2 AND team_id IN (SELECT id FROM teams WHERE org_id = ?3)",
        )?
        .execute(params![team, user, org])?;
    Ok(n == 1)
}

/// Drops a user from every team of an org (on leaving it).
pub fn leave_all(conn: &Connection, org: OrgId, user: UserId) -> AppResult<()> {
    conn.prepare_cached(
        "DELETE FROM team_members WHERE user_id = ?2 AND team_id IN (SELECT id FROM teams WHERE org_id = ?1)",
    )?
    .execute(params![org, user])?;
    Ok(())
}

/// The live teams of `org` a user belongs to: (id, uuid, name), by name.
pub fn of_user(conn: &Connection, org: OrgId, user: UserId) -> AppResult<Vec<(TeamId, uuid::Uuid, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.id, t.uuid, t.name FROM team_members tm JOIN teams t ON t.id = tm.team_id
          WHERE tm.user_id = ?2 AND t.org_id = ?1 AND t.deleted_at IS NULL AND t.unmapped_at IS NULL ORDER BY t.name",
    )?;
    let rows = stmt.query_map(params![org, user], |r| Ok((r.get(0)?, cols::uuid(r, 1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Users of a team (for cache invalidation when the team's roles change).
pub fn member_ids(conn: &Connection, team: TeamId) -> AppResult<Vec<UserId>> {
    let mut stmt = conn.prepare_cached("SELECT user_id FROM team_members WHERE team_id = ?1")?;
    Ok(stmt.query_map([team], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?)
}
