//! Roles, the keychains they hold, and role bindings (who holds which role in which org).

use meshcloud_kernel::access::{Perm, PermSet};
use meshcloud_kernel::db::cols;
use meshcloud_kernel::db::query::{Where, fetch_page, order_or};
use meshcloud_kernel::db::search::SearchIndex;
use meshcloud_kernel::ids::{KeychainId, OrgId, RoleId, TeamId, UserId, new_uuid};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};

pub const ORG_ADMIN: &str = "organization admin";
/// Every member's role (the reference's `user`).
pub const MEMBER: &str = "user";
/// The appliance-wide role (the reference's `admin`).
pub const PROVIDER_ADMIN: &str = "admin";

/// The names built-in roles had before they took the reference's names
/// (V017): still accepted wherever a role is named on input.
pub const FORMER_NAMES: [(&str, &str); 2] = [("member", MEMBER), ("provider admin", PROVIDER_ADMIN)];

/// The current name of a built-in role named by its former name, else `name`.
pub fn current_name(name: &str) -> &str {
    FORMER_NAMES.iter().find(|(old, _)| *old == name).map_or(name, |(_, new)| new)
}

#[derive(Debug, Clone)]
pub struct RoleRow {
    pub id: RoleId,
    pub uuid: uuid::Uuid,
    /// `None`: built in, present in every org.
    pub org: Option<OrgId>,
    pub role_name: String,
    pub scope: String,
    pub description: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

impl RoleRow {
    pub fn builtin(&self) -> bool {
        self.org.is_none()
    }
}

pub const ORDER_FIELDS: [&str; 3] = ["role_name", "created_at", "updated_at"];
const ORDER: [(&str, &str); 3] =
    [("role_name", "r.role_name"), ("created_at", "r.created_at"), ("updated_at", "r.updated_at")];
const SELECT: &str =
    "SELECT r.id, r.uuid, r.org_id, r.role_name, r.scope, r.description, r.created_at, r.updated_at, r.deleted_at";

fn role_row(r: &Row<'_>) -> rusqlite::Result<RoleRow> {
    Ok(RoleRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        org: r.get(2)?,
        role_name: r.get(3)?,
        scope: r.get(4)?,
        description: r.get(5)?,
        created_at: cols::ts(r, 6)?,
        updated_at: cols::ts(r, 7)?,
        deleted_at: cols::ts_opt(r, 8)?,
    })
}

/// Every live role usable in `org` (built-in and the org's own), by name.
pub fn usable(conn: &Connection, org: OrgId) -> AppResult<Vec<RoleRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} FROM roles r WHERE r.deleted_at IS NULL AND (r.org_id IS NULL OR r.org_id = ?1) ORDER BY r.role_name, r.id"
    ))?;
    Ok(stmt.query_map([org], role_row)?.collect::<Result<Vec<_>, _>>()?)
}

/// Which roles a list shows.
pub enum Selector {
    /// Built-in and the org's own roles.
    All,
    /// Roles whose scope is the appliance.
    Provider,
    /// Roles that apply within an organization.
    Organization,
    /// Roles bound to one team.
    Team(TeamId),
}

pub fn list(conn: &Connection, org: OrgId, sel: &Selector, req: &PageRequest) -> AppResult<Page<RoleRow>> {
    let mut w = Where::new("r.deleted_at IS NULL");
    w.and("r.org_id IS NULL OR r.org_id = ?", [Value::Integer(org.0)]);
    match sel {
        Selector::All => {}
        Selector::Provider => {
            w.and("r.scope = 'provider'", []);
        }
        Selector::Organization => {
            w.and("r.scope = 'organization'", []);
        }
        Selector::Team(t) => {
            w.and("r.id IN (SELECT role_id FROM role_bindings WHERE team_id = ?)", [Value::Integer(t.0)]);
        }
    }
    const SEARCH: SearchIndex = SearchIndex { table: "roles_search", rowid: "r.id", scoped: false };
    w.search_indexed(conn, req, &SEARCH, None, &["r.role_name", "r.description"])?;
    let order = order_or(req, &ORDER, "r.id", "r.org_id IS NOT NULL, r.role_name, r.id");
    fetch_page(conn, SELECT, "FROM roles r", &w, &order, req, role_row)
}

