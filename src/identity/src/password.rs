//! Human passwords: argon2id, with a cap on concurrent hashing and reused
//! working memory (see `memory`) so that a burst of sign-ins cannot exhaust
//! memory, and an equal-cost path for unknown users.

mod memory;

use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::{Output, ParamsString, PasswordHash, PasswordVerifier as _, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use meshcloud_kernel::crypto::ct_eq;
use meshcloud_kernel::{AppError, AppResult};
use tokio::sync::Semaphore;

pub const MIN_PASSWORD_LEN: usize = 8;
pub const MAX_PASSWORD_LEN: usize = 1024;

/// Checked instead of a stored hash for unknown users and users without a
/// password: the default parameters, so the work is the same; never matches.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$bWVzaGNsb3VkLXRpbWluZw$bWVzaGNsb3VkLXRpbWluZy1lcXVhbGlzZXItMzJieXQ";

#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    wait: Duration,
    memory: Arc<memory::Pool>,
}

impl Passwords {
    pub fn new(concurrency: usize, wait: Duration) -> Self {
        Self::with_idle_release(concurrency, wait, memory::IDLE_RELEASE)
    }

    fn with_idle_release(concurrency: usize, wait: Duration, idle: Duration) -> Self {
        Passwords { permits: Arc::new(Semaphore::new(concurrency.max(1))), wait, memory: memory::Pool::new(idle) }
    }

    /// A password an operator hands over once (a new account, a reset); its
    /// owner changes it after signing in.
    pub fn generate() -> String {
        meshcloud_kernel::crypto::random_secret(18)
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
        let salt = SaltString::generate(&mut OsRng);
        self.run(move |m| hash_with(m, &password, &salt)).await
    }

    /// Verifies `password` against `stored`; with no stored hash (unknown user,
    /// no password set) it still spends the same work and answers false.
    pub async fn verify(&self, password: String, stored: Option<String>) -> AppResult<bool> {
        self.run(move |m| {
            let real = stored.is_some();
            let hash = stored.as_deref().unwrap_or(DUMMY_HASH);
            let parsed = PasswordHash::new(hash).map_err(|e| AppError::internal(format!("stored hash: {e}")))?;
            Ok(verify_with(m, password.as_bytes(), &parsed) && real)
        })
        .await
    }

    /// Runs `f` on a blocking thread with a hashing permit and a pooled
    /// buffer. The permit travels with the work: a caller that gives up does
    /// not let more hashes run at once than there are permits.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut [Block]) -> AppResult<T> + Send + 'static,
    ) -> AppResult<T> {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| AppError::busy())?
            .map_err(|_| AppError::busy())?;
        self.memory.arm_release();
        let memory = self.memory.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            memory.with_memory(f)
        })
        .await
        .map_err(|e| AppError::internal(format!("password task: {e}")))?
    }
}

/// The PHC string argon2's own `hash_password` makes with the default
/// parameters, computed in `memory`.
fn hash_with(memory: &mut [Block], password: &str, salt: &SaltString) -> AppResult<String> {
    let fail = |e: &dyn std::fmt::Display| AppError::internal(format!("hash: {e}"));
    let mut raw = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut raw).map_err(|e| fail(&e))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::default()
        .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, memory)
        .map_err(|e| fail(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&Params::DEFAULT).map_err(|e| fail(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| fail(&e))?),
    };
    Ok(phc.to_string())
}

/// What argon2's `verify_password` answers, computed in `memory` when the
/// stored parameters fit in it; hashes made with more memory than the
/// defaults are checked by argon2 with an allocation of their own.
fn verify_with(memory: &mut [Block], password: &[u8], hash: &PasswordHash<'_>) -> bool {
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else { return false };
    let (Ok(algorithm), Ok(params)) = (Algorithm::try_from(hash.algorithm), Params::try_from(hash)) else {
        return false;
    };
    let version = match hash.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    if params.block_count() > memory.len() {
        return Argon2::default().verify_password(password, hash).is_ok();
    }
    let mut raw = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut raw) else { return false };
    let mut out = [0u8; Output::MAX_LENGTH];
    let Some(out) = out.get_mut(..expected.len()) else { return false };
    Argon2::new(algorithm, version, params).hash_password_into_with_memory(password, salt, out, memory).is_ok()
        && ct_eq(out, expected.as_bytes())
}

#[cfg(test)]
mod tests;
