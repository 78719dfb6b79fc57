//! Checks of the effective configuration: ranges, schedules, URLs, and the
//! periods the server computes expiries from.

use std::time::Duration;

use super::Config;

impl Config {
    /// Refuses values the server cannot run with, naming the key and its
    /// allowed range. `load` calls it, and so does the server before it starts.
    pub fn validate(&self) -> Result<(), String> {
        for (key, value, min, max) in self.bounded() {
            if !(min..=max).contains(&value) {
                return Err(format!("{key} must be between {min} and {max}, not {value}"));
            }
        }
        if let Some(k) = &self.master_key {
            meshcloud_kernel::secrets::parse_key(k).map_err(|e| format!("MESHCLOUD_MASTER_KEY: {e}"))?;
        }
        for (key, expr) in [
            ("purge_schedule", &self.purge_schedule),
            ("token_cleanup_schedule", &self.token_cleanup_schedule),
            ("event_retention_schedule", &self.event_retention_schedule),
            ("backup_schedule", &self.backup_schedule),
            ("provisioning_schedule", &self.provisioning_schedule),
            ("signing_key_schedule", &self.signing_key_schedule),
            ("mail_schedule", &self.mail_schedule),
            ("domain_check_schedule", &self.domain_check_schedule),
            ("billing_schedule", &self.billing_schedule),
            ("certificate_expiry_schedule", &self.certificate_expiry_schedule),
        ] {
            if !expr.trim().is_empty() {
                meshcloud_kernel::cron::Cron::parse(expr).map_err(|e| format!("{key}: {e}"))?;
            }
        }
        crate::mail::check_settings(self.smtp_url.as_deref(), self.mail_from.as_deref())?;
        if self.metrics_token.as_deref().is_some_and(|t| t.trim().len() < 16) {
            return Err("metrics_token must be at least 16 characters".into());
        }
        if let Some(r) = &self.dns_resolver {
            r.parse::<std::net::SocketAddr>().map_err(|_| format!("dns_resolver must be ip:port, not {r:?}"))?;
        }
        if let Some(u) = &self.public_url {
            // Parsed too: the issuer's path prefix and the default mail sender
            // are taken from it, and must not quietly fall back to defaults.
            let parses = url::Url::parse(u).is_ok_and(|p| p.host_str().is_some());
            let ok = (u.starts_with("http://") || u.starts_with("https://")) && !u.ends_with('/') && parses;
            if !ok {
                return Err("public_url must be an http(s) URL without a trailing slash".into());
            }
        }
        meshcloud_content::service::url_import::check_hosts(&self.url_import_hosts)?;
        let prefix_ok = self.invoice_prefix.len() <= 16
            && self.invoice_prefix.chars().all(|c| c.is_ascii_alphanumeric() || "-_/.".contains(c));
        if !prefix_ok {
            return Err("invoice_prefix must be at most 16 letters, digits or - _ / .".into());
        }
        match (&self.stripe_secret_key, &self.stripe_webhook_secret) {
            (Some(_), None) | (None, Some(_)) => {
                return Err("set both stripe_secret_key and stripe_webhook_secret, or neither".into());
            }
            (Some(k), Some(w)) if k.trim().is_empty() || w.trim().is_empty() => {
                return Err("stripe_secret_key and stripe_webhook_secret must not be empty".into());
            }
            _ => {}
        }
        // An unusable filter would otherwise be replaced by "info" unnoticed.
        tracing_subscriber::EnvFilter::try_new(&self.log).map_err(|e| format!("log: {e}"))?;
        Ok(())
    }

