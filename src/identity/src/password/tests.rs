use std::collections::HashSet;

use argon2::password_hash::PasswordHasher as _;

use super::*;

/// A PHC string made by argon2 itself (the path every stored hash took).
fn plain_hash(argon: &Argon2<'_>, password: &str) -> String {
    argon.hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng)).expect("hash").to_string()
}

fn plain_verify(password: &str, stored: &str) -> bool {
    Argon2::default().verify_password(password.as_bytes(), &PasswordHash::new(stored).expect("parse")).is_ok()
}

fn with(algorithm: Algorithm, version: Version, m: u32, t: u32, p: u32) -> Argon2<'static> {
    Argon2::new(algorithm, version, Params::new(m, t, p, None).expect("params"))
}

#[test]
fn pooled_hashes_are_the_strings_argon2_makes() {
    let salt = SaltString::generate(&mut OsRng);
    let mut memory = vec![Block::new(); memory::BLOCKS];
    let pooled = hash_with(&mut memory, "correct horse", &salt).expect("pooled");
    let plain = Argon2::default().hash_password(b"correct horse", &salt).expect("plain").to_string();
    assert_eq!(pooled, plain);
    assert!(pooled.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{pooled}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_pooled_checks_answer_as_argon2_does() {
    let passwords = Passwords::new(2, Duration::from_secs(60));
    // Hashes as earlier code stored them: the defaults, and parameters that
    // differ (smaller and larger memory, more lanes, argon2i, version 0x10).
    let stored = vec![
        plain_hash(&Argon2::default(), "first password"),
        plain_hash(&Argon2::default(), "second password"),
        plain_hash(&with(Algorithm::Argon2id, Version::V0x13, 8192, 3, 2), "small memory"),
        plain_hash(&with(Algorithm::Argon2i, Version::V0x13, 4096, 2, 1), "argon2i"),
        plain_hash(&with(Algorithm::Argon2id, Version::V0x10, 4096, 1, 1), "version 16"),
        plain_hash(&with(Algorithm::Argon2id, Version::V0x13, 32768, 1, 1), "large memory"),
        passwords.hash("hashed through the pool".into()).await.expect("pooled hash"),
    ];
    let tries = [
        "first password",
        "second password",
        "small memory",
        "argon2i",
        "version 16",
        "large memory",
        "hashed through the pool",
        "wrong",
        "",
    ];
    let mut cases = vec![];
    for hash in &stored {
        for password in tries {
            cases.push((password.to_string(), hash.clone()));
        }
    }
    let mut tasks = vec![];
    for (password, hash) in cases.clone() {
        let passwords = passwords.clone();
        tasks.push(tokio::spawn(async move { passwords.verify(password, Some(hash)).await.expect("verify") }));
    }
    let mut matched = HashSet::new();
    for (task, (password, hash)) in tasks.into_iter().zip(cases) {
        let pooled = task.await.expect("task");
        let plain = tokio::task::spawn_blocking({
            let (password, hash) = (password.clone(), hash.clone());
            move || plain_verify(&password, &hash)
        })
        .await
        .expect("plain");
        assert_eq!(pooled, plain, "{password:?} against {hash}");
        if pooled {
            matched.insert(password);
        }
    }
    assert_eq!(matched.len(), stored.len(), "each stored hash accepts its own password: {matched:?}");
    let (_, allocated) = passwords.memory.counts();
    assert!(allocated <= 2, "{allocated} buffers for 2 permits");
}

#[tokio::test]
async fn unknown_users_and_broken_hashes_never_match() {
    let passwords = Passwords::new(1, Duration::from_secs(60));
    assert!(!passwords.verify("meshcloud-timing-equaliser".into(), None).await.expect("dummy"));
    let r = passwords.verify("x".into(), Some("not a phc string".into())).await;
    assert!(matches!(r, Err(AppError::Internal(_))));
    let truncated = "$argon2id$v=19$m=19456,t=2,p=1$bWVzaGNsb3VkLXRpbWluZw";
    assert!(!passwords.verify("x".into(), Some(truncated.into())).await.expect("no output"));
    assert_eq!(PasswordHash::new(DUMMY_HASH).expect("dummy parses").hash.map(|h| h.len()), Some(32));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buffers_are_freed_after_idling_and_allocated_again_on_use() {
    let passwords = Passwords::with_idle_release(2, Duration::from_secs(60), Duration::from_millis(200));
    let stored = passwords.hash("a password".into()).await.expect("hash");
    assert!(passwords.verify("a password".into(), Some(stored.clone())).await.expect("verify"));
    assert_eq!(passwords.memory.counts(), (1, 1), "one buffer, kept for the next check");
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(passwords.memory.counts().0, 0, "freed after idling");
    assert!(passwords.verify("a password".into(), Some(stored)).await.expect("verify"));
    assert_eq!(passwords.memory.counts(), (1, 2), "allocated again");
}
