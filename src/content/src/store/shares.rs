//! Shares: which users, teams and organizations may read or edit a design,
//! view or filter beyond its organization's own rules.

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::cols;
use meshcloud_kernel::ids::UserId;
use meshcloud_kernel::time::{self, Timestamp};
use rusqlite::types::Value;
use rusqlite::{Connection, params, params_from_iter};

#[derive(Debug, Clone)]
pub struct ShareRow {
    pub actor_uuid: uuid::Uuid,
    pub access: String,
    pub created_at: Timestamp,
}

/// The strongest access any of `actors` holds on the item (`edit` over `read`).
pub fn access_for(conn: &Connection, kind: &str, uuid: &str, actors: &[String]) -> AppResult<Option<String>> {
    if actors.is_empty() {
        return Ok(None);
    }
    let marks = vec!["?"; actors.len()].join(", ");
    let sql = format!(
        "SELECT max(CASE access WHEN 'edit' THEN 2 ELSE 1 END) FROM shares
          WHERE resource_type = ? AND resource_uuid = ? AND actor_uuid IN ({marks})"
    );
    let mut args = vec![Value::Text(kind.into()), Value::Text(uuid.into())];
    args.extend(actors.iter().map(|a| Value::Text(a.clone())));
    let best: Option<i64> = conn.prepare_cached(&sql)?.query_row(params_from_iter(args), |r| r.get(0))?;
    Ok(best.map(|b| if b == 2 { "edit" } else { "read" }.to_string()))
}

/// Shares the item with an actor, or changes the access of an existing share.
pub fn put(
    conn: &Connection,
    kind: &str,
    uuid: &str,
    actor_type: &str,
    actor: uuid::Uuid,
    access: &str,
    by: UserId,
) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO shares (resource_type, resource_uuid, actor_type, actor_uuid, access, shared_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
         ON CONFLICT (resource_type, resource_uuid, actor_type, actor_uuid)
         DO UPDATE SET access = excluded.access, shared_by = excluded.shared_by, updated_at = excluded.updated_at",
    )?
    .execute(params![kind, uuid, actor_type, actor.to_string(), access, by, now])?;
    Ok(())
}

/// Takes a share back; whether there was one.
pub fn remove(conn: &Connection, kind: &str, uuid: &str, actor_type: &str, actor: uuid::Uuid) -> AppResult<bool> {
    let n = conn
        .prepare_cached(
            "DELETE FROM shares WHERE resource_type = ?1 AND resource_uuid = ?2 AND actor_type = ?3 AND actor_uuid = ?4",
        )?
        .execute(params![kind, uuid, actor_type, actor.to_string()])?;
    Ok(n > 0)
}

/// The actors of one type an item is shared with, oldest share first.
pub fn of_item(conn: &Connection, kind: &str, uuid: &str, actor_type: &str) -> AppResult<Vec<ShareRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT actor_uuid, access, created_at FROM shares
          WHERE resource_type = ?1 AND resource_uuid = ?2 AND actor_type = ?3 ORDER BY created_at, actor_uuid",
    )?;
    let rows = stmt.query_map(params![kind, uuid, actor_type], |r| {
        Ok(ShareRow { actor_uuid: cols::uuid(r, 0)?, access: r.get(1)?, created_at: cols::ts(r, 2)? })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// SQL condition (with its parameters) on an item's UUID column: the item is
/// shared with one of `actors`.
pub fn shared_with(column: &str, kind: &str, actors: &[String]) -> (String, Vec<Value>) {
    let marks = vec!["?"; actors.len().max(1)].join(", ");
    let sql =
        format!("{column} IN (SELECT resource_uuid FROM shares WHERE resource_type = ? AND actor_uuid IN ({marks}))");
    let mut args = vec![Value::Text(kind.into())];
    if actors.is_empty() {
        args.push(Value::Null);
    }
    args.extend(actors.iter().map(|a| Value::Text(a.clone())));
    (sql, args)
}

/// Drops the shares of items no longer stored (after a purge).
pub fn prune(conn: &Connection) -> AppResult<usize> {
    let n = conn.execute(
        "DELETE FROM shares WHERE
            (resource_type = 'design' AND resource_uuid NOT IN (SELECT uuid FROM designs))
         OR (resource_type = 'view' AND resource_uuid NOT IN (SELECT uuid FROM views))
         OR (resource_type = 'filter' AND resource_uuid NOT IN (SELECT uuid FROM filters))",
        [],
    )?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// After a purge, the shares of items gone go too; the others stay.
    #[test]
    fn prune_drops_the_shares_of_items_no_longer_stored() {
        let dir = std::env::temp_dir().join(format!("meshcloud-shares-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("t.db");
        meshcloud_kernel::db::migrate(&path).expect("migrates");
        // Without foreign keys no org or user rows are needed.
        let conn = Connection::open(&path).expect("opens");
        conn.execute_batch("PRAGMA foreign_keys = OFF").expect("pragma");
        let (kept, gone) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
        conn.execute(
            "INSERT INTO views (uuid, org_id, name, created_at, updated_at) VALUES (?1, 1, 'v', 'now', 'now')",
            [kept.to_string()],
        )
        .expect("view");
        let actor = uuid::Uuid::new_v4();
        for (kind, item) in [("view", kept), ("view", gone), ("design", kept), ("filter", gone)] {
            put(&conn, kind, &item.to_string(), "user", actor, "read", UserId(1)).expect("share");
        }
        assert_eq!(prune(&conn).expect("prune"), 3);
        let left = access_for(&conn, "view", &kept.to_string(), &[actor.to_string()]).expect("access");
        assert_eq!(left.as_deref(), Some("read"));
        drop(conn);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
