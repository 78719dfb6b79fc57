//! `/api/events*` (reading the log) and `/events*` (agents reporting and
//! managing events) on the Layer5 face. Every call acts in the org in context.

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::http::layer5::{flag, paging};
use meshcloud_kernel::http::responses::NoContent;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use crate::Ops;
use crate::model::*;
use crate::service::events::{EventInput, check_status, parse_filter};
use crate::store::events::{ORDER_FIELDS, SUMMARY_ORDER_FIELDS};

pub struct EventsApi {
    pub ops: Ops,
}

pub struct AgentEventsApi {
    pub ops: Ops,
}

#[derive(ApiResponse)]
pub enum Created {
    /// Event created.
    #[oai(status = 201)]
    Created,
}

#[OpenApi(prefix_path = "/api/events", tag = "Tag::Events")]
impl EventsApi {
    /// Get events aggregate summary
    ///
    /// `{audit}`: how many events the organization's log holds
    /// (`cumulative=true`), or how many are unread (the default).
    #[oai(path = "/", method = "get")]
    async fn aggregate(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] org: Header<Option<String>>,
        cumulative: Query<Option<String>>,
    ) -> Result<Json<EventAggregate>, AppError> {
        let audit = self.ops.event_count(auth.principal(), org.as_deref(), flag(cumulative.as_deref())).await?;
        Ok(Json(EventAggregate { audit }))
    }

    /// Get events list
    ///
    /// Newest first. `search` matches description, category and action;
    /// `filter` is a JSON object with `category`, `action`, `severity` (a
    /// string or an array), `status` (read, unread), `user_id`, `acted_upon`,
    /// `from` and `to` (RFC 3339).
    #[oai(path = "/list", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] org: Header<Option<String>>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
        filter: Query<Option<String>>,
    ) -> Result<Json<EventsPage>, AppError> {
        let paging = paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &ORDER_FIELDS);
        let f = parse_filter(filter.as_deref());
        let result = self.ops.list_events(auth.principal(), org.as_deref(), f, paging.request.clone()).await?;
        Ok(Json(EventsPage::new(&paging, result.map(EventItem::from))))
    }

    /// Get event summary by user
    ///
    /// Per actor: how many events, how many unread, and the latest, most
    /// active first. Takes the same `search` and `filter` as the list.
    #[oai(path = "/summary", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn summary(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] org: Header<Option<String>>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
        filter: Query<Option<String>>,
    ) -> Result<Json<EventSummaryPage>, AppError> {
        let paging =
            paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &SUMMARY_ORDER_FIELDS);
        let f = parse_filter(filter.as_deref());
        let result = self.ops.event_summary(auth.principal(), org.as_deref(), f, paging.request.clone()).await?;
        Ok(Json(EventSummaryPage::new(&paging, result.map(EventUserSummary::from))))
    }

    /// Get event types
    ///
    /// Every category/action pair meshcloud records (with its description),
    /// and those agents reported in the organization; all of them, since the
    /// reference does not page this list.
    #[oai(path = "/types", method = "get")]
    async fn types(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] org: Header<Option<String>>,
        #[allow(unused_variables)] page: Query<Option<String>>,
        #[allow(unused_variables)] pagesize: Query<Option<String>>,
    ) -> Result<Json<Vec<EventType>>, AppError> {
        let types = self.ops.event_types(auth.principal(), org.as_deref()).await?;
        Ok(Json(
            types
                .into_iter()
                .map(|(category, action, d)| EventType { action, category, description: d.map(str::to_string) })
                .collect(),
        ))
    }
}

#[OpenApi(prefix_path = "/events", tag = "Tag::Events")]
impl AgentEventsApi {
    /// Create a new event
    ///
    /// An event reported by a connected agent, in the organization in context.
    #[oai(path = "/", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] org: Header<Option<String>>,
        body: Json<EventPayload>,
    ) -> Result<Created, AppError> {
        let b = body.0;
        let input = EventInput {
            category: b.category.0,
            action: b.action.0,
            description: b.description.map(|t| t.0).unwrap_or_default(),
            severity: b.severity.map(|t| t.0),
            status: b.status.map(|t| t.0),
            system_id: b.system_id.map(|t| t.0),
            acted_upon: b.acted_upon,
            metadata: b.metadata,
        };
        self.ops.report_event(auth.principal(), org.as_deref(), input).await?;
        Ok(Created::Created)
    }

    /// Bulk delete events
    ///
    /// Answers the ids that were deleted; ids of other organizations or
    /// unknown ones are left out.
    #[oai(path = "/delete", method = "post")]
    async fn delete_many(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] org: Header<Option<String>>,
        body: Json<EventIds>,
    ) -> Result<Json<Deleted>, AppError> {
        let deleted = self.ops.delete_events(auth.principal(), org.as_deref(), body.0.ids).await?;
        Ok(Json(Deleted { deleted }))
    }

    /// Bulk update event status
    #[oai(path = "/status", method = "put")]
    async fn status_many(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] org: Header<Option<String>>,
        body: Json<EventIdsStatus>,
    ) -> Result<Json<Updated>, AppError> {
        let b = body.0;
        let updated = self.ops.set_event_status(auth.principal(), org.as_deref(), b.ids, &b.status.0).await?;
        Ok(Json(Updated { updated }))
    }

    /// Delete a single event
    ///
    /// An event of the organization in context; any other is "not found".
    #[oai(path = "/:id", method = "delete")]
    async fn delete(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] org: Header<Option<String>>,
        id: Path<uuid::Uuid>,
    ) -> Result<NoContent, AppError> {
        let deleted = self.ops.delete_events(auth.principal(), org.as_deref(), vec![id.0]).await?;
        if deleted.is_empty() {
            return Err(AppError::NotFound);
        }
        Ok(NoContent::NoContent)
    }

    /// Update status of a single event
    ///
    /// An event of the organization in context; any other is "not found".
    #[oai(path = "/:id/status", method = "put")]
    async fn status(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] org: Header<Option<String>>,
        id: Path<uuid::Uuid>,
        body: Json<EventStatus>,
    ) -> Result<Json<StatusChanged>, AppError> {
        let status = check_status(&body.0.status.0)?;
        let updated = self.ops.set_event_status(auth.principal(), org.as_deref(), vec![id.0], &status).await?;
        if updated.is_empty() {
            return Err(AppError::NotFound);
        }
        Ok(Json(StatusChanged { event_id: id.0, message: format!("event marked {status}"), status }))
    }
}
