//! `POST /api/entitlement/subscriptions/webhooks` (Layer5 face): payment
//! processors' events. No authentication: Stripe signs each delivery.

use meshcloud_kernel::AppError;
use poem_openapi::param::Header;
use poem_openapi::payload::Binary;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use crate::Billing;

pub struct WebhooksApi {
    pub billing: Billing,
}

#[derive(ApiResponse)]
pub enum Processed {
    /// Webhook processed
    #[oai(status = 200)]
    Ok,
}

#[OpenApi(prefix_path = "/api/entitlement", tag = "Tag::PaymentProcessors")]
impl WebhooksApi {
    /// Handle webhook events from payment processors
    ///
    /// A Stripe event (its JSON, any content type; at most 256 KiB), signed
    /// with the endpoint's secret in `Stripe-Signature`. Applied once per
    /// event id: a replay answers 200 and changes nothing. 400 (text naming
    /// why, nothing changed) when no processor is configured or the
    /// signature is missing, malformed, more than 300 s old or ahead, or
    /// does not match the body.
    #[oai(path = "/subscriptions/webhooks", method = "post")]
    async fn webhooks(
        &self,
        #[oai(name = "Stripe-Signature")] signature: Header<Option<String>>,
        body: Binary<Vec<u8>>,
    ) -> Result<Processed, AppError> {
        self.billing.stripe_webhook(signature.0.as_deref(), body.0).await?;
        Ok(Processed::Ok)
    }
}
