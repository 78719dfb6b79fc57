//! `/api/entitlement/payments` (Layer5 face, a meshcloud extension): the
//! offline processor's queue of payments and their confirmation.

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::http::layer5::paging;
use meshcloud_kernel::{AppError, validate};
use poem_openapi::OpenApi;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;

use super::Tag;
use crate::Billing;
use crate::model::payments::{ConfirmPayment, Payment, PaymentsPage};
use crate::service::payments::PaymentRef;
use crate::store::payments::ORDER_FIELDS;

pub struct PaymentsApi {
    pub billing: Billing,
}

/// The longest reference a confirmation takes.
const MAX_REFERENCE: usize = 200;

fn target(body: &ConfirmPayment) -> Result<PaymentRef, AppError> {
    let id = body.payment_id.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let secret = body.client_secret.as_deref().map(str::trim).filter(|s| !s.is_empty());
    match (id, secret) {
        (Some(id), None) => Ok(PaymentRef::Id(validate::uuid("paymentId", id)?)),
        (None, Some(s)) => Ok(PaymentRef::ClientSecret(s.to_string())),
        _ => Err(AppError::validation("send exactly one of paymentId and clientSecret")),
    }
}

#[OpenApi(prefix_path = "/api/entitlement", tag = "Tag::Payments")]
impl PaymentsApi {
    /// Get payments
    ///
    /// Payments across every organization, oldest first: those of `status`
    /// (repeatable; `pending`, `succeeded`, `canceled`; default `pending`,
    /// the bank transfers and purchase orders awaiting confirmation). Needs
    /// `billing.payments.confirm` (provider admins). Client secrets are
    /// never listed.
    #[oai(path = "/payments", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        order: Query<Option<String>>,
        status: Query<Vec<String>>,
        #[oai(name = "status[]")] status_list: Query<Vec<String>>,
    ) -> Result<Json<PaymentsPage>, AppError> {
        let paging = paging(page.as_deref(), pagesize.as_deref(), None, order.as_deref(), &ORDER_FIELDS);
        let mut wanted = super::statuses(&status.0, &status_list.0, &["pending", "succeeded", "canceled"])?;
        if wanted.is_empty() {
            wanted.push("pending".into());
        }
        let result = self.billing.list_payments(auth.principal(), wanted, paging.request.clone()).await?;
        Ok(Json(PaymentsPage::new(&paging, result.map(Payment::from))))
    }

    /// Confirm a payment
    ///
    /// Records that a pending offline payment arrived (`reference`: the bank
    /// transfer's reference or the purchase order's number, 1 to 200
    /// characters): the payment succeeds, its invoice is paid, and its
    /// subscription is activated (an `incomplete` one starts its first
    /// period now) or, when nothing else is overdue, reactivated. Name the
    /// payment by `paymentId` or by the `clientSecret` the subscriber was
    /// given. A payment that is not pending is a 400. Needs
    /// `billing.payments.confirm` (provider admins).
    #[oai(path = "/payments/confirm", method = "post")]
    async fn confirm(&self, auth: Auth, body: Json<ConfirmPayment>) -> Result<Json<Payment>, AppError> {
        let p = auth.principal();
        let target = target(&body)?;
        let reference = validate::text("reference", body.reference.as_deref().unwrap_or(""), MAX_REFERENCE)?;
        if reference.is_empty() {
            return Err(AppError::validation("reference must not be empty"));
        }
        Ok(Json(self.billing.confirm_payment(p, target, reference).await?.into()))
    }
}
