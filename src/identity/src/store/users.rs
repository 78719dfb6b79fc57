//! Users and their sign-in data.

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
pub struct UserRow {
    pub id: UserId,
    pub uuid: uuid::Uuid,
    pub email: String,
    pub user_id: String,
    pub first_name: String,
    pub last_name: String,
    pub provider: String,
    pub status: String,
    pub is_provider_admin: bool,
    pub avatar_url: Option<String>,
    pub bio: Option<String>,
    pub country: Option<serde_json::Value>,
    pub region: Option<serde_json::Value>,
    pub preferences: serde_json::Value,
    pub accepted_terms_at: Option<Timestamp>,
    pub first_login_time: Option<Timestamp>,
    pub last_login_time: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const COLUMNS: &str = "id, uuid, email, user_id, first_name, last_name, provider, status, is_provider_admin, \
    avatar_url, bio, country, region, preferences, accepted_terms_at, first_login_time, last_login_time, \
    created_at, updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        id: r.get(0)?,
        uuid: cols::uuid(r, 1)?,
        email: r.get(2)?,
        user_id: r.get(3)?,
        first_name: r.get(4)?,
        last_name: r.get(5)?,
        provider: r.get(6)?,
        status: r.get(7)?,
        is_provider_admin: r.get(8)?,
        avatar_url: r.get(9)?,
        bio: r.get(10)?,
        country: cols::json_opt(r, 11)?,
        region: cols::json_opt(r, 12)?,
        preferences: cols::json(r, 13)?,
        accepted_terms_at: cols::ts_opt(r, 14)?,
        first_login_time: cols::ts_opt(r, 15)?,
        last_login_time: cols::ts_opt(r, 16)?,
        created_at: cols::ts(r, 17)?,
        updated_at: cols::ts(r, 18)?,
    })
}

fn one(conn: &Connection, sql_where: &str, p: impl rusqlite::Params) -> AppResult<Option<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE {sql_where} AND deleted_at IS NULL");
    Ok(conn.prepare_cached(&sql)?.query_row(p, from_row).optional()?)
}

pub fn get(conn: &Connection, id: UserId) -> AppResult<UserRow> {
    one(conn, "id = ?1", [id])?.ok_or(AppError::NotFound)
}

pub fn by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<UserRow>> {
    one(conn, "uuid = ?1", [uuid.to_string()])
}

pub fn by_email(conn: &Connection, email: &str) -> AppResult<Option<UserRow>> {
    one(conn, "email = ?1", [email])
}

/// The stored password hash of a live, active user, for sign-in.
pub fn password_hash(conn: &Connection, email: &str) -> AppResult<Option<(UserId, Option<String>, String)>> {
    Ok(conn
        .prepare_cached("SELECT id, password_hash, status FROM users WHERE email = ?1 AND deleted_at IS NULL")?
        .query_row([email], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub user_id: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub password_hash: Option<&'a str>,
    pub provider_admin: bool,
}

pub fn insert(conn: &Connection, u: &NewUser<'_>) -> AppResult<(UserId, uuid::Uuid)> {
    let uuid = new_uuid();
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO users (uuid, email, user_id, first_name, last_name, password_hash, is_provider_admin, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    )?
    .execute(params![uuid.to_string(), u.email, u.user_id, u.first_name, u.last_name, u.password_hash, u.provider_admin, now])
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => AppError::conflict("email is taken: an account with this address exists"),
        other => other,
    })?;
    Ok((UserId(conn.last_insert_rowid()), uuid))
}

pub fn count(conn: &Connection) -> AppResult<i64> {
    Ok(conn.query_row("SELECT count(*) FROM users WHERE deleted_at IS NULL", [], |r| r.get(0))?)
}

pub fn set_preferences(conn: &Connection, id: UserId, prefs: &serde_json::Value) -> AppResult<()> {
    let n = conn
        .prepare_cached("UPDATE users SET preferences = ?2, updated_at = ?3 WHERE id = ?1 AND deleted_at IS NULL")?
        .execute(params![id, prefs.to_string(), time::now_db()])?;
    if n == 1 { Ok(()) } else { Err(AppError::NotFound) }
}

