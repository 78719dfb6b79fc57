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

/// An event as the Layer5 event lists show it, with the actor's name.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub uuid: uuid::Uuid,
    pub actor: Option<uuid::Uuid>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub provider: String,
    pub category: String,
    pub action: String,
    pub description: String,
    pub created_at: crate::time::Timestamp,
}

pub const ORDER_FIELDS: [&str; 3] = ["created_at", "category", "action"];

/// Events of `category` in `org` that acted upon `target`, newest first unless
/// `req` orders otherwise. Org and category matter: ids of other kinds of
/// rows (some chosen by clients) may collide with `target`.
pub fn about(
    conn: &Connection,
    org: crate::ids::OrgId,
    category: &str,
    target: uuid::Uuid,
    req: &crate::page::PageRequest,
) -> AppResult<crate::page::Page<EventRow>> {
    use crate::db::query::{Where, fetch_page, order_or};
    use rusqlite::types::Value;
    let mut w = Where::with("e.acted_upon = ?", [Value::Text(target.to_string())]);
    w.and("e.org_id = ?", [Value::Integer(org.0)]);
    w.and("e.category = ?", [Value::Text(category.to_string())]);
    w.and("e.deleted_at IS NULL", []);
    w.search(req, &["e.description", "e.category", "e.action"]);
    let order = order_or(
        req,
        &[("created_at", "e.id"), ("category", "e.category"), ("action", "e.action")],
        "e.id",
        "e.id DESC",
    );
    fetch_page(
        conn,
        "SELECT e.uuid, u.uuid, u.first_name, u.last_name, u.email, u.provider, e.category, e.action, e.description, \
         e.created_at",
        "FROM events e LEFT JOIN users u ON u.id = e.user_id",
        &w,
        &order,
        req,
        |r| {
            Ok(EventRow {
                uuid: crate::db::cols::uuid(r, 0)?,
                actor: crate::db::cols::uuid_opt(r, 1)?,
                first_name: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                last_name: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                email: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                provider: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                category: r.get(6)?,
                action: r.get(7)?,
                description: r.get(8)?,
                created_at: crate::db::cols::ts(r, 9)?,
            })
        },
    )
}
