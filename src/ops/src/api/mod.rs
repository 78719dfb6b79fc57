//! The operations family's HTTP operations.

pub mod events;
pub mod schedules;

use poem_openapi::Tags;

use crate::Ops;

#[derive(Tags)]
pub enum Tag {
    /// Layer5: the event log.
    Events,
    /// Layer5: users' schedules.
    Scheduler,
}

/// Every API of the family, for the app's `OpenApiService`.
pub fn apis(ops: &Ops) -> (events::EventsApi, events::AgentEventsApi, schedules::SchedulesApi) {
    (
        events::EventsApi { ops: ops.clone() },
        events::AgentEventsApi { ops: ops.clone() },
        schedules::SchedulesApi { ops: ops.clone() },
    )
}