pub fn record_login(conn: &Connection, id: UserId) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached(
        "UPDATE users SET last_login_time = ?2, first_login_time = coalesce(first_login_time, ?2) WHERE id = ?1",
    )?
    .execute(params![id, now])?;
    Ok(())
}

/// Do two users share at least one live organization?
pub fn share_an_org(conn: &Connection, a: UserId, b: UserId) -> AppResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM org_members m1 JOIN org_members m2 ON m1.org_id = m2.org_id
               JOIN organizations o ON o.id = m1.org_id AND o.deleted_at IS NULL
              WHERE m1.user_id = ?1 AND m2.user_id = ?2)",
        )?
        .query_row([a, b], |r| r.get(0))?)
}

pub const ORDER_FIELDS: [&str; 6] = ["email", "first_name", "last_name", "user_id", "created_at", "updated_at"];
const ORDER: [(&str, &str); 6] = [
    ("email", "u.email"),
    ("first_name", "u.first_name"),
    ("last_name", "u.last_name"),
    ("user_id", "u.user_id"),
    ("created_at", "u.created_at"),
    ("updated_at", "u.updated_at"),
];

/// Which users a list holds.
pub enum Who<'a> {
    /// People (not service accounts) who are members of the org; optionally
    /// only those in a team, holding a role (directly or through a live
    /// team), or of an account status.
    OrgPeople { org: OrgId, team: Option<TeamId>, role: Option<&'a str>, status: Option<&'a str> },
    /// Members of the org who are not in the team.
    NotInTeam { org: OrgId, team: TeamId },
    /// The public directory as `viewer` (user, provider admin) sees it: public
    /// active profiles, themselves and whoever shares an org with them (a
    /// provider admin sees everyone).
    Public { viewer: Option<(UserId, bool)>, status: Option<&'a str> },
}

fn filter(who: &Who<'_>) -> Where {
    match who {
        Who::OrgPeople { org, team, role, status } => {
            let mut w = Where::default();
            w.and("u.id IN (SELECT user_id FROM org_members WHERE org_id = ?)", [Value::Integer(org.0)]);
            w.and("u.kind = 'human'", []);
            if let Some(t) = team {
                w.and("u.id IN (SELECT user_id FROM team_members WHERE team_id = ?)", [Value::Integer(t.0)]);
            }
            if let Some(role) = role {
                let role = crate::store::roles::current_name(role);
                w.and(
                    "u.id IN (SELECT rb.user_id FROM role_bindings rb JOIN roles r ON r.id = rb.role_id
                               WHERE rb.org_id = ? AND r.role_name = ? AND rb.user_id IS NOT NULL
                              UNION
                              SELECT tm.user_id FROM team_members tm
                                JOIN teams t ON t.id = tm.team_id AND t.deleted_at IS NULL AND t.unmapped_at IS NULL
                                JOIN role_bindings rb ON rb.team_id = tm.team_id
                                JOIN roles r ON r.id = rb.role_id
                               WHERE rb.org_id = ? AND r.role_name = ?)",
                    [
                        Value::Integer(org.0),
                        Value::Text(role.to_string()),
                        Value::Integer(org.0),
                        Value::Text(role.to_string()),
                    ],
                );
            }
            if let Some(s) = status {
                w.and("u.status = ?", [Value::Text(s.to_string())]);
            }
            w
        }
        Who::NotInTeam { org, team } => {
            let mut w = Where::default();
            w.and("u.id IN (SELECT user_id FROM org_members WHERE org_id = ?)", [Value::Integer(org.0)]);
            w.and("u.id NOT IN (SELECT user_id FROM team_members WHERE team_id = ?)", [Value::Integer(team.0)]);
            w
        }
        Who::Public { viewer, status } => {
            let mut w = Where::with("u.kind = 'human'", []);
            match viewer {
                Some((_, true)) => {}
                Some((id, false)) => {
                    w.and(
                        "(json_extract(u.preferences, '$.publicProfile') = 1 AND u.status = 'active')
                         OR u.id = ? OR u.id IN (SELECT b.user_id FROM org_members a
                                                   JOIN org_members b ON b.org_id = a.org_id WHERE a.user_id = ?)",
                        [Value::Integer(id.0), Value::Integer(id.0)],
                    );
                }
                None => {
                    w.and("json_extract(u.preferences, '$.publicProfile') = 1 AND u.status = 'active'", []);
                }
            }
            if let Some(s) = status {
                w.and("u.status = ?", [Value::Text(s.to_string())]);
            }
            w
        }
    }
}

