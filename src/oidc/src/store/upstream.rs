//! Reads of upstream sign-in providers and of the accounts they sign in.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::cols;
use meshcloud_kernel::ids::UserId;
use meshcloud_kernel::time::{self, Timestamp};
use rusqlite::{Connection, OptionalExtension};

pub struct Upstream {
    pub uuid: uuid::Uuid,
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<Vec<u8>>,
    /// An organization's own provider (not a global one).
    pub org_scoped: bool,
    /// For an organization's own provider: the domain whose addresses it may
    /// vouch for, while the organization signs in with it.
    pub vouches_for: Option<String>,
}

const SELECT: &str = "SELECT p.uuid, p.name, p.issuer, p.client_id, p.client_secret, p.org_id IS NOT NULL, \
    (SELECT b.domain FROM organizations b WHERE b.id = p.org_id AND b.deleted_at IS NULL \
        AND b.provider_scope = 'organization' AND b.provider_id = p.uuid) \
    FROM oauth2_providers p";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Upstream> {
    Ok(Upstream {
        uuid: cols::uuid(r, 0)?,
        name: r.get(1)?,
        issuer: r.get(2)?,
        client_id: r.get(3)?,
        client_secret: r.get(4)?,
        org_scoped: r.get(5)?,
        vouches_for: r.get(6)?,
    })
}

/// The provider an org whose domain is `domain` signs its users in with.
pub fn for_domain(conn: &Connection, domain: &str) -> AppResult<Option<Upstream>> {
    Ok(conn
        .prepare_cached(&format!(
            "{SELECT} JOIN organizations o ON o.domain = ?1 AND o.deleted_at IS NULL AND o.provider_id = p.uuid
              WHERE (o.provider_scope = 'organization' AND p.org_id = o.id)
                 OR (coalesce(o.provider_scope, 'global') = 'global' AND p.org_id IS NULL)"
        ))?
        .query_row([domain], from_row)
        .optional()?)
}

/// A global provider chosen on the sign-in page.
pub fn global(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<Upstream>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE p.uuid = ?1 AND p.org_id IS NULL"))?
        .query_row([uuid.to_string()], from_row)
        .optional()?)
}

/// Any provider by id (the one an upstream sign-in was started with).
pub fn by_uuid(conn: &Connection, uuid: uuid::Uuid) -> AppResult<Option<Upstream>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE p.uuid = ?1"))?
        .query_row([uuid.to_string()], from_row)
        .optional()?)
}

pub fn globals(conn: &Connection) -> AppResult<Vec<Upstream>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE p.org_id IS NULL ORDER BY p.name"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A live person's account, found by e-mail.
pub struct Account {
    pub id: UserId,
    /// May sign in at all.
    pub active: bool,
    pub provider_admin: bool,
}

pub fn account(conn: &Connection, email: &str) -> AppResult<Option<Account>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, status = 'active', is_provider_admin FROM users
              WHERE email = lower(?1) AND deleted_at IS NULL AND kind = 'human'",
        )?
        .query_row([email], |r| Ok(Account { id: r.get(0)?, active: r.get(1)?, provider_admin: r.get(2)? }))
        .optional()?)
}

/// Marks a one-time state as redeemed; false when it already was.
pub fn redeem_state(conn: &Connection, id: &str, expires_at: &Timestamp) -> AppResult<bool> {
    let n = conn
        .prepare_cached("INSERT INTO oidc_used_states (id, expires_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING")?
        .execute(rusqlite::params![id, time::to_db(expires_at)])?;
    Ok(n == 1)
}

/// Forgets redeemed states that could no longer be presented anyway.
pub fn purge_used_states(conn: &Connection, now: &Timestamp) -> AppResult<usize> {
    Ok(conn.prepare_cached("DELETE FROM oidc_used_states WHERE expires_at < ?1")?.execute([time::to_db(now)])?)
}
