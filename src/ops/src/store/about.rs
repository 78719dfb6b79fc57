//! Events about one row (a workspace's event list on the Layer5 face).

use meshcloud_kernel::AppResult;
use meshcloud_kernel::db::cols;
use meshcloud_kernel::db::query::{Where, fetch_page, order_or};
use meshcloud_kernel::ids::OrgId;
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::time::Timestamp;
use rusqlite::Connection;
use rusqlite::types::Value;

/// An event as the Layer5 event lists show it, with the actor's name.
#[derive(Debug, Clone)]
pub struct AboutRow {
    pub uuid: uuid::Uuid,
    pub actor: Option<uuid::Uuid>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub provider: String,
    pub category: String,
    pub action: String,
    pub description: String,
    pub created_at: Timestamp,
}

pub const ORDER_FIELDS: [&str; 3] = ["created_at", "category", "action"];

/// Events of `category` in `org` that acted upon `target`, newest first unless
/// `req` orders otherwise. Org and category matter: ids of other kinds of
/// rows (some chosen by clients) may collide with `target`.
pub fn about(
    conn: &Connection,
    org: OrgId,
    category: &str,
    target: uuid::Uuid,
    req: &PageRequest,
) -> AppResult<Page<AboutRow>> {
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
            Ok(AboutRow {
                uuid: cols::uuid(r, 0)?,
                actor: cols::uuid_opt(r, 1)?,
                first_name: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                last_name: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                email: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                provider: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                category: r.get(6)?,
                action: r.get(7)?,
                description: r.get(8)?,
                created_at: cols::ts(r, 9)?,
            })
        },
    )
}
