//! Permission keys and keychains, and the grants a user holds through them.

use std::collections::HashMap;

use meshcloud_kernel::access::{Grants, OrgGrant, Perm, PermSet};
use meshcloud_kernel::db::cols;
use meshcloud_kernel::db::query::{Where, fetch_page, order_or};
use meshcloud_kernel::db::search::SearchIndex;
use meshcloud_kernel::ids::{KeyId, KeychainId, OrgId, RoleId, TeamId, UserId, new_uuid};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};

/// Owner of the built-in catalogue: the appliance itself.
pub const APPLIANCE: uuid::Uuid = uuid::Uuid::nil();

/// The (org, role) pairs a user holds, directly or through a live team of that org.
const HELD_ROLES: &str = "SELECT rb.org_id, rb.role_id FROM role_bindings rb WHERE rb.user_id = ?1
     UNION
     SELECT rb.org_id, rb.role_id FROM role_bindings rb
       JOIN team_members tm ON tm.team_id = rb.team_id
       JOIN teams t ON t.id = tm.team_id AND t.deleted_at IS NULL AND t.unmapped_at IS NULL
      WHERE tm.user_id = ?1";

// Grant resolution runs on every cache miss and for users in thousands of
// orgs, so its plans must not depend on statistics. Each statement starts
// from the user through an index on one table; every other row is reached by
// its key in a scalar subquery, which SQLite plans on its own and, being a
// key equality on one table, without statistics (its shortcut path). A join
// would let statistics claiming `organizations` holds one row turn each of
// those lookups into a scan, even with the join order forced. Roles are
// expanded into keys once per distinct role, not once per membership: the
// built-in roles are shared by every org.

/// The user's active memberships, with the org's uuid if it is live.
const MEMBERSHIPS: &str = "SELECT m.org_id,
       (SELECT o.uuid FROM organizations o WHERE o.id = m.org_id AND o.deleted_at IS NULL)
      FROM org_members m WHERE m.user_id = ?1 AND m.state = 'active'";
/// The (org, role) pairs bound to the user directly.
const DIRECT_ROLES: &str = "SELECT rb.org_id, rb.role_id FROM role_bindings rb WHERE rb.user_id = ?1";
/// The user's teams, each with its org if it is live (not tombstoned, not
/// taken out of its org).
const TEAMS: &str = "SELECT tm.team_id,
       (SELECT t.org_id FROM teams t WHERE t.id = tm.team_id AND t.deleted_at IS NULL AND t.unmapped_at IS NULL)
      FROM team_members tm WHERE tm.user_id = ?1";
/// The roles bound to one team (in the team's org). Only indexed columns:
/// a covering index is preferred to a scan whatever the statistics say.
const TEAM_ROLES: &str = "SELECT rb.role_id FROM role_bindings rb WHERE rb.team_id = ?1";
/// One org's membership: the org's uuid if the membership is active and the org live.
const MEMBERSHIP_IN: &str = "SELECT
       (SELECT o.uuid FROM organizations o WHERE o.id = m.org_id AND o.deleted_at IS NULL)
      FROM org_members m WHERE m.org_id = ?2 AND m.user_id = ?1 AND m.state = 'active'";
const DIRECT_ROLES_IN: &str = "SELECT rb.role_id FROM role_bindings rb WHERE rb.user_id = ?1 AND rb.org_id = ?2";
/// The built-in permission codes of one live role.
const ROLE_CODES: &str = "SELECT k.code
      FROM roles r CROSS JOIN role_keychains rk CROSS JOIN keychains kc CROSS JOIN keychain_keys kk
           CROSS JOIN permission_keys k
     WHERE r.id = ?1 AND r.deleted_at IS NULL AND rk.role_id = r.id AND kc.id = rk.keychain_id
       AND kc.deleted_at IS NULL AND kk.keychain_id = kc.id AND k.id = kk.key_id
       AND k.deleted_at IS NULL AND k.code IS NOT NULL";

/// What each role grants, read once per distinct role within one resolution.
#[derive(Default)]
struct RolePerms(HashMap<RoleId, PermSet>);

impl RolePerms {
    fn of(&mut self, conn: &Connection, role: RoleId) -> AppResult<PermSet> {
        if let Some(p) = self.0.get(&role) {
            return Ok(*p);
        }
        let mut set = PermSet::default();
        let mut stmt = conn.prepare_cached(ROLE_CODES)?;
        for code in stmt.query_map([role], |r| r.get::<_, String>(0))? {
            if let Some(p) = Perm::from_code(&code?) {
                set.insert(p);
            }
        }
        self.0.insert(role, set);
        Ok(set)
    }
}

