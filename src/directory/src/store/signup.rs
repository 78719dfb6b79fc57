//! One-time sign-up links of pending memberships, stored as SHA-256 only.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::cols;
use meshcloud_kernel::ids::{OrgId, UserId};
use meshcloud_kernel::time::{self, Timestamp};
use rusqlite::{Connection, OptionalExtension, params};

/// Sets the membership's link, replacing an earlier one.
pub fn put(conn: &Connection, org: OrgId, user: UserId, hash: &[u8], expires_at: &Timestamp) -> AppResult<()> {
    conn.prepare_cached(
        "INSERT INTO signup_tokens (token_hash, org_id, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (org_id, user_id) DO UPDATE SET token_hash = excluded.token_hash,
            created_at = excluded.created_at, expires_at = excluded.expires_at",
    )?
    .execute(params![hash, org, user, time::now_db(), time::to_db(expires_at)])?;
    Ok(())
}

/// The membership a live link belongs to, in an organization that is not
/// being deleted.
pub struct Invitee {
    pub org: OrgId,
    pub user: UserId,
    pub user_uuid: uuid::Uuid,
    pub state: String,
}

pub fn find(conn: &Connection, hash: &[u8]) -> AppResult<Option<Invitee>> {
    Ok(conn
        .prepare_cached(
            "SELECT s.org_id, s.user_id, u.uuid, m.state FROM signup_tokens s
               JOIN org_members m ON m.org_id = s.org_id AND m.user_id = s.user_id
               JOIN users u ON u.id = s.user_id AND u.deleted_at IS NULL
               JOIN organizations o ON o.id = s.org_id AND o.deleted_at IS NULL
                    AND o.provisioning_status <> 'deprovisioning'
              WHERE s.token_hash = ?1 AND s.expires_at > ?2",
        )?
        .query_row(params![hash, time::now_db()], |r| {
            Ok(Invitee { org: r.get(0)?, user: r.get(1)?, user_uuid: cols::uuid(r, 2)?, state: r.get(3)? })
        })
        .optional()?)
}

pub fn forget(conn: &Connection, org: OrgId, user: UserId) -> AppResult<()> {
    conn.prepare_cached("DELETE FROM signup_tokens WHERE org_id = ?1 AND user_id = ?2")?.execute(params![org, user])?;
    Ok(())
}

/// Removes expired links; returns how many.
pub fn purge_expired(conn: &Connection) -> AppResult<usize> {
    Ok(conn.prepare_cached("DELETE FROM signup_tokens WHERE expires_at <= ?1")?.execute([time::now_db()])?)
}
