//! Reads of upstream sign-in providers and of the accounts they sign in.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::cols;
use meshcloud_kernel::ids::UserId;
use rusqlite::{Connection, OptionalExtension};

pub struct Upstream {
    pub uuid: uuid::Uuid,
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<Vec<u8>>,
}

const SELECT: &str = "SELECT p.uuid, p.name, p.issuer, p.client_id, p.client_secret FROM oauth2_providers p";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Upstream> {
    Ok(Upstream {
        uuid: cols::uuid(r, 0)?,
        name: r.get(1)?,
        issuer: r.get(2)?,
        client_id: r.get(3)?,
        client_secret: r.get(4)?,
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

/// A live person's account by e-mail: its row and whether it may sign in.
pub fn account(conn: &Connection, email: &str) -> AppResult<Option<(UserId, bool)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, status = 'active' FROM users
              WHERE email = lower(?1) AND deleted_at IS NULL AND kind = 'human'",
        )?
        .query_row([email], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}