/// Every built-in permission `user` holds, per live org they are an active
/// member of. O(memberships + bindings), plus one small read per distinct role.
pub fn grants(conn: &Connection, user: UserId, provider_admin: bool) -> AppResult<Grants> {
    let mut by_id: HashMap<OrgId, (uuid::Uuid, PermSet)> = HashMap::new();
    let mut stmt = conn.prepare_cached(MEMBERSHIPS)?;
    let mut rows = stmt.query([user])?;
    while let Some(r) = rows.next()? {
        if r.get_ref(1)?.data_type() != rusqlite::types::Type::Null {
            by_id.insert(r.get(0)?, (cols::uuid(r, 1)?, PermSet::default()));
        }
    }
    let mut roles = RolePerms::default();
    let mut held = Vec::new();
    let mut stmt = conn.prepare_cached(DIRECT_ROLES)?;
    let mut rows = stmt.query([user])?;
    while let Some(r) = rows.next()? {
        held.push((r.get::<_, OrgId>(0)?, r.get::<_, RoleId>(1)?));
    }
    let teams: Vec<(TeamId, Option<OrgId>)> =
        conn.prepare_cached(TEAMS)?.query_map([user], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare_cached(TEAM_ROLES)?;
    for (team, org) in teams {
        let Some(org) = org else { continue };
        let mut rows = stmt.query([team])?;
        while let Some(r) = rows.next()? {
            held.push((org, r.get(0)?));
        }
    }
    for (org, role) in held {
        if let Some((_, perms)) = by_id.get_mut(&org) {
            *perms |= roles.of(conn, role)?;
        }
    }
    let orgs = by_id.into_iter().map(|(org, (uuid, perms))| (uuid, OrgGrant { org, perms })).collect();
    Ok(Grants { provider_admin, orgs })
}

/// What `user` holds in one org: `None` unless an active member of it and it
/// is live. Reads the user's bindings in that org and one key per team the
/// user is in, never the other memberships, so a change in one org updates
/// cached grants without resolving them all again. (Starting from the org's
/// teams instead would be a search of `teams` by org, which statistics
/// claiming `teams` is nearly empty turn into a scan.)
pub fn grant_in(conn: &Connection, user: UserId, org: OrgId) -> AppResult<Option<(uuid::Uuid, OrgGrant)>> {
    let found: Option<Option<uuid::Uuid>> = conn
        .prepare_cached(MEMBERSHIP_IN)?
        .query_row(params![user, org], |r| {
            if r.get_ref(0)?.data_type() == rusqlite::types::Type::Null { Ok(None) } else { cols::uuid(r, 0).map(Some) }
        })
        .optional()?;
    let Some(Some(uuid)) = found else { return Ok(None) };
    let mut roles = RolePerms::default();
    let mut held: Vec<RoleId> =
        conn.prepare_cached(DIRECT_ROLES_IN)?.query_map(params![user, org], |r| r.get(0))?.collect::<Result<_, _>>()?;
    let teams: Vec<(TeamId, Option<OrgId>)> =
        conn.prepare_cached(TEAMS)?.query_map([user], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    let mut roles_of = conn.prepare_cached(TEAM_ROLES)?;
    for (team, _) in teams.into_iter().filter(|(_, o)| *o == Some(org)) {
        for role in roles_of.query_map([team], |r| r.get(0))? {
            held.push(role?);
        }
    }
    let mut perms = PermSet::default();
    for role in held {
        perms |= roles.of(conn, role)?;
    }
    Ok(Some((uuid, OrgGrant { org, perms })))
}

#[derive(Debug, Clone)]
pub struct KeyRow {
    pub id: KeyId,
    pub uuid: uuid::Uuid,
    pub code: Option<String>,
    pub owner: uuid::Uuid,
    pub function: String,
    pub category: String,
    pub subcategory: String,
    pub description: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

impl KeyRow {
    pub fn builtin(&self) -> bool {
        self.code.is_some()
    }
}

pub const KEY_ORDER_FIELDS: [&str; 5] = ["function", "category", "subcategory", "created_at", "updated_at"];
const KEY_ORDER: [(&str, &str); 5] = [
    ("function", "k.function"),
    ("category", "k.category"),
    ("subcategory", "k.subcategory"),
    ("created_at", "k.created_at"),
    ("updated_at", "k.updated_at"),
];
const KEY_DEFAULT_ORDER: &str = "k.category, k.subcategory, k.function, k.id";
const KEY_SELECT: &str = "SELECT k.id, k.uuid, k.code, k.owner, k.function, k.category, k.subcategory, \
    k.description, k.created_at, k.updated_at, k.deleted_at";
const KEY_SEARCH: [&str; 4] = ["k.function", "k.category", "k.subcategory", "k.description"];
const KEY_INDEX: SearchIndex = SearchIndex { table: "permission_keys_search", rowid: "k.id", scoped: false };

fn key_row(r: &Row<'_>) -> rusqlite::Result<KeyRow> {
    Ok(KeyRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        code: r.get(2)?,
        owner: cols::uuid(r, 3)?,
        function: r.get(4)?,
        category: r.get(5)?,
        subcategory: r.get(6)?,
        description: r.get(7)?,
        created_at: cols::ts(r, 8)?,
        updated_at: cols::ts(r, 9)?,
        deleted_at: cols::ts_opt(r, 10)?,
    })
}

pub fn list_keys(conn: &Connection, req: &PageRequest) -> AppResult<Page<KeyRow>> {
    let mut w = Where::new("k.deleted_at IS NULL");
    w.search_indexed(conn, req, &KEY_INDEX, None, &KEY_SEARCH)?;
    let order = order_or(req, &KEY_ORDER, "k.id", KEY_DEFAULT_ORDER);
    fetch_page(conn, KEY_SELECT, "FROM permission_keys k", &w, &order, req, key_row)
}

pub fn key_by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<KeyRow>> {
    let sql = format!("{KEY_SELECT} FROM permission_keys k WHERE k.uuid = ?1 AND k.deleted_at IS NULL");
    Ok(conn.prepare_cached(&sql)?.query_row([uuid.to_string()], key_row).optional()?)
}

pub struct KeyFields<'a> {
    pub function: &'a str,
    pub category: &'a str,
    pub subcategory: &'a str,
    pub description: &'a str,
}

pub fn insert_key(conn: &Connection, uuid: uuid::Uuid, owner: uuid::Uuid, f: &KeyFields<'_>) -> AppResult<KeyId> {
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO permission_keys (uuid, owner, function, category, subcategory, description, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?
    .execute(params![uuid.to_string(), owner.to_string(), f.function, f.category, f.subcategory, f.description, now])?;
    Ok(KeyId(conn.last_insert_rowid()))
}

pub fn update_key(conn: &Connection, id: KeyId, f: &KeyFields<'_>) -> AppResult<()> {
    conn.prepare_cached(
        "UPDATE permission_keys SET function = ?2, category = ?3, subcategory = ?4, description = ?5, updated_at = ?6
          WHERE id = ?1 AND deleted_at IS NULL AND code IS NULL",
    )?
    .execute(params![id, f.function, f.category, f.subcategory, f.description, time::now_db()])?;
    Ok(())
}

/// Soft-deletes a custom key and takes it out of every keychain.
pub fn delete_key(conn: &Connection, id: KeyId) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached("UPDATE permission_keys SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1 AND code IS NULL")?
        .execute(params![id, now])?;
    conn.prepare_cached("DELETE FROM keychain_keys WHERE key_id = ?1")?.execute([id])?;
    Ok(())
}

/// Keys `user` holds in `org` through their roles (built-in and custom).
pub fn held_keys(conn: &Connection, org: OrgId, user: UserId, req: &PageRequest) -> AppResult<Page<KeyRow>> {
    let mut w = Where::new("k.deleted_at IS NULL");
    w.and(
        &format!(
            "k.id IN (SELECT kk.key_id FROM ({}) b
                        JOIN roles r ON r.id = b.role_id AND r.deleted_at IS NULL
                        JOIN role_keychains rk ON rk.role_id = r.id
                        JOIN keychains kc ON kc.id = rk.keychain_id AND kc.deleted_at IS NULL
                        JOIN keychain_keys kk ON kk.keychain_id = kc.id
                       WHERE b.org_id = ?)",
            HELD_ROLES.replace("?1", "?")
        ),
        [Value::Integer(user.0), Value::Integer(user.0), Value::Integer(org.0)],
    );
    w.search_indexed(conn, req, &KEY_INDEX, None, &KEY_SEARCH)?;
    let order = order_or(req, &KEY_ORDER, "k.id", KEY_DEFAULT_ORDER);
    fetch_page(conn, KEY_SELECT, "FROM permission_keys k", &w, &order, req, key_row)
}

