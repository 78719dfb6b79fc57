//! Schedules: users' cron triggers (`/user/schedules`) and the store side of
//! the runner that fires them and the system's jobs.

use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::cron::Cron;
use meshcloud_kernel::ids::{ScheduleRunId, new_uuid};
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::time::{self, Timestamp};
use meshcloud_kernel::{AppError, AppResult, validate};

use super::Ops;
use crate::store::schedules::{self, ScheduleRow, Timing};

fn check(name: &str, cron: &str) -> AppResult<(String, String, Cron)> {
    let name = validate::name("name", name, 255)?;
    let expr = cron.split_whitespace().collect::<Vec<_>>().join(" ");
    let parsed = Cron::parse(&expr).map_err(|e| AppError::validation(format!("cron_expression: {e}")))?;
    Ok((name, expr, parsed))
}

/// A user's schedules are bounded: each one's firings go through the one writer.
const MAX_PER_USER: i64 = 1000;

/// A system job the runner must run now.
#[derive(Debug, Clone)]
pub struct DueJob {
    pub run: ScheduleRunId,
    pub name: String,
}

impl Ops {
    pub async fn list_schedules(&self, p: &Principal, req: PageRequest) -> AppResult<Page<ScheduleRow>> {
        let me = p.user;
        self.db().read(move |c| schedules::list_user(c, me, &req)).await
    }

    /// One of the caller's schedules; anyone else's is "not found".
    pub async fn get_schedule(&self, p: &Principal, id: uuid::Uuid) -> AppResult<ScheduleRow> {
        let me = p.user;
        self.db().read(move |c| schedules::of_user(c, me, id)?.ok_or(AppError::NotFound)).await
    }

    /// Creates a schedule, or with the `id` of one of the caller's, changes it.
    /// Ids are the caller's own: one that another user's schedule has is
    /// simply theirs too (an alias), never a conflict or a hint.
    pub async fn upsert_schedule(
        &self,
        p: &Principal,
        id: Option<uuid::Uuid>,
        name: &str,
        cron: &str,
        enabled: Option<bool>,
    ) -> AppResult<ScheduleRow> {
        let (name, expr, parsed) = check(name, cron)?;
        let next = parsed.next_after(&time::now());
        let me = p.user;
        // Firings are logged in the caller's selected (or first) organization.
        let org = self.identity().org_context(p, None).await?.map(|o| o.id);
        self.db()
            .write(move |c| {
                let existing = match id {
                    Some(id) => schedules::of_user(c, me, id)?,
                    None => None,
                };
                let (row, action) = match existing {
                    Some(s) => {
                        // The next firing moves only when the expression changed (or there was
                        // none, or it was disabled); a disabled schedule has none.
                        let on = enabled.unwrap_or(s.enabled);
                        let next = if !on {
                            None
                        } else if s.enabled && s.cron_expression == expr && s.next_run_at.is_some() {
                            s.next_run_at
                        } else {
                            next
                        };
                        schedules::update(c, s.id, &name, &expr, Timing { enabled: on, next: next.as_ref() })?;
                        (s.id, EventKind::ScheduleUpdate)
                    }
                    None if schedules::count_user(c, me)? >= MAX_PER_USER => {
                        return Err(AppError::validation(format!("at most {MAX_PER_USER} schedules per user")));
                    }
                    None => (
                        {
                            let on = enabled.unwrap_or(true);
                            let next = if on { next } else { None };
                            let uuid = id.unwrap_or_else(new_uuid);
                            let t = Timing { enabled: on, next: next.as_ref() };
                            schedules::insert_user(c, uuid, me, org, &name, &expr, t)?
                        },
                        EventKind::ScheduleCreate,
                    ),
                };
                let row = schedules::get(c, row)?;
                let mut e = Event::new(action, Some(me))
                    .on(row.uuid)
                    .describe(format!("schedule {name} ({expr}) {}d", action.action()));
                if let Some(o) = org {
                    e = e.org(o);
                }
                audit::record(c, e)?;
                Ok(row)
            })
            .await
    }

    pub async fn delete_schedule(&self, p: &Principal, id: uuid::Uuid) -> AppResult<()> {
        let s = self.get_schedule(p, id).await?;
        let me = p.user;
        self.db()
            .write(move |c| {
                schedules::delete(c, s.id)?;
                let mut e = Event::new(EventKind::ScheduleDelete, Some(me))
                    .on(s.uuid)
                    .describe(format!("schedule {} deleted", s.name));
                if let Some(o) = s.org {
                    e = e.org(o);
                }
                audit::record(c, e)
            })
            .await
    }

