//! The binary's contract: token create next to a running server, backup and
//! restore, check-db, migrate and the refusal of a newer schema, config, version,
//! the exit status of a refused configuration.

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn token_create_works_while_the_server_runs() {
    let s = Server::start().await;
    // The binary itself, next to the in-process server holding the data dir.
    let dir = s.data_dir.clone();
    let token = tokio::task::spawn_blocking(move || {
        cli_ok(&dir, &["token", "create", "--email", ADMIN_EMAIL, "--name", "from-cli"])
    })
    .await
    .unwrap();
    assert!(token.starts_with("mc_"), "stdout is only the token: {token:?}");
    assert!(!token.contains('\n'));
    let me = s.with_token(&token).get("/api/identity/users/profile").await;
    assert_eq!(me.status, 200);
    let listed = s.with_token(&token).get("/api/identity/tokens?search=from-cli").await.json();
    assert_eq!(listed["total_count"], 1);

    let dir = s.data_dir.clone();
    let bad = tokio::task::spawn_blocking(move || {
        cli(&dir, &["token", "create", "--email", "nobody@example.com", "--name", "x"], None)
    })
    .await
    .unwrap();
    assert!(!bad.status.success());
    assert!(bad.stdout.is_empty());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no user"));
}

#[tokio::test]
async fn backup_while_serving_and_restore() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let id = admin.create_org(json!({"name": "precious"})).await;
    let dir = s.data_dir.clone();
    let out = dir.parent().unwrap().join("backup.db");
    let out_str = out.to_str().unwrap().to_string();
    let d = dir.clone();
    tokio::task::spawn_blocking(move || cli_ok(&d, &["backup", "--out", &out_str])).await.unwrap();
    assert!(out.exists());
    // A second backup to the same file is refused rather than overwriting it.
    let d = dir.clone();
    let o = out.to_str().unwrap().to_string();
    let again = tokio::task::spawn_blocking(move || cli(&d, &["backup", "--out", &o], None)).await.unwrap();
    assert!(!again.status.success());

    // While the server holds the data dir, a restore into it and a second server are refused.
    let (d, o) = (dir.clone(), out.to_str().unwrap().to_string());
    let busy = tokio::task::spawn_blocking(move || cli(&d, &["restore", "--from", &o, "--force"], None)).await.unwrap();
    assert!(!busy.status.success());
    assert!(
        String::from_utf8_lossy(&busy.stderr).contains("another meshcloud"),
        "{}",
        String::from_utf8_lossy(&busy.stderr)
    );
    let d = dir.clone();
    let second =
        tokio::task::spawn_blocking(move || cli(&d, &["serve", "--listen", "127.0.0.1:0"], None)).await.unwrap();
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("another meshcloud"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600, "backups are private");
    }

    // Changes after the backup are not in it.
    admin.create_org(json!({"name": "after-backup"})).await;
    let _tmp = s.stop().await;

    let restored = dir.parent().unwrap().join("restored");
    cli_ok(&restored, &["restore", "--from", out.to_str().unwrap()]);
    cli_ok(&restored, &["check-db"]);
    let refused = cli(&restored, &["restore", "--from", out.to_str().unwrap()], None);
    assert!(!refused.status.success(), "restore does not overwrite without --force");

    let p = Process::start(&restored).await;
    let token = cli_ok(&restored, &["token", "create", "--email", ADMIN_EMAIL, "--name", "r"]);
    let api = p.api(&token);
    assert_eq!(api.get(&format!("/api/identity/orgs/{id}")).await.status, 200);
    let all = api.get("/api/identity/orgs?search=after-backup").await.json();
    assert_eq!(all["total_count"], 0);
}

#[tokio::test]
async fn a_newer_schema_is_refused() {
    let tmp = tempfile::TempDir::new().unwrap();
    let dir = tmp.path().join("data");
    let out = cli_ok(&dir, &["migrate"]);
    assert!(out.is_empty());
    cli_ok(&dir, &["check-db"]);
    {
        let conn = rusqlite::Connection::open(dir.join("meshcloud.db")).unwrap();
        conn.execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (999, 'from_the_future', '2030-01-01', '0')",
            [],
        )
        .unwrap();
    }
    for args in [&["migrate"][..], &["token", "create", "--email", "a@b.example", "--name", "x"][..]] {
        let r = cli(&dir, args, None);
        assert!(!r.status.success(), "{args:?} ran on a newer schema");
        assert!(String::from_utf8_lossy(&r.stderr).contains("newer"), "{}", String::from_utf8_lossy(&r.stderr));
    }
}

