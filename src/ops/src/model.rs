//! Wire DTOs of the Layer5 face for events and schedules.

use meshcloud_kernel::http::types::{Text, Time};
use meshcloud_kernel::layer5_page;
use poem_openapi::Object;

use crate::store::events::{EventRow, UserSummary};
use crate::store::schedules::ScheduleRow;

/// An event of the audit log.
#[derive(Debug, Clone, Object)]
pub struct EventItem {
    pub id: uuid::Uuid,
    /// The nil UUID for events of meshcloud itself (no user acted).
    pub user_id: uuid::Uuid,
    pub org_id: Option<uuid::Uuid>,
    /// The agent that reported it, for events sent to `POST /events`; the nil
    /// UUID otherwise.
    pub system_id: String,
    pub category: String,
    pub action: String,
    /// The id of what the event is about.
    pub acted_upon: Option<uuid::Uuid>,
    pub severity: String,
    /// `read` or `unread`.
    pub status: String,
    pub description: String,
    pub metadata: serde_json::Value,
    #[oai(rename = "firstName")]
    pub first_name: String,
    #[oai(rename = "lastName")]
    pub last_name: String,
    /// Left out where the actor has none (a system event): the upstream types it `format: email`.
    #[oai(skip_serializing_if_is_empty)]
    pub email: String,
    pub created_at: Time,
    pub updated_at: Time,
}

impl From<EventRow> for EventItem {
    fn from(e: EventRow) -> Self {
        EventItem {
            id: e.uuid,
            user_id: e.user.unwrap_or_default(),
            org_id: e.org,
            system_id: e.system_id.unwrap_or_else(|| uuid::Uuid::nil().to_string()),
            category: e.category,
            action: e.action,
            acted_upon: e.acted_upon,
            severity: e.severity,
            status: e.status,
            description: e.description,
            metadata: e.metadata,
            first_name: e.first_name,
            last_name: e.last_name,
            email: e.email,
            created_at: e.created_at.into(),
            updated_at: e.updated_at.into(),
        }
    }
}

layer5_page!(EventsPage, "data", EventItem);

/// One actor's events in the organization.
#[derive(Debug, Clone, Object)]
pub struct EventUserSummary {
    pub user_id: Option<uuid::Uuid>,
    #[oai(rename = "firstName")]
    pub first_name: String,
    #[oai(rename = "lastName")]
    pub last_name: String,
    pub email: String,
    pub total: u64,
    pub unread: u64,
    pub last_event_at: Time,
}

impl From<UserSummary> for EventUserSummary {
    fn from(s: UserSummary) -> Self {
        EventUserSummary {
            user_id: s.user,
            first_name: s.first_name,
            last_name: s.last_name,
            email: s.email,
            total: s.total,
            unread: s.unread,
            last_event_at: s.last_event_at.into(),
        }
    }
}

layer5_page!(EventSummaryPage, "data", EventUserSummary);

#[derive(Debug, Clone, Object)]
pub struct EventAggregate {
    pub audit: u64,
}

#[derive(Debug, Clone, Object)]
pub struct EventType {
    pub action: String,
    pub category: String,
    /// What the kind means; only for the kinds meshcloud itself records.
    #[oai(skip_serializing_if_is_none)]
    pub description: Option<String>,
}

/// An event an agent reports. `category` and `action` are required.
#[derive(Debug, Clone, Object)]
pub struct EventPayload {
    pub category: Text,
    pub action: Text,
    pub description: Option<Text>,
    /// One of emergency, alert, critical, error, warning, informational (default).
    pub severity: Option<Text>,
    /// `read` or `unread` (default).
    pub status: Option<Text>,
    pub system_id: Option<Text>,
    pub acted_upon: Option<uuid::Uuid>,
    pub metadata: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Object)]
pub struct EventIds {
    pub ids: Vec<uuid::Uuid>,
}

#[derive(Debug, Clone, Object)]
pub struct EventIdsStatus {
    pub ids: Vec<uuid::Uuid>,
    pub status: Text,
}

#[derive(Debug, Clone, Object)]
pub struct EventStatus {
    pub status: Text,
}

#[derive(Debug, Clone, Object)]
pub struct Deleted {
    pub deleted: Vec<uuid::Uuid>,
}

#[derive(Debug, Clone, Object)]
pub struct Updated {
    pub updated: Vec<uuid::Uuid>,
}

#[derive(Debug, Clone, Object)]
pub struct StatusChanged {
    pub event_id: uuid::Uuid,
    pub message: String,
    pub status: String,
}

/// A recurring cron trigger owned by a user.
#[derive(Debug, Clone, Object)]
pub struct Schedule {
    pub id: uuid::Uuid,
    pub name: String,
    pub user_id: Option<uuid::Uuid>,
    pub cron_expression: String,
    pub created_at: Time,
    pub updated_at: Time,
    /// meshcloud extension: whether it fires (a disabled one has no next firing).
    pub enabled: bool,
    /// meshcloud extension: when it fires next.
    pub next_run_at: Option<Time>,
    /// meshcloud extension: when it last fired.
    pub last_run_at: Option<Time>,
}

impl From<ScheduleRow> for Schedule {
    fn from(s: ScheduleRow) -> Self {
        Schedule {
            id: s.uuid,
            name: s.name,
            user_id: s.user_uuid,
            cron_expression: s.cron_expression,
            created_at: s.created_at.into(),
            updated_at: s.updated_at.into(),
            enabled: s.enabled,
            next_run_at: s.next_run_at.map(Time),
            last_run_at: s.last_run_at.map(Time),
        }
    }
}

layer5_page!(SchedulesPage, "schedules", Schedule);

/// Create (no or unknown `id`) or update (the `id` of one of the caller's
/// schedules). `user_id` and the timestamps are ignored: schedules belong to the caller.
#[derive(Debug, Clone, Object)]
pub struct SchedulePayload {
    pub id: Option<uuid::Uuid>,
    pub name: Text,
    pub user_id: Option<uuid::Uuid>,
    pub cron_expression: Text,
    pub created_at: Option<Time>,
    pub updated_at: Option<Time>,
    /// meshcloud extension: `false` stops it firing, `true` starts it again;
    /// absent, a new schedule is enabled and an existing one keeps its state.
    pub enabled: Option<bool>,
}