pub fn get(conn: &Connection, id: RoleId) -> AppResult<RoleRow> {
    let sql = format!("{SELECT} FROM roles r WHERE r.id = ?1");
    conn.prepare_cached(&sql)?.query_row([id], role_row).optional()?.ok_or(AppError::NotFound)
}

pub fn by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<RoleRow>> {
    let sql = format!("{SELECT} FROM roles r WHERE r.uuid = ?1 AND r.deleted_at IS NULL");
    Ok(conn.prepare_cached(&sql)?.query_row([uuid.to_string()], role_row).optional()?)
}

/// A live role usable in `org` (built in or the org's own) by exact name, or
/// a built-in one by its former name.
pub fn by_name(conn: &Connection, org: OrgId, name: &str) -> AppResult<Option<RoleRow>> {
    let name = current_name(name);
    let sql = format!(
        "{SELECT} FROM roles r WHERE r.role_name = ?2 AND r.deleted_at IS NULL AND (r.org_id IS NULL OR r.org_id = ?1)
          ORDER BY r.org_id IS NOT NULL LIMIT 1"
    );
    Ok(conn.prepare_cached(&sql)?.query_row(params![org, name], role_row).optional()?)
}

fn name_conflict(e: rusqlite::Error) -> AppError {
    match AppError::from(e) {
        AppError::Conflict(_) => AppError::conflict("a role with this name already exists"),
        other => other,
    }
}

pub fn insert(conn: &Connection, org: OrgId, name: &str, description: &str) -> AppResult<RoleId> {
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO roles (uuid, org_id, role_name, description, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![new_uuid().to_string(), org, name, description, now])
    .map_err(name_conflict)?;
    Ok(RoleId(conn.last_insert_rowid()))
}

pub fn update(conn: &Connection, id: RoleId, name: &str, description: &str) -> AppResult<()> {
    conn.prepare_cached(
        "UPDATE roles SET role_name = ?2, description = ?3, updated_at = ?4 WHERE id = ?1 AND deleted_at IS NULL",
    )?
    .execute(params![id, name, description, time::now_db()])
    .map_err(name_conflict)?;
    Ok(())
}

/// Soft-deletes a role; its bindings and keychain links go with it.
pub fn delete(conn: &Connection, id: RoleId) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached("UPDATE roles SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1")?
        .execute(params![id, now])?;
    conn.prepare_cached("DELETE FROM role_bindings WHERE role_id = ?1")?.execute([id])?;
    conn.prepare_cached("DELETE FROM role_keychains WHERE role_id = ?1")?.execute([id])?;
    Ok(())
}

/// The built-in permissions a role grants.
pub fn perms(conn: &Connection, role: RoleId) -> AppResult<PermSet> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT k.code FROM role_keychains rk
           JOIN keychains kc ON kc.id = rk.keychain_id AND kc.deleted_at IS NULL
           JOIN keychain_keys kk ON kk.keychain_id = kc.id
           JOIN permission_keys k ON k.id = kk.key_id AND k.code IS NOT NULL AND k.deleted_at IS NULL
          WHERE rk.role_id = ?1",
    )?;
    let codes = stmt.query_map([role], |r| r.get::<_, String>(0))?;
    let mut set = PermSet::default();
    for c in codes {
        if let Some(p) = Perm::from_code(&c?) {
            set.insert(p);
        }
    }
    Ok(set)
}