    /// Registers the system jobs with their configured expressions (empty: disabled).
    pub async fn register_system_jobs(&self, jobs: Vec<(String, String)>) -> AppResult<()> {
        let mut checked = Vec::with_capacity(jobs.len());
        for (name, expr) in jobs {
            let next = if expr.trim().is_empty() {
                None
            } else {
                let parsed =
                    Cron::parse(&expr).map_err(|e| AppError::validation(format!("schedule of {name}: {e}")))?;
                parsed.next_after(&time::now())
            };
            checked.push((name, expr, next));
        }
        self.db()
            .write(move |c| {
                for (name, expr, next) in &checked {
                    schedules::upsert_system(c, name, expr, next.as_ref())?;
                }
                let names: Vec<String> = checked.iter().map(|(n, _, _)| n.clone()).collect();
                schedules::disable_system_except(c, &names)?;
                Ok(())
            })
            .await
    }

    /// At start-up: a next firing later than the expression allows (the clock
    /// was ahead when it was set) or missing is set to the next one after
    /// `now`; an expression that no longer parses stops its schedule.
    pub async fn repair_schedules(&self, now: Timestamp) -> AppResult<usize> {
        self.db()
            .write(move |c| {
                let mut fixed = 0;
                for s in schedules::enabled(c)? {
                    match Cron::parse(&s.cron_expression) {
                        Ok(cron) => {
                            let next = cron.next_after(&now);
                            let too_late = match (s.next_run_at, next) {
                                (None, Some(_)) => true,
                                (Some(stored), Some(n)) => stored > n,
                                _ => false,
                            };
                            if too_late {
                                schedules::set_next(c, s.id, next.as_ref())?;
                                fixed += 1;
                            }
                        }
                        Err(_) => {
                            schedules::disable(c, s.id)?;
                            fixed += 1;
                        }
                    }
                }
                Ok(fixed)
            })
            .await
    }

    /// Claims up to `limit` due schedules in one transaction: each moves to its
    /// next firing after `now` (a window missed while down fires once, not
    /// once per missed window), gets a run record and a `schedule fired`
    /// event. Users' schedules finish at once; the system jobs claimed are
    /// returned for the runner to run.
    pub async fn claim_due(&self, now: Timestamp, limit: i64) -> AppResult<(usize, Vec<DueJob>)> {
        self.db()
            .write(move |c| {
                let due = schedules::due(c, &now, limit)?;
                let mut jobs = Vec::new();
                for s in &due {
                    let due_at = s.next_run_at.unwrap_or(now);
                    let next = match Cron::parse(&s.cron_expression) {
                        Ok(cron) => cron.next_after(&now),
                        Err(e) => {
                            // Stored by an older version, perhaps: stop it, and say why.
                            schedules::disable(c, s.id)?;
                            schedules::start_run(c, s.id, &due_at, &now, Some(("error", &e)))?;
                            continue;
                        }
                    };
                    schedules::advance(c, s.id, &now, next.as_ref())?;
                    if s.kind == "system" {
                        let run = schedules::start_run(c, s.id, &due_at, &now, None)?;
                        jobs.push(DueJob { run, name: s.name.clone() });
                    } else {
                        schedules::start_run(c, s.id, &due_at, &now, Some(("ok", "")))?;
                    }
                    let mut e = Event::new(EventKind::ScheduleFired, s.user)
                        .on(s.uuid)
                        .describe(format!("schedule {} fired", s.name))
                        .meta(serde_json::json!({ "due_at": time::to_db(&due_at), "kind": s.kind }));
                    if let Some(o) = s.org {
                        e = e.org(o);
                    }
                    audit::record(c, e)?;
                }
                Ok((due.len(), jobs))
            })
            .await
    }

    pub async fn finish_run(&self, run: ScheduleRunId, ok: bool, message: String) -> AppResult<()> {
        self.db().write(move |c| schedules::finish_run(c, run, ok, &message)).await
    }

    pub async fn next_due(&self) -> AppResult<Option<Timestamp>> {
        self.db().read(schedules::next_due).await
    }
}
