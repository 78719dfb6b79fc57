//! Offline payments on the wire: the confirmation queue and a confirmation.
//! A payment's client secret is never listed: it is the subscriber's.

use meshcloud_kernel::time::Timestamp;
use poem_openapi::Object;

use crate::store::payments::PaymentView;

#[derive(Debug, Clone, Object)]
pub struct Payment {
    pub id: uuid::Uuid,
    pub organization_id: uuid::Uuid,
    pub organization_name: String,
    pub invoice_id: uuid::Uuid,
    pub invoice_number: String,
    /// Minor units of `currency`.
    pub amount: i64,
    pub currency: String,
    /// `pending`, `succeeded` or `canceled`.
    pub status: String,
    /// The bank transfer's reference or the purchase order's number, once confirmed.
    #[oai(skip_serializing_if_is_none)]
    pub reference: Option<String>,
    pub created_at: Timestamp,
    #[oai(skip_serializing_if_is_none)]
    pub confirmed_at: Option<Timestamp>,
}

impl From<PaymentView> for Payment {
    fn from(v: PaymentView) -> Self {
        Payment {
            id: v.row.uuid,
            organization_id: v.org_uuid,
            organization_name: v.org_name,
            invoice_id: v.invoice_uuid,
            invoice_number: v.invoice_number,
            amount: v.row.amount_minor,
            currency: v.row.currency,
            status: v.row.status,
            reference: v.row.reference,
            created_at: v.row.created_at,
            confirmed_at: v.row.confirmed_at,
        }
    }
}

meshcloud_kernel::layer5_page!(PaymentsPage, "payments", Payment);

/// Confirms a pending offline payment: name it by `paymentId` or by the
/// `clientSecret` the subscriber was given (one of the two).
#[derive(Debug, Clone, Object)]
pub struct ConfirmPayment {
    #[oai(rename = "paymentId")]
    pub payment_id: Option<String>,
    #[oai(rename = "clientSecret")]
    pub client_secret: Option<String>,
    /// The bank transfer's reference or the purchase order's number (1 to 200 characters).
    pub reference: Option<String>,
}
