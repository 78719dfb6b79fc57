//! Timestamps. Stored as fixed-width RFC 3339 UTC text (microseconds, `Z`) so
//! that text order is time order; rendered as RFC 3339 on every face.

use chrono::{DateTime, SecondsFormat, Utc};

use crate::{AppError, AppResult};

pub type Timestamp = DateTime<Utc>;

pub fn now() -> Timestamp {
    Utc::now()
}

/// The stored form: `2026-01-02T03:04:05.123456Z`.
pub fn to_db(t: &Timestamp) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// `d` as a signed span. Settings are validated at start-up, so one that
/// does not fit is a bug: an error, never a zero span (which would expire
/// everything at once or purge everything).
pub fn span(d: std::time::Duration) -> AppResult<chrono::Duration> {
    chrono::Duration::from_std(d).map_err(|_| AppError::internal(format!("period out of range: {d:?}")))
}

/// `ttl` from now (an expiry).
pub fn after(ttl: std::time::Duration) -> AppResult<Timestamp> {
    now().checked_add_signed(span(ttl)?).ok_or_else(|| AppError::internal(format!("expiry out of range: {ttl:?}")))
}

/// `retention` before now (a purge's cutoff).
pub fn ago(retention: std::time::Duration) -> AppResult<Timestamp> {
    now()
        .checked_sub_signed(span(retention)?)
        .ok_or_else(|| AppError::internal(format!("cutoff out of range: {retention:?}")))
}

pub fn now_db() -> String {
    to_db(&now())
}

/// Parses the stored form (or any RFC 3339 text) back.
pub fn from_db(s: &str) -> Option<Timestamp> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}
