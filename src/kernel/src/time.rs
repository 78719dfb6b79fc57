//! Timestamps. Stored as fixed-width RFC 3339 UTC text (microseconds, `Z`) so
//! that text order is time order; rendered as RFC 3339 on every face.

use chrono::{DateTime, SecondsFormat, Utc};

pub type Timestamp = DateTime<Utc>;

pub fn now() -> Timestamp {
    Utc::now()
}

/// The stored form: `2026-01-02T03:04:05.123456Z`.
pub fn to_db(t: &Timestamp) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// `retention` before now (a purge's cutoff).
pub fn ago(retention: std::time::Duration) -> Timestamp {
    now() - chrono::Duration::from_std(retention).unwrap_or_default()
}

pub fn now_db() -> String {
    to_db(&now())
}

/// Parses the stored form (or any RFC 3339 text) back.
pub fn from_db(s: &str) -> Option<Timestamp> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}
