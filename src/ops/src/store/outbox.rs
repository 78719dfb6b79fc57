//! The mail outbox. A change that sends mail writes the message here inside
//! its own write transaction; the delivery job hands it to the transport and
//! deletes it. Bodies are sealed because they can carry one-time links.

use rusqlite::{Connection, params};

use meshcloud_kernel::ids::{MailId, new_uuid};
use meshcloud_kernel::secrets::Sealer;
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult};

/// A message to send.
pub struct Mail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// Undelivered by then, the message is dropped.
    pub expires_at: Timestamp,
}

pub fn enqueue(conn: &Connection, sealer: &Sealer, m: &Mail<'_>) -> AppResult<()> {
    let uuid = new_uuid();
    let sealed = sealer.seal(m.body.as_bytes(), uuid.as_bytes())?;
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO mail_outbox (uuid, recipient, subject, body, created_at, expires_at, next_attempt_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5)",
    )?
    .execute(params![uuid.to_string(), m.to, m.subject, sealed, now, time::to_db(&m.expires_at)])?;
    Ok(())
}

/// A message due for delivery, body opened.
#[derive(Debug, Clone)]
pub struct Pending {
    pub id: MailId,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
}

/// Up to `limit` messages due now, oldest first. A body that cannot be opened
/// (the master key changed) is reported in place of the message.
pub fn due(conn: &Connection, sealer: &Sealer, limit: usize) -> AppResult<Vec<Result<Pending, MailId>>> {
    let now = time::now_db();
    let mut stmt = conn.prepare_cached(
        "SELECT id, uuid, recipient, subject, body, attempts FROM mail_outbox
          WHERE next_attempt_at <= ?1 AND expires_at > ?1 ORDER BY next_attempt_at, id LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![now, limit as i64], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Vec<u8>>(4)?,
            r.get::<_, i64>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, uuid, to, subject, sealed, attempts) = row?;
        let id = MailId(id);
        let uuid = uuid::Uuid::parse_str(&uuid).map_err(|e| AppError::Internal(format!("mail_outbox.uuid: {e}")))?;
        let opened = sealer.open(&sealed, uuid.as_bytes()).ok().and_then(|b| String::from_utf8(b).ok());
        out.push(match opened {
            Some(body) => Ok(Pending { id, to, subject, body, attempts }),
            None => Err(id),
        });
    }
    Ok(out)
}

pub fn delivered(conn: &Connection, id: MailId) -> AppResult<()> {
    conn.prepare_cached("DELETE FROM mail_outbox WHERE id = ?1")?.execute([id])?;
    Ok(())
}

/// Records a failed attempt; the next one waits longer each time (30 s
/// doubling, at most an hour) so a mail server that is down is not hammered.
pub fn failed(conn: &Connection, id: MailId, attempts: i64, error: &str) -> AppResult<()> {
    let next = time::to_db(&(time::now() + chrono::Duration::seconds(back_off(attempts))));
    conn.prepare_cached(
        "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3 WHERE id = ?1",
    )?
    .execute(params![id, next, error])?;
    Ok(())
}

/// Seconds to wait after the `attempts`+1-th failure.
fn back_off(attempts: i64) -> i64 {
    30i64.saturating_mul(1i64 << attempts.clamp(0, 7)).min(3600)
}

/// Drops messages past their expiry; returns how many.
pub fn drop_expired(conn: &Connection) -> AppResult<usize> {
    Ok(conn.prepare_cached("DELETE FROM mail_outbox WHERE expires_at <= ?1")?.execute([time::now_db()])?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use meshcloud_kernel::db::{Db, DbOptions};

    fn mail(expires_in: i64) -> Mail<'static> {
        Mail {
            to: "a@example.com",
            subject: "hello",
            body: "secret link",
            expires_at: time::now() + chrono::Duration::seconds(expires_in),
        }
    }

    #[tokio::test]
    async fn queued_failed_retried_and_expired() {
        let dir = tempfile::TempDir::new().expect("tmp");
        let db = Db::open(&dir.path().join("t.db"), DbOptions::default()).expect("open");
        let sealer = Sealer::new(&[7u8; 32]);
        let s = sealer.clone();
        db.write(move |c| {
            enqueue(c, &s, &mail(3600))?;
            enqueue(c, &s, &mail(-1))
        })
        .await
        .expect("enqueue");
        let raw: Vec<u8> =
            db.read(|c| Ok(c.query_row("SELECT body FROM mail_outbox LIMIT 1", [], |r| r.get(0))?)).await.expect("raw");
        assert!(!String::from_utf8_lossy(&raw).contains("secret"), "bodies are sealed at rest");

        let s = sealer.clone();
        let found = db.read(move |c| due(c, &s, 10)).await.expect("due");
        assert_eq!(found.len(), 1, "an expired message is not sent");
        let m = found[0].as_ref().expect("opens").clone();
        assert_eq!((m.to.as_str(), m.body.as_str(), m.attempts), ("a@example.com", "secret link", 0));
        let id = m.id;
        db.write(move |c| failed(c, id, 0, "421 try later")).await.expect("failed");
        let s = sealer.clone();
        assert!(db.read(move |c| due(c, &s, 10)).await.expect("due").is_empty(), "backing off");

        // Another master key cannot open the body: reported, not mistaken for a message.
        db.write(|c| Ok(c.execute("UPDATE mail_outbox SET next_attempt_at = '2000-01-01T00:00:00.000000Z'", [])?))
            .await
            .expect("due now");
        let other = Sealer::new(&[8u8; 32]);
        let found = db.read(move |c| due(c, &other, 10)).await.expect("due");
        assert!(matches!(found.as_slice(), [Err(_)]), "{found:?}");

        assert_eq!(db.write(drop_expired).await.expect("drop"), 1);
        db.write(move |c| delivered(c, id)).await.expect("delivered");
        let left: i64 =
            db.read(|c| Ok(c.query_row("SELECT count(*) FROM mail_outbox", [], |r| r.get(0))?)).await.expect("count");
        assert_eq!(left, 0);
    }

    #[test]
    fn back_off_doubles_to_an_hour() {
        let w = back_off;
        assert_eq!((w(0), w(1), w(3), w(7), w(40), w(-5)), (30, 60, 240, 3600, 3600, 30));
    }
}
