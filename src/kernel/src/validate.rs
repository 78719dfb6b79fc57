//! Input rules shared by every face.

use unicode_normalization::UnicodeNormalization;

use crate::AppError;

/// Trims, normalizes and bounds a required, human-entered name.
pub fn name(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    let v = optional_name(field, value, max)?;
    if v.is_empty() {
        return Err(AppError::validation(format!("{field} must not be empty")));
    }
    Ok(v)
}

/// A name that may be empty (a person's first or last name): the rules of
/// `name`. Names are stored in NFC, so that two spellings of one text are one
/// name, and may hold no character that is invisible or changes how the rest
/// is displayed (bidi controls, zero-width and other format characters, any
/// space but U+0020): two names that look alike are then the same text.
pub fn optional_name(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    let v: String = value.trim().nfc().collect();
    if let Some(c) = v.chars().find(|&c| invisible(c) || (c.is_whitespace() && c != ' ')) {
        return Err(AppError::validation(format!(
            "{field} must not contain invisible, formatting or unusual space characters (U+{:04X})",
            u32::from(c)
        )));
    }
    bounded(field, &v, max)
}

/// Bounds an optional free-text field (may be empty), in NFC. Line breaks
/// and tabs are fine; bidi controls, which can make text read as something
/// else, are not.
pub fn text(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    let v: String = value.trim().nfc().collect();
    if let Some(c) = v.chars().find(|&c| bidi_control(c)) {
        return Err(AppError::validation(format!(
            "{field} must not contain bidirectional control characters (U+{:04X})",
            u32::from(c)
        )));
    }
    bounded(field, &v, max)
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

/// Bidi embeddings, overrides, isolates and marks.
fn bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that show nothing (or nothing of their own) where they stand:
/// bidi controls, zero-width characters and joiners, the soft hyphen, fillers,
/// invisible operators, variation selectors, tag characters and other format
/// characters (general category Cf).
fn invisible(c: char) -> bool {
    bidi_control(c)
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{0600}'..='\u{0605}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08E2}'
                | '\u{115F}'..='\u{1160}'
                | '\u{17B4}'..='\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200D}'
                | '\u{2060}'..='\u{2064}'
                | '\u{206A}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{110BD}'
                | '\u{110CD}'
                | '\u{13430}'..='\u{1343F}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
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

    #[test]
    fn names_are_nfc_and_visible() {
        // "é" as e + combining acute is stored as the one precomposed character.
        assert_eq!(name("name", "Cafe\u{301}", 10).ok().as_deref(), Some("Caf\u{e9}"));
        assert_eq!(text("d", "Cafe\u{301}", 10).ok().as_deref(), Some("Caf\u{e9}"));
        for bad in ["admin\u{202E}", "ad\u{200B}min", "a\u{FEFF}", "a\u{2066}b", "a\u{00A0}b", "a\tb", "a\u{E0041}"] {
            assert!(name("name", bad, 20).is_err(), "{bad:?}");
        }
        assert!(text("d", "evil\u{202E}txt", 20).is_err());
        assert_eq!(text("d", "line\nnext", 20).ok().as_deref(), Some("line\nnext"));
        assert_eq!(optional_name("first_name", "", 20).ok().as_deref(), Some(""));
        assert_eq!(name("name", "Zoë 🙂", 20).ok().as_deref(), Some("Zoë 🙂"));
    }
}