#[derive(Debug, Clone)]
pub struct KeychainRow {
    pub id: KeychainId,
    pub uuid: uuid::Uuid,
    pub name: String,
    pub org: Option<OrgId>,
    pub owner: uuid::Uuid,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

pub const KEYCHAIN_ORDER_FIELDS: [&str; 3] = ["name", "created_at", "updated_at"];
const KEYCHAIN_ORDER: [(&str, &str); 3] =
    [("name", "kc.name"), ("created_at", "kc.created_at"), ("updated_at", "kc.updated_at")];
const KEYCHAIN_SELECT: &str =
    "SELECT kc.id, kc.uuid, kc.name, kc.org_id, kc.owner, kc.created_at, kc.updated_at, kc.deleted_at";

fn keychain_row(r: &Row<'_>) -> rusqlite::Result<KeychainRow> {
    Ok(KeychainRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        name: r.get(2)?,
        org: r.get(3)?,
        owner: cols::uuid(r, 4)?,
        created_at: cols::ts(r, 5)?,
        updated_at: cols::ts(r, 6)?,
        deleted_at: cols::ts_opt(r, 7)?,
    })
}

/// Built-in keychains and those of `org`; with `role`, only the role's.
pub fn list_keychains(
    conn: &Connection,
    org: Option<OrgId>,
    role: Option<meshcloud_kernel::ids::RoleId>,
    req: &PageRequest,
) -> AppResult<Page<KeychainRow>> {
    let mut w = Where::new("kc.deleted_at IS NULL");
    match org {
        Some(o) => w.and("kc.org_id IS NULL OR kc.org_id = ?", [Value::Integer(o.0)]),
        None => w.and("kc.org_id IS NULL", []),
    };
    if let Some(r) = role {
        w.and("kc.id IN (SELECT keychain_id FROM role_keychains WHERE role_id = ?)", [Value::Integer(r.0)]);
    }
    const SEARCH: SearchIndex = SearchIndex { table: "keychains_search", rowid: "kc.id", scoped: false };
    w.search_indexed(conn, req, &SEARCH, None, &["kc.name"])?;
    let order = order_or(req, &KEYCHAIN_ORDER, "kc.id", "kc.name, kc.id");
    fetch_page(conn, KEYCHAIN_SELECT, "FROM keychains kc", &w, &order, req, keychain_row)
}

