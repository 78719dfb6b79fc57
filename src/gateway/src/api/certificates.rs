//! API7: TLS certificates of a control plane.

use meshcloud_identity::api::auth::Auth;
use meshcloud_kernel::AppError;
use meshcloud_kernel::http::api7::{Done200, Id, List, ListParams, Ok200, list_query, path_id};
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;

use super::Tag;
use crate::Gateway;
use crate::model::certificates::{Certificate, CertificateBody};
use crate::service::certificates::{CertificateInput, CertificateView};

pub struct CertificatesApi {
    pub gateway: Gateway,
}

fn wire((row, labels): CertificateView) -> Certificate {
    Certificate {
        id: Id(row.id),
        control_plane_id: Id(row.control_plane_id),
        status: row.status,
        created_at: row.created_at.into(),
        updated_at: row.updated_at.into(),
        certificate: row.certificate,
        private_key: String::new(),
        client_ca_certificate: row.client_ca_certificate.unwrap_or_default(),
        labels,
        kind: row.kind,
        snis: row.snis,
        not_before: row.not_before.into(),
        not_after: row.not_after.into(),
        subject: row.subject,
        issuer: row.issuer,
        serial_number: row.serial_number,
        signature_algorithm: row.signature_algorithm,
    }
}

fn input(b: CertificateBody) -> CertificateInput {
    CertificateInput {
        certificate: b.certificate.map(|t| t.0),
        private_key: b.private_key.map(|t| t.0),
        client_ca_certificate: b.client_ca_certificate.or(b.ca_certificate).map(|t| t.0),
        labels: b.labels.unwrap_or_default().into_iter().map(|l| l.0).collect(),
        kind: b.kind.map(|t| t.0),
    }
}

fn ids(cp: &str, cert: &str) -> Result<(i64, i64), AppError> {
    Ok((path_id("control_plane_id", cp)?, path_id("certificate_id", cert)?))
}

#[OpenApi(tag = "Tag::Api7Certificates")]
impl CertificatesApi {
    /// List Certificates
    ///
    /// The control plane's certificates. `order_by`: `created_at`,
    /// `updated_at` (default) or `expiry_time` (`not_after`); `labels`:
    /// those holding all of them. Needs `gateway.certificates.read`.
    #[oai(path = "/api/v1/controlplanes/:control_plane_id/certificates", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        control_plane_id: Path<String>,
        page: Query<Option<String>>,
        page_size: Query<Option<String>>,
        order_by: Query<Option<String>>,
        direction: Query<Option<String>>,
        labels: Query<Vec<String>>,
    ) -> Result<Ok200<List<Certificate>>, AppError> {
        let cp = path_id("control_plane_id", &control_plane_id)?;
        let params = ListParams {
            page: page.as_deref(),
            page_size: page_size.as_deref(),
            order_by: order_by.as_deref(),
            direction: direction.as_deref(),
            search: None,
            labels: &labels,
        };
        let q = list_query(&params, &["created_at", "updated_at", "expiry_time"], "updated_at")?;
        let page = self.gateway.list_certificates(auth.principal(), cp, q).await?;
        Ok(Ok200::new(List { list: page.items.into_iter().map(wire).collect(), count: page.total }))
    }

    /// Create Certificate
    ///
    /// The PEM is parsed: the first certificate is the leaf (the rest its
    /// chain), the private key must match it, and it must not have
    /// expired. The key is sealed and never read back (`""`). Needs
    /// `gateway.certificates.manage`.
    #[oai(path = "/api/v1/controlplanes/:control_plane_id/certificates", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        control_plane_id: Path<String>,
        body: Json<CertificateBody>,
    ) -> Result<Ok200<Certificate>, AppError> {
        let cp = path_id("control_plane_id", &control_plane_id)?;
        Ok(Ok200::new(wire(self.gateway.create_certificate(auth.principal(), cp, input(body.0)).await?)))
    }

    /// Get Certificate Details
    ///
    /// Needs `gateway.certificates.read`.
    #[oai(path = "/api/v1/controlplanes/:control_plane_id/certificates/:certificate_id", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        control_plane_id: Path<String>,
        certificate_id: Path<String>,
    ) -> Result<Ok200<Certificate>, AppError> {
        let (cp, id) = ids(&control_plane_id, &certificate_id)?;
        Ok(Ok200::new(wire(self.gateway.certificate(auth.principal(), cp, id).await?)))
    }

    /// Update Certificate
    ///
    /// Replaces the certificate, its key, client CA, labels and type (all
    /// checked as on create); a new expiry warning will be due. Needs
    /// `gateway.certificates.manage`.
    #[oai(path = "/api/v1/controlplanes/:control_plane_id/certificates/:certificate_id", method = "put")]
    async fn put(
        &self,
        auth: Auth,
        control_plane_id: Path<String>,
        certificate_id: Path<String>,
        body: Json<CertificateBody>,
    ) -> Result<Ok200<Certificate>, AppError> {
        let (cp, id) = ids(&control_plane_id, &certificate_id)?;
        Ok(Ok200::new(wire(self.gateway.replace_certificate(auth.principal(), cp, id, input(body.0)).await?)))
    }

    /// Delete Certificate
    ///
    /// Needs `gateway.certificates.manage`.
    #[oai(path = "/api/v1/controlplanes/:control_plane_id/certificates/:certificate_id", method = "delete")]
    async fn delete(
        &self,
        auth: Auth,
        control_plane_id: Path<String>,
        certificate_id: Path<String>,
    ) -> Result<Done200, AppError> {
        let (cp, id) = ids(&control_plane_id, &certificate_id)?;
        self.gateway.delete_certificate(auth.principal(), cp, id).await?;
        Ok(Done200::new())
    }
}
