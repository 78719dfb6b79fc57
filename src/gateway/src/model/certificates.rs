//! Certificates on the wire.

use meshcloud_kernel::http::api7::Id;
use meshcloud_kernel::http::types::{Text, Time};
use poem_openapi::Object;

/// A certificate and what it says about itself. `private_key` is always `""`.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Api7Certificate")]
pub struct Certificate {
    pub id: Id,
    pub control_plane_id: Id,
    /// 50: normal.
    pub status: i64,
    pub created_at: Time,
    pub updated_at: Time,
    /// The PEM as uploaded (leaf first, then its chain).
    pub certificate: String,
    /// Never returned: always `""`.
    pub private_key: String,
    /// The PEM of the CA that client certificates are checked against (`""`: none).
    pub client_ca_certificate: String,
    pub labels: Vec<String>,
    /// `server` or `client`.
    #[oai(rename = "type")]
    pub kind: String,
    /// The leaf's DNS subject alternative names, else its subject common name.
    pub snis: Vec<String>,
    pub not_before: Time,
    /// The expiry (`order_by=expiry_time`).
    pub not_after: Time,
    pub subject: String,
    pub issuer: String,
    /// Hexadecimal.
    pub serial_number: String,
    pub signature_algorithm: String,
}

/// A certificate to upload, or to replace one with (PUT).
#[derive(Debug, Clone, Object)]
#[oai(rename = "Api7CertificateBody")]
pub struct CertificateBody {
    /// Required. PEM, 128 to 65536 characters: the leaf certificate, then its chain.
    pub certificate: Option<Text>,
    /// Required. PEM, 128 to 65536 characters: the leaf's key (PKCS#8, PKCS#1 or SEC1; RSA, EC P-256 or P-384).
    pub private_key: Option<Text>,
    /// PEM, 128 to 65536 characters: the CA client certificates must chain to.
    pub client_ca_certificate: Option<Text>,
    /// The SDK's name for `client_ca_certificate`.
    pub ca_certificate: Option<Text>,
    pub labels: Option<Vec<Text>>,
    /// `server` (default) or `client`.
    #[oai(rename = "type")]
    pub kind: Option<Text>,
}
