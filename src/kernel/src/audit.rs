//! The audit writer. Every mutation calls `record` inside the same write
//! transaction as the change, so the log and the data never disagree.

use rusqlite::{Connection, params};

use crate::ids::{OrgId, UserId, new_uuid};
use crate::{AppResult, time};

/// One audit entry.
pub struct Event<'a> {
    pub org: Option<OrgId>,
    pub actor: Option<UserId>,
    pub category: &'a str,
    pub action: &'a str,
    pub acted_upon: Option<uuid::Uuid>,
    pub description: String,
    pub metadata: serde_json::Value,
}

impl<'a> Event<'a> {
    pub fn new(category: &'a str, action: &'a str, actor: Option<UserId>) -> Self {
        Event {
            org: None,
            actor,
            category,
            action,
            acted_upon: None,
            description: String::new(),
            metadata: serde_json::Value::Object(Default::default()),
        }
    }

    pub fn org(mut self, org: OrgId) -> Self {
        self.org = Some(org);
        self
    }

    pub fn on(mut self, target: uuid::Uuid) -> Self {
        self.acted_upon = Some(target);
        self
    }

    pub fn describe(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }

    pub fn meta(mut self, metadata: serde_json::Value) -> Self {
        self.metadata = metadata;
        self
    }
}

pub fn record(conn: &Connection, e: Event<'_>) -> AppResult<()> {
    let now = time::now_db();
    conn.prepare_cached(
        "INSERT INTO events (uuid, org_id, user_id, category, action, acted_upon, description, metadata, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(params![
        new_uuid().to_string(),
        e.org,
        e.actor,
        e.category,
        e.action,
        e.acted_upon.map(|u| u.to_string()),
        e.description,
        e.metadata.to_string(),
        now,
    ])?;
    Ok(())
}
