//! Input rules shared by every face.

use crate::AppError;

/// Trims and bounds a required, human-entered name.
pub fn name(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::validation(format!("{field} must not be empty")));
    }
    bounded(field, v, max)
}

/// Bounds an optional free-text field (may be empty).
pub fn text(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    bounded(field, value.trim(), max)
}

fn bounded(field: &str, v: &str, max: usize) -> Result<String, AppError> {
    if v.chars().count() > max {
        return Err(AppError::validation(format!("{field} must be at most {max} characters")));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(AppError::validation(format!("{field} must not contain control characters")));
    }
    Ok(v.to_string())
}

/// A plausible e-mail address, lower-cased. Deliverability is not our concern;
/// a shape that cannot be an address is.
pub fn email(value: &str) -> Result<String, AppError> {
    let v = value.trim().to_lowercase();
    let ok = v.len() <= 254
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        })
        && !v.chars().any(|c| c.is_whitespace() || c.is_control())
        && v.matches('@').count() == 1;
    if ok { Ok(v) } else { Err(AppError::validation("email is not a valid address")) }
}

/// A DNS domain name, lower-cased, for organization domain discovery.
pub fn domain(value: &str) -> Result<String, AppError> {
    let v = value.trim().trim_end_matches('.').to_lowercase();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if v.len() <= 253 && v.contains('.') && v.split('.').all(label_ok) {
        Ok(v)
    } else {
        Err(AppError::validation("domain is not a valid DNS name"))
    }
}

/// Parses a UUID given as text in a query or body, naming the field on failure.
pub fn uuid(field: &str, value: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(value.trim()).map_err(|_| AppError::validation(format!("{field} must be a UUID")))
}

/// A JSON value that must be an object (preferences, metadata).
pub fn json_object(field: &str, value: &serde_json::Value) -> Result<(), AppError> {
    if value.is_object() { Ok(()) } else { Err(AppError::validation(format!("{field} must be a JSON object"))) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(email(" A@Example.COM ").ok().as_deref(), Some("a@example.com"));
        assert!(email("nope").is_err());
        assert!(email("a@b").is_err());
        assert!(email("a@@b.c").is_err());
        assert!(email("a b@c.d").is_err());
    }

    #[test]
    fn domains() {
        assert_eq!(domain("Example.COM.").ok().as_deref(), Some("example.com"));
        assert!(domain("localhost").is_err());
        assert!(domain("-a.com").is_err());
        assert!(domain("a..com").is_err());
    }

    #[test]
    fn names() {
        assert!(name("name", "   ", 10).is_err());
        assert!(name("name", "abcdefghijk", 10).is_err());
        assert_eq!(name("name", " ok ", 10).ok().as_deref(), Some("ok"));
        assert!(text("d", "bad\u{0}", 10).is_err());
    }
}
