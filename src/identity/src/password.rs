//! Human passwords: argon2id, with a cap on concurrent hashing so that a burst
//! of sign-ins cannot exhaust memory, and an equal-cost path for unknown users.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString, rand_core::OsRng};
use meshcloud_kernel::{AppError, AppResult};
use tokio::sync::Semaphore;

pub const MIN_PASSWORD_LEN: usize = 8;
pub const MAX_PASSWORD_LEN: usize = 1024;

#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    wait: Duration,
}

impl Passwords {
    pub fn new(concurrency: usize, wait: Duration) -> Self {
        Passwords { permits: Arc::new(Semaphore::new(concurrency.max(1))), wait }
    }

    pub fn check_policy(password: &str) -> AppResult<()> {
        let n = password.chars().count();
        if n < MIN_PASSWORD_LEN {
            return Err(AppError::validation(format!("password must be at least {MIN_PASSWORD_LEN} characters")));
        }
        if password.len() > MAX_PASSWORD_LEN {
            return Err(AppError::validation(format!("password must be at most {MAX_PASSWORD_LEN} bytes")));
        }
        Ok(())
    }

    pub async fn hash(&self, password: String) -> AppResult<String> {
        let _permit = self.permit().await?;
        tokio::task::spawn_blocking(move || hash_now(&password))
            .await
            .map_err(|e| AppError::internal(format!("hash task: {e}")))?
    }

    /// Verifies `password` against `stored`; with no stored hash (unknown user,
    /// no password set) it still spends the same work and answers false.
    pub async fn verify(&self, password: String, stored: Option<String>) -> AppResult<bool> {
        let _permit = self.permit().await?;
        tokio::task::spawn_blocking(move || {
            let (hash, real) = match stored {
                Some(h) => (h, true),
                None => (dummy_hash().to_string(), false),
            };
            let parsed = PasswordHash::new(&hash).map_err(|e| AppError::internal(format!("stored hash: {e}")))?;
            let ok = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
            Ok(ok && real)
        })
        .await
        .map_err(|e| AppError::internal(format!("verify task: {e}")))?
    }

    async fn permit(&self) -> AppResult<tokio::sync::OwnedSemaphorePermit> {
        tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| AppError::busy())?
            .map_err(|_| AppError::busy())
    }
}

/// Hashes on the calling thread (CLI tools, bootstrap).
pub fn hash_now(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("hash: {e}")))
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_now("meshcloud-timing-equaliser")
            .unwrap_or_else(|_| "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into())
    })
}