pub fn add_keychain(conn: &Connection, role: RoleId, keychain: KeychainId) -> AppResult<bool> {
    let n = conn
        .prepare_cached(
            "INSERT INTO role_keychains (role_id, keychain_id, created_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        )?
        .execute(params![role, keychain, time::now_db()])?;
    Ok(n == 1)
}

pub fn remove_keychain(conn: &Connection, role: RoleId, keychain: KeychainId) -> AppResult<bool> {
    let n = conn
        .prepare_cached("DELETE FROM role_keychains WHERE role_id = ?1 AND keychain_id = ?2")?
        .execute(params![role, keychain])?;
    Ok(n == 1)
}

pub fn bind_user(conn: &Connection, org: OrgId, role: RoleId, user: UserId) -> AppResult<bool> {
    let n = conn
        .prepare_cached(
            "INSERT INTO role_bindings (uuid, org_id, role_id, user_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![new_uuid().to_string(), org, role, user, time::now_db()])?;
    Ok(n == 1)
}

pub fn bind_team(conn: &Connection, org: OrgId, role: RoleId, team: TeamId) -> AppResult<bool> {
    let n = conn
        .prepare_cached(
            "INSERT INTO role_bindings (uuid, org_id, role_id, team_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![new_uuid().to_string(), org, role, team, time::now_db()])?;
    Ok(n == 1)
}

/// Direct roles of a user in an org.
pub fn user_roles(conn: &Connection, org: OrgId, user: UserId) -> AppResult<Vec<RoleRow>> {
    let sql = format!(
        "{SELECT} FROM roles r JOIN role_bindings rb ON rb.role_id = r.id
          WHERE rb.org_id = ?1 AND rb.user_id = ?2 AND r.deleted_at IS NULL ORDER BY r.role_name"
    );
    Ok(conn.prepare_cached(&sql)?.query_map(params![org, user], role_row)?.collect::<Result<Vec<_>, _>>()?)
}

pub fn team_roles(conn: &Connection, team: TeamId) -> AppResult<Vec<RoleRow>> {
    let sql = format!(
        "{SELECT} FROM roles r JOIN role_bindings rb ON rb.role_id = r.id
          WHERE rb.team_id = ?1 AND r.deleted_at IS NULL ORDER BY r.role_name"
    );
    Ok(conn.prepare_cached(&sql)?.query_map([team], role_row)?.collect::<Result<Vec<_>, _>>()?)
}

pub fn unbind_user(conn: &Connection, org: OrgId, role: RoleId, user: UserId) -> AppResult<bool> {
    let n = conn
        .prepare_cached("DELETE FROM role_bindings WHERE org_id = ?1 AND role_id = ?2 AND user_id = ?3")?
        .execute(params![org, role, user])?;
    Ok(n == 1)
}

pub fn unbind_team(conn: &Connection, org: OrgId, role: RoleId, team: TeamId) -> AppResult<bool> {
    let n = conn
        .prepare_cached("DELETE FROM role_bindings WHERE org_id = ?1 AND role_id = ?2 AND team_id = ?3")?
        .execute(params![org, role, team])?;
    Ok(n == 1)
}

/// Drops every direct binding of a user in an org (on leaving it).
pub fn unbind_user_everywhere(conn: &Connection, org: OrgId, user: UserId) -> AppResult<()> {
    conn.prepare_cached("DELETE FROM role_bindings WHERE org_id = ?1 AND user_id = ?2")?.execute(params![org, user])?;
    Ok(())
}

/// Active members holding the organization admin role, directly or through a
/// live team: a suspended or pending admin administers nothing.
pub fn active_admin_count(conn: &Connection, org: OrgId) -> AppResult<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT count(DISTINCT m.user_id) FROM org_members m
              WHERE m.org_id = ?1 AND m.state = 'active' AND EXISTS (
                SELECT 1 FROM role_bindings rb JOIN roles r ON r.id = rb.role_id
                 WHERE r.org_id IS NULL AND r.role_name = 'organization admin' AND rb.org_id = ?1
                   AND (rb.user_id = m.user_id OR rb.team_id IN (
                        SELECT tm.team_id FROM team_members tm JOIN teams t ON t.id = tm.team_id
                         WHERE tm.user_id = m.user_id AND t.deleted_at IS NULL AND t.unmapped_at IS NULL)))",
        )?
        .query_row([org], |r| r.get(0))?)
}

