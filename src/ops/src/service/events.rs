//! The events API: the org's slice of the audit log, and events agents report.

use std::collections::BTreeMap;

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::query::live_count;
use meshcloud_kernel::ids::OrgId;
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::time::Timestamp;
use meshcloud_kernel::{AppError, AppResult, validate};

use super::Ops;
use crate::store::events::{self, EventRow, Filter, NewEvent, UserSummary};

pub const STATUSES: [&str; 2] = ["read", "unread"];
pub const SEVERITIES: [&str; 6] = ["emergency", "alert", "critical", "error", "warning", "informational"];

/// `filter` of the event lists, a JSON object. Each of `category`, `action`
/// and `severity` is a string or an array of strings.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FilterText {
    category: Option<OneOrMany>,
    action: Option<OneOrMany>,
    severity: Option<OneOrMany>,
    status: Option<String>,
    user_id: Option<uuid::Uuid>,
    acted_upon: Option<uuid::Uuid>,
    from: Option<String>,
    to: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

fn time_field(name: &str, v: Option<String>) -> AppResult<Option<Timestamp>> {
    v.map(|s| {
        chrono::DateTime::parse_from_rfc3339(s.trim())
            .map(|t| t.with_timezone(&chrono::Utc))
            .map_err(|_| AppError::validation(format!("filter.{name} must be an RFC 3339 time")))
    })
    .transpose()
}

/// The lists' `filter`. The reference documents no 400 for them: a filter
/// that does not parse (or names an unknown status, severity or time) is
/// ignored, as every parameter a list cannot understand.
pub fn parse_filter(raw: Option<&str>) -> Filter {
    strict_filter(raw).unwrap_or_default()
}

fn strict_filter(raw: Option<&str>) -> AppResult<Filter> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(Filter::default()) };
    let f: FilterText = serde_json::from_str(raw).map_err(|e| {
        AppError::validation(format!(
            "filter must be a JSON object with category, action, severity, status, user_id, acted_upon, from, to: {e}"
        ))
    })?;
    let status = f.status.map(|s| check_status(&s)).transpose()?;
    let severities: Vec<String> = f.severity.map(OneOrMany::into_vec).unwrap_or_default();
    for s in &severities {
        check_severity(s)?;
    }
    Ok(Filter {
        categories: f.category.map(OneOrMany::into_vec).unwrap_or_default(),
        actions: f.action.map(OneOrMany::into_vec).unwrap_or_default(),
        severities,
        status,
        user: f.user_id,
        acted_upon: f.acted_upon,
        from: time_field("from", f.from)?,
        to: time_field("to", f.to)?,
    })
}

pub fn check_status(s: &str) -> AppResult<String> {
    let s = s.trim().to_ascii_lowercase();
    if STATUSES.contains(&s.as_str()) {
        Ok(s)
    } else {
        Err(AppError::validation(format!("status '{s}' is not read or unread")))
    }
}

fn check_severity(s: &str) -> AppResult<String> {
    let s = s.trim().to_ascii_lowercase();
    if SEVERITIES.contains(&s.as_str()) {
        Ok(s)
    } else {
        Err(AppError::validation(format!("severity '{s}' is not one of: {}", SEVERITIES.join(", "))))
    }
}

/// An event an agent reports (`POST /events`).
#[derive(Debug, Clone, Default)]
pub struct EventInput {
    pub category: String,
    pub action: String,
    pub description: String,
    pub severity: Option<String>,
    pub status: Option<String>,
    pub system_id: Option<String>,
    pub acted_upon: Option<uuid::Uuid>,
    pub metadata: Option<serde_json::Value>,
}

impl Ops {
    async fn org(&self, p: &Principal, header: Option<&str>, perm: Perm) -> AppResult<OrgId> {
        Ok(self.identity().context_org(p, header, perm).await?.id)
    }

    pub async fn list_events(
        &self,
        p: &Principal,
        header: Option<&str>,
        f: Filter,
        req: PageRequest,
    ) -> AppResult<Page<EventRow>> {
        let org = self.org(p, header, Perm::EventsRead).await?;
        self.db().read(move |c| events::list(c, org, &f, &req)).await
    }

    /// `{audit}`: the org's events, all of them (`cumulative`) or the unread ones.
    pub async fn event_count(&self, p: &Principal, header: Option<&str>, cumulative: bool) -> AppResult<u64> {
        let org = self.org(p, header, Perm::EventsRead).await?;
        self.db()
            .read(
                move |c| {
                    if cumulative { live_count(c, org, "events") } else { events::count_with_status(c, org, "unread") }
                },
            )
            .await
    }

    /// Live events of an org whose access the caller has already checked,
    /// per UTC day over the last `days` days (today included), oldest
    /// first, days without events as zero.
    pub async fn events_per_day(&self, org: OrgId, days: u32) -> AppResult<Vec<(String, u64)>> {
        let today = meshcloud_kernel::time::now().date_naive();
        let first = today - chrono::Days::new(u64::from(days.max(1)) - 1);
        let since = first.format("%Y-%m-%d").to_string();
        let counted = self.db().read(move |c| events::per_day(c, org, &since)).await?;
        let counted: BTreeMap<String, u64> = counted.into_iter().collect();
        Ok(first
            .iter_days()
            .take(days.max(1) as usize)
            .map(|d| {
                let day = d.format("%Y-%m-%d").to_string();
                let n = counted.get(&day).copied().unwrap_or(0);
                (day, n)
            })
            .collect())
    }