    /// Every numeric key with its allowed range. The longest periods (100
    /// years) stay far inside what timestamps can hold, so no expiry or
    /// cutoff computed from them can overflow.
    fn bounded(&self) -> [(&'static str, u64, u64, u64); 20] {
        // A usize too large for u64 is out of every range below.
        let n = |v: usize| u64::try_from(v).unwrap_or(u64::MAX);
        [
            ("db_readers", n(self.db_readers), 1, 64),
            ("session_ttl_hours", self.session_ttl_hours, 1, 24 * 90),
            ("backup_keep", n(self.backup_keep), 1, 1000),
            ("event_retention_days", self.event_retention_days, 1, 36_500),
            ("purge_after_days", self.purge_after_days, 1, 36_500),
            ("refresh_token_days", self.refresh_token_days, 1, 3650),
            ("signing_key_rotation_days", self.signing_key_rotation_days, 1, 3650),
            ("service_account_days", self.service_account_days, 1, 3650),
            ("signup_link_hours", self.signup_link_hours, 1, 24 * 30),
            ("header_read_timeout_secs", self.header_read_timeout_secs, 1, 300),
            ("keep_alive_timeout_secs", self.keep_alive_timeout_secs, 1, 3600),
            ("body_read_timeout_secs", self.body_read_timeout_secs, 1, 3600),
            ("write_timeout_secs", self.write_timeout_secs, 1, 3600),
            ("max_connections", n(self.max_connections), 1, 100_000),
            ("max_pending_signups", n(self.max_pending_signups), 1, 1_000_000),
            ("url_import_timeout_secs", self.url_import_timeout_secs, 1, 600),
            ("payment_terms_days", self.payment_terms_days, 1, 365),
            ("incomplete_expiry_days", self.incomplete_expiry_days, 1, 365),
            ("dunning_retries", self.dunning_retries, 0, 20),
            ("dunning_interval_days", self.dunning_interval_days, 1, 90),
        ]
    }

    /// The configured periods as durations, each checked to fit both the
    /// clock and a timestamp offset: an expiry or a purge cutoff is never
    /// computed from a value that wrapped or was replaced by zero.
    pub fn periods(&self) -> Result<Periods, String> {
        const HOUR: u64 = 3600;
        const DAY: u64 = 24 * HOUR;
        Ok(Periods {
            session_ttl: period("session_ttl_hours", self.session_ttl_hours, HOUR)?,
            purge_after: period("purge_after_days", self.purge_after_days, DAY)?,
            event_retention: period("event_retention_days", self.event_retention_days, DAY)?,
            refresh_token: period("refresh_token_days", self.refresh_token_days, DAY)?,
            signing_key_rotation: period("signing_key_rotation_days", self.signing_key_rotation_days, DAY)?,
            service_account: period("service_account_days", self.service_account_days, DAY)?,
            signup_link: period("signup_link_hours", self.signup_link_hours, HOUR)?,
            header_read_timeout: period("header_read_timeout_secs", self.header_read_timeout_secs, 1)?,
            keep_alive_timeout: period("keep_alive_timeout_secs", self.keep_alive_timeout_secs, 1)?,
            body_read_timeout: period("body_read_timeout_secs", self.body_read_timeout_secs, 1)?,
            write_timeout: period("write_timeout_secs", self.write_timeout_secs, 1)?,
        })
    }
}

/// The configured periods, from `Config::periods`.
#[derive(Debug, Clone, Copy)]
pub struct Periods {
    pub session_ttl: Duration,
    pub purge_after: Duration,
    pub event_retention: Duration,
    pub refresh_token: Duration,
    pub signing_key_rotation: Duration,
    pub service_account: Duration,
    pub signup_link: Duration,
    pub header_read_timeout: Duration,
    pub keep_alive_timeout: Duration,
    pub body_read_timeout: Duration,
    pub write_timeout: Duration,
}

/// `count` periods of `unit_secs` seconds, or an error naming `key` when the
/// product cannot be represented (never a wrapped or zero duration).
fn period(key: &str, count: u64, unit_secs: u64) -> Result<Duration, String> {
    let d = count.checked_mul(unit_secs).map(Duration::from_secs);
    match d.filter(|d| chrono::Duration::from_std(*d).is_ok()) {
        Some(d) if count > 0 => Ok(d),
        _ => Err(format!("{key} is out of range: {count}")),
    }
}

/// A URL with its password (if any) replaced, for logs.
pub(super) fn redact_url(u: &str) -> String {
    match url::Url::parse(u) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("redacted"));
            }
            parsed.to_string()
        }
        Err(_) => "<unparsable>".into(),
    }
}
