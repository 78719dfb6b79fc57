//! Delivery of the mail outbox over SMTP. Messages are queued by the change
//! that causes them (see `meshcloud_ops::core::outbox`); this job sends what is
//! due, retries with back-off while the mail server is unreachable, and drops
//! what expired undelivered.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use meshcloud_kernel::db::Db;
use meshcloud_kernel::secrets::Sealer;
use meshcloud_ops::core::outbox::{self as mail, Pending};
use tracing::warn;

/// Messages sent per run; the rest wait for the next one.
const BATCH: usize = 50;
const TIMEOUT: Duration = Duration::from_secs(30);

/// Refuses settings that could never deliver anything, at start-up rather
/// than on the first message.
pub fn check_settings(smtp_url: Option<&str>, from: Option<&str>) -> Result<(), String> {
    if let Some(u) = smtp_url {
        AsyncSmtpTransport::<Tokio1Executor>::from_url(u)
            .map_err(|e| format!("smtp_url must be an smtp:// or smtps:// URL: {e}"))?;
    }
    if let Some(f) = from {
        f.parse::<Mailbox>()
            .map_err(|e| format!("mail_from must be an address such as \"Cloud <cloud@example.com>\": {e}"))?;
    }
    Ok(())
}

/// The sender when none is configured: `meshcloud@` the public host.
pub fn default_from(public_url: &str) -> String {
    let host = url::Url::parse(public_url).ok().and_then(|u| u.host_str().map(str::to_string));
    let host = host.filter(|h| h.contains('.') && !h.chars().all(|c| c.is_ascii_digit() || c == '.'));
    format!("meshcloud@{}", host.unwrap_or_else(|| "localhost".into()))
}

#[derive(Clone)]
pub struct Mailer {
    db: Db,
    sealer: Sealer,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(db: Db, sealer: Sealer, smtp_url: &str, from: &str) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| format!("smtp_url: {e}"))?
            .timeout(Some(TIMEOUT))
            .build();
        let from = from.parse().map_err(|e| format!("mail_from: {e}"))?;
        Ok(Mailer { db, sealer, transport, from })
    }

    /// One delivery run; returns what it did, for the job's record.
    pub async fn deliver(&self) -> Result<crate::scheduler::Outcome, String> {
        let dropped = self.db.write(mail::drop_expired).await.map_err(|e| e.to_string())?;
        if dropped > 0 {
            warn!(dropped, "mail expired before it could be delivered");
        }
        let sealer = self.sealer.clone();
        let due = self.db.read(move |c| mail::due(c, &sealer, BATCH)).await.map_err(|e| e.to_string())?;
        let (mut sent, mut failed) = (0, 0);
        for item in due {
            let outcome = match item {
                Ok(m) => {
                    let result = self.send(&m).await;
                    (m.id, m.attempts, result)
                }
                // Sealed under another master key: it can never be read again.
                Err(id) => (id, 0, Err(Failure::Permanent("the message cannot be opened with this master key".into()))),
            };
            let (id, attempts, result) = outcome;
            let write = match result {
                Ok(()) => {
                    sent += 1;
                    self.db.write(move |c| mail::delivered(c, id)).await
                }
                Err(Failure::Permanent(e)) => {
                    failed += 1;
                    warn!(id = id.0, error = %e, "dropping mail that cannot be delivered");
                    self.db.write(move |c| mail::delivered(c, id)).await
                }
                Err(Failure::Transient(e)) => {
                    failed += 1;
                    warn!(id = id.0, error = %e, "mail delivery failed; it will be retried");
                    self.db.write(move |c| mail::failed(c, id, attempts, &e)).await
                }
            };
            write.map_err(|e| e.to_string())?;
        }
        let message = format!("sent {sent} messages, {failed} failed, {dropped} expired undelivered");
        Ok(crate::scheduler::Outcome::counted(sent + failed + dropped, message))
    }

    async fn send(&self, m: &Pending) -> Result<(), Failure> {
        let to: Mailbox = m.to.parse().map_err(|e| Failure::Permanent(format!("recipient {}: {e}", m.to)))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.clone())
            .message_id(None)
            .header(ContentType::TEXT_PLAIN)
            .body(m.body.clone())
            .map_err(|e| Failure::Permanent(e.to_string()))?;
        // Even a 5xx is retried until the message expires: it is as likely to
        // be the server's configuration (authentication, relaying) as the
        // recipient, and a fixed server should still deliver the invitation.
        self.transport.send(message).await.map(|_| ()).map_err(|e| Failure::Transient(e.to_string()))
    }
}

enum Failure {
    Permanent(String),
    Transient(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked() {
        assert!(check_settings(Some("smtp://mail.example.com:25"), Some("Cloud <cloud@example.com>")).is_ok());
        assert!(check_settings(Some("smtps://user:pw@mail.example.com"), None).is_ok());
        assert!(check_settings(Some("http://mail.example.com"), None).is_err());
        assert!(check_settings(None, Some("nobody")).is_err());
    }

    #[test]
    fn default_sender_uses_the_public_host() {
        assert_eq!(default_from("https://cloud.example.com"), "meshcloud@cloud.example.com");
        assert_eq!(default_from("http://127.0.0.1:9876"), "meshcloud@localhost");
    }
}
