//! Certificates: parsed and checked PEM, private keys sealed, and the
//! expiry warnings of the `certificate_expiry` job.

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::http::api7::{ListQuery, check_labels};
use meshcloud_kernel::page::Page;
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::time::Timestamp;
use meshcloud_kernel::{AppError, AppResult};

use super::{Gateway, scope, x509};
use crate::store::certificates::{self as store, CertificateRow, CertificateWrite};
use crate::store::control_planes;
use crate::store::labels::{self, Kind};

/// A certificate and its labels.
pub type CertificateView = (CertificateRow, Vec<String>);

/// Warn this long before a certificate expires.
pub const WARN_DAYS: i64 = 30;

/// A certificate as a create or a replace sends it.
#[derive(Debug, Clone)]
pub struct CertificateInput {
    pub certificate: Option<String>,
    pub private_key: Option<String>,
    pub client_ca_certificate: Option<String>,
    pub labels: Vec<String>,
    pub kind: Option<String>,
}

fn pem_length(field: &str, text: &str) -> AppResult<()> {
    let n = text.chars().count();
    if !(128..=65536).contains(&n) {
        return Err(AppError::validation(format!("{field} must be 128 to 65536 characters of PEM, not {n}")));
    }
    Ok(())
}

/// Checks a certificate (everything but sealing): the parsed metadata, and
/// the labels.
fn check(input: &CertificateInput, now: &Timestamp) -> AppResult<(CertificateWrite, Vec<String>, String)> {
    let kind = match input.kind.as_deref().map(str::trim) {
        None | Some("") => "server".to_string(),
        Some(k) if k.eq_ignore_ascii_case("server") => "server".into(),
        Some(k) if k.eq_ignore_ascii_case("client") => "client".into(),
        Some(k) => return Err(AppError::validation(format!("type {k:?} is not server or client"))),
    };
    let labels = check_labels(&input.labels)?;
    let required = |field: &str, v: &Option<String>| {
        v.clone().ok_or_else(|| AppError::validation(format!("{field} is required (PEM)")))
    };
    let (certificate, private_key) =
        (required("certificate", &input.certificate)?, required("private_key", &input.private_key)?);
    pem_length("certificate", &certificate)?;
    pem_length("private_key", &private_key)?;
    let info = x509::certificates("certificate", &certificate)?;
    let key = x509::private_key("private_key", &private_key)?;
    if key.public_half() != info.key {
        return Err(AppError::validation("the private key does not match the certificate"));
    }
    if info.not_after <= *now {
        return Err(AppError::validation(format!(
            "the certificate expired at {}",
            info.not_after.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )));
    }
    if kind == "server" && info.snis.is_empty() {
        return Err(AppError::validation(
            "a server certificate needs a DNS subject alternative name or a subject common name",
        ));
    }
    let client_ca = match input.client_ca_certificate.as_deref().filter(|s| !s.trim().is_empty()) {
        None => None,
        Some(ca) => {
            pem_length("client_ca_certificate", ca)?;
            x509::certificates("client_ca_certificate", ca)?;
            Some(ca.to_string())
        }
    };
    let write = CertificateWrite {
        kind,
        certificate,
        private_key_sealed: Vec::new(),
        client_ca_certificate: client_ca,
        snis: info.snis,
        subject: info.subject,
        issuer: info.issuer,
        serial_number: info.serial_number,
        signature_algorithm: info.signature_algorithm,
        not_before: info.not_before,
        not_after: info.not_after,
    };
    Ok((write, labels, private_key))
}

fn describe(snis: &[String]) -> String {
    if snis.is_empty() { "(no SNI)".into() } else { snis.join(", ") }
}