/// Whether an active member holds the organization admin role in the org,
/// directly or through a live team (what `active_admin_count` counts).
pub fn is_active_admin(conn: &Connection, org: OrgId, user: UserId) -> AppResult<bool> {
    admin(conn, org, user, true)
}

/// Holds the organization admin role in the org, whatever the membership's
/// state: a suspended admin is still one once reinstated.
pub fn is_bound_admin(conn: &Connection, org: OrgId, user: UserId) -> AppResult<bool> {
    admin(conn, org, user, false)
}

fn admin(conn: &Connection, org: OrgId, user: UserId, active_only: bool) -> AppResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM org_members m
              WHERE m.org_id = ?1 AND m.user_id = ?2 AND (?3 = 0 OR m.state = 'active') AND EXISTS (
                SELECT 1 FROM role_bindings rb JOIN roles r ON r.id = rb.role_id
                 WHERE r.org_id IS NULL AND r.role_name = 'organization admin' AND rb.org_id = ?1
                   AND (rb.user_id = m.user_id OR rb.team_id IN (
                        SELECT tm.team_id FROM team_members tm JOIN teams t ON t.id = tm.team_id
                         WHERE tm.user_id = m.user_id AND t.deleted_at IS NULL AND t.unmapped_at IS NULL))))",
        )?
        .query_row(params![org, user, i64::from(active_only)], |r| r.get(0))?)
}

/// Everyone holding a role: directly, or through a live team bound to it.
pub fn holder_ids(conn: &Connection, role: RoleId) -> AppResult<Vec<UserId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT user_id FROM role_bindings WHERE role_id = ?1 AND user_id IS NOT NULL
         UNION
         SELECT tm.user_id FROM role_bindings rb JOIN team_members tm ON tm.team_id = rb.team_id
           JOIN teams t ON t.id = tm.team_id AND t.deleted_at IS NULL AND t.unmapped_at IS NULL
          WHERE rb.role_id = ?1",
    )?;
    Ok(stmt.query_map([role], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?)
}

/// Everyone holding a role that holds the keychain (as `holder_ids`).
pub fn keychain_holder_ids(conn: &Connection, keychain: KeychainId) -> AppResult<Vec<UserId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT user_id FROM role_bindings
          WHERE user_id IS NOT NULL AND role_id IN (SELECT role_id FROM role_keychains WHERE keychain_id = ?1)
         UNION
         SELECT tm.user_id FROM role_bindings rb JOIN team_members tm ON tm.team_id = rb.team_id
           JOIN teams t ON t.id = tm.team_id AND t.deleted_at IS NULL AND t.unmapped_at IS NULL
          WHERE rb.role_id IN (SELECT role_id FROM role_keychains WHERE keychain_id = ?1)",
    )?;
    Ok(stmt.query_map([keychain], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?)
}

/// Role names a user holds in an org, directly or through teams.
pub fn held_role_names(conn: &Connection, org: OrgId, user: UserId) -> AppResult<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT r.role_name FROM role_bindings rb JOIN roles r ON r.id = rb.role_id AND r.deleted_at IS NULL
          WHERE rb.org_id = ?1 AND (rb.user_id = ?2 OR rb.team_id IN (
                SELECT tm.team_id FROM team_members tm JOIN teams t ON t.id = tm.team_id
                 WHERE tm.user_id = ?2 AND t.deleted_at IS NULL AND t.unmapped_at IS NULL))
          ORDER BY r.role_name",
    )?;
    Ok(stmt.query_map(params![org, user], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?)
}