pub fn keychain(conn: &Connection, id: KeychainId) -> AppResult<KeychainRow> {
    let sql = format!("{KEYCHAIN_SELECT} FROM keychains kc WHERE kc.id = ?1");
    conn.prepare_cached(&sql)?.query_row([id], keychain_row).optional()?.ok_or(AppError::NotFound)
}

pub fn keychain_by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<KeychainRow>> {
    let sql = format!("{KEYCHAIN_SELECT} FROM keychains kc WHERE kc.uuid = ?1 AND kc.deleted_at IS NULL");
    Ok(conn.prepare_cached(&sql)?.query_row([uuid.to_string()], keychain_row).optional()?)
}

fn name_conflict(e: rusqlite::Error) -> AppError {
    match AppError::from(e) {
        AppError::Conflict(_) => AppError::conflict("a keychain with this name already exists"),
        other => other,
    }
}

pub fn insert_keychain(conn: &Connection, org: OrgId, owner: uuid::Uuid, name: &str) -> AppResult<KeychainId> {
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO keychains (uuid, name, org_id, owner, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![new_uuid().to_string(), name, org, owner.to_string(), now])
    .map_err(name_conflict)?;
    Ok(KeychainId(conn.last_insert_rowid()))
}

pub fn rename_keychain(conn: &Connection, id: KeychainId, name: &str) -> AppResult<()> {
    conn.prepare_cached("UPDATE keychains SET name = ?2, updated_at = ?3 WHERE id = ?1 AND deleted_at IS NULL")?
        .execute(params![id, name, time::now_db()])
        .map_err(name_conflict)?;
    Ok(())
}

