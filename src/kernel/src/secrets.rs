//! Secrets at rest: AES-256-GCM under the appliance's master key.
//!
//! A sealed value is `version byte || 96-bit random nonce || ciphertext+tag`.
//! The caller binds it to its row with associated data (the row's UUID), so a
//! sealed value copied into another row does not open.

use std::io::Write;
use std::path::{Path, PathBuf};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use rand::RngCore;

use crate::{AppError, AppResult};

const VERSION: u8 = 1;
const NONCE: usize = 12;
/// The key file created in the data dir when no key is configured.
pub const KEY_FILE: &str = "master.key";

#[derive(Clone)]
pub struct Sealer {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(<key redacted>)")
    }
}

impl Sealer {
    pub fn new(key: &[u8; 32]) -> Self {
        Sealer { cipher: Aes256Gcm::new(key.into()) }
    }

    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> AppResult<Vec<u8>> {
        let mut nonce = [0u8; NONCE];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plaintext, aad })
            .map_err(|_| AppError::internal("sealing failed"))?;
        let mut out = Vec::with_capacity(1 + NONCE + ct.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Fails on a wrong key, a tampered value or the wrong associated data.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> AppResult<Vec<u8>> {
        if sealed.len() < 1 + NONCE + 16 || sealed[0] != VERSION {
            return Err(AppError::internal("sealed value is malformed"));
        }
        let (nonce, ct) = sealed[1..].split_at(NONCE);
        self.cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad })
            .map_err(|_| AppError::internal("sealed value does not open with this master key"))
    }
}

/// Parses a configured key: 64 hex digits or base64 of 32 bytes.
pub fn parse_key(text: &str) -> AppResult<[u8; 32]> {
    let text = text.trim();
    let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        (0..32).map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap_or(0)).collect::<Vec<u8>>()
    } else {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| AppError::validation("the master key is neither 64 hex digits nor base64"))?
    };
    bytes.try_into().map_err(|_| AppError::validation("the master key must be 32 bytes (256 bits)"))
}

/// The configured key, else the key file in the data dir; `None` when there
/// is neither (nothing is created).
pub fn load_key(configured: Option<&str>, data_dir: &Path) -> AppResult<Option<[u8; 32]>> {
    if let Some(k) = configured {
        return parse_key(k).map(Some);
    }
    let path: PathBuf = data_dir.join(KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse_key(&text).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(AppError::internal(format!("cannot read {}: {e}", path.display()))),
    }
}

/// A fresh random key, not yet stored anywhere.
pub fn new_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    key
}

/// Stores `key` as the data dir's key file (mode 0600); if another process created the
/// file first, returns the key stored there instead.
pub fn save_new_key(data_dir: &Path, key: &[u8; 32]) -> AppResult<[u8; 32]> {
    let path: PathBuf = data_dir.join(KEY_FILE);
    match write_new_key_file(&path, key) {
        Ok(()) => Ok(*key),
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            parse_key(&std::fs::read_to_string(&path).map_err(|e| AppError::internal(e.to_string()))?)
        }
        Err(e) => Err(AppError::internal(format!("cannot create {}: {e}", path.display()))),
    }
}

/// Writes the key durably before it can be used: a private temporary file,
/// synced, then linked into place (which fails if the name exists) and the
/// directory synced, so a crash never leaves sealed data behind a lost key.
fn write_new_key_file(path: &Path, key: &[u8; 32]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".{KEY_FILE}.{}", std::process::id()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let written = opts.open(&tmp).and_then(|mut f| {
        f.write_all(base64::engine::general_purpose::STANDARD.encode(key).as_bytes())?;
        f.sync_all()
    });
    let linked = written.and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    linked?;
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_row() {
        let s = Sealer::new(&[7u8; 32]);
        let sealed = s.seal(b"hunter2", b"row-1").expect("seals");
        assert!(!sealed.windows(7).any(|w| w == b"hunter2"));
        assert_eq!(s.open(&sealed, b"row-1").expect("opens"), b"hunter2");
        assert!(s.open(&sealed, b"row-2").is_err());
        assert!(Sealer::new(&[8u8; 32]).open(&sealed, b"row-1").is_err());
        let mut tampered = sealed.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(s.open(&tampered, b"row-1").is_err());
        assert_ne!(s.seal(b"hunter2", b"row-1").expect("seals"), sealed, "nonces differ");
    }

    #[test]
    fn keys_parse_from_hex_or_base64_and_are_created_once() {
        let hex = "00".repeat(31) + "ff";
        assert_eq!(parse_key(&hex).expect("hex")[31], 0xff);
        let b64 = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
        assert_eq!(parse_key(&b64).expect("b64"), [9u8; 32]);
        assert!(parse_key("short").is_err());
        let dir = tempfile::tempdir().expect("dir");
        assert!(load_key(None, dir.path()).expect("nothing there").is_none(), "loading creates nothing");
        let a = save_new_key(dir.path(), &new_key()).expect("created");
        let b = save_new_key(dir.path(), &new_key()).expect("the first one kept");
        assert_eq!(a, b);
        assert_eq!(load_key(None, dir.path()).expect("read back"), Some(a));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE)).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