/// A page of the live users `who` names.
pub fn list(conn: &Connection, who: &Who<'_>, req: &PageRequest) -> AppResult<Page<UserRow>> {
    const SEARCH: SearchIndex = SearchIndex { table: "users_search", rowid: "u.id", scoped: false };
    let mut w = filter(who);
    w.and("u.deleted_at IS NULL", []);
    w.search_indexed(conn, req, &SEARCH, None, &["u.email", "u.first_name", "u.last_name", "u.user_id"])?;
    let order = order_or(req, &ORDER, "u.id", "u.email, u.id");
    let select =
        format!("SELECT {}", COLUMNS.split(", ").map(|c| format!("u.{}", c.trim())).collect::<Vec<_>>().join(", "));
    fetch_page(conn, &select, "FROM users u", &w, &order, req, from_row)
}

pub fn set_provider_admin(conn: &Connection, id: UserId, admin: bool) -> AppResult<()> {
    conn.prepare_cached("UPDATE users SET is_provider_admin = ?2, updated_at = ?3 WHERE id = ?1")?.execute(params![
        id,
        admin,
        time::now_db()
    ])?;
    Ok(())
}

/// Live people (not service accounts) who are members of `org`: one walk of
/// the membership key, as many rows as the org has members.
pub fn count_in_org(conn: &Connection, org: OrgId) -> AppResult<u64> {
    let n: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM org_members m JOIN users u ON u.id = m.user_id
              WHERE m.org_id = ?1 AND u.kind = 'human' AND u.deleted_at IS NULL",
        )?
        .query_row([org], |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

pub fn provider_admin_count(conn: &Connection) -> AppResult<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FROM users WHERE is_provider_admin = 1 AND deleted_at IS NULL AND status = 'active'",
        )?
        .query_row([], |r| r.get(0))?)
}

/// A live user named by UUID or e-mail address.
pub fn by_ref(conn: &Connection, r: &str) -> AppResult<Option<UserRow>> {
    match uuid::Uuid::parse_str(r.trim()) {
        Ok(u) => by_uuid(conn, u),
        Err(_) => by_email(conn, &r.trim().to_lowercase()),
    }
}

/// Is the account a service account (which joins organizations through its own API)?
pub fn is_service(conn: &Connection, user: UserId) -> AppResult<bool> {
    Ok(conn.prepare_cached("SELECT kind = 'service' FROM users WHERE id = ?1")?.query_row([user], |r| r.get(0))?)
}

/// A person with no password and no names (tests' fixture).
#[cfg(test)]
#[allow(clippy::expect_used)]
pub(crate) fn insert_plain(conn: &Connection, email: &str) -> UserId {
    let new =
        NewUser { email, user_id: email, first_name: "", last_name: "", password_hash: None, provider_admin: false };
    insert(conn, &new).expect("user").0
}

/// A service account's user: no password and a synthetic address nobody
/// receives mail at; `name` is shown as its first name.
pub fn insert_service(conn: &Connection, name: &str) -> AppResult<(UserId, uuid::Uuid)> {
    let uuid = new_uuid();
    let now = time::now_db();
    let handle = format!("sa-{}", uuid.simple());
    conn.prepare_cached(
        "INSERT INTO users (uuid, email, user_id, first_name, password_hash, kind, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, NULL, 'service', ?5, ?5)",
    )?
    .execute(params![uuid.to_string(), format!("{handle}@serviceaccounts.invalid"), handle, name, now])?;
    Ok((UserId(conn.last_insert_rowid()), uuid))
}

pub fn set_first_name(conn: &Connection, id: UserId, name: &str) -> AppResult<()> {
    conn.prepare_cached("UPDATE users SET first_name = ?2, updated_at = ?3 WHERE id = ?1")?.execute(params![
        id,
        name,
        time::now_db()
    ])?;
    Ok(())
}

