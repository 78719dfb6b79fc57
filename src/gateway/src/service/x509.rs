//! PEM, X.509 and private keys: what certificates and consumers' JWT keys
//! are checked with. Certificates are parsed by `x509-parser`; private keys
//! are loaded by `ring` (which also proves they are well formed) and their
//! public half compared with a certificate's or a PEM public key.

use chrono::{DateTime, Utc};
use meshcloud_kernel::{AppError, AppResult};
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;
use x509_parser::objects::{oid_registry, oid2sn};
use x509_parser::pem::Pem;
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;
use x509_parser::x509::SubjectPublicKeyInfo;

/// The PEM blocks of a text: (label, DER). Text that holds no block, or a
/// broken one, is a 400 naming `field`.
pub fn pem_blocks(field: &str, text: &str) -> AppResult<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    for block in Pem::iter_from_buffer(text.as_bytes()) {
        let pem = block.map_err(|_| AppError::validation(format!("{field} is not valid PEM")))?;
        out.push((pem.label, pem.contents));
    }
    if out.is_empty() {
        return Err(AppError::validation(format!("{field} is not PEM (no -----BEGIN …----- block)")));
    }
    Ok(out)
}

/// What a certificate shows about itself.
#[derive(Debug, Clone)]
pub struct CertInfo {
    pub snis: Vec<String>,
    pub subject: String,
    pub issuer: String,
    /// Lower-case hex, no separators.
    pub serial_number: String,
    pub signature_algorithm: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    /// The leaf's public key, to match a private key against.
    pub key: PublicHalf,
}

/// The public half of a key, normalized so that a private key's and a
/// certificate's compare equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicHalf {
    /// Modulus and exponent, big-endian without leading zeros.
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    /// The uncompressed point.
    Ec(Vec<u8>),
    Other,
}

fn strip_zeros(b: &[u8]) -> Vec<u8> {
    let first = b.iter().position(|x| *x != 0).unwrap_or(b.len());
    b[first..].to_vec()
}

fn public_half(spki: &SubjectPublicKeyInfo<'_>) -> PublicHalf {
    match spki.parsed() {
        Ok(PublicKey::RSA(k)) => PublicHalf::Rsa { n: strip_zeros(k.modulus), e: strip_zeros(k.exponent) },
        Ok(PublicKey::EC(p)) => PublicHalf::Ec(p.data().to_vec()),
        _ => PublicHalf::Other,
    }
}

/// Parses every certificate of a PEM text (each block must be a
/// `CERTIFICATE`); the first is returned, parsed.
pub fn certificates(field: &str, text: &str) -> AppResult<CertInfo> {
    let blocks = pem_blocks(field, text)?;
    let mut leaf = None;
    for (i, (label, der)) in blocks.iter().enumerate() {
        if label != "CERTIFICATE" {
            return Err(AppError::validation(format!("{field}: a {label} block where a CERTIFICATE was expected")));
        }
        let (_, cert) = X509Certificate::from_der(der)
            .map_err(|e| AppError::validation(format!("{field}: certificate {} is not valid X.509: {e}", i + 1)))?;
        if i == 0 {
            leaf = Some(info(field, &cert)?);
        }
    }
    leaf.ok_or_else(|| AppError::validation(format!("{field} holds no certificate")))
}

fn info(field: &str, cert: &X509Certificate<'_>) -> AppResult<CertInfo> {
    let time = |t: i64| {
        DateTime::<Utc>::from_timestamp(t, 0)
            .ok_or_else(|| AppError::validation(format!("{field}: a validity date out of range")))
    };
    let mut snis: Vec<String> = Vec::new();
    let san = cert
        .subject_alternative_name()
        .map_err(|e| AppError::validation(format!("{field}: subject alternative names: {e}")))?;
    if let Some(san) = san {
        for name in &san.value.general_names {
            if let GeneralName::DNSName(d) = name
                && !snis.iter().any(|s| s == d)
            {
                snis.push((*d).to_string());
            }
        }
    }
    if snis.is_empty()
        && let Some(cn) = cert.subject().iter_common_name().next().and_then(|cn| cn.as_str().ok())
    {
        snis.push(cn.to_string());
    }
    let oid = &cert.signature_algorithm.algorithm;
    let signature_algorithm = oid2sn(oid, oid_registry()).map(str::to_string).unwrap_or_else(|_| oid.to_id_string());
    Ok(CertInfo {
        snis,
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        serial_number: hex_of(&strip_zeros(cert.raw_serial())),
        signature_algorithm,
        not_before: time(cert.validity().not_before.timestamp())?,
        not_after: time(cert.validity().not_after.timestamp())?,
        key: public_half(cert.public_key()),
    })
}