    pub async fn event_summary(
        &self,
        p: &Principal,
        header: Option<&str>,
        f: Filter,
        req: PageRequest,
    ) -> AppResult<Page<UserSummary>> {
        let org = self.org(p, header, Perm::EventsRead).await?;
        self.db().read(move |c| events::summary(c, org, &f, &req)).await
    }

    /// Every kind of event meshcloud records (the catalogue, with its
    /// description), then the kinds agents reported in the org, by category
    /// and action.
    pub async fn event_types(
        &self,
        p: &Principal,
        header: Option<&str>,
    ) -> AppResult<Vec<(String, String, Option<&'static str>)>> {
        let org = self.org(p, header, Perm::EventsRead).await?;
        let reported = self.db().read(move |c| events::types(c, org)).await?;
        // Keyed by (category, action): ordered, and a reported kind the
        // catalogue already names keeps its description.
        let mut kinds: BTreeMap<(String, String), Option<&'static str>> = EventKind::ALL
            .iter()
            .map(|k| ((k.category().to_string(), k.action().to_string()), Some(k.description())))
            .collect();
        for pair in reported {
            kinds.entry(pair).or_insert(None);
        }
        Ok(kinds.into_iter().map(|((category, action), d)| (category, action, d)).collect())
    }

    pub async fn report_event(&self, p: &Principal, header: Option<&str>, e: EventInput) -> AppResult<uuid::Uuid> {
        let category = validate::name("category", &e.category, 500)?;
        let action = validate::name("action", &e.action, 500)?;
        let description = validate::text("description", &e.description, 5000)?;
        let severity = check_severity(e.severity.as_deref().unwrap_or("informational"))?;
        let status = check_status(e.status.as_deref().unwrap_or("unread"))?;
        let system_id = e.system_id.as_deref().map(|s| validate::name("system_id", s, 255)).transpose()?;
        let metadata = e.metadata.unwrap_or_else(|| serde_json::json!({}));
        validate::json_object("metadata", &metadata)?;
        if serde_json::to_vec(&metadata)?.len() > 64 * 1024 {
            return Err(AppError::validation("metadata must be at most 64 KiB"));
        }
        let org = self.org(p, header, Perm::EventsCreate).await?;
        let user = p.user;
        self.db()
            .write(move |c| {
                events::insert(
                    c,
                    &NewEvent {
                        org,
                        user,
                        system_id: system_id.as_deref(),
                        category: &category,
                        action: &action,
                        acted_upon: e.acted_upon,
                        severity: &severity,
                        status: &status,
                        description: &description,
                        metadata: &metadata,
                    },
                )
            })
            .await
    }

    /// Soft-deletes events of the org in context; returns those deleted.
    pub async fn delete_events(
        &self,
        p: &Principal,
        header: Option<&str>,
        ids: Vec<uuid::Uuid>,
    ) -> AppResult<Vec<uuid::Uuid>> {
        if ids.len() > 10_000 {
            return Err(AppError::validation("at most 10000 ids per request"));
        }
        let org = self.org(p, header, Perm::EventsDelete).await?;
        let me = p.user;
        self.db()
            .write(move |c| {
                let deleted = events::delete_many(c, org, &ids)?;
                if !deleted.is_empty() {
                    let e = Event::new(EventKind::EventDelete, Some(me))
                        .org(org)
                        .describe(format!("{} events deleted", deleted.len()))
                        .meta(serde_json::json!({ "ids": deleted }));
                    audit::record(c, e)?;
                }
                Ok(deleted)
            })
            .await
    }

    /// Marks events read or unread; a status change is not itself logged (it
    /// would flood the log it describes).
    pub async fn set_event_status(
        &self,
        p: &Principal,
        header: Option<&str>,
        ids: Vec<uuid::Uuid>,
        status: &str,
    ) -> AppResult<Vec<uuid::Uuid>> {
        if ids.len() > 10_000 {
            return Err(AppError::validation("at most 10000 ids per request"));
        }
        let status = check_status(status)?;
        let org = self.org(p, header, Perm::EventsUpdate).await?;
        self.db().write(move |c| events::set_status_many(c, org, &ids, &status)).await
    }

    /// Removes events and schedule run records older than `retention` (the
    /// retention job); returns how many.
    pub async fn purge_events(&self, retention: std::time::Duration) -> AppResult<usize> {
        let cutoff = meshcloud_kernel::time::ago(retention)?;
        let mut total = 0;
        // In slices, so the writer is never held for long.
        loop {
            let ids = self.db().read(move |c| events::older_than(c, &cutoff, 5000)).await?;
            let found = ids.len();
            total += self.db().write(move |c| events::delete_older_than(c, &ids, &cutoff)).await?;
            if found < 5000 {
                break;
            }
        }
        // Run records go with the events that announced them.
        total += self.db().write(move |c| crate::store::schedules::purge_runs(c, &cutoff)).await?;
        if total > 0 {
            self.db()
                .write(move |c| {
                    let e = Event::new(EventKind::SystemEventRetention, None)
                        .describe(format!("removed {total} events and run records older than the retention period"));
                    audit::record(c, e)
                })
                .await?;
        }
        Ok(total)
    }
}