#[tokio::test]
async fn check_db_reports_a_damaged_file() {
    let tmp = tempfile::TempDir::new().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("meshcloud.db"), b"this is not a database at all, not even close........").unwrap();
    let r = cli(&dir, &["check-db"], None);
    assert!(!r.status.success());
    let missing = cli(&tmp.path().join("nothing"), &["check-db"], None);
    assert!(!missing.status.success());
}

#[tokio::test]
async fn user_create_version_and_config_example() {
    let tmp = tempfile::TempDir::new().unwrap();
    let dir = tmp.path().join("data");
    let early = cli(&dir, &["user", "create", "--email", "early@example.com"], None);
    assert!(!early.status.success(), "tools do not create or migrate a database");
    assert!(String::from_utf8_lossy(&early.stderr).contains("no database"));
    cli_ok(&dir, &["migrate"]);
    let out = cli(&dir, &["user", "create", "--email", "New@Example.com", "--first-name", "Ne"], None);
    assert!(out.status.success());
    let uuid = String::from_utf8(out.stdout).unwrap();
    assert!(uuid::Uuid::parse_str(uuid.trim()).is_ok());
    assert!(String::from_utf8_lossy(&out.stderr).contains("generated password"));
    let dup = cli(&dir, &["user", "create", "--email", "new@example.com"], None);
    assert!(!dup.status.success(), "emails are unique, case-insensitively");
    let weak = cli(&dir, &["user", "create", "--email", "w@example.com", "--password-stdin"], Some("short\n"));
    assert!(!weak.status.success());

    let version = cli_ok(&dir, &["version"]);
    assert!(version.starts_with("meshcloud "));
    let example = cli_ok(&dir, &["config", "example"]);
    assert!(example.contains("listen = \"127.0.0.1:9876\""));
}

#[tokio::test]
async fn a_restore_without_the_master_key_leaves_no_new_key_behind() {
    let s = Server::start().await;
    let admin = s.admin().await;
    let cred = json!({"name": "registry", "type": "basic", "secret": {"user": "u", "password": "sealed-secret"}});
    admin.post("/api/integrations/credentials", cred).await.expect(201);
    let dir = s.data_dir.clone();
    let tmp = s.stop().await;
    let out = tmp.path().join("backup.db");
    cli_ok(&dir, &["backup", "--out", out.to_str().unwrap()]);

    // Restored elsewhere, without master.key: restore says so, and a start is refused without making a key.
    let restored = tmp.path().join("restored");
    let r = cli(&restored, &["restore", "--from", out.to_str().unwrap()], None);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(String::from_utf8_lossy(&r.stderr).contains("no master key"), "{}", String::from_utf8_lossy(&r.stderr));
    let key = restored.join("master.key");
    for _ in 0..2 {
        let started = cli(&restored, &["serve", "--listen", "127.0.0.1:0"], None);
        assert!(!started.status.success(), "a start with a new key would lose the sealed secrets");
        let err = String::from_utf8_lossy(&started.stderr);
        assert!(err.contains("master key"), "{err}");
        assert!(!key.exists(), "no new key file is left behind");
    }
    let client = cli(&restored, &["client", "create", "--name", "c", "--redirect-uri", "https://c.example/cb"], None);
    assert!(!client.status.success());
    assert!(!key.exists(), "nor by the other tools");

    // With the right key in place it serves, and the secret opens.
    std::fs::copy(dir.join("master.key"), &key).unwrap();
    let p = Process::start(&restored).await;
    let token = cli_ok(&restored, &["token", "create", "--email", ADMIN_EMAIL, "--name", "r"]);
    let listed = p.api(&token).get("/api/integrations/credentials").await.expect(200);
    assert_eq!(listed["total_count"], 1, "{listed}");
}

#[tokio::test]
async fn a_configuration_serve_refuses_exits_with_ex_config() {
    let tmp = tempfile::TempDir::new().unwrap();
    let dir = tmp.path().join("data");
    let bad = tmp.path().join("bad.toml");
    std::fs::write(&bad, "purge_schedule = \"never\"\n").unwrap();
    let missing = tmp.path().join("missing.toml");
    for file in [&bad, &missing] {
        let r = cli(&dir, &["serve", "--listen", "127.0.0.1:0", "--config", file.to_str().unwrap()], None);
        // 78 (EX_CONFIG): the systemd unit does not restart on it.
        assert_eq!(r.status.code(), Some(78), "{}", String::from_utf8_lossy(&r.stderr));
    }
    // Other failures keep the plain failure status: a busy port may free up.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let r = cli(&dir, &["serve", "--listen", &addr], None);
    assert_eq!(r.status.code(), Some(1), "{}", String::from_utf8_lossy(&r.stderr));
}
