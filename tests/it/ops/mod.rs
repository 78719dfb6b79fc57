//! Operations: the events API, schedules and the runner, and the health,
//! metrics, OpenAPI and UI endpoints.

mod endpoints;
mod events;
mod overview;
mod schedules;
mod search_and_pages;