/// Soft-deletes an account (events keep naming it); it signs in no more.
pub fn retire(conn: &Connection, id: UserId) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached("UPDATE users SET deleted_at = ?2, updated_at = ?2, status = 'inactive' WHERE id = ?1")?
        .execute(params![id, now])?;
    Ok(())
}

/// What a password change needs to know of an account: whether it is a
/// service account, and its stored password hash (none for accounts that sign
/// in through an upstream provider).
pub fn password_state(conn: &Connection, id: UserId) -> AppResult<(bool, Option<String>)> {
    conn.prepare_cached("SELECT kind = 'service', password_hash FROM users WHERE id = ?1 AND deleted_at IS NULL")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or(AppError::NotFound)
}

pub fn set_password_hash(conn: &Connection, id: UserId, hash: &str) -> AppResult<()> {
    let n = conn
        .prepare_cached("UPDATE users SET password_hash = ?2, updated_at = ?3 WHERE id = ?1 AND deleted_at IS NULL")?
        .execute(params![id, hash, time::now_db()])?;
    if n == 1 { Ok(()) } else { Err(AppError::NotFound) }
}

/// A person's membership of an org: the account, the membership's state
/// (`active`, `pending`, `suspended`) and when it began.
#[derive(Debug, Clone)]
pub struct MembershipRow {
    pub user: UserRow,
    pub state: String,
    pub joined_at: Timestamp,
}

/// Sort keys of an org's membership list (the API7 face's member list).
pub const MEMBER_ORDER_FIELDS: [&str; 6] = ["id", "org_id", "role", "user_id", "created_at", "updated_at"];
/// `role` sorts by the first (by name) role bound to the member directly;
/// `updated_at` is the later of the membership's start and the account's
/// last change (memberships keep no change time of their own).
const MEMBER_ORDER: [(&str, &str); 6] = [
    ("id", "u.id"),
    ("org_id", "m.org_id"),
    (
        "role",
        "(SELECT min(r.role_name) FROM role_bindings rb JOIN roles r ON r.id = rb.role_id \
          WHERE rb.org_id = m.org_id AND rb.user_id = m.user_id AND r.deleted_at IS NULL)",
    ),
    ("user_id", "u.uuid"),
    ("created_at", "m.created_at"),
    ("updated_at", "CASE WHEN u.updated_at > m.created_at THEN u.updated_at ELSE m.created_at END"),
];
const MEMBERS_FROM: &str = "FROM org_members m JOIN users u ON u.id = m.user_id";

fn membership_select() -> String {
    let cols = COLUMNS.split(", ").map(|c| format!("u.{}", c.trim())).collect::<Vec<_>>().join(", ");
    format!("SELECT {cols}, m.state, m.created_at")
}

fn membership_row(r: &Row<'_>) -> rusqlite::Result<MembershipRow> {
    Ok(MembershipRow { user: from_row(r)?, state: r.get(19)?, joined_at: cols::ts(r, 20)? })
}

/// People (not service accounts) who are members of the org in any state.
pub fn memberships_of(conn: &Connection, org: OrgId, req: &PageRequest) -> AppResult<Page<MembershipRow>> {
    let mut w = Where::with("m.org_id = ?", [Value::Integer(org.0)]);
    w.and("u.kind = 'human' AND u.deleted_at IS NULL", []);
    let order = order_or(req, &MEMBER_ORDER, "u.id", "u.id ASC");
    fetch_page(conn, &membership_select(), MEMBERS_FROM, &w, &order, req, membership_row)
}

/// One person's membership of the org, in any state.
pub fn membership(conn: &Connection, org: OrgId, user: UserId) -> AppResult<Option<MembershipRow>> {
    let sql = format!(
        "{} {MEMBERS_FROM} WHERE m.org_id = ?1 AND m.user_id = ?2 AND u.kind = 'human' AND u.deleted_at IS NULL",
        membership_select()
    );
    Ok(conn.prepare_cached(&sql)?.query_row(params![org, user], membership_row).optional()?)
}
