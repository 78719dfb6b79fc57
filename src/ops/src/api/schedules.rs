//! `/user/schedules` (Layer5 face): the caller's own cron triggers.

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::http::layer5::paging;
use meshcloud_kernel::http::responses::NoContent;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;

use super::Tag;
use crate::Ops;
use crate::model::{Schedule, SchedulePayload, SchedulesPage};
use crate::store::schedules::ORDER_FIELDS;

pub struct SchedulesApi {
    pub ops: Ops,
}

#[OpenApi(prefix_path = "/user/schedules", tag = "Tag::Scheduler")]
impl SchedulesApi {
    /// Get schedules
    ///
    /// The caller's schedules, with when each fires next and last fired.
    #[oai(path = "/", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
    ) -> Result<Json<SchedulesPage>, AppError> {
        let paging = paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &ORDER_FIELDS);
        let result = self.ops.list_schedules(auth.principal(), paging.request.clone()).await?;
        Ok(Json(SchedulesPage::new(&paging, result.map(Schedule::from))))
    }

    /// Create or update schedule
    ///
    /// `cron_expression` takes the classic 5 fields (`0 0 * * *`) or 6 with
    /// seconds first; an invalid one is a 400 that names the problem. Each
    /// firing is an event (category `schedule`, action `fired`). `enabled`
    /// (meshcloud extension) stops or restarts its firings.
    #[oai(path = "/", method = "post")]
    async fn upsert(&self, auth: Auth, body: Json<SchedulePayload>) -> Result<Json<Schedule>, AppError> {
        let b = body.0;
        let s = self.ops.upsert_schedule(auth.principal(), b.id, &b.name.0, &b.cron_expression.0, b.enabled).await?;
        Ok(Json(s.into()))
    }

    /// Get schedule by ID
    #[oai(path = "/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<uuid::Uuid>) -> Result<Json<Schedule>, AppError> {
        Ok(Json(self.ops.get_schedule(auth.principal(), id.0).await?.into()))
    }

    /// Delete schedule
    #[oai(path = "/:id", method = "delete")]
    async fn delete(&self, auth: Auth, id: Path<uuid::Uuid>) -> Result<NoContent, AppError> {
        self.ops.delete_schedule(auth.principal(), id.0).await?;
        Ok(NoContent::NoContent)
    }
}