fn hex_of(b: &[u8]) -> String {
    if b.is_empty() {
        return "0".into();
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A private key ready to sign.
pub enum PrivateKey {
    Rsa(RsaKeyPair),
    /// The key pair and its curve's name (`P-256`, `P-384`).
    Ec(EcdsaKeyPair, &'static str),
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrivateKey::Rsa(_) => f.write_str("PrivateKey::Rsa"),
            PrivateKey::Ec(_, curve) => write!(f, "PrivateKey::Ec({curve})"),
        }
    }
}

impl PrivateKey {
    pub fn public_half(&self) -> PublicHalf {
        match self {
            PrivateKey::Rsa(k) => {
                let c: signature::RsaPublicKeyComponents<Vec<u8>> = k.public().into();
                PublicHalf::Rsa { n: strip_zeros(&c.n), e: strip_zeros(&c.e) }
            }
            PrivateKey::Ec(k, _) => PublicHalf::Ec(k.public_key().as_ref().to_vec()),
        }
    }
}

// DER of the algorithm identifiers a SEC1 key is wrapped in (PKCS#8).
const OID_EC_PUBLIC_KEY: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// A SEC1 `ECPrivateKey` wrapped as PKCS#8 for `curve_oid`.
fn sec1_as_pkcs8(sec1: &[u8], curve_oid: &[u8]) -> Vec<u8> {
    let alg = der(0x30, &[OID_EC_PUBLIC_KEY, curve_oid].concat());
    der(0x30, &[&[0x02, 0x01, 0x00][..], &alg, &der(0x04, sec1)].concat())
}

fn ec_from_pkcs8(pkcs8: &[u8]) -> Option<PrivateKey> {
    let rng = SystemRandom::new();
    if let Ok(k) = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &rng) {
        return Some(PrivateKey::Ec(k, "P-256"));
    }
    EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P384_SHA384_FIXED_SIGNING, pkcs8, &rng)
        .ok()
        .map(|k| PrivateKey::Ec(k, "P-384"))
}

/// Loads a PEM private key: PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE
/// KEY`) or SEC1 (`EC PRIVATE KEY`); RSA (2048 to 8192 bits) or EC P-256 /
/// P-384. Anything else is a 400 naming `field`.
pub fn private_key(field: &str, text: &str) -> AppResult<PrivateKey> {
    let blocks = pem_blocks(field, text)?;
    let bad = || {
        AppError::validation(format!(
            "{field} is not a usable private key (RSA of 2048 to 8192 bits, or EC P-256 or P-384; PKCS#8, PKCS#1 or SEC1)"
        ))
    };
    let Some((label, der)) = blocks.iter().find(|(l, _)| l.ends_with("PRIVATE KEY")) else {
        return Err(AppError::validation(format!("{field} holds no PRIVATE KEY block")));
    };
    match label.as_str() {
        "PRIVATE KEY" => match RsaKeyPair::from_pkcs8(der) {
            Ok(k) => Ok(PrivateKey::Rsa(k)),
            Err(_) => ec_from_pkcs8(der).ok_or_else(bad),
        },
        "RSA PRIVATE KEY" => RsaKeyPair::from_der(der).map(PrivateKey::Rsa).map_err(|_| bad()),
        "EC PRIVATE KEY" => ec_from_pkcs8(&sec1_as_pkcs8(der, OID_P256))
            .or_else(|| ec_from_pkcs8(&sec1_as_pkcs8(der, OID_P384)))
            .ok_or_else(bad),
        "ENCRYPTED PRIVATE KEY" => {
            Err(AppError::validation(format!("{field}: encrypted private keys are not supported")))
        }
        _ => Err(bad()),
    }
}

/// A PEM public key (`PUBLIC KEY`, SubjectPublicKeyInfo).
pub fn public_key(field: &str, text: &str) -> AppResult<PublicHalf> {
    let blocks = pem_blocks(field, text)?;
    let Some((_, der)) = blocks.iter().find(|(l, _)| l == "PUBLIC KEY") else {
        return Err(AppError::validation(format!("{field} holds no PUBLIC KEY block")));
    };
    let (_, spki) = SubjectPublicKeyInfo::from_der(der)
        .map_err(|_| AppError::validation(format!("{field} is not a valid public key")))?;
    match public_half(&spki) {
        PublicHalf::Other => Err(AppError::validation(format!("{field}: only RSA and EC public keys are supported"))),
        k => Ok(k),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths() {
        assert_eq!(der(0x04, &[1, 2]), vec![0x04, 2, 1, 2]);
        let long = vec![0u8; 300];
        assert_eq!(&der(0x04, &long)[..4], &[0x04, 0x82, 0x01, 0x2c]);
    }

    #[test]
    fn not_pem() {
        assert!(pem_blocks("certificate", "hello").is_err());
        assert!(certificates("certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").is_err());
        assert!(private_key("private_key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").is_err());
    }

    #[test]
    fn serial_hex() {
        assert_eq!(hex_of(&strip_zeros(&[0, 0x0a, 0xff])), "0aff");
        assert_eq!(hex_of(&[]), "0");
    }
}
