//! The preference objects the upstream schema requires, filled in with
//! defaults where nothing is stored: what a user or an organization stored
//! wins, key by key.

use serde_json::{Map, Value, json};

use meshcloud_kernel::http::types::Time;
use poem_openapi::types::ToJSON;

fn merged(mut defaults: Map<String, Value>, stored: &Value) -> Value {
    if let Some(stored) = stored.as_object() {
        for (k, v) in stored {
            defaults.insert(k.clone(), v.clone());
        }
    }
    Value::Object(defaults)
}

/// A user's preferences: the upstream keys with defaults, then what is stored.
/// `selectedOrganizationId` mirrors `selectedOrganization` (either selects
/// the org context); the nil UUID means none is selected.
pub fn user(stored: &Value, updated_at: Time) -> Value {
    let selected = ["selectedOrganizationId", "selectedOrganization"]
        .iter()
        .find_map(|k| stored.get(*k).and_then(Value::as_str).filter(|s| !s.is_empty()))
        .map_or_else(|| uuid::Uuid::nil().to_string(), str::to_string);
    let defaults = json!({
        "anonymousUsageStats": false,
        "anonymousPerfResults": false,
        "dashboardPreferences": {},
        "selectedWorkspaceForOrganizations": {},
        "usersExtensionPreferences": {},
        "remoteProviderPreferences": {},
    });
    let Value::Object(defaults) = defaults else { return stored.clone() };
    let mut out = merged(defaults, stored);
    out["selectedOrganizationId"] = Value::String(selected);
    // When the preferences last changed is the account's, not a stored value.
    out["updated_at"] = updated_at.to_json().unwrap_or(Value::Null);
    out
}

/// An organization's `metadata.preferences`: `theme` (nil id, empty logos)
/// and `dashboard` unless stored.
pub fn org(stored: &Value) -> Value {
    let view = json!({"svg": "", "location": ""});
    let defaults = json!({
        "theme": {
            "id": uuid::Uuid::nil(),
            "logo": {"desktopView": view, "mobileView": view, "darkDesktopView": view, "darkMobileView": view},
            "vars": {},
        },
        "dashboard": {},
    });
    let Value::Object(defaults) = defaults else { return stored.clone() };
    merged(defaults, stored)
}

/// An organization's `metadata` with its preferences filled in.
pub fn org_metadata(metadata: &Value) -> Value {
    let mut out = match metadata {
        Value::Object(m) => Value::Object(m.clone()),
        _ => json!({}),
    };
    let prefs = org(out.get("preferences").unwrap_or(&Value::Null));
    out["preferences"] = prefs;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn stored_keys_win_and_defaults_fill_in() {
        let u = user(&json!({"selectedOrganization": "abc", "anonymousUsageStats": true}), Time(Utc::now()));
        assert_eq!(u["selectedOrganizationId"], "abc");
        assert_eq!(u["anonymousUsageStats"], true);
        assert_eq!(u["dashboardPreferences"], json!({}));
        let none = user(&json!({}), Time(Utc::now()));
        assert_eq!(none["selectedOrganizationId"], uuid::Uuid::nil().to_string());
        let o = org_metadata(&json!({"preferences": {"dashboard": {"x": 1}}}));
        assert_eq!(o["preferences"]["dashboard"], json!({"x": 1}));
        assert_eq!(o["preferences"]["theme"]["logo"]["mobileView"]["svg"], "");
    }
}