impl Gateway {
    pub async fn list_certificates(&self, p: &Principal, cp_id: i64, q: ListQuery) -> AppResult<Page<CertificateView>> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                scope::control_plane(c, &p, cp_id, Perm::CertificatesRead)?;
                store::list(c, cp_id, &q)
            })
            .await
    }

    pub async fn certificate(&self, p: &Principal, cp_id: i64, id: i64) -> AppResult<CertificateView> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                scope::control_plane(c, &p, cp_id, Perm::CertificatesRead)?;
                let row = store::get(c, cp_id, id)?.ok_or(AppError::NotFound)?;
                let labels = labels::of(c, Kind::Certificate, id)?;
                Ok((row, labels))
            })
            .await
    }

    pub async fn create_certificate(
        &self,
        p: &Principal,
        cp_id: i64,
        input: CertificateInput,
    ) -> AppResult<CertificateView> {
        let now = self.now();
        let p = p.clone();
        // Permission first: a caller who may not learns nothing about the body.
        self.db()
            .read({
                let p = p.clone();
                move |c| scope::control_plane(c, &p, cp_id, Perm::CertificatesManage).map(|_| ())
            })
            .await?;
        let (mut write, labels, key) = check(&input, &now)?;
        let uuid = uuid::Uuid::now_v7();
        write.private_key_sealed = self.sealer().seal(key.as_bytes(), uuid.to_string().as_bytes())?;
        self.db()
            .write(move |c| {
                let cp = scope::control_plane(c, &p, cp_id, Perm::CertificatesManage)?;
                let id = store::insert(c, uuid, cp_id, &write, &now)?;
                labels::set(c, Kind::Certificate, id, &labels)?;
                control_planes::bump(c, cp_id, &now)?;
                audit::record(
                    c,
                    Event::new(EventKind::CertificateCreate, Some(p.user)).org(cp.org).on(uuid).describe(format!(
                        "Uploaded the {} certificate for {} to control plane {}",
                        write.kind,
                        describe(&write.snis),
                        cp.name
                    )),
                )?;
                let row = store::get(c, cp_id, id)?.ok_or(AppError::NotFound)?;
                Ok((row, labels::of(c, Kind::Certificate, id)?))
            })
            .await
    }

    pub async fn replace_certificate(
        &self,
        p: &Principal,
        cp_id: i64,
        id: i64,
        input: CertificateInput,
    ) -> AppResult<CertificateView> {
        let now = self.now();
        let p = p.clone();
        let uuid = self
            .db()
            .read({
                let p = p.clone();
                move |c| {
                    scope::control_plane(c, &p, cp_id, Perm::CertificatesManage)?;
                    Ok(store::get(c, cp_id, id)?.ok_or(AppError::NotFound)?.uuid)
                }
            })
            .await?;
        let (mut write, labels, key) = check(&input, &now)?;
        write.private_key_sealed = self.sealer().seal(key.as_bytes(), uuid.to_string().as_bytes())?;
        self.db()
            .write(move |c| {
                let cp = scope::control_plane(c, &p, cp_id, Perm::CertificatesManage)?;
                store::get(c, cp_id, id)?.ok_or(AppError::NotFound)?;
                store::replace(c, id, &write, &now)?;
                labels::set(c, Kind::Certificate, id, &labels)?;
                control_planes::bump(c, cp_id, &now)?;
                audit::record(
                    c,
                    Event::new(EventKind::CertificateUpdate, Some(p.user)).org(cp.org).on(uuid).describe(format!(
                        "Replaced certificate {id} of control plane {} (now for {})",
                        cp.name,
                        describe(&write.snis)
                    )),
                )?;
                let row = store::get(c, cp_id, id)?.ok_or(AppError::NotFound)?;
                Ok((row, labels::of(c, Kind::Certificate, id)?))
            })
            .await
    }

    pub async fn delete_certificate(&self, p: &Principal, cp_id: i64, id: i64) -> AppResult<()> {
        let now = self.now();
        let p = p.clone();
        self.db()
            .write(move |c| {
                let cp = scope::control_plane(c, &p, cp_id, Perm::CertificatesManage)?;
                let row = store::get(c, cp_id, id)?.ok_or(AppError::NotFound)?;
                store::delete(c, id)?;
                control_planes::bump(c, cp_id, &now)?;
                audit::record(
                    c,
                    Event::new(EventKind::CertificateDelete, Some(p.user)).org(cp.org).on(row.uuid).describe(format!(
                        "Deleted the certificate for {} from control plane {}",
                        describe(&row.snis),
                        cp.name
                    )),
                )
            })
            .await
    }

    /// Writes a `certificate/expiring` event for each certificate expiring
    /// within 30 days that has not had one; the number written.
    pub async fn warn_expiring_certificates(&self) -> AppResult<usize> {
        let now = self.now();
        let before = now + chrono::Duration::days(WARN_DAYS);
        let mut total = 0;
        loop {
            let n = self
                .db()
                .write(move |c| {
                    let due = store::expiring(c, &before, 500)?;
                    for cert in &due {
                        let verb = if cert.not_after <= now { "expired" } else { "expires" };
                        audit::record(
                            c,
                            Event::new(EventKind::CertificateExpiring, None).org(cert.org).on(cert.uuid).describe(
                                format!(
                                    "The certificate for {} of control plane {} {verb} on {}",
                                    describe(&cert.snis),
                                    cert.control_plane,
                                    cert.not_after.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                                ),
                            ),
                        )?;
                        store::mark_warned(c, cert.id, &now)?;
                    }
                    Ok(due.len())
                })
                .await?;
            total += n;
            if n < 500 {
                return Ok(total);
            }
        }
    }
}