/// Soft-deletes a keychain and takes it off every role.
pub fn delete_keychain(conn: &Connection, id: KeychainId) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached("UPDATE keychains SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1")?
        .execute(params![id, now])?;
    conn.prepare_cached("DELETE FROM role_keychains WHERE keychain_id = ?1")?.execute([id])?;
    Ok(())
}

pub fn keychain_keys(conn: &Connection, keychain: KeychainId, req: &PageRequest) -> AppResult<Page<KeyRow>> {
    let mut w = Where::new("k.deleted_at IS NULL");
    w.and("k.id IN (SELECT key_id FROM keychain_keys WHERE keychain_id = ?)", [Value::Integer(keychain.0)]);
    w.search_indexed(conn, req, &KEY_INDEX, None, &KEY_SEARCH)?;
    let order = order_or(req, &KEY_ORDER, "k.id", KEY_DEFAULT_ORDER);
    fetch_page(conn, KEY_SELECT, "FROM permission_keys k", &w, &order, req, key_row)
}

/// The built-in permissions a keychain holds (custom keys guard nothing built in).
pub fn keychain_perms(conn: &Connection, keychain: KeychainId) -> AppResult<PermSet> {
    let mut stmt = conn.prepare_cached(
        "SELECT k.code FROM keychain_keys kk JOIN permission_keys k ON k.id = kk.key_id
          WHERE kk.keychain_id = ?1 AND k.code IS NOT NULL AND k.deleted_at IS NULL",
    )?;
    let codes = stmt.query_map([keychain], |r| r.get::<_, String>(0))?;
    let mut set = PermSet::default();
    for c in codes {
        if let Some(p) = Perm::from_code(&c?) {
            set.insert(p);
        }
    }
    Ok(set)
}

/// Adds a key to a keychain; false if it was already there.
pub fn add_keychain_key(conn: &Connection, keychain: KeychainId, key: KeyId) -> AppResult<bool> {
    let n = conn
        .prepare_cached(
            "INSERT INTO keychain_keys (keychain_id, key_id, created_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        )?
        .execute(params![keychain, key, time::now_db()])?;
    Ok(n == 1)
}

pub fn remove_keychain_key(conn: &Connection, keychain: KeychainId, key: KeyId) -> AppResult<bool> {
    let n = conn
        .prepare_cached("DELETE FROM keychain_keys WHERE keychain_id = ?1 AND key_id = ?2")?
        .execute(params![keychain, key])?;
    Ok(n == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The migration seeds exactly the catalogue the server checks, and the
    /// built-in keychains are the ones the docs describe.
    #[test]
    fn seeded_catalogue_matches_the_code() {
        let path = std::env::temp_dir().join(format!("meshcloud-catalogue-{}.db", new_uuid()));
        meshcloud_kernel::db::migrate(&path).expect("migrates");
        let conn = Connection::open(&path).expect("opens");
        let mut stmt = conn.prepare("SELECT code, function, category, subcategory FROM permission_keys").expect("sql");
        let rows: Vec<(String, String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(rows.len(), Perm::ALL.len());
        for (code, function, category, subcategory) in rows {
            let p = Perm::from_code(&code).unwrap_or_else(|| panic!("{code} is not in the catalogue"));
            assert_eq!(p.parts(), (category.as_str(), subcategory.as_str(), function.as_str()));
        }
        let chain = |name: &str| -> PermSet {
            let id: KeychainId = conn
                .query_row("SELECT id FROM keychains WHERE name = ?1 AND org_id IS NULL", [name], |r| r.get(0))
                .expect("built-in keychain");
            keychain_perms(&conn, id).expect("perms")
        };
        assert_eq!(chain("Provider administration"), PermSet::all());
        let mut org_admin = PermSet::all();
        // Appliance-wide powers: custom keys, adding existing accounts to an
        // org without their consent, creating accounts from sign-up requests,
        // setting an org's quotas, approving what the catalog publishes, confirming
        // payments and editing the plans.
        for p in [
            Perm::KeysManage,
            Perm::MembersAdd,
            Perm::SignupRead,
            Perm::SignupDecide,
            Perm::QuotasUpdate,
            Perm::CatalogApprove,
            Perm::PaymentsConfirm,
            Perm::PlansManage,
        ] {
            org_admin.remove(p);
        }
        assert_eq!(chain("Organization administration"), org_admin);
        let member = chain("Member");
        assert!(member.has(Perm::OrgRead) && !member.has(Perm::TeamsCreate) && !member.has(Perm::RolesAssign));
        drop(stmt);
        drop(conn);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
